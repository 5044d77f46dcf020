"""Before any check of `--profile real`: the chosen APIs have credentials, and every host they will call answers.

Either problem stops the run with one line and exit code 2 (nothing was checked): without credentials every check
that needs a login would skip and the run pass on the few public ones, and an unreachable host would fail every
check with a traceback.
"""

from __future__ import annotations

from .support import ENV_PREFIX, Target, env, reachable_problem

# the variables of each complete group of B2C checks (what its rules' `need` asks): one group is enough to check
B2C_GROUPS = [
    ("B2C_AM_CLIENT_ID", "B2C_AM_CLIENT_SECRET"),
    ("B2C_INSTANCE_URL", "B2C_SITE", "B2C_OCAPI_CLIENT_ID"),
    ("B2C_SLAS_URL", "B2C_SLAS_ORG_ID", "B2C_SLAS_CHANNEL_ID", "B2C_SLAS_PUBLIC_CLIENT_ID", "B2C_SLAS_REDIRECT_URI"),
    ("B2C_SLAS_URL", "B2C_SLAS_ORG_ID", "B2C_SLAS_CHANNEL_ID", "B2C_SLAS_PRIVATE_CLIENT_ID",
     "B2C_SLAS_PRIVATE_CLIENT_SECRET"),
]  # fmt: skip
# what each API's checks need before any of them runs (each check skips otherwise, naming these)
NEEDED = {
    "salesforce": f"{ENV_PREFIX}SF_CLIENT_ID, SF_USERNAME and SF_PASSWORD or SF_JWT_KEY (and SF_CLIENT_SECRET)",
    "own": f"{ENV_PREFIX}OWN_API_TOKEN (and OWN_REGION)",
    "marketing": f"{ENV_PREFIX}MC_AUTH_URL, MC_CLIENT_ID and MC_CLIENT_SECRET",
    "b2c": ENV_PREFIX + ", or ".join(" + ".join(group) for group in B2C_GROUPS),
}


def has_credentials(api: str) -> bool:
    """Whether the checks of `api` that log in can run against a real service: every variable of a way in is set
    (a client id without its user, a site without its instance and client, log in nowhere)."""
    if api == "salesforce":
        return all(env(name) for name in ("SF_CLIENT_ID", "SF_USERNAME")) and bool(
            env("SF_PASSWORD") or env("SF_JWT_KEY")
        )
    if api == "own":
        return env("OWN_API_TOKEN") is not None
    if api == "marketing":
        return all(env(name) for name in ("MC_AUTH_URL", "MC_CLIENT_ID", "MC_CLIENT_SECRET"))
    return any(all(env(name) for name in group) for group in B2C_GROUPS)


def credentials_problem(apis: list[str]) -> str | None:
    """None when one of `apis` has credentials (an API without them is skipped, its skips say why), else which
    variables to set."""
    if any(has_credentials(api) for api in apis):
        return None
    wanted = "; ".join(f"{api}: {NEEDED[api]}" for api in apis)
    return (
        f"--profile real has no credentials for {', '.join(apis)}, so no check that needs a login would run (a pass"
        f" would mean nothing): set {wanted}"
    )


def hosts(target: Target, apis: list[str]) -> list[tuple[str, str]]:
    """(where the URL comes from, URL) of every host the chosen checks will call."""
    out: list[tuple[str, str]] = []
    if "salesforce" in apis and has_credentials("salesforce"):
        out.append(("--target", target.url))
    if "own" in apis and has_credentials("own"):
        region = env("OWN_REGION") or "app1"
        out.append((f"{ENV_PREFIX}OWN_AUTH_URL", env("OWN_AUTH_URL") or "https://auth.owndata.com"))
        out.append((f"{ENV_PREFIX}OWN_API_URL", env("OWN_API_URL") or f"https://{region}.owndata.com"))
    if "marketing" in apis and has_credentials("marketing"):
        out.append((f"{ENV_PREFIX}MC_AUTH_URL", env("MC_AUTH_URL") or ""))
    if "b2c" in apis and has_credentials("b2c"):
        if env("B2C_AM_CLIENT_ID"):
            out.append((f"{ENV_PREFIX}B2C_AM_URL", env("B2C_AM_URL") or "https://account.demandware.com"))
        for name in ("B2C_INSTANCE_URL", "B2C_SLAS_URL"):
            url = env(name)
            if url:
                out.append((ENV_PREFIX + name, url))
    return out


def real_target_problem(target: Target, apis: list[str]) -> str | None:
    """The first reason the real profile cannot check `apis` (missing credentials, a host that does not answer)."""
    problem = credentials_problem(apis)
    if problem is not None:
        return problem
    seen: set[str] = set()
    for source, url in hosts(target, apis):
        base = url.rstrip("/")
        if base in seen:
            continue
        seen.add(base)
        problem = reachable_problem(target, base, source)
        if problem is not None:
            return problem
    return None
