"""``python -m mockown.healthcheck``: exit 0 when the local server answers its liveness probe.

The Docker image's ``HEALTHCHECK``. It reads the same settings as the server (``MOCKOWN_*``, the config
file) to find where it listens (host, port, scheme), and asks ``/_mockown/live`` there: the control plane's
liveness probe, which needs no admin token (one given only on the command line, ``docker run image
--admin-token X``, is not in the environment it reads). Settings given to the server as arguments are not seen:
give ``--port``, ``--host`` or ``--tls`` as ``MOCKOWN_*`` variables for the check to follow them.
"""

from __future__ import annotations

import ipaddress
import ssl
import sys
import urllib.error
import urllib.request

from .config import Config

LIVE_PATH = "/_mockown/live"


def probe_host(host: str) -> str:
    """Where to reach a server that listens on `host`, as a URL's host: every interface (``0.0.0.0``, ``::``) on
    its loopback address (``127.0.0.1``, ``[::1]``), an address or a name as it is (an IPv6 literal in brackets)."""
    bare = host.strip("[]")
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        return bare  # a name: `localhost`, the container's own
    if address.is_unspecified:
        return "127.0.0.1" if address.version == 4 else "[::1]"
    return str(address) if address.version == 4 else f"[{address}]"


def probe_url(config: Config) -> str:
    https = bool(config.tls or config.tls_cert)
    return f"{'https' if https else 'http'}://{probe_host(config.host)}:{config.port}{LIVE_PATH}"


def check(config: Config, timeout: float = 3.0) -> tuple[bool, str]:
    url = probe_url(config)
    context = None
    if url.startswith("https:"):  # a liveness probe of our own socket: the certificate is not what it checks
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as response:  # noqa: S310 - http(s) only
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
