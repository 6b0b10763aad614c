"""Resident requests through the sync protocol: a request raised on a phone offline (with its
photos) and a change to a request made offline (`request_update`, naming its base_version).
Both are validated by the forms of the online pages and stored by the same services."""
import io
import uuid
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from PIL import Image

from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import TaskLog
from fuxin_pwa.photos.models import Photo
from fuxin_pwa.requests.models import ASSIGNED, IN_PROGRESS, RECEIVED, RESOLVED, RequestEvent, ResidentRequest
from tests.test_requests import a_request, events, switch
from tests.factories import now_iso, synced as sync


def raised(place_id, **data):
    return {"id": str(uuid.uuid4()), "type": "request", "occurred_at": now_iso(timedelta(hours=-2)),
            "data": {"resident_name": "张大妈", "resident_phone": "13812345678", "place_id": place_id,
                     "category": "facility_repair", "description": "屋顶漏水", **data}}


def update(req, action, base_version, **data):
    return {"id": str(uuid.uuid4()), "type": "request_update", "occurred_at": now_iso(),
            "data": {"request_id": req.id, "action": action, "base_version": base_version, **data}}


def visit(req, place_id, summary="上门查看"):
    return {"id": str(uuid.uuid4()), "type": "task_log", "occurred_at": now_iso(),
            "data": {"kind": "request_followup", "place_id": place_id, "request_id": req.id, "summary": summary}}


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "blue").save(out, "JPEG")
    return out.getvalue()


def test_me_announces_the_request_types(client, auth, world):
    auth.login("liaison")
    assert {"request", "request_update"} <= set(client.get("/api/v1/me").get_json()["types"])


def test_a_request_raised_offline_with_photos_reaches_the_server_once(client, auth, world):
    auth.login("liaison")
    record = raised(world.grid_a.id, household_id=world.household_a.id)
    assert sync(client, [record]) == [{"id": record["id"], "status": "created"}]
    assert sync(client, [record]) == [{"id": record["id"], "status": "duplicate"}]  # a replay
    req = db.session.scalar(sa.select(ResidentRequest))
    assert (req.uuid, req.source, req.device_id, req.user_id, req.status) == (
        record["id"], "sync", "phone-1", world.liaison.id, RECEIVED)
    # Raised two hours ago on the phone: due seven days after that, not after the sync.
    assert timedelta(days=7) == req.due_at - req.occurred_at
    assert abs(datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(hours=2) - req.occurred_at) < timedelta(minutes=1)

    photo_id = str(uuid.uuid4())
    r = client.put(f"/api/v1/records/{record['id']}/photos/{photo_id}", data=jpeg(), content_type="image/jpeg")
    assert r.status_code == 201
    photo = db.session.scalar(sa.select(Photo))
    assert (photo.record_uuid, photo.record_type) == (record["id"], "request")
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert f"/photos/{photo_id}/thumb" in page

    # Who may look at the photo: those who may see the request's place.
    switch(auth, "leader")
    assert client.get(f"/photos/{photo_id}").status_code == 200
    switch(auth, "cadre")
    assert client.get(f"/photos/{photo_id}").status_code == 200
    switch(auth, "liaison_b")
    assert client.get(f"/photos/{photo_id}").status_code == 404


def test_a_request_the_form_refuses_is_rejected_with_its_errors_and_the_rest_are_stored(client, auth, world):
    auth.login("liaison")
    elsewhere = raised(world.village_b.id)
    bad_phone = raised(world.village_a.id, resident_phone="8888")
    fine = raised(world.village_a.id, resident_phone=None)
    results = sync(client, [elsewhere, bad_phone, fine])
    assert [r["status"] for r in results] == ["rejected", "rejected", "created"]
    assert results[0]["errors"] == {"place_id": ["不在您的包片范围内"]}
    assert "resident_phone" in results[1]["errors"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ResidentRequest)) == 1


