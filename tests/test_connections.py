"""A connection the database server closed while it sat in the pool is thrown away at the
next request, not handed to it: without the round trip pool_pre_ping costs each request
(connections.py)."""
import time
import uuid

import pytest
import sqlalchemy as sa

from fuxin_pwa.extensions import db
from tests.conftest import ON_POSTGRES, PG_URL

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="a server that can close connections: PostgreSQL")


def _pooled_backend() -> int:
    pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
    db.session.remove()  # back to the pool, idle, as between two requests
    return pid


def _terminate(pid: int) -> None:
    admin = sa.create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            assert conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
            deadline = time.monotonic() + 10
            while conn.execute(sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                               {"pid": pid}).scalar_one() and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        admin.dispose()


def test_a_liaisons_sync_after_the_database_dropped_the_idle_connection_is_stored(client, auth, world):
    assert db.engine.pool._pre_ping is False  # no SELECT 1 before every request
    auth.login()
    place_id = world.village_a.id
    dead = _pooled_backend()
    _terminate(dead)

    record = {"id": str(uuid.uuid4()), "type": "checkin", "occurred_at": "2026-12-01T09:00:00+08:00",
              "data": {"place_id": place_id}}
    answer = client.post("/api/v1/sync", json={"device_id": "t", "records": [record]})

    assert answer.status_code == 200
    assert answer.get_json()["results"][0]["status"] == "created"
    assert _pooled_backend() != dead


def test_the_leaders_page_after_a_database_restart_of_every_idle_connection_loads(client, auth, world):
    auth.login("leader")
    pids = {_pooled_backend() for _ in range(2)}
    for pid in pids:
        _terminate(pid)
    assert client.get("/coverage/").status_code == 200
