"""Running the README's `sh` blocks as a reader would: one bash shell, the blocks in order (they share TOKEN and the
like), against a running server at `$BASE`, with the demo app's `$CID` and `$SECRET` set."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CID = "3MVG9MockownDemoConsumerKey0000000000000000000000000000000000000000000000000000000"
SECRET = "MOCKOWNDEMOSECRET0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"


def run_blocks(blocks: list[str], base: str, timeout: int = 60) -> list[str]:
    """Each block's output (`bash -eo pipefail`: the first failing command fails the test with bash's stderr)."""
    script = "\n".join(f"echo '=== block {i}'\n{block}\necho" for i, block in enumerate(blocks))
    env = {
        **os.environ,
        "BASE": base,
        "CID": CID,
        "SECRET": SECRET,
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
    }
    result = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", script],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outputs = re.split(r"(?m)^=== block \d+\n", result.stdout)[1:]
    assert len(outputs) == len(blocks), result.stdout
    return outputs
