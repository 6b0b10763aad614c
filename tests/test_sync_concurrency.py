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


# --- Races forced, not hoped for -------------------------------------------------------------------
# Each of these holds both requests at a barrier right after they have read the state they
# act on, so both act on the same state at the same moment, on every run and on both
# databases: the race is proven, not left to the scheduler.

def hold_both_after_reading(monkeypatch, module, name, before=False):
    """Wrap module.name, in the module that calls it, so that each request's first call waits
    for the other's (after the call, or before it with before=True). werkzeug serves each
    request on a thread of its own. The barrier times out (and the test fails) if the two
    never meet there."""
    real = getattr(module, name)
    barrier, waited = threading.Barrier(2, timeout=15), threading.local()

    def wrapped(*args, **kwargs):
        first = not getattr(waited, "done", False)
        waited.done = True
        if first and before:
            barrier.wait()
        out = real(*args, **kwargs)
        if first and not before:
            barrier.wait()
        return out
    monkeypatch.setattr(module, name, wrapped)


def at_once(*calls):
    answers = [None] * len(calls)

    def run(i):
        answers[i] = calls[i]()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return answers


def test_two_replays_that_both_find_a_record_missing_store_it_once_by_its_unique_key(
        live_server, world, monkeypatch):
    from fuxin_pwa import records
    hold_both_after_reading(monkeypatch, records, "judge_stored")  # both see "not stored yet"
    unique_violations = []
    sa.event.listen(db.engine, "handle_error", lambda ctx: unique_violations.append(
        isinstance(ctx.sqlalchemy_exception, sa.exc.IntegrityError)))
    body = {"device_id": "phone-1", "sent_at": now_iso(), "records": [checkin(world.village_a.id)]}
    tabs = [logged_in_session(live_server.url) for _ in range(2)]
    answers = at_once(*[lambda s=s: s.post(f"{live_server.url}/api/v1/sync", json=body, timeout=60) for s in tabs])
    assert sorted(a.json()["results"][0]["status"] for a in answers) == ["created", "duplicate"]
    assert unique_violations == [True]  # the loser's INSERT hit the unique key, and was answered duplicate
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 1


def test_two_leaders_assigning_one_request_at_once_one_applies_and_one_is_kept_as_a_conflict(
        live_server, world, monkeypatch):
    from fuxin_pwa.requests import services as request_services
    from fuxin_pwa.requests.models import ASSIGNED, RequestEvent, ResidentRequest
    from tests.test_requests import a_request
    from tests.test_requests_sync import update
    req = a_request(world)  # received, version 1
    hold_both_after_reading(monkeypatch, request_services, "_apply", before=True)
    leader, admin = logged_in_session(live_server.url, "leader"), logged_in_session(live_server.url, "admin")

    # Made here: the threads have no app context to load anything from the database.
    bodies = [{"device_id": "tablet", "sent_at": now_iso(), "records": [update(req, "assign", 1, assignee_id=pid)]}
              for pid in (world.liaison.id, world.liaison_b.id)]

    def assign(session, body):
        return session.post(f"{live_server.url}/api/v1/sync", json=body, timeout=60).json()["results"][0]
    answers = at_once(lambda: assign(leader, bodies[0]), lambda: assign(admin, bodies[1]))
    assert sorted(a["status"] for a in answers) == ["conflict", "created"]
    db.session.expire_all()
    stored = db.session.get(ResidentRequest, req.id)
    winner = world.liaison if answers[0]["status"] == "created" else world.liaison_b
    assert (stored.status, stored.assignee_id, stored.version) == (ASSIGNED, winner.id, 2)
    kept = db.session.scalars(sa.select(RequestEvent).where(RequestEvent.request_id == req.id)).all()
    assert sorted(e.conflict for e in kept) == [False, True]  # both kept; only one applied


def test_two_status_changes_to_one_case_at_once_one_stands_and_the_other_is_refused(
        live_server, world, monkeypatch):
    from fuxin_pwa.cases import routes as case_routes
    from fuxin_pwa.cases.models import CLOSED, IN_PROGRESS, RESOLVED, Case, CaseEvent
    from tests.test_cases import a_case
    case = a_case(world, owner=world.liaison, status=IN_PROGRESS)
    # Where the route looks it up: both have read the case and passed the form when they meet.
    hold_both_after_reading(monkeypatch, case_routes, "change_status", before=True)
    owner, leader = logged_in_session(live_server.url, "liaison"), logged_in_session(live_server.url, "leader")

    url = f"{live_server.url}/cases/{case.id}/status"  # made here: the threads have no app context

    def move(session, to_status):
        return session.post(url, data={"to_status": to_status}, allow_redirects=False, timeout=60)
    resolved, closed = at_once(lambda: move(owner, RESOLVED), lambda: move(leader, CLOSED))
    assert sorted([resolved.status_code, closed.status_code]) == [302, 422]
    refused = resolved if resolved.status_code == 422 else closed
    assert "这个一户一策刚被他人更改" in refused.text
    db.session.expire_all()
    stored = db.session.get(Case, case.id)
    assert stored.status == (RESOLVED if resolved.status_code == 302 else CLOSED)
    moves = db.session.scalars(sa.select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                          CaseEvent.from_status == IN_PROGRESS)).all()
    assert [m.to_status for m in moves] == [stored.status]  # one move in the history, the one that stands
