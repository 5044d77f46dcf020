"""``python -m mockown.healthcheck``: exit 0 when the local server answers its health check.

The Docker image's ``HEALTHCHECK``. It reads the same settings as the server (``MOCKOWN_*``, the config
file) to find the port, the scheme and the admin token, and asks ``/_mockown/health`` on loopback.
"""

from __future__ import annotations

import ssl
import sys
import urllib.error
import urllib.request

from .config import Config


def check(config: Config, timeout: float = 3.0) -> tuple[bool, str]:
    https = bool(config.tls or config.tls_cert)
    url = f"{'https' if https else 'http'}://127.0.0.1:{config.port}/_mockown/health"
    request = urllib.request.Request(url)  # noqa: S310 - a fixed loopback http(s) URL
    if config.admin_token:
        request.add_header("Authorization", f"Bearer {config.admin_token}")
    context = None
    if https:  # a liveness probe of our own loopback socket: the certificate is not what it checks
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:  # noqa: S310
            return response.status == 200, f"{url}: {response.status}"
    except urllib.error.HTTPError as exc:
        return False, f"{url}: {exc.code}"
    except OSError as exc:
        return False, f"{url}: {exc}"


def main() -> int:
    ok, message = check(Config.load())
    print(message)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
