"""The body limit of a path, for the request pipeline's up-front checks (`pipeline.py`).

`read_params` / `read_body` already stop reading at `max_body_bytes` (1 MiB by default); the pipeline makes the
answer the same for every endpoint, also for one that would refuse the request for another reason first (no
credential, unknown tenant) or never read the body: a body *declared* (`Content-Length`) larger than the limit
gets 413 in the endpoint's dialect without being read. The control plane's limit is the larger one its seed and
restore documents need.
"""

from __future__ import annotations

from .control import BIG_BODY
from .journal import CONTROL_PREFIX


def limit_for(path: str, default: int) -> int:
    if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
        return max(default, BIG_BODY)
    return default
