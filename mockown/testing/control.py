"""A small client of the control plane (`/_mockown/*`, `contracts/control.yaml`): the one way the test
helpers steer a server, in-process or in another process alike."""

from __future__ import annotations

import json as _json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

if TYPE_CHECKING:
    import httpx

    from ..http.inprocess import InProcessTransport


class ControlPlaneError(RuntimeError):
    """The control plane refused a request; `status` and `body` say why."""

    def __init__(self, method: str, path: str, status: int, body: Any) -> None:
        self.status = status
        self.body = body
        detail = body.get("error_description") or body.get("message") or body if isinstance(body, dict) else body
        super().__init__(f"{method} /_mockown/{path} answered {status}: {detail}")


class ControlClient:
    """Over an `httpx.Client` (a server elsewhere), or straight into an app in this process
    (`ControlClient.in_process`: the same requests, without httpx's client-side work)."""

    def __init__(self, client: httpx.Client | None, admin_token: str | None = None) -> None:
        self._client = client
        self._admin_token = admin_token
        self._headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
        self._direct: InProcessTransport | None = None
        self._raw_headers: list[tuple[bytes, bytes]] = [(b"accept", b"*/*"), (b"user-agent", b"mockown-control")]
        if admin_token:
            self._raw_headers.append((b"authorization", f"Bearer {admin_token}".encode()))

    @classmethod
    def in_process(cls, app: Any, admin_token: str | None = None) -> ControlClient:
        from ..http.inprocess import InProcessTransport

        control = cls(None, admin_token)
        control._direct = InProcessTransport(app)
        return control

    def request(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None) -> Any:
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        if self._direct is not None:
            status, raw = self._request_direct(method, f"/_mockown/{path}", json, clean)
            try:
                body: Any = _json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
        else:
            assert self._client is not None
            response = self._client.request(
                method, f"/_mockown/{path}", json=json, params=clean or None, headers=self._headers
            )
            status = response.status_code
            try:
                body = response.json()
            except ValueError:
                body = response.text
        if status >= 400:
            raise ControlPlaneError(method, path, status, body)
        return body

    def _request_direct(self, method: str, path: str, json: Any, params: dict[str, Any]) -> tuple[int, bytes]:
        assert self._direct is not None
        target = quote(path) + ("?" + urlencode(params) if params else "")
        headers = self._raw_headers
        content = b""
        if json is not None:  # encoded as httpx encodes `json=`
            content = _json.dumps(json, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
            headers = [*headers, (b"content-type", b"application/json")]
        status, _, parts = self._direct.request(method, target, headers, content)
        return status, b"".join(parts)

    def get(self, endpoint: str, /, **params: Any) -> Any:
        return self.request("GET", endpoint, params=params)

    def post(self, path: str, body: Any = None) -> Any:
        return self.request("POST", path, json=body if body is not None else {})

    def delete(self, endpoint: str, /, **params: Any) -> Any:
        return self.request("DELETE", endpoint, params=params)

    # -- the endpoints ---------------------------------------------------------------------------------
    def journal_last_id(self) -> int:
        """The id of the newest journal entry, 0 when there is none: where "from now on" starts for a test's
        journal. Over HTTP ``GET /_mockown/journal?limit=1``; in-process the app's journal is read at once (that
        request only reads it, and control-plane requests are never journaled, so the answer is the same)."""
        journal = self._app_journal()
        if journal is not None:
            newest = journal.entries(None, 1)
            return int(newest[-1].id) if newest else 0
        entries = self.get("journal", limit=1)["entries"]
        return int(entries[-1]["id"]) if entries else 0

    def _app_journal(self) -> Any:
        """In-process, the app's `Journal` (None over HTTP, or for an app that is not mockown's)."""
        return getattr(getattr(self._app_runtime(), "control", None), "journal", None)

    def _app_runtime(self) -> Any:
        """In-process, the app's `Runtime` (None over HTTP, or for an app that is not mockown's)."""
        if self._direct is None:
            return None
        return getattr(getattr(self._direct.app, "state", None), "runtime", None)

    def _straight(self, path: str, body: Any, work: Callable[[Any, Any], Any]) -> Any:
        """`POST /_mockown/<path>` done in-process by the endpoint's own function `work(runtime, body)`, without
        the HTTP round trip: the body and the answer go through JSON as they would over HTTP (the same
        values, copies, a body JSON cannot carry refused), and a refusal is the same `ControlPlaneError`, the
        control plane's admission rule (admin token, loopback) included."""
        from ..errors import MockownError
        from ..http.control import admission

        runtime = self._app_runtime()
        sent = _json.loads(_json.dumps(body, ensure_ascii=False, allow_nan=False))
        try:
            refused = admission(runtime.config, self._admin_token)
            if refused is not None:
                raise refused
            answer = work(runtime, sent)
        except MockownError as exc:  # what the endpoint answers with
            response = exc.response()
            raise ControlPlaneError("POST", path, response.status_code, _json.loads(bytes(response.body))) from None
        return _json.loads(_json.dumps(answer, ensure_ascii=False, allow_nan=False))

    def health(self) -> dict[str, Any]:
        result: dict[str, Any] = self.get("health")
        return result

    def seed(self, document: dict[str, Any]) -> dict[str, Any]:
        """`POST /_mockown/seed`; in-process straight through the endpoint's own function (`_straight`)."""
        if self._app_runtime() is not None:
            from ..http.control import seed_request

            seeded: dict[str, Any] = self._straight("seed", document, seed_request)
            return seeded
        result: dict[str, Any] = self.post("seed", document)
        return result

    def reset(self, **body: Any) -> dict[str, Any]:
        """`POST /_mockown/reset`; in-process straight through the endpoint's own function (`_straight`)."""
        if self._app_runtime() is not None:
            from ..http.control import reset_request

            done: dict[str, Any] = self._straight("reset", body, reset_request)
            return done
        result: dict[str, Any] = self.post("reset", body)
        return result

    def clock(self, **change: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.post("clock", change) if change else self.get("clock")
        return result

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        if self._direct is not None:
            self._direct.close()


__all__ = ["ControlClient", "ControlPlaneError"]
