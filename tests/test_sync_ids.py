"""A record's id is its own for good, for every record type: replayed, it is a duplicate;
reused with other content, or by another person, it is refused on `errors.id` and the stored
record is never touched. And a server fault on one record never sinks the rest of its batch."""
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import CheckIn, TaskLog
from fuxin_pwa.records import record_models
from tests.conftest import AuthActions
from tests.test_dispatch import deploy, make_incident
from tests.test_requests import a_request
from tests.test_requests_sync import raised, update
from tests.test_sync import checkin, now_iso, task_log


def ack(incident, state):
    return {"id": str(uuid.uuid4()), "type": "incident_ack", "occurred_at": now_iso(timedelta(minutes=-1)),
            "data": {"incident_id": incident.id, "state": state}}


# type → (the two people, the record, the same id with other content); each valid for both people.
def cases(world):
    incident = make_incident(world)
    for person in (world.liaison, world.cadre):
        deploy(incident, person)
    req = a_request(world)
    return {
        "checkin": (("liaison", "cadre"), checkin(world.village_a.id), {"note": "另一条备注"}),
        "task_log": (("liaison", "cadre"), task_log(world.village_a.id), {"summary": "另一次走访"}),
        "request": (("liaison", "cadre"), raised(world.village_a.id), {"description": "另一件事"}),
        "request_update": (("leader", "admin"), update(req, "assign", 1, assignee_id=world.liaison.id),
                           {"assignee_id": world.liaison_b.id}),
        "incident_ack": (("liaison", "cadre"), ack(incident, "received"), {"state": "en_route"}),
    }


def send(app, username, record):
    client = app.test_client()
    from flask import g
    g.pop("_login_user", None)  # a new person on this client: not the last one's
    AuthActions(client).login(username)
    r = client.post("/api/v1/sync", json={"device_id": f"{username}-phone", "sent_at": now_iso(), "records": [record]})
    assert r.status_code == 200
    return r.get_json()["results"][0]


def stored_rows(record_id):
    db.session.expire_all()
    return [row for model in record_models() for row in
            db.session.scalars(sa.select(model).where(model.uuid == record_id)).all()]


@pytest.mark.parametrize("record_type", ["checkin", "task_log", "request", "request_update", "incident_ack"])
def test_an_id_is_a_records_own_for_every_record_type(app, world, record_type):
    (owner, other), record, changed = cases(world)[record_type]
    assert send(app, owner, record)["status"] == "created"
    [row] = stored_rows(record["id"])
    kept = {c.name: getattr(row, c.name) for c in row.__table__.columns}

    assert send(app, owner, record)["status"] == "duplicate"  # a replay
    other_content = {**record, "data": {**record["data"], **changed}}
    answer = send(app, owner, other_content)
    assert answer["status"] == "rejected" and "id" in answer["errors"], answer
    answer = send(app, other, record)  # the same record, sent by someone else
    assert answer["status"] == "rejected" and "id" in answer["errors"], answer

    [row] = stored_rows(record["id"])
    assert {c.name: getattr(row, c.name) for c in row.__table__.columns} == kept  # never touched


def test_a_server_fault_on_one_record_is_that_records_answer_and_the_rest_are_stored(app, client, auth, world,
                                                                                    monkeypatch):
    from fuxin_pwa.field import services as field_services
    real = field_services.CheckIn

    def fails_on_the_flooded_road(**columns):
        if columns.get("note") == "水淹路段":
            raise RuntimeError("the disk is full")
        return real(**columns)
    monkeypatch.setattr(field_services, "CheckIn", fails_on_the_flooded_road)
    auth.login("liaison")
    batch = [checkin(world.village_a.id, note="入村一"), checkin(world.village_a.id, note="水淹路段"),
             task_log(world.village_a.id), checkin(world.village_a.id, note="入村二")]
    results = client.post("/api/v1/sync", json={"device_id": "p", "sent_at": now_iso(), "records": batch}).get_json()
    assert [r["status"] for r in results["results"]] == ["created", "rejected", "created", "created"]
    assert list(results["results"][1]["errors"]) == ["server"]  # a server fault: the phone keeps it and retries
    db.session.expire_all()
    assert sorted(db.session.scalars(sa.select(CheckIn.note)).all()) == ["入村一", "入村二"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TaskLog)) == 1
