"""The REST API subset real clients call after login (`/services/data/...`).

Every call with a live session counts against the org's API requests of the last 24 hours (`api_limit.py`) and
carries `Sforce-Limit-Info`; once they reach the org's limit, calls are `403 REQUEST_LIMIT_EXCEEDED`.
A dead, revoked or expired session gets ``401 [{"message": "Session expired or invalid", ...}]``.
"""

from __future__ import annotations

import re
from typing import Any

from .. import ids, security
from . import api_limit, cursors, describe, oauth_tokens
from . import search as sosl_search
from . import soql as soql_parser
from .errors import RestError, invalid_session, not_found, request_limit_exceeded
from .models import AccessToken, Org, User
from .service import SalesforceService, identity_url

_SEASONS = ("Spring", "Summer", "Winter")


def release_label(version: int) -> str:
    """Spring '24 = 60.0; three releases a year (Winter of year N+1 follows Summer of year N)."""
    offset = version - 60
    season = _SEASONS[offset % 3]
    year = 24 + (offset // 3) + (1 if season == "Winter" else 0)
    return f"{season} '{year:02d}"


def versions(service: SalesforceService) -> list[dict[str, str]]:
    settings = service.runtime.config.salesforce
    return [
        {"label": release_label(v), "url": f"/services/data/v{v}.0", "version": f"{v}.0"}
        for v in range(settings.api_version_min, settings.api_version_max + 1)
    ]


def version_number(version: str) -> int | None:
    """The release number a URL's `vXX.0` names (62 for `v62.0`), else None."""
    match = re.fullmatch(r"v([0-9]{2})\.0", version)  # ASCII digits: `\d` reads any Unicode digit
    return int(match.group(1)) if match else None


def check_version(service: SalesforceService, version: str) -> str:
    settings = service.runtime.config.salesforce
    number = version_number(version)
    if number is None or not settings.api_version_min <= number <= settings.api_version_max:
        raise not_found()
    return version[1:]


def _challenge(service: SalesforceService) -> dict[str, str] | None:
    challenge = service.runtime.config.salesforce.rest_www_authenticate  # spec 9.1: UNK, none by default
    return {"WWW-Authenticate": challenge} if challenge else None


def session(service: SalesforceService, raw: str | None) -> tuple[AccessToken, Org, User]:
    headers = _challenge(service)
    token = service.live_access(raw)  # a session the REST API refuses is not used by the call
    if token is None:
        raise invalid_session(headers)
    org = service.orgs.get(token.org_id)
    user = service.user(token.user_id)
    if org is None or user is None:
        raise invalid_session(headers)
    if not ({"api", "full"} & set(token.scopes)):
        raise RestError(401, "INVALID_SESSION_ID", "This session is not valid for use with the REST API", headers)
    touched = service.touch(token)
    if touched is None:  # revoked meanwhile
        raise invalid_session(headers)
    return touched, org, user


def count_call(service: SalesforceService, org_id: str) -> Org:
    """Count a call against the org's API requests of the last 24 hours (`api_limit.py`); the org as counted.
    Read again in the transaction that writes it back whole: a copy read before another worker's call, reset or
    deletion committed would undo it (lose counts, bring a deleted org back). An org deleted meanwhile took its
    sessions with it: 401, nothing written. An org whose allocation is used up: 403 REQUEST_LIMIT_EXCEEDED, the
    call not counted (its header shows the usage it would have made: limit + 1), nothing written."""
    now = service.clock.now()
    with service.store.atomic():
        org = service.orgs.get(org_id)
        if org is None:
            raise invalid_session(_challenge(service))
        if api_limit.exhausted(org, now):
            raise request_limit_exceeded(api_limit.refused_header(org, now))
        api_limit.count(org, now)
        service.orgs.put(org)
        return org


def usage(org: Org, now: float) -> str:
    """The `Sforce-Limit-Info` header: the org's calls of the 24 hours up to `now`, and its limit."""
    return api_limit.header(org, now)


def org_of_token(service: SalesforceService, raw: str | None) -> Org | None:
    """The org a (possibly dead) token belongs to: from its session record, else its ``00D…!`` prefix."""
    if not raw:
        return None
    token = service.access_tokens.get(security.token_hash(raw))
    if token is not None:
        return service.orgs.get(token.org_id)
    prefix = raw.split("!", 1)[0]
    if "!" in raw and ids.is_valid(prefix) and prefix.startswith(ids.ORG):
        return service.orgs.get(ids.to18(prefix))
    return None


# The resources the mock serves, and so advertises: a client follows these URLs (jsforce `recent()`, `search()`,
# `queryAll()`); Salesforce's others (tooling, metadata, tabs, theme, appMenu, chatter, composite, analytics, ...)
# are not listed rather than listed and answered 404.
RESOURCES = ("sobjects", "query", "queryAll", "search", "recent", "limits")


def resources(version: str, base: str, org: Org, user: User) -> dict[str, str]:
    root = f"/services/data/v{version}"
    names = list(RESOURCES)
    out = {name: f"{root}/{name}" for name in names}
    out["identity"] = identity_url(base, org.id, user.id)
    return dict(sorted(out.items()))


def limits(org: Org, now: float) -> dict[str, dict[str, int]]:
    return {
        "DailyApiRequests": {"Max": org.api_limit, "Remaining": api_limit.remaining(org, now)},
        "ActiveScratchOrgs": {"Max": 3 if org.dev_hub else 0, "Remaining": 3 if org.dev_hub else 0},
        "DailyScratchOrgs": {"Max": 6 if org.dev_hub else 0, "Remaining": 6 if org.dev_hub else 0},
        "ConcurrentAsyncGetReportInstances": {"Max": 200, "Remaining": 200},
        "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
        "DataStorageMB": {"Max": 5, "Remaining": 5},
        "FileStorageMB": {"Max": 20, "Remaining": 20},
    }


def describe_global(version: str, org: Org) -> dict[str, Any]:
    """`GET /sobjects/` (describeGlobal): the objects the mock can read (`describe.SOBJECTS`)."""
    return describe.describe_global(version, org)


def recent() -> list[dict[str, Any]]:
    """`GET /recent` (the user's recently viewed records, up to `limit`): no one views a record in the mock."""
    return []


def search(service: SalesforceService, sosl: str | None, version: str, org: Org) -> dict[str, Any]:
    """`GET /search?q=<SOSL>`: the SOSL subset of `search.py` over the org's records."""
    return sosl_search.search(service, sosl, version, org, _user_fields)


# -- records -------------------------------------------------------------------------------------------
def _user_fields(user: User) -> dict[str, Any]:
    return describe.USER.row(
        {
            "Id": user.id,
            "Username": user.username,
            "Name": user.display_name,
            "FirstName": user.first_name or None,
            "LastName": user.last_name,
            "Email": user.email,
            "IsActive": user.active,
            "UserType": user.api_user_type,
            "LanguageLocaleKey": user.language,
            "LocaleSidKey": user.locale,
            "TimeZoneSidKey": user.timezone,
        }
    )


def _org_fields(org: Org) -> dict[str, Any]:
    return describe.ORGANIZATION.row(
        {
            "Id": org.id,
            "Name": org.name,
            "InstanceName": org.instance_name,
            "IsSandbox": org.is_sandbox,
            "TrialExpirationDate": None,
            "NamespacePrefix": org.namespace_prefix,
            "OrganizationType": org.organization_type,
        }
    )


def _record(kind: str, fields: dict[str, Any], version: str, wanted: list[str] | None = None) -> dict[str, Any]:
    attributes = {"type": kind}
    if fields["Id"] is not None:  # a row without an Id (OauthToken's is always null) has no record URL
        attributes["url"] = f"/services/data/v{version}/sobjects/{kind}/{fields['Id']}"
    out: dict[str, Any] = {"attributes": attributes}
    if wanted is None:
        out.update(fields)
        return out
    lookup = {k.lower(): k for k in fields}
    for name in wanted:
        out[lookup[name.lower()]] = fields[lookup[name.lower()]]
    return out


def _record_fields(served: describe.SObjectType, fields: str | None) -> list[str] | None:
    """`?fields=a,b` of a record GET: the fields asked for (names as written; any case), None for all. A field the
    object does not have is 400 INVALID_FIELD, as Salesforce answers one that does not exist. Empty items are
    skipped, and a parameter of none is no parameter (*mock choice*: not documented)."""
    wanted = [name.strip() for name in (fields or "").split(",") if name.strip()]
    for name in wanted:
        if served.field(name) is None:
            raise RestError(400, "INVALID_FIELD", f"No such column '{name[:80]}' on sobject of type {served.name}")
    return wanted or None


def sobject(
    service: SalesforceService, kind: str, record_id: str, version: str, org: Org, fields: str | None = None
) -> dict[str, Any]:
    """`GET /sobjects/<Object>/<id>[?fields=a,b]`: the record's fields (those asked for) and its `attributes`."""
    if not ids.is_valid(record_id):
        raise not_found()
    served = describe.lookup(org, kind)  # sObject names are case-insensitive in REST URLs
    if served is describe.USER:
        wanted = _record_fields(served, fields)
        user = service.user(ids.to18(record_id))
        if user is None or user.org_id != org.id:
            raise not_found()
        return _record("User", _user_fields(user), version, wanted)
    if served is describe.ORGANIZATION:
        wanted = _record_fields(served, fields)
        if not ids.same(record_id, org.id):
            raise not_found()
        return _record("Organization", _org_fields(org), version, wanted)
    raise not_found(f"sObject type '{kind}' is not supported.")


def query(
    service: SalesforceService,
    soql: str | None,
    version: str,
    org: Org,
    user: User,
    *,
    resource: str = "query",
    batch: int = cursors.DEFAULT_BATCH,
) -> dict[str, Any]:
    """`GET /query` (or `/queryAll`, `resource`): the records, in batches of `batch` behind query locators."""
    if not soql:
        raise RestError(400, "MALFORMED_QUERY", "A query string must be provided")
    parsed = soql_parser.parse(soql)
    kind = parsed.sobject
    wanted = parsed.fields
    rows: list[dict[str, Any]]
    served = describe.lookup(org, kind)  # the table describe and describeGlobal read: names and fields
    if served is None:
        raise RestError(
            400,
            "INVALID_TYPE",
            f"sObject type '{kind}' is not supported. If you are attempting to use a custom object, be sure to "
            "append the '__c' after the entity name. Please reference your WSDL or the describe call for the "
            "appropriate names.",
        )
    canonical = served.name
    field, value = parsed.field, parsed.value
    for name in wanted + ([field] if field else []):
        if served.field(name) is None:
            raise RestError(400, "INVALID_FIELD", f"No such column '{name}' on entity '{canonical}'.")
    filtered = served.field(field) if field else None
    if filtered is not None:
        _check_literal(filtered, value)
    if served is describe.USER:
        rows = [_user_fields(u) for u in service.users.find("org_id", org.id)]
    elif served is describe.ORGANIZATION:
        rows = [_org_fields(org)]
    elif served is describe.OAUTH_TOKEN:
        rows = [describe.OAUTH_TOKEN.row(r) for r in oauth_tokens.rows(service, org, user)]
    else:  # ScratchOrgInfo (a Dev Hub): the mock holds no scratch orgs
        rows = []
    if filtered is not None:
        rows = [r for r in rows if _matches(r, filtered, value) != parsed.negated]
    if served.row_limit is not None:
        rows = rows[: served.row_limit]
    if parsed.limit:
        rows = rows[: _limit(parsed.limit)]
    records = [_record(canonical, r, version, wanted) for r in rows]
    return cursors.first_batch(service, records, version, org, user, resource, batch)


def _limit(digits: str) -> int:
    """A SOQL `LIMIT`: an integer (a Java int in Salesforce, leading zeros aside); a larger number is a malformed
    query, not a 500 from converting thousands of digits."""
    value = soql_parser.bounded(digits, 2**31 - 1)
    if value is None:
        shown = digits if len(digits) <= 20 else digits[:20] + "..."
        raise RestError(400, "MALFORMED_QUERY", f"Invalid LIMIT {shown}: the limit must be at most {2**31 - 1}")
    return value


def _check_literal(field: describe.Field, value: str | bool | None) -> None:
    """SOQL's types: a boolean field takes the unquoted TRUE/FALSE, any other field no TRUE/FALSE (NULL fits all).
    An id or reference field takes a quoted id: 15 or 18 letters and digits, else `400 INVALID_QUERY_FILTER_OPERATOR
    "invalid ID field: <value>"` as Salesforce answers (an 18-character one whose case suffix is wrong is taken,
    and matches nothing, as Salesforce answers a lower-cased id). A quoted string against any other non-text field
    stays accepted, as it was."""
    if field.type in ("id", "reference") and isinstance(value, str) and not _id_shaped(value):
        raise RestError(400, "INVALID_QUERY_FILTER_OPERATOR", f"invalid ID field: {value[:80]}")
    boolean = field.type == "boolean"
    if isinstance(value, str) if boolean else isinstance(value, bool):
        kind = field.soql_type
        should = "should" if kind in ("string", "id") else "should not"
        raise RestError(
            400,
            "INVALID_FIELD",
            f"value of filter criterion for field '{field.name}' must be of type {kind} and {should} be enclosed "
            "in quotes",
        )


def _id_shaped(text: str) -> bool:
    return ids.ID15.fullmatch(text) is not None or ids.ID18.fullmatch(text) is not None


def _matches(row: dict[str, Any], field: describe.Field, value: str | bool | None) -> bool:
    """Whether the row's `field` equals `value` (SOQL `=`). On a boolean field NULL matches FALSE (SOQL
    reference, "Use null in WHERE"); an id or a reference to a record matches in its 15- or 18-character form."""
    actual = row[field.name]
    if field.type == "boolean":
        return bool(actual) == bool(value)
    if value is None or actual is None:
        return value is None and actual is None
    if field.type in ("id", "reference") and isinstance(actual, str):
        return ids.same(actual, str(value))
    if isinstance(actual, str):  # SOQL: text comparisons ignore case (unique case-sensitive fields aside)
        return actual.lower() == str(value).lower()
    return str(actual).lower() == str(value).lower()