def test_two_changes_made_against_version_1_the_first_applies_the_second_is_kept_as_a_conflict(client, auth, world):
    req = a_request(world)
    auth.login("leader")
    first = update(req, "assign", 1, assignee_id=world.liaison.id)
    assert sync(client, [first]) == [{"id": first["id"], "status": "created"}]
    switch(auth, "admin")  # the admin's tablet had the request open at version 1 too
    second = update(req, "assign", 1, assignee_id=world.cadre.id, note="派给孙干部")
    answer = client.post("/api/v1/sync", json={"records": [second]}).get_json()["results"]
    assert [(r["id"], r["status"]) for r in answer] == [(second["id"], "conflict")]
    assert "已派单" in answer[0]["detail"]  # the person hears why, and what the request is now
    assert sync(client, [second]) == [{"id": second["id"], "status": "duplicate"}]  # replayed: one row

    db.session.refresh(req)
    assert (req.status, req.assignee_id, req.version) == (ASSIGNED, world.liaison.id, 2)
    applied, kept = events(req)
    assert (applied.uuid, applied.conflict, kept.uuid, kept.conflict) == (first["id"], False, second["id"], True)
    assert (kept.assignee_id, kept.to_status, kept.user_id) == (world.cadre.id, ASSIGNED, world.admin.id)
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert "派给 赵包村" in page and "派给 孙干部" in page and "冲突（未生效）" in page
    assert page.count("tl-conflict") == 1


def test_a_change_replayed_after_a_lost_answer_is_a_duplicate_and_applies_once(client, auth, world):
    req = a_request(world, status=IN_PROGRESS, assignee=world.liaison)
    auth.login("liaison")
    close = update(req, "close", 1, to_status=RESOLVED, note="已修好")
    assert sync(client, [close])[0]["status"] == "created"
    assert sync(client, [close])[0]["status"] == "duplicate"
    db.session.refresh(req)
    assert (req.status, req.version, len(events(req))) == (RESOLVED, 2, 1)


def test_changes_the_rules_refuse_are_rejected_with_chinese_errors(client, auth, world):
    req = a_request(world)
    hers = a_request(world, status=IN_PROGRESS, assignee=world.liaison)
    hidden = a_request(world, place=world.village_b)
    auth.login("liaison")
    results = sync(client, [
        update(req, "assign", 1, assignee_id=world.liaison.id),    # not a leader
        update(hers, "start", 1),                                  # started already
        update(req, "close", 1, to_status="cannot_resolve"),       # no reason
        update(req, "close", 1, to_status="referred"),             # to whom?
        update(hidden, "start", 1),                                # another village's
        {**update(req, "start", 1), "data": {"request_id": req.id, "action": "start"}},  # no version
        update(req, "teleport", 1),
    ])
    assert [r["status"] for r in results] == ["rejected"] * 7
    errors = [r["errors"] for r in results]
    assert errors[0] == {"action": ["只有街道领导或管理员可以派单"]}
    assert errors[1] == {"action": ["诉求当前为「办理中」，不能「开始办理」"]}
    assert errors[2] == {"note": ["无法办理须说明原因"]}
    assert errors[3] == {"referred_to": ["转办须写明转给哪个单位或部门"]}
    assert errors[4] == {"request_id": ["诉求不存在或不在您的范围内"]}
    assert errors[5] == {"base_version": ["缺少版本号，请刷新页面后重试"]}
    assert errors[6] == {"action": ["未知的操作"]}
    db.session.refresh(req)
    assert (req.status, req.version) == (RECEIVED, 1) and events(req) == events(hers) == []
    r = sync(client, [update(req, "start", 1)])[0]  # hers to see (her village), not hers to work on
    assert r["errors"] == {"action": ["只有承办人、承办队伍成员或街道领导可以办理"]}


def test_offline_a_visit_then_a_close_by_the_assignee_both_apply_in_one_batch(client, auth, world):
    req = a_request(world, place=world.grid_a, status=ASSIGNED, assignee=world.liaison)
    req.version = 2
    db.session.commit()
    auth.login("liaison")
    results = sync(client, [visit(req, world.grid_a.id, "第一次上门"), visit(req, world.grid_a.id, "第二次上门"),
                            update(req, "close", 2, to_status=RESOLVED, note="修好了")])
    assert [r["status"] for r in results] == ["created", "created", "created"]
    db.session.refresh(req)
    assert req.status == RESOLVED and req.closed_at is not None
    assert [(e.action, e.to_status, e.user_id) for e in events(req)] == [
        ("start", IN_PROGRESS, world.liaison.id), ("close", RESOLVED, world.liaison.id)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TaskLog)
                             .where(TaskLog.request_id == req.id)) == 2


def test_an_assignee_from_another_place_may_log_a_visit_at_the_requests_place(client, auth, world):
    req = a_request(world, place=world.village_b, status=ASSIGNED, assignee=world.grid)
    auth.login("grid")
    results = sync(client, [visit(req, world.village_b.id)])
    assert results[0]["status"] == "created"
    other = visit(req, world.village_a.id)  # not where the request is
    assert sync(client, [other])[0]["status"] == "rejected"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RequestEvent)) == 1


