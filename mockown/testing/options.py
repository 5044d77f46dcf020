"""The options of a test's mockown org and Own account (`@pytest.mark.mockown(...)` and ``mockown_defaults``):
what they may be (`check_options`) and how the layers combine (`merge_options`: the marker closest to the test
wins, a closer option replacing the farther ones it cannot go with)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# Connected-app fields a marker may set directly: @pytest.mark.mockown(rotation=True, session_timeout="15m")
APP_FIELDS = frozenset(
    {"name", "client_id", "client_secret", "callback_urls", "scopes", "require_secret_for_web_server",
     "pkce_required", "username_password_allowed", "client_credentials_user", "refresh_token_policy",
     "refresh_token_ttl", "rotation", "session_timeout", "auto_approve", "pre_approved_users",
     "jwt_certificate", "jwt_access_tokens", "introspect_all", "id_token_validity", "token_exchange",
     "initial_access_token", "id_token_audiences", "id_token_include_standard_claims", "id_token_include_attributes",
     "id_token_include_custom_perms", "custom_attributes", "custom_permissions", "single_logout_url"}
)  # fmt: skip
# Everything else a marker may say.
OPTION_KEYS = frozenset({"org", "users", "apps", "own", "own_user", "seed", "keep", "config"})


# What each option other than the app's fields must be (the app's field values are checked by the server's seed).
_OPTION_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "org": ((dict,), "a mapping of org fields, e.g. org={'my_domain': 'acme.my.salesforce.com'}"),
    "users": ((list, tuple), "a list of user mappings, e.g. users=[{'username': 'a@example.test'}]"),
    "apps": ((list, tuple), "a list of connected-app mappings, e.g. apps=[{'client_id': 'MyApp'}]"),
    "own": ((dict, bool), "a mapping of Own account fields, True (the default account) or False (none)"),
    "own_user": ((dict,), "a mapping of the Own user's fields, e.g. own_user={'role': 'admin'}"),
    "seed": ((dict,), "a seed document of other sections, e.g. seed={'marketing': {'tenants': [{}]}}"),
    "keep": ((bool,), "True or False"),
    "config": ((dict,), "a mapping of server settings, e.g. config={'own': {'backup_mode': 'polls:2'}}"),
}


def check_options(options: Mapping[str, Any]) -> None:
    """Refuse (`ValueError`, saying what was meant) an option name mockown does not know, an option of the
    wrong shape, or two options of which one would be dropped (in one marker, or in ``mockown_defaults``:
    between layers the closer wins, see `merge_options`); the values of connected-app fields are the
    server's to check."""
    unknown = sorted(set(options) - APP_FIELDS - OPTION_KEYS)
    if unknown:
        import difflib

        known = sorted(APP_FIELDS | OPTION_KEYS)
        close = difflib.get_close_matches(unknown[0], known, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ValueError(f"unknown mockown option {unknown[0]!r} ({hint}known: {', '.join(known)})")
    for key, (types, what) in _OPTION_TYPES.items():
        value = options.get(key)
        if value is None:
            continue
        if not isinstance(value, types):
            raise ValueError(f"mockown option {key}= must be {what}, not {value!r}")
        if isinstance(value, (list, tuple)):
            wrong = next((item for item in value if not isinstance(item, dict)), None)
            if wrong is not None:
                raise ValueError(f"mockown option {key}= must be {what}; one item is {wrong!r}")
    for section in options.get("seed") or {}:
        if section == "salesforce" or (section == "own" and options.get("own") is not False):
            raise ValueError(f"mockown option seed= adds other sections; use org=, users=, apps=, own= for {section!r}")
    _check_together(options)


def _check_together(options: Mapping[str, Any]) -> None:
    """Refuse two options of which one would be dropped: connected-app fields and a list of apps, a list
    (of users or apps) both in `org=` and beside it, `own_user=` and no Own account or its own users."""
    org, own = options.get("org") or {}, options.get("own")
    app_fields = sorted(k for k in options if k in APP_FIELDS)
    for key in ("users", "apps"):
        if options.get(key) is not None and org.get(key) is not None:
            raise ValueError(f"mockown options {key}= and org={{'{key}': ...}} both give the org's {key}: give one")
    apps = "apps=" if options.get("apps") is not None else "org={'apps': ...}" if org.get("apps") is not None else ""
    if app_fields and apps:
        raise ValueError(
            f"mockown options {app_fields[0]}= and {apps} cannot be used together: connected-app fields set the "
            f"default app, which {apps} replaces; put {app_fields[0]!r} in the apps' mappings"
        )
    if options.get("own_user") is not None:
        if own is False:
            raise ValueError(
                "mockown options own_user= and own=False cannot be used together: own=False seeds no Own account"
            )
        if isinstance(own, dict) and own.get("users") is not None:
            raise ValueError(
                "mockown options own_user= and own={'users': ...} both give the Own account's users: give one"
            )


def merge_options(layers: Sequence[tuple[str, Mapping[str, Any]]]) -> dict[str, Any]:
    """The options of a test from its layers, farthest first (``mockown_defaults``, then the module's, the
    class's and the function's markers), each a ``(name, options)`` pair. A closer layer's option replaces
    the same option of the farther ones, and so do options that cannot go with it: connected-app fields and
    a list of apps (``apps=`` or ``org={'apps': ...}``), ``users=`` and ``org={'users': ...}``, ``own_user=``
    and ``own=False`` or ``own={'users': ...}`` (so a marker's ``apps=`` wins over a default
    ``session_timeout``, and a marker's ``own=False`` over a default ``own_user``). Two such options in one
    layer are still an error (`ValueError`, prefixed with the layer's name unless it is a marker's)."""
    merged: dict[str, Any] = {}
    for name, layer in layers:
        try:
            check_options(layer)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}" if name else str(exc)) from None
        merged = _without_replaced(merged, layer)
        merged.update(layer)
    check_options(merged)
    return merged


def _without_replaced(farther: Mapping[str, Any], closer: Mapping[str, Any]) -> dict[str, Any]:
    """`farther` without the options that cannot go with `closer`'s (an org's or an Own account's list of
    users or apps goes from its mapping, the mapping's other fields stay)."""
    out = dict(farther)

    def drop(key: str, inner: str | None = None) -> None:
        if inner is None:
            out.pop(key, None)
        elif isinstance(out.get(key), dict) and inner in out[key]:
            out[key] = {k: v for k, v in out[key].items() if k != inner}

    org: Mapping[str, Any] = closer["org"] if isinstance(closer.get("org"), dict) else {}
    own = closer.get("own")
    if closer.get("users") is not None:
        drop("org", "users")
    if org.get("users") is not None:
        drop("users")
    if closer.get("apps") is not None or org.get("apps") is not None:  # the closer layer's own apps
        drop("apps")
        drop("org", "apps")
        for field in APP_FIELDS & set(out):
            drop(field)
    if APP_FIELDS & set(closer):  # the closer layer's default app
        drop("apps")
        drop("org", "apps")
    if closer.get("own_user") is not None:
        if out.get("own") is False:
            drop("own")
        drop("own", "users")
    if own is False or (isinstance(own, dict) and own.get("users") is not None):
        drop("own_user")
    if (own if "own" in closer else out.get("own")) is not False:
        drop("seed", "own")  # a farther layer's Own account in its seed= came with its own=False, now replaced
    return out
