"""What lies outside the user's Business Units (spec §1.1, U24) is refused one way, `own.hidden_service_status`,
whatever names it (service, job, seed, template): with 404 the very answer of an id that does not exist (nothing
is revealed), with 403 a Forbidden that names what was asked for."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from mockown.own.service import OwnService
from tests.own.conftest import OWNER, SALES, SALES_ADMIN, SALES_SANDBOX, TEMPLATE, bearer

UNKNOWN = 999_999


@pytest.mark.parametrize("status", [403, 404])
def test_every_hidden_thing_is_refused_alike(
    configured: Callable[..., tuple[httpx.Client, OwnService]], status: int
) -> None:
    client, own = configured(hidden_service_status=status)
    owner = bearer(client, own, OWNER)
    job = client.post(f"/api/v1/services/{SALES}/backups/last/export", headers=owner, data={"export_format": "csv"})
    seed = client.post(f"/api/v1/seeding/templates/{TEMPLATE}/seed", headers=owner,
                       data={"destination": str(SALES_SANDBOX), "disable_automations": "false"})  # fmt: skip
    assert job.status_code == 200 and seed.status_code == 200, (job.text, seed.text)
    hidden = {  # path template -> the id of a thing only Sales reaches
        "/api/v1/services/{}": SALES,
        "/api/v1/jobs/{}": job.json()["job_id"],
        "/api/v1/seeding/seed/{}": seed.json()["id"],
        "/api/v1/seeding/templates/{}/anonymize": TEMPLATE,  # the template seeds from Sales
    }
    admin = own.user(SALES_ADMIN)
    assert admin is not None
    admin.business_units = ["Support"]  # an admin (may write) who no longer reaches Sales
    own.users.put(admin)
    support = bearer(client, own, SALES_ADMIN)
    for path, ident in hidden.items():
        method = "POST" if path.endswith("anonymize") else "GET"
        form = {"destination_service_id": "300003", "disable_automations": "0"} if method == "POST" else None
        r = client.request(method, path.format(ident), headers=support, data=form)
        missing = client.request(method, path.format(UNKNOWN), headers=support, data=form)
        assert missing.status_code == 404, missing.text
        assert r.status_code == status, (path, r.text)
        if status == 404:
            named = missing.json()["message"].replace(str(UNKNOWN), str(ident))
            assert r.json() == {**missing.json(), "message": named}, path
        else:
            label = missing.json()["message"].removesuffix(" not found").replace(str(UNKNOWN), str(ident))
            assert r.json()["error"] == "Forbidden" and r.json()["message"].startswith(label + " "), (path, r.text)
