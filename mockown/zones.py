"""Time-zone names a seed takes for a Salesforce user: IANA (zoneinfo) names, as the identity service answers them
(`zoneinfo`, `timezone`) and computes `utcOffset` from them. Marketing Cloud's users take the smaller set of zones its
`/v2/userinfo` can describe (`marketing.models.TIMEZONES`), all of them names this rule takes too."""

from __future__ import annotations

import re
from functools import lru_cache

# the usual zones, taken without reading the time-zone database (the demo seed's: start-up reads no zone file)
COMMON = frozenset(
    {
        "UTC",
        "GMT",
        "America/Los_Angeles",
        "America/Denver",
        "America/Chicago",
        "America/New_York",
        "America/Sao_Paulo",
        "Europe/London",
        "Europe/Paris",
        "Europe/Berlin",
        "Asia/Kolkata",
        "Asia/Tokyo",
        "Australia/Sydney",
    }
)
# the shape of a zone name: `Area/Location[/More]`, or one word (`UTC`); no path that leaves the database
_FORM = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9][A-Za-z0-9_+-]*){0,2}")


def is_zone(name: str) -> bool:
    """Whether `name` is an IANA time-zone name the host's zone database knows (`Europe/Paris`, `Etc/GMT+5`): what
    `zoneinfo.ZoneInfo` loads. A common one is taken without reading the database."""
    return name in COMMON or (len(name) <= 64 and bool(_FORM.fullmatch(name)) and _known(name))


@lru_cache(maxsize=256)
def _known(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # on first use only: most seeds name common zones

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True
