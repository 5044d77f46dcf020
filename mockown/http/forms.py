"""Request parameters from form, multipart, JSON bodies and the query string, with a size limit.

Every API accepts a body in the encodings its real clients send: `application/x-www-form-urlencoded`,
`multipart/form-data` (the Salesforce CLI, Postman) and, where the API takes it, JSON. Parameters
may repeat, so the result keeps every value; `Params.get()` gives the first.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import UploadFile
from starlette.requests import Request

# A form body parsed once per request: (body, its Params), kept in the ASGI scope, so the journal's read and the
# endpoint's read of the same body share one parse. Params are never changed in place.
FORM_KEY = "mockown.form"


class BadBody(ValueError):
    """A body that cannot be read as what its Content-Type says. `status` is 400 or 413."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class Params:
    __slots__ = ("_items",)

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._items: dict[str, list[str]] = {}
        for key, value in items:
            self._items.setdefault(key, []).append(value)

    def get(self, key: str, default: str | None = None) -> str | None:
        values = self._items.get(key)
        return values[0] if values else default

    def getlist(self, key: str) -> list[str]:
        return list(self._items.get(key, ()))

    def __bool__(self) -> bool:
        return bool(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def keys(self) -> list[str]:
        return list(self._items)

    def items(self) -> list[tuple[str, str]]:
        return [(k, v) for k, vs in self._items.items() for v in vs]

    def merged_under(self, other: Params) -> Params:
        """These parameters, plus those of `other` whose names are not here (body wins over query)."""
        if not other._items:
            return self  # Params are never changed in place, so sharing is safe
        out = Params(self.items())
        for key in other._items:
            if key not in out._items:
                out._items[key] = other.getlist(key)
        return out

    def to_dict(self) -> dict[str, str | list[str]]:
        return {k: vs[0] if len(vs) == 1 else list(vs) for k, vs in self._items.items()}


NO_PARAMS = Params()  # the shared empty set (Params are never changed in place)


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise BadBody("invalid Content-Length") from None
        if size > limit:
            raise BadBody(f"request body larger than {limit} bytes", 413)
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise BadBody(f"request body larger than {limit} bytes", 413)
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # let starlette's own readers see it
    return body


async def read_decoded_body(request: Request, limit: int) -> bytes:
    """The body as `read_body` reads it, then undone of its `Content-Encoding` (`decode_content`): for the APIs
    whose real clients compress what they send (the SOAP API: Salesforce's WSC, so Data Loader, gzips by
    default)."""
    return decode_content(await read_body(request, limit), request.headers.get("content-encoding"), limit)


CONTENT_CODINGS = ("gzip", "x-gzip", "deflate", "identity")  # RFC 9110 8.4.1 (x-gzip: gzip's old name)


def decode_content(body: bytes, codings: str | None, limit: int) -> bytes:
    """`body` undone of the content codings `codings` names (a `Content-Encoding` value: applied in the order
    listed, so undone from the last). Decoded past `limit` bytes is `BadBody` 413 (a small bomb never grows
    beyond it); a coding not in `CONTENT_CODINGS` 415 (RFC 9110 15.5.16); data that is not what it says 400."""
    names = [c.strip().lower() for c in (codings or "").split(",") if c.strip()]
    for name in names:
        if name not in CONTENT_CODINGS:
            raise BadBody(f"unsupported Content-Encoding {name!r}: send gzip, deflate or none", 415)
    for name in reversed(names):
        if name == "identity":
            continue
        try:
            body = _inflate(body, limit, gzip=name != "deflate")
        except zlib.error:
            raise BadBody(f"the body is not valid {name} data") from None
    return body


def _inflate(data: bytes, limit: int, *, gzip: bool) -> bytes:
    """`data` decompressed (gzip: every member, as `gzip -d` reads them; deflate: the zlib format RFC 9110 8.4.1.2
    names, or the raw deflate some clients send), stopping one byte past `limit`: BadBody 413 there. The input is fed
    in slices of at most `INFLATE_STEP` bytes: at a member's end zlib copies what it was given beyond it
    (`unused_data`), so feeding the whole rest made a body of many tiny members cost quadratic time."""
    out: list[bytes] = []
    room = limit + 1
    view, pos = memoryview(data), 0
    while True:
        inflater = zlib.decompressobj(wbits=31 if gzip else 15 if _zlib_header(data) else -15)  # -15: raw deflate
        while not inflater.eof:
            if pos >= len(data):
                raise zlib.error("the stream ends early")
            piece = view[pos : pos + INFLATE_STEP]
            chunk = inflater.decompress(piece, room)
            room -= len(chunk)
            out.append(chunk)
            if room <= 0:
                raise BadBody(f"request body larger than {limit} bytes once decoded", 413)
            pos += len(piece) - len(inflater.unused_data)  # below the limit, zlib keeps no unconsumed_tail
        if pos >= len(data):
            return b"".join(out)
        if not gzip:
            raise zlib.error("data after the end of the stream")


INFLATE_STEP = 64 * 1024


def _zlib_header(data: bytes) -> bool:
    """Whether `data` opens with a zlib header (RFC 1950 2.2: method 8, a check of the two bytes)."""
    return len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def charset(request: Request) -> str | None:
    """The `charset` parameter of the request's Content-Type (unquoted), None without one."""
    for param in request.headers.get("content-type", "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').strip() or None
    return None


async def read_params(request: Request, limit: int, *, json_ok: bool = False, decode: bool = False) -> Params:
    """Body parameters (form, multipart, or JSON objects when `json_ok`). With `decode` (the APIs that take a
    compressed body), the body is first undone of its `Content-Encoding` (`decode_content`: 415 for a coding it
    does not know); the other APIs pay nothing for it."""
    if decode and request.headers.get("content-encoding"):
        request._body = await _decoded_body(request, limit)  # what `read_body` and the multipart parser read
    parsed = request.scope.get(FORM_KEY)
    if parsed is not None and len(parsed[0]) <= limit:
        # The request pipeline read this whole body (within the limit, valid UTF-8) and parsed it as the form it
        # is: what the code below would find. The endpoint's receive replays the same body.
        request._body = parsed[0]
        found: Params = parsed[1]
        return found
    body = await read_body(request, limit)
    kind = media_type(request)
    if not body and kind != "multipart/form-data":
        return Params()
    if kind == "multipart/form-data":
        try:
            form = await request.form(max_files=10, max_fields=1000)
        except Exception as exc:  # python-multipart raises several types for broken input
            raise BadBody(f"malformed multipart body: {exc}") from None
        items: list[tuple[str, str]] = []
        try:
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    raw = await value.read()
                    items.append((key, _decode(raw)))
                else:
                    items.append((key, value))
        finally:
            await form.close()  # a part with a filename is a SpooledTemporaryFile: closed now, not by the collector
        return Params(items)
    if _is_xml(kind, body):
        # an XML document (a SOAP envelope: salesforce/soap.py reads it itself) has no form parameters; read as a
        # form, its text (a password inside) would become a parameter name the journal cannot tell is a secret
        return Params()
    if kind in ("application/json", "text/json") or (json_ok and kind.endswith("+json")):
        if not json_ok:
            raise BadBody("JSON bodies are not accepted here; send application/x-www-form-urlencoded")
        return Params(_json_items(body))
    # Salesforce and Okta read a body without a Content-Type as a form, as do most servers.
    text = _decode(body)
    try:
        params = Params(parse_qsl(text, keep_blank_values=True, strict_parsing=False, max_num_fields=1000))
    except ValueError as exc:
        raise BadBody(f"malformed form body: {exc}") from None
    request.scope[FORM_KEY] = (body, params)
    return params


DECODED_KEY = "mockown.decoded"  # a body undone of its Content-Encoding, kept in the scope: decoded once


async def _decoded_body(request: Request, limit: int) -> bytes:
    decoded: bytes | None = request.scope.get(DECODED_KEY)
    if decoded is None:
        decoded = decode_content(await read_body(request, limit), request.headers.get("content-encoding"), limit)
        request.scope.pop(FORM_KEY, None)  # the request pipeline's parse, if any, was of the coded bytes
        request.scope[DECODED_KEY] = decoded
    return decoded


def _is_xml(kind: str, body: bytes) -> bool:
    """An XML media type, or a body that starts like markup without one or as a form (no form does)."""
    if kind in ("text/xml", "application/xml") or kind.endswith("+xml"):
        return True
    return kind in ("", "application/x-www-form-urlencoded") and starts_like_markup(body)


def starts_like_markup(body: bytes) -> bool:
    """Whether `body` begins with `<` after any white space (no form does). The body is not copied unless it
    begins with white space."""
    first = body[:1]
    return first == b"<" or (first.isspace() and body.lstrip()[:1] == b"<")


def query_params(request: Request) -> Params:
    try:
        query = request.scope.get("query_string", b"").decode("latin-1")  # what `request.url.query` gives
        return Params(parse_qsl(query, keep_blank_values=True, max_num_fields=1000)) if query else NO_PARAMS
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadBody(f"malformed query string: {exc}") from None


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadBody("the body is not valid UTF-8") from None


# a \u escape of a UTF-16 surrogate (`\ud800`..`\udfff`): json.loads makes a lone one a str that is no Unicode text
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE_ESCAPE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]")


def no_lone_surrogates(data: Any, text: str | bytes) -> Any:
    """`data` (parsed from the JSON `text`), or `BadBody` when a string of it holds a lone surrogate: JSON lets
    `"\\ud800"` through, but no UTF-8 can encode it, so stored it made every later render of the state a 500
    (RFC 8259 section 8.2: such strings are not interoperable). A pair (`\\ud83d\\ude00`) is one character and
    welcome. The common text, with no such escape, is not walked."""
    pattern = _SURROGATE_ESCAPE if isinstance(text, str) else _SURROGATE_ESCAPE_BYTES
    if pattern.search(text):  # type: ignore[arg-type]  # str pattern for str, bytes pattern for bytes
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise BadBody("malformed JSON body: a \\u escape of a lone surrogate (no Unicode character)") from None
    return data


MAX_JSON_DEPTH = 512  # arrays and objects nested deeper are refused, on every Python (the parser's own limit moves)


def parse_json(text: str | bytes) -> Any:
    """`json.loads` for what a client sent: whatever Python's parser cannot turn into a value is `BadBody`, never
    a 500: malformed text or bytes, a document nested past the parser's depth (RecursionError) or past
    `MAX_JSON_DEPTH` (the same answer on every Python: 3.11's parser stops near 1,000 levels, 3.12's and 3.13's
    further on), an integer longer than int() reads (4,300 digits: a ValueError that is no JSONDecodeError), a lone
    surrogate escaped (`no_lone_surrogates`)."""
    try:
        return no_lone_surrogates(json_loads(text), text)
    except BadBody:  # a lone surrogate: its own message (BadBody is a ValueError, the last case below)
        raise
    except json.JSONDecodeError as exc:
        raise BadBody(f"malformed JSON body: {exc.msg} at position {exc.pos}") from None
    except RecursionError:
        raise BadBody("malformed JSON body: nested too deeply") from None
    except UnicodeDecodeError:
        raise BadBody("malformed JSON body: not UTF-8") from None
    except ValueError:
        raise BadBody("malformed JSON body: a number too long to read") from None


def json_loads(text: str | bytes) -> Any:
    """`json.loads`; a document that nests arrays and objects more than `MAX_JSON_DEPTH` levels raises
    RecursionError, as 3.11's parser does near 1,000 levels (3.12's and 3.13's go further): every reader of a
    client's JSON refuses the same documents on every Python."""
    value = json.loads(text)
    if _brackets(text) > MAX_JSON_DEPTH and _too_deep(value):
        raise RecursionError(f"JSON nested more than {MAX_JSON_DEPTH} levels")
    return value


def _brackets(text: str | bytes) -> int:
    """How many arrays and objects a JSON text opens at most (a bound on its depth, counted at C speed)."""
    if isinstance(text, str):
        return text.count("[") + text.count("{")
    return text.count(b"[") + text.count(b"{")


def _too_deep(value: Any) -> bool:
    """Whether a parsed document nests arrays and objects more than `MAX_JSON_DEPTH` levels (walked without
    recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def json_object(body: bytes) -> dict[str, Any]:
    """A JSON body that must be an object (else `BadBody`), parsed as `parse_json` does."""
    data: Any = parse_json(_decode(body))
    if not isinstance(data, dict):
        raise BadBody("the JSON body must be an object")
    return data


def json_text(one: Any) -> str:
    """A JSON value as the text of a parameter: `true`/`false`, "" for null, an array or object as its JSON."""
    if isinstance(one, bool):
        return "true" if one else "false"
    if one is None:
        return ""
    if isinstance(one, dict | list):
        return json.dumps(one)
    return str(one)


def _json_items(body: bytes) -> list[tuple[str, str]]:
    """A JSON object's members as parameters; an array member is one parameter per element (a repeated one)."""
    items: list[tuple[str, str]] = []
    for key, value in json_object(body).items():
        for one in value if isinstance(value, list) else [value]:
            items.append((key, json_text(one)))
    return items
