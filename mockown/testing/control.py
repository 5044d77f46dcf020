"""A small client of the control plane (`/_mockown/*`, `contracts/control.yaml`): the one way the test
helpers steer a server, in-process or in another process alike."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx


class ControlPlaneError(RuntimeError):
    """The control plane refused a request; `status` and `body` say why."""

    def __init__(self, method: str, path: str, status: int, body: Any) -> None:
        self.status = status
        self.body = body
        detail = body.get("error_description") or body.get("message") or body if isinstance(body, dict) else body
        super().__init__(f"{method} /_mockown/{path} answered {status}: {detail}")


class ControlClient:
    def __init__(self, client: httpx.Client, admin_token: str | None = None) -> None:
        self._client = client
        self._headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}

    def request(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None) -> Any:
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        response = self._client.request(
            method, f"/_mockown/{path}", json=json, params=clean or None, headers=self._headers
        )
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        if response.status_code >= 400:
            raise ControlPlaneError(method, path, response.status_code, body)
        return body

    def get(self, endpoint: str, /, **params: Any) -> Any:
        return self.request("GET", endpoint, params=params)

    def post(self, path: str, body: Any = None) -> Any:
        return self.request("POST", path, json=body if body is not None else {})

    def delete(self, endpoint: str, /, **params: Any) -> Any:
        return self.request("DELETE", endpoint, params=params)

    # -- the endpoints ---------------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        result: dict[str, Any] = self.get("health")
        return result

    def seed(self, document: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self.post("seed", document)
        return result

    def reset(self, **body: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.post("reset", body)
        return result

    def clock(self, **change: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.post("clock", change) if change else self.get("clock")
        return result

    def close(self) -> None:
        self._client.close()


__all__ = ["ControlClient", "ControlPlaneError"]
