"""The ceiling of our stack: bare Starlette on the same uvicorn settings as `mockown serve`.

`POST /token` reads the same form body the way mockown does (body, then `parse_qsl`) and answers a JSON body
shaped like a Salesforce token response (with a fresh random token, so nothing is cached); `GET /fixed`
answers a fixed JSON body (a precomputed discovery-sized document). Run: ``python -m bench.ceiling PORT``.
"""

from __future__ import annotations

import json
import secrets
import sys
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mockown.salesforce.discovery import openid_configuration


async def token(request: Request) -> Response:
    params = dict(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))
    body = {
        "access_token": "00D5g000004Mock!AQ" + secrets.token_urlsafe(70),
        "scope": params.get("scope", "api"),
        "instance_url": "http://127.0.0.1",
        "id": "http://127.0.0.1/id/00D5g000004MockEAC/005g000000Int3GAAR",
        "token_type": "Bearer",
        "issued_at": "1767225600000",
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


FIXED = json.dumps(openid_configuration("http://127.0.0.1:8080"), separators=(",", ":")).encode()


async def fixed(request: Request) -> Response:
    return Response(FIXED, media_type="application/json")


app = Starlette(routes=[Route("/token", token, methods=["POST"]), Route("/fixed", fixed, methods=["GET"])])


def main() -> None:
    import uvicorn

    from mockown.logs import uvicorn_log_config
    from mockown.wire import OneWriteProtocol

    port = int(sys.argv[1])
    # the options `mockown serve` passes (mockown/serving.py), with its log level and its HTTP protocol
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                log_config=uvicorn_log_config("warning"), http=OneWriteProtocol)  # fmt: skip


if __name__ == "__main__":
    main()
