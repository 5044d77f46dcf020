"""Experiments for `bench.interleaved --variant`: the token request with parts of the request path left out.

Not how mockown serves (these skip its journal, fault rules, body limit and router); they bound what leaving a
part out could buy. Any other request goes through the real pipeline.

- ``bare_token``: the grant and its answer only: the body read and parsed, `salesforce.token.token` called, its
  response sent. No journal entry, no router, no `Request`.
- ``journaled_token``: the journal as the pipeline keeps it (body buffered, parameters parsed, who the request is
  about resolved, an entry recorded with its status), then `token` called directly: no router, no `Request`,
  the response sent without the journal's send wrapper.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qsl

from starlette.types import Receive, Scope, Send

from mockown.http.forms import NO_PARAMS, Params
from mockown.http.headers import header_index
from mockown.http.journal import Entry, RequestInfo, bearer_of, resolve
from mockown.http.pipeline import RequestPipeline, _buffered, _form_params, _Recording
from mockown.salesforce.token import token

TOKEN = "/services/oauth2/token"
BASE = "http://127.0.0.1:8080"


async def bare_token(pipeline: RequestPipeline, scope: Scope, receive: Receive, send: Send) -> None:
    if scope["path"] != TOKEN:
        await RequestPipeline.__call__(pipeline, scope, receive, send)
        return
    message = await receive()
    params = Params(parse_qsl(message.get("body", b"").decode(), keep_blank_values=True))
    auth = header_index(scope).get(b"authorization")
    response = await token(scope["app"].runtime.salesforce, params, authorization=auth.decode() if auth else None,
                           accept=None, base=BASE, host="127.0.0.1")  # fmt: skip
    await response(scope, receive, send)


async def journaled_token(pipeline: RequestPipeline, scope: Scope, receive: Receive, send: Send) -> None:
    if scope["path"] != TOKEN:
        await RequestPipeline.__call__(pipeline, scope, receive, send)
        return
    runtime = scope["app"].runtime
    started = time.perf_counter()
    limit = runtime.config.max_body_bytes
    index = header_index(scope)
    authorization = index.get(b"authorization")
    body, _, _ = await _buffered(receive, limit)
    info = RequestInfo(method=scope["method"], path=scope["path"])
    info.params = _form_params(scope, body, index.get(b"content-length"), index.get(b"content-type", b""), limit)
    info.authorization = authorization.decode("latin-1") if authorization is not None else None
    info.bearer = bearer_of(authorization, NO_PARAMS)
    resolve(runtime, info)
    journal = runtime.control.journal
    entry = Entry(runtime.clock.now(), info.method, info.path, "", scope["headers"], info.params,
                  info.grant_type, info.org, info.account, info.client_id, info.user)  # fmt: skip
    recording = _Recording(entry, journal, started, send)
    response = await token(runtime.salesforce, info.params, authorization=info.authorization, accept=None,
                           base=BASE, host="127.0.0.1")  # fmt: skip
    entry.status = response.status_code
    recording.record()
    await send({"type": "http.response.start", "status": response.status_code, "headers": response.raw_headers})
    await send({"type": "http.response.body", "body": response.body})