def test_a_start_made_offline_after_ones_own_visit_started_the_work_is_kept_not_refused(client, auth, world):
    req = a_request(world, place=world.grid_a, status=ASSIGNED, assignee=world.liaison)
    req.version = 2
    db.session.commit()
    auth.login("liaison")
    start = update(req, "start", 2)
    results = sync(client, [visit(req, world.grid_a.id), start])
    # Right against the version she saw; the visit moved the request since: a conflict, kept.
    assert [r["status"] for r in results] == ["created", "conflict"]
    db.session.refresh(req)
    assert (req.status, req.version) == (IN_PROGRESS, 3)
    assert [(e.action, e.conflict) for e in events(req)] == [("start", False), ("start", True)]


# --- Who a request is for, when it changes hands -------------------------------------------------

def test_a_team_request_reaches_only_the_team_members_who_cover_its_place(client, auth, world):
    """Sent to the grid workers' team at 西村: 万科's grid worker is on that team, but 西村 is
    not his; he neither sees it nor closes it."""
    req = a_request(world, place=world.grid_b, status=ASSIGNED, team="grid_worker")
    auth.login("grid")
    assert client.get(f"/requests/{req.id}").status_code == 404
    assert "屋顶漏水" not in client.get("/requests/?mine=1").get_data(as_text=True)
    results = sync(client, [update(req, "close", 1, to_status="resolved", note="已修好")])
    assert [r["status"] for r in results] == ["rejected"]
    db.session.refresh(req)
    assert req.status == ASSIGNED


def test_a_change_made_before_the_request_was_given_to_someone_else_is_kept_as_a_conflict(client, auth, world):
    req = a_request(world, place=world.grid_c)
    auth.login("leader")
    assert [r["status"] for r in sync(client, [update(req, "assign", 1, assignee_id=world.liaison_b.id)])] == ["created"]
    switch(auth, "liaison_b")  # 西村's liaison, sent to a 万科 request; she starts it offline (version 2)
    started = update(req, "start", 2, note="已联系居民")
    switch(auth, "leader")  # meanwhile the leader gives it to 万科's grid worker
    assert [r["status"] for r in sync(client, [update(req, "assign", 2, assignee_id=world.grid.id)])] == ["created"]
    switch(auth, "liaison_b")
    assert [r["status"] for r in sync(client, [started])] == ["conflict"]  # kept, not thrown back at her
    db.session.refresh(req)
    assert (req.status, req.assignee_id) == (ASSIGNED, world.grid.id)
    assert [(e.action, e.conflict) for e in events(req)][-1] == ("start", True)


def test_a_change_never_theirs_to_make_is_refused_and_not_kept_even_when_stale(client, auth, world):
    """Permission before staleness: a stale base version does not turn a refusal into a
    conflict kept on the request's timeline."""
    req = a_request(world, place=world.grid_c)
    auth.login("leader")
    assert [r["status"] for r in sync(client, [update(req, "assign", 1, assignee_id=world.liaison_b.id)])] == ["created"]
    switch(auth, "grid")  # covers 万科 and sees the request, but was never given it, in any version
    results = sync(client, [update(req, "close", 1, to_status="resolved", note="冒充办结")])
    assert [r["status"] for r in results] == ["rejected"] and "action" in results[0]["errors"]
    assert [(e.action, e.conflict) for e in events(req)] == [("assign", False)]


def test_a_visit_by_someone_else_than_the_assignee_is_kept_and_moves_nothing(client, auth, world):
    req = a_request(world, place=world.grid_a, status=ASSIGNED, assignee=world.liaison)
    auth.login("cadre")  # covers 东村 too, passes by
    assert [r["status"] for r in sync(client, [visit(req, world.grid_a.id)])] == ["created"]
    db.session.refresh(req)
    assert req.status == ASSIGNED and db.session.scalar(sa.select(sa.func.count(TaskLog.id))) == 1


def test_a_stale_assignment_by_someone_who_may_not_assign_is_refused_not_kept(client, auth, world):
    req = a_request(world, place=world.grid_a, status=ASSIGNED, assignee=world.liaison)
    req.version = 3
    db.session.commit()
    auth.login("liaison")
    results = sync(client, [update(req, "assign", 1, assignee_id=world.cadre.id)])
    assert [r["status"] for r in results] == ["rejected"] and "action" in results[0]["errors"]
