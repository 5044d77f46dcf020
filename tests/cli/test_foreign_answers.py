"""`mockown token` / `seed` / `rotate-keys` against something that answers but is not mockown (an ingress that
redirects http to https, a web page, another program on the port): exit 1 with what answered, never 0 with
whatever it said, nor a traceback."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator

import pytest
from click.testing import CliRunner, Result

from mockown.cli import EXIT_REFUSED, EXIT_USAGE, main

from ..control.serve import Server, serve

# what the fake server answers every POST with, by the path of the URL it was given: (status, headers, body)
ANSWERS: dict[str, tuple[int, dict[str, str], bytes]] = {
    "redirect": (301, {"Location": "https://mock.example.test/"}, b""),
    "html": (200, {"Content-Type": "text/html"}, b"<html><body>hello</body></html>"),
    "created-html": (201, {"Content-Type": "text/html"}, b"<html>not a seed answer</html>"),
    "list": (200, {"Content-Type": "application/json"}, b'["access_token"]'),
    "no-content": (204, {}, b""),
    "nested": (200, {"Content-Type": "application/json"}, b'{"access_token": {"a": 1}, "off": false, "none": null}'),
    "bad-gzip": (200, {"Content-Type": "application/json", "Content-Encoding": "gzip"}, b"not gzip at all"),
}


class _Fake(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # the name http.server calls
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, headers, body = ANSWERS[self.path.strip("/").split("/")[0]]
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def fake() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Fake)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def mock() -> Iterator[Server]:
    with serve() as running:
        yield running


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert isinstance(result.exception, SystemExit | None), result.output  # never a traceback
    return result


@pytest.mark.parametrize("answer", sorted(set(ANSWERS) - {"nested"}))
@pytest.mark.parametrize("command", [["token"], ["token", "--field", "access_token"], ["seed"], ["rotate-keys"]])
def test_an_answer_that_is_not_mockowns_is_no_success(fake: str, command: list[str], answer: str) -> None:
    result = invoke(*command, "--url", f"{fake}/{answer}")
    assert result.exit_code == EXIT_REFUSED, result.output
    assert result.stdout == ""
    assert "not a mockown answer" in result.stderr


def test_a_redirect_says_where_to(fake: str) -> None:
    result = invoke("seed", "--url", f"{fake}/redirect")
    assert "301" in result.stderr and "Location https://mock.example.test/" in result.stderr


@pytest.mark.parametrize(("field", "printed"), [("access_token", {"a": 1}), ("off", False), ("none", None)])
def test_a_field_that_is_not_text_is_printed_as_json(fake: str, field: str, printed: object) -> None:
    result = invoke("token", "--url", f"{fake}/nested", "--field", field)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == printed


def test_a_mistyped_field_lists_the_names_not_the_answer(mock: Server) -> None:
    full = invoke("token", "--url", mock.url)
    access_token = json.loads(full.stdout)["access_token"]
    result = invoke("token", "--url", mock.url, "--field", "acces_token")
    assert result.exit_code == EXIT_USAGE and result.stdout == ""
    assert "'acces_token' is not in the answer" in result.stderr and "access_token" in result.stderr
    assert "00D5g000004Mock!" not in result.stderr and access_token not in result.stderr
