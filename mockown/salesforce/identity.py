"""The identity URL (`/id/<org>/<user>`) and `/services/oauth2/userinfo`."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from .. import ids
from ..clock import iso
from .claims import identity_extras
from .errors import IdentityError
from .models import AccessToken, Org, User
from .service import SalesforceService, identity_url

# a JavaScript function name or a dotted path of them (`window.app.done`), at most 64 characters: no empty or
# digit-led segment (`a.`, `a..b`, `a.1b` would make the JSONP answer a syntax error)
CALLBACK = re.compile(r"(?=.{1,64}\Z)[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*", re.ASCII)

# the profile of the Salesforce Integration user licence (what `is_salesforce_integration_user` reports: mockown
# seeds no licences, so the profile stands for it; the default seed's integration user has it)
INTEGRATION_PROFILE = "Minimum Access - API Only Integrations"


def jsonp_callback(callback: str | None) -> str | None:
    """The identity service's `callback` (JSONP, spec 6.2): "a valid JavaScript function name", else 406
    `Invalid_Callback`; empty is none."""
    if not callback:
        return None
    if CALLBACK.fullmatch(callback) is None:
        raise IdentityError(406, "Invalid_Callback")
    return callback


def bearer(authorization: str | None, query_token: str | None) -> str | None:
    """The token from ``Authorization: Bearer|OAuth <token>`` or ``?oauth_token=``."""
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() in ("bearer", "oauth") and value.strip():
            return value.strip()
    return query_token or None


def _refused(service: SalesforceService, word: str) -> IdentityError:
    """One of the identity URL's one-word errors, with the status `identity_statuses` gives it (spec 6.2: UNK)."""
    statuses = service.runtime.config.salesforce.identity_statuses
    status: int = getattr(statuses, word.lower() + "_status")
    return IdentityError(status, word)


def _session(service: SalesforceService, raw: str | None, base: str) -> AccessToken:
    """The live session of `raw`, not yet touched: the caller touches it (`served`) once the request is sure to be
    served (a refused one does not reset the session's timeout)."""
    if not raw:
        raise _refused(service, "Missing_OAuth_Token")
    token = None if service.foreign_session(raw, base) else service.live_access(raw)
    if token is None:
        raise IdentityError(403, "Bad_OAuth_Token")
    return token


def urls(service: SalesforceService, org: Org, user: User, base: str, version: str | None) -> dict[str, str]:
    domain = service.instance_url(org, base)
    org15 = ids.to15(org.id)  # the SOAP endpoints carry the 15-character id, as in every real identity response
    v = version or "{version}"
    rest = f"{domain}/services/data/v{v}/"
    return {
        "enterprise": f"{domain}/services/Soap/c/{v}/{org15}",
        "metadata": f"{domain}/services/Soap/m/{v}/{org15}",
        "partner": f"{domain}/services/Soap/u/{v}/{org15}",
        "rest": rest,
        "sobjects": rest + "sobjects/",
        "search": rest + "search/",
        "query": rest + "query/",
        "recent": rest + "recent/",
        "tooling_soap": f"{domain}/services/Soap/T/{v}/{org15}",
        "tooling_rest": rest + "tooling/",
        "profile": f"{domain}/{ids.to18(user.id)}",
        "feeds": rest + "chatter/feeds",
        "groups": rest + "chatter/groups",
        "users": rest + "chatter/users",
        "feed_items": rest + "chatter/feed-items",
        "feed_elements": rest + "chatter/feed-elements",
        "custom_domain": domain,
    }


def utc_offset_ms(timezone: str, now: float) -> int:
    """`utcOffset`: the standard (non-daylight) offset of the user's time zone from UTC, in milliseconds
    (Salesforce's examples pair Europe/Paris with 3600000 and America/Los_Angeles with -28800000). 0 for a
    zone the host's time-zone database does not know."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        local = datetime.fromtimestamp(now, ZoneInfo(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        return 0
    offset = (local.utcoffset() or timedelta()) - (local.dst() or timedelta())
    return int(offset.total_seconds()) * 1000


def _photos(service: SalesforceService, org: Org, user: User, base: str) -> dict[str, str]:
    domain = service.instance_url(org, base)
    return {"picture": f"{domain}/profilephoto/005/F", "thumbnail": f"{domain}/profilephoto/005/T"}


_RELEASE = re.compile(r"(\d{1,4})(?:\.0)?", re.ASCII)


def _version(service: SalesforceService, version: str | None) -> str | None:
    if version is None:
        return None
    if version == "latest":
        return f"{service.runtime.config.salesforce.api_version_max}.0"
    match = _RELEASE.fullmatch(version)  # an API release: N or N.0 (not 62.5, 1e1, nan)
    settings = service.runtime.config.salesforce
    if match is None or not settings.api_version_min <= int(match.group(1)) <= settings.api_version_max:
        raise IdentityError(406, "Invalid_Version")
    return f"{int(match.group(1))}.0"


def served(service: SalesforceService, token: AccessToken) -> None:
    """A use of the session `token` whose answer is sure (its output format checked too): its timeout slides.
    `403 Bad_OAuth_Token` when the session ended meanwhile (revoked by another worker)."""
    if service.touch(token) is None:
        raise IdentityError(403, "Bad_OAuth_Token")


def identity(
    service: SalesforceService, raw: str | None, org_id: str, user_id: str, base: str, version: str | None
) -> tuple[AccessToken, dict[str, Any]]:
    """The identity URL's document and the session that asked for it, not yet touched (`served`)."""
    token = _session(service, raw, base)
    if not (ids.is_valid(org_id) and ids.is_valid(user_id)):
        raise _refused(service, "Bad_Id")
    if not ids.same(org_id, token.org_id):
        raise _refused(service, "Wrong_Org")
    user = service.user(ids.to18(user_id))
    org = service.orgs.get(token.org_id)
    if user is None or org is None or user.org_id != org.id:
        raise _refused(service, "Bad_Id")
    if user.id != token.user_id:
        # another user of the org: only with the `api` or `full` scope, and only for an internal (STANDARD) user
        requester = service.user(token.user_id)
        if not ({"api", "full"} & set(token.scopes)) or requester is None or requester.user_type != "STANDARD":
            raise _refused(service, "No_Access")
    if not user.active:
        raise _refused(service, "Inactive")
    body = {
        "id": identity_url(base, org.id, user.id),
        "asserted_user": user.id == token.user_id,
        "user_id": user.id,
        "organization_id": org.id,
        "username": user.username,
        "nick_name": user.username.split("@", 1)[0],
        "display_name": user.display_name,
        "email": user.email,
        "email_verified": True,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "timezone": user.timezone,
        "photos": _photos(service, org, user, base),
        "addr_street": None,
        "addr_city": None,
        "addr_state": None,
        "addr_country": None,
        "addr_zip": None,
        "mobile_phone": None,
        "mobile_phone_verified": False,
        "is_lightning_login_user": False,
        "status": {"created_date": None, "body": None},
        "urls": urls(service, org, user, base, _version(service, version)),
        "active": user.active,
        "user_type": user.user_type,
        "language": user.language,
        "locale": user.locale,
        "utcOffset": utc_offset_ms(user.timezone, service.clock.now()),
        "last_modified_date": iso(user.updated_at, millis=True).replace("Z", "+0000"),
        "is_app_installed": True,
        **identity_extras(service.apps.get(token.app_id), user, org, token.scopes),
    }
    return token, body


