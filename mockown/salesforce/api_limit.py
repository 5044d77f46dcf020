"""An org's API request allocation (`Org.api_limit`, Salesforce's DailyApiRequests): the REST calls of the last
24 hours, counted in hourly buckets over the injected clock.

Salesforce counts "the preceding 24 hours" (a rolling window, not a daily reset) and blocks calls while that count
is at the limit. The mock keeps 24 counts per org, one per hour of the clock (epoch hours, UTC): `Org.api_hours`,
oldest first, the last for the hour `Org.api_hour`. A call counts in its hour's bucket and leaves the window when
the clock reaches the same hour a day later (23 to 24 hours after it). Counting is O(1): at most 24 buckets move.

A state from before the window was kept (an `api_usage` without `api_hour`) keeps its usage as this hour's, until
the next call fixes that hour. A clock set back keeps the counts it had (they leave 24 hours after their hour).
`Org.api_usage` is the window's total as of `api_hour`, kept for the readers that show it.
"""

from __future__ import annotations

import math

from .models import Org

HOURS = 24
HOUR = 3600.0


def hour_of(now: float) -> int:
    return math.floor(now / HOUR)


def window(org: Org, now: float) -> list[int]:
    """The org's calls in each of the 24 hours up to `now`'s, oldest first."""
    if org.api_hour is None:  # no window kept yet (a new org, an older state file): its usage is this hour's
        return [0] * (HOURS - 1) + [org.api_usage]
    kept = ([0] * HOURS + org.api_hours)[-HOURS:]
    moved = hour_of(now) - org.api_hour
    if moved <= 0:
        return kept
    return (kept + [0] * min(moved, HOURS))[-HOURS:]


def used(org: Org, now: float) -> int:
    """The calls of the last 24 hours (Salesforce's DailyApiRequests used): `api_usage` while the clock is still in
    (or before) the last hour counted, without building the window."""
    if org.api_hour is None or hour_of(now) <= org.api_hour:
        return org.api_usage
    return sum(window(org, now))


def remaining(org: Org, now: float) -> int:
    return max(org.api_limit - used(org, now), 0)


def exhausted(org: Org, now: float) -> bool:
    """Whether the allocation is used up: a call now is refused (and not counted)."""
    return used(org, now) >= org.api_limit


def count(org: Org, now: float) -> None:
    """Count one call at `now` in `org` (the caller writes it back)."""
    if org.api_hour is not None and org.api_hours and hour_of(now) <= org.api_hour:  # the last hour's bucket
        org.api_hours[-1] += 1
        org.api_usage += 1
        return
    hours = window(org, now)
    hours[-1] += 1
    first = next(i for i, n in enumerate(hours) if n)  # the leading empty hours are not stored
    hour = hour_of(now)
    org.api_hours = hours[first:]
    org.api_hour = hour if org.api_hour is None else max(hour, org.api_hour)
    org.api_usage = sum(hours)


def reset(org: Org) -> None:
    """No call counted (an org reset)."""
    org.api_usage, org.api_hours, org.api_hour = 0, [], None


def limit_info(usage: int, limit: int) -> str:
    """The `Sforce-Limit-Info` header."""
    return f"api-usage={usage}/{limit}"


def header(org: Org, now: float) -> str:
    return limit_info(used(org, now), org.api_limit)


def refused_header(org: Org, now: float) -> str:
    """The header of a call refused over the limit: the usage it would have made (limit + 1 when used up)."""
    return limit_info(used(org, now) + 1, org.api_limit)
