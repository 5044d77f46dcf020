"""An export's `results` hold URLs a client can follow as given: each file's name is percent-encoded in its URL
and the file route decodes it back, so object names with `?`, `/`, `%`, `#` or spaces name their own file."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from mockown.own.service import OwnService
from tests.own.conftest import SALES

ODD = ["x?y", "a/b", "%41", "my objects", "a#b", "a%2fb", "a/../b", "a;b", "a+b", "ünï", "/lead", "b//c", "d\\e"]


def _with_objects(client: httpx.Client, auth: dict[str, str], own: OwnService, names: list[str]) -> None:
    """Service 300001 now holds `names` too, in a fresh backup (the next export's `last`)."""
    service = own.services.get(f"app1:{SALES}")
    assert service is not None
    service.objects = [*service.objects, *names]
    own.services.put(service)
    assert client.post(f"/api/v1/services/{SALES}/backup_now", headers=auth).status_code == 200


def _files(client: httpx.Client, auth: dict[str, str], prefix: str, form: dict[str, str]) -> list[str]:
    url = f"{prefix}/api/v1/services/{SALES}/backups/last/export"
    r = client.post(url, headers=auth, data=form)
    assert r.status_code == 200, r.text
    job = client.get(f"{prefix}/api/v1/jobs/{r.json()['job_id']}", headers=auth).json()
    assert job["status"] == "COMPLETED"
    return [u for u in job["results"] if u.startswith("http://")]


@pytest.mark.parametrize("prefix", ["", "/regions/app1"])
def test_every_export_url_downloads_its_file(
    client: httpx.Client, auth: dict[str, str], own: OwnService, prefix: str
) -> None:
    _with_objects(client, auth, own, ODD)
    urls = _files(client, auth, prefix, {"export_format": "csv"})
    expected = ["accounts", "contacts", "opportunities", *ODD]
    base = f"http://testserver{prefix}/api/v1/jobs/"
    assert [u.rsplit("/files/", 1)[1] for u in urls] == [quote(f"{o}.csv", safe="") for o in expected]
    for url in urls:
        assert url.startswith(base)
        r = client.get(url, headers=auth)
        assert r.status_code == 200, (url, r.text)
        assert r.headers["content-type"].startswith("text/csv")
        assert r.text.startswith("Id"), (url, r.text[:80])
        assert len(r.text.splitlines()) > 1, url
        assert client.get(url + "/", headers=auth).text == r.text  # one trailing slash: the same file
    (sql,) = _files(client, auth, prefix, {"export_format": "sql", "sql_dialect": "postgresql"})
    r = client.get(sql, headers=auth)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/sql")


def test_each_url_serves_its_own_objects_file(client: httpx.Client, auth: dict[str, str], own: OwnService) -> None:
    """`%41` is not `A`, `a%2fb` is not `a/b`: each file holds the rows of the object it is named after."""
    _with_objects(client, auth, own, ["a", "%41", "a/b", "a%2fb"])
    urls = _files(client, auth, "", {"export_format": "csv", "objects": '["a", "%41", "a/b", "a%2fb"]'})
    bodies = [client.get(u, headers=auth).text for u in urls]
    assert len(set(bodies)) == 4  # four objects, four different record sets
    listing = client.get(f"/api/v1/services/{SALES}/backups/last/objects", headers=auth).json()
    by_name = {o["name"]: o for o in listing}
    for name, body in zip(["a", "%41", "a/b", "a%2fb"], bodies, strict=True):
        assert body == client.get(by_name[name]["download_link"], headers=auth).text


def test_a_name_that_is_not_a_file_of_the_job_is_404(
    client: httpx.Client, auth: dict[str, str], own: OwnService
) -> None:
    _with_objects(client, auth, own, ["a/b"])
    (url,) = _files(client, auth, "", {"export_format": "csv", "objects": '["a/b"]'})
    job = url.split("/files/")[0]
    for wrong in ("a.csv", "b.csv", "a%252Fb.csv", "a%2Fb", "a%2F", "%2Fb.csv", ""):
        r = client.get(f"{job}/files/{wrong}", headers=auth)
        assert r.status_code == 404, (wrong, r.text)
        assert r.json()["error"] == "Not Found"
