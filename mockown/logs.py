"""Structured one-line logs (logfmt: ``ts=… level=info logger=mockown.request msg=request method=POST …``).

Every record goes through `LogfmtFormatter`, which also redacts anything that looks like a secret in the
message text (``Bearer …``, ``password=…``, ``token=…``), as a second line of defence behind the journal's
redaction. `uvicorn_log_config()` routes uvicorn's own loggers, and python-multipart's, through the same formatter.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

_SECRET_TEXT = re.compile(
    r"(?i)(bearer\s+|basic\s+|oauth\s+)[^\s\"',;]+"
    r"|((?:access_token|refresh_token|id_token|token|client_secret|secret|password|code|assertion|sid|otp|verifier"
    r"|api[_-]?key|dwsgst|dwsrst)=)[^\s&\"',;]+"
)
_BARE = re.compile(r"^[A-Za-z0-9_./:@+-]+$")


def redact_text(text: str) -> str:
    return _SECRET_TEXT.sub(lambda m: (m.group(1) or m.group(2)) + "[redacted]", text)


def _value(value: Any) -> str:
    text = redact_text(str(value))
    if text and _BARE.match(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class LogfmtFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        ts = datetime.fromtimestamp(record.created, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        parts = [f"ts={ts}", f"level={record.levelname.lower()}", f"logger={record.name}"]
        parts.append(f"msg={_value(record.getMessage())}")
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            parts.extend(f"{k}={_value(v)}" for k, v in fields.items() if v is not None and v != "")
        if record.exc_info:
            parts.append(f"error={_value(self.formatException(record.exc_info).splitlines()[-1])}")
        return " ".join(parts)


class DropFaultCloses(logging.Filter):
    """uvicorn reports a response cut short as an error; when a fault rule cut it, that is the point."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "ASGI callable returned without completing response."


class ClientMistakesAsDebug(logging.Filter):
    """python-multipart warns of a malformed body ("Expected boundary character 45, got 103 at index 2") at warning
    level: the client's mistake, which mockown answers with a 400, not the server's. Its records below error are
    logged at debug (shown only with `log_level: debug`), errors as they are."""

    def __init__(self, level: str = "info") -> None:
        super().__init__()
        name = level.upper()  # uvicorn's `trace` (5) is below debug
        self.shown = logging.getLevelNamesMapping().get(name, 5 if name == "TRACE" else logging.INFO) <= logging.DEBUG

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR:
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return self.shown


# the loggers of python-multipart (Starlette's form parser), under its name since 0.0.13 and its older one: without
# a handler of their own, their warnings reached stderr through Python's last-resort handler, bare and unredacted
MULTIPART_LOGGERS = ("python_multipart", "multipart")


def uvicorn_log_config(level: str = "info") -> dict[str, Any]:
    """A `logging.config.dictConfig` for uvicorn (and mockown's and python-multipart's loggers): logfmt lines on
    stderr."""
    lvl = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"logfmt": {"()": "mockown.logs.LogfmtFormatter"}},
        "filters": {
            "fault_closes": {"()": "mockown.logs.DropFaultCloses"},
            "client_mistakes": {"()": "mockown.logs.ClientMistakesAsDebug", "level": level},
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "logfmt",
                "stream": "ext://sys.stderr",
                "filters": ["fault_closes"],
            },
            # a logger's filters see only the records logged on it, not its children's (python_multipart.multipart)
            "multipart_stderr": {
                "class": "logging.StreamHandler",
                "formatter": "logfmt",
                "stream": "ext://sys.stderr",
                "filters": ["client_mistakes"],
            },
        },
        "loggers": {
            "mockown": {"handlers": ["stderr"], "level": lvl, "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": lvl, "propagate": False},
            "uvicorn.error": {"level": lvl},
            "uvicorn.access": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
            **{
                name: {"handlers": ["multipart_stderr"], "level": lvl, "propagate": False} for name in MULTIPART_LOGGERS
            },
        },
    }
