"""The Own state on the SQLite store (``--state-file``): every transition persists, and survives a restart."""

from __future__ import annotations

from pathlib import Path

from mockown import Config, FrozenClock, create_app
from mockown.http.inprocess import in_process_client
from tests.own.conftest import OWNER, SALES, TOKEN_URL, exchange_form


def test_flow_on_a_state_file_survives_a_restart(tmp_path: Path, clock: FrozenClock) -> None:
    config = Config(state_file=str(tmp_path / "state.db")).replace(own={"backup_mode": "polls:2"})
    app = create_app(config, clock=clock)
    own = app.state.runtime.own
    raw = own.generate_api_token(OWNER)
    with in_process_client(app) as client:
        access = client.post(TOKEN_URL, data=exchange_form(raw)).json()["access_token"]
        auth = {"Authorization": f"Bearer {access}"}
        assert client.post(f"/api/v1/services/{SALES}/backup_now", headers=auth).status_code == 200
        url = f"/api/v1/services/{SALES}/backups"
        assert client.get(url, headers=auth).json()[-1]["status"] == "INPROGRESS"
        objects = client.get(f"{url}/last/objects", headers=auth).json()
        victim = client.get(objects[1]["download_link"], headers=auth).text.splitlines()[1].split(",")[0]
        data = {"table_name": "Contact", "record_id": victim}
        assert client.post(f"/api/v1/services/{SALES}/gdpr/forget", headers=auth, data=data).status_code == 200
    app.state.runtime.store.close()

    again = create_app(config, clock=clock)
    with in_process_client(again) as client:
        assert client.post(TOKEN_URL, data=exchange_form(raw)).status_code == 200  # the API token persisted
        last = client.get(f"/api/v1/services/{SALES}/backups", headers=auth).json()[-1]
        assert (last["id"], last["status"]) == (420008, "OK")  # the second poll, after the restart
        text = client.get(objects[1]["download_link"], headers=auth).text
        assert victim not in text
        assert again.state.runtime.own.api_token_info(OWNER) is not None
    again.state.runtime.store.close()