def userinfo(service: SalesforceService, raw: str | None, base: str) -> tuple[AccessToken, dict[str, Any]]:
    """Userinfo's document and the session that asked for it, not yet touched (`served`)."""
    token = _session(service, raw, base)
    user = service.user(token.user_id)
    org = service.orgs.get(token.org_id)
    if user is None or org is None:
        raise IdentityError(403, "Bad_OAuth_Token")
    return token, {
        "sub": identity_url(base, org.id, user.id),
        "user_id": user.id,
        "organization_id": org.id,
        "preferred_username": user.username,
        "nickname": user.username.split("@", 1)[0],
        "name": user.display_name,
        "email": user.email,
        "email_verified": True,
        "given_name": user.first_name,
        "family_name": user.last_name,
        "zoneinfo": user.timezone,
        "photos": _photos(service, org, user, base),
        "profile": f"{service.instance_url(org, base)}/{user.id}",
        "picture": _photos(service, org, user, base)["picture"],
        "address": {},
        "is_salesforce_integration_user": user.profile == INTEGRATION_PROFILE,
        "urls": urls(service, org, user, base, None),
        "active": user.active,
        "user_type": user.user_type,
        "language": user.language,
        "locale": user.locale,
        "utcOffset": utc_offset_ms(user.timezone, service.clock.now()),
        "updated_at": iso(user.updated_at),
        "is_app_installed": True,
        **identity_extras(service.apps.get(token.app_id), user, org, token.scopes),
    }


XSI = "http://www.w3.org/2001/XMLSchema-instance"
_XML_NAME = re.compile(r"[A-Za-z_][\w.-]*")
# not XML 1.0's Char (#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]), spelled as what it
# leaves out: the negated class of the ranges took ~8 ms to compile, at every start
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """`text` as XML character data; a character XML 1.0 cannot carry (a control character, U+FFFE, even escaped)
    is shown as U+FFFD: one such character made the whole document unreadable to the client's parser."""
    from xml.sax.saxutils import escape  # here: kept off the start-up path (it imports urllib.request)

    return escape(_NOT_XML_CHAR.sub("\ufffd", text))


def _xml_name(key: str) -> str:
    """An element name for `key` (custom attribute names are the app's: other characters become `_`)."""
    if _XML_NAME.fullmatch(key) and not key.lower().startswith("xml"):
        return key
    name = re.sub(r"[^\w.-]", "_", key, flags=re.ASCII)
    return name if re.match(r"[A-Za-z_]", name) and not name.lower().startswith("xml") else "_" + name


def xml_document(body: dict[str, Any], *, pretty: bool = False) -> str:
    """The identity service's XML (spec 6.2 `format=xml`): a `<user>` document, objects (`status`, `photos`,
    `urls`, `custom_attributes`) as nested elements, null as `xsi:nil="true"`, booleans `true`/`false`;
    `pretty` (`X-PrettyPrint: 1`): one element per line, indented."""
    sep = "\n" if pretty else ""

    def element(key: str, value: Any, depth: int) -> str:
        pad = "  " * depth if pretty else ""
        name = _xml_name(key)
        if value is None:
            return f'{sep}{pad}<{name} xsi:nil="true"/>'
        if isinstance(value, dict):
            if not value:
                return f"{sep}{pad}<{name}/>"
            inner = "".join(element(str(k), v, depth + 1) for k, v in value.items())
            return f"{sep}{pad}<{name}>{inner}{sep}{pad}</{name}>"
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        return f"{sep}{pad}<{name}>{xml_text(text)}</{name}>"

    inner = "".join(element(k, v, 1) for k, v in body.items())
    return f'<?xml version="1.0" encoding="UTF-8"?>{sep}<user xmlns:xsi="{XSI}">{inner}{sep}</user>{sep}'
