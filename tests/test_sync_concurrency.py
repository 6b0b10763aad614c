"""Exactly once under races: the same batch sent at the same moment from several tabs
(or a timed-out request and its retry) is stored once, on SQLite and on PostgreSQL."""
import threading

import requests
import sqlalchemy as sa

from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import CheckIn, TaskLog
from tests.test_sync import checkin, now_iso, task_log


def logged_in_session(base_url, username="liaison"):
    s = requests.Session()
    r = s.post(f"{base_url}/login", data={"username": username, "password": "fuxin2024"},
               allow_redirects=False)
    assert r.status_code == 302
    return s


def test_four_tabs_replaying_one_batch_at_once_store_each_record_once(live_server, world):
    batch = [checkin(world.village_a.id) for _ in range(15)] + [task_log(world.village_a.id) for _ in range(5)]
    body = {"device_id": "phone-1", "sent_at": now_iso(), "records": batch}
    tabs = [logged_in_session(live_server.url) for _ in range(4)]
    start = threading.Barrier(len(tabs))
    answers = [None] * len(tabs)

    def send(i):
        start.wait()
        answers[i] = tabs[i].post(f"{live_server.url}/api/v1/sync", json=body, timeout=60)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(tabs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert all(a.status_code == 200 for a in answers)
    for position, record in enumerate(batch):
        seen = [a.json()["results"][position] for a in answers]
        assert all(r["id"] == record["id"] for r in seen)
        # Exactly one tab created it; the others were told it was already there.
        assert sorted(r["status"] for r in seen) == ["created"] + ["duplicate"] * (len(tabs) - 1)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 15
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TaskLog)) == 5
    ids = db.session.scalars(sa.select(CheckIn.uuid)).all()
    assert len(set(ids)) == 15
