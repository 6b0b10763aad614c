"""Resident requests (群众诉求 · 订单式服务): raised at the centre's tablet or in the field,
assigned by a leader, followed up over visits, closed, called back; overdue ones stand out.
The synced doors (record types `request`, `request_update`) are in test_requests_sync.py."""
import re
import uuid
from datetime import timedelta

import sqlalchemy as sa

from fuxin_pwa.extensions import db
from fuxin_pwa.requests.models import (ASSIGNED, CANNOT_RESOLVE, IN_PROGRESS, PARTLY_RESOLVED, RECEIVED,
                                       REFERRED, RESOLVED, RequestCategory, RequestEvent, ResidentRequest)
from fuxin_pwa.timeutil import utcnow

HX = {"HX-Request": "true"}


def a_request(world, raiser=None, place=None, category="facility_repair", name="张大妈", phone="13812345678",
              description="屋顶漏水，雨天屋里滴水", household=None, status=RECEIVED, assignee=None, team=None,
              raised_ago=timedelta(0), due_in=None):
    """A request as if raised `raised_ago`; due after the category's deadline unless `due_in`."""
    raiser = raiser or world.leader
    place = place or world.village_a
    kind = db.session.scalar(sa.select(RequestCategory).where(RequestCategory.code == category))
    raised = utcnow() - raised_ago
    due = raised + (due_in if due_in is not None else timedelta(days=kind.deadline_days))
    req = ResidentRequest(uuid=str(uuid.uuid4()), user_id=raiser.id, occurred_at=raised, content_hash="test",
                          place_id=place.id, household_id=household.id if household else None,
                          category_id=kind.id, resident_name=name, resident_phone=phone,
                          description=description, status=status, due_at=due,
                          assignee_id=assignee.id if assignee else None, assignee_team=team,
                          closed_at=raised if status in (RESOLVED, PARTLY_RESOLVED, CANNOT_RESOLVE, REFERRED) else None)
    db.session.add(req)
    db.session.commit()
    return req


def act(client, req, action, version=None, **data):
    """Post one change from the request page, against the version the page showed."""
    db.session.refresh(req)
    return client.post(f"/requests/{req.id}/events", data={
        "action": action, "base_version": version if version is not None else req.version, **data})


def events(req):
    return db.session.scalars(sa.select(RequestEvent).where(RequestEvent.request_id == req.id)
                              .order_by(RequestEvent.id)).all()


def switch(auth, username):
    """The same tablet, another person (the tests share one app context, so one client)."""
    auth.logout()
    auth.login(username)


def record_ids_in(html):
    return re.findall(r'name="record_id" type="hidden" value="([0-9a-f-]{36})"', html)


# --- Raising -------------------------------------------------------------------------------------

def test_a_leader_at_the_tablet_raises_a_request_due_in_the_categorys_deadline(client, auth, world):
    auth.login("leader")
    form = client.get("/requests/new").get_data(as_text=True)
    assert 'data-outbox="request"' in form and "设施维修（7天）" in form and 'id="photos"' in form
    r = client.post("/requests/new", data={
        "record_id": str(uuid.uuid4()), "resident_name": "张大妈", "resident_phone": "138 1234 5678",
        "place_id": world.grid_a.id, "household_id": world.household_a.id, "category": "facility_repair",
        "description": "屋顶漏水，雨天屋里滴水"})
    req = db.session.scalar(sa.select(ResidentRequest))
    assert r.status_code == 302 and r.headers["Location"] == f"/requests/{req.id}"
    assert (req.status, req.user_id, req.place_id, req.household_id, req.version) == (
        RECEIVED, world.leader.id, world.grid_a.id, world.household_a.id, 1)
    assert req.resident_phone == "13812345678"
    assert req.due_at - req.occurred_at == timedelta(days=7)
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "屋顶漏水，雨天屋里滴水" in page and "已受理" in page and "登记诉求" in page
    assert "138****5678" in page and "13812345678" not in page  # whole only after a logged reveal
    assert "东村1号" in page


def test_a_raise_form_with_mistakes_comes_back_filled_with_chinese_errors(client, auth, world):
    auth.login("leader")
    r = client.post("/requests/new", data={
        "resident_name": "", "resident_phone": "12345", "place_id": world.village_a.id,
        "household_id": world.household_b.id, "category": "", "description": "路灯不亮"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    for message in ("请填写居民姓名", "请填写11位手机号，或带区号的座机号", "该户不在所选地点", "请选择诉求类别"):
        assert message in page
    assert "路灯不亮" in page and 'value="12345"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ResidentRequest)) == 0


def test_field_staff_raise_requests_only_in_their_places(client, auth, world):
    auth.login("liaison")
    form = client.get("/requests/new").get_data(as_text=True)
    assert "东村第1网格" in form and "西村" not in form
    r = client.post("/requests/new", data={"resident_name": "李四", "place_id": world.village_b.id,
                                           "category": "sanitation", "description": "垃圾堆放"})
    assert r.status_code == 422 and "不在您的包片范围内" in r.get_data(as_text=True)
    r = client.post("/requests/new", data={"resident_name": "张三", "place_id": world.village_a.id,
                                           "category": "sanitation", "description": "垃圾堆放"})
    assert r.status_code == 302


def test_the_household_select_follows_the_chosen_place(client, auth, world):
    auth.login("liaison")
    options = client.get(f"/requests/households?place_id={world.village_a.id}", headers=HX).get_data(as_text=True)
    assert "东村1号（张三）" in options and "西村8号" not in options
    options = client.get(f"/requests/households?place_id={world.village_b.id}", headers=HX).get_data(as_text=True)
    assert "西村8号" not in options and "不关联" in options


# --- The lifecycle ---------------------------------------------------------------------------------

def test_assigned_started_resolved_called_back_and_reopened_each_step_keeps_who_and_when(client, auth, world):
    req = a_request(world)
    auth.login("leader")
    assert act(client, req, "assign", assignee_id=world.liaison.id, note="三天内上门").status_code == 302
    db.session.refresh(req)
    assert (req.status, req.assignee_id, req.version) == (ASSIGNED, world.liaison.id, 2)

    switch(auth, "liaison")
    assert act(client, req, "start").status_code == 302
    assert act(client, req, "close", to_status=RESOLVED, note="已修好屋顶").status_code == 302
    db.session.refresh(req)
    assert (req.status, req.close_note, req.version) == (RESOLVED, "已修好屋顶", 4)
    assert req.closed_at is not None

    switch(auth, "leader")
    assert act(client, req, "callback", satisfaction="satisfied", note="群众很满意").status_code == 302
    db.session.refresh(req)
    assert (req.status, req.satisfaction, req.version) == (RESOLVED, "satisfied", 5)

    assert act(client, req, "reopen", note="又漏了").status_code == 302
    db.session.refresh(req)
    # Reopened to the work, since someone is assigned; closed_at and the old 回访 are cleared.
    assert (req.status, req.closed_at, req.satisfaction, req.version) == (IN_PROGRESS, None, None, 6)
    moves = [(e.action, e.from_status, e.to_status, e.user_id) for e in events(req)]
    assert moves == [("assign", RECEIVED, ASSIGNED, world.leader.id),
                     ("start", ASSIGNED, IN_PROGRESS, world.liaison.id),
                     ("close", IN_PROGRESS, RESOLVED, world.liaison.id),
                     ("callback", RESOLVED, None, world.leader.id),
                     ("reopen", RESOLVED, IN_PROGRESS, world.leader.id)]
    assert all(e.occurred_at and not e.conflict for e in events(req))
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    for text in ("派给 赵包村", "三天内上门", "已修好屋顶", "群众满意度：满意", "又漏了", "重新打开"):
        assert text in page


def test_only_leaders_and_admins_assign(client, auth, world):
    req = a_request(world)
    auth.login("liaison")
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert "action-assign" not in page
    r = act(client, req, "assign", assignee_id=world.liaison.id)
    assert r.status_code == 422 and "只有街道领导或管理员可以派单" in r.get_data(as_text=True)
    db.session.refresh(req)
    assert req.status == RECEIVED and events(req) == []


def test_a_request_goes_to_a_person_or_a_team_and_a_team_member_works_on_it(client, auth, world):
    req = a_request(world, place=world.community)
    auth.login("admin")
    r = act(client, req, "assign")
    assert r.status_code == 422 and "请选择派给一位人员或一支队伍（二选一）" in r.get_data(as_text=True)
    r = act(client, req, "assign", assignee_id=world.grid.id, assignee_team="community_worker")
    assert r.status_code == 422
    assert act(client, req, "assign", assignee_team="community_worker").status_code == 302
    db.session.refresh(req)
    assert (req.status, req.assignee_id, req.assignee_team) == (ASSIGNED, None, "community_worker")
    switch(auth, "community")
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert "社区工作者（队伍）" in page and "action-start" in page
    assert act(client, req, "start").status_code == 302
    switch(auth, "admin")
    # A reassignment, even of work under way, goes back to 已派单 for the new person.
    assert act(client, req, "assign", assignee_id=world.grid.id).status_code == 302
    db.session.refresh(req)
    assert (req.status, req.assignee_id, req.assignee_team) == (ASSIGNED, world.grid.id, None)


def test_a_move_the_current_state_does_not_allow_is_refused_in_chinese(client, auth, world):
    req = a_request(world)
    auth.login("leader")
    r = act(client, req, "start")
    assert r.status_code == 422 and "诉求当前为「已受理」，不能「开始办理」" in r.get_data(as_text=True)
    r = act(client, req, "callback", satisfaction="satisfied")
    assert r.status_code == 422 and "不能「回访」" in r.get_data(as_text=True)
    r = act(client, req, "reopen")
    assert r.status_code == 422 and "不能「重新打开」" in r.get_data(as_text=True)
    # Through hx-boost the same 422 is swapped in (field.js), and the address bar keeps the request's URL.
    r = client.post(f"/requests/{req.id}/events", data={"action": "start", "base_version": 1},
                    headers={**HX, "HX-Boosted": "true"})
    assert r.status_code == 422 and r.headers["HX-Replace-Url"] == f"/requests/{req.id}"
    db.session.refresh(req)
    assert (req.status, req.version) == (RECEIVED, 1) and events(req) == []


def test_a_request_that_cannot_be_resolved_needs_a_reason_and_a_referral_says_to_whom(client, auth, world):
    req = a_request(world, status=IN_PROGRESS, assignee=world.liaison)
    auth.login("liaison")
    r = act(client, req, "close", to_status=CANNOT_RESOLVE)
    assert r.status_code == 422 and "无法办理须说明原因" in r.get_data(as_text=True)
    r = act(client, req, "close", to_status=REFERRED, note="属于供电公司职责")
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "转办须写明转给哪个单位或部门" in page and "属于供电公司职责" in page
    r = act(client, req, "close")
    assert r.status_code == 422 and "请选择办结结果" in r.get_data(as_text=True)
    assert act(client, req, "close", to_status=REFERRED, referred_to="国网烟台供电公司").status_code == 302
    db.session.refresh(req)
    assert (req.status, req.referred_to) == (REFERRED, "国网烟台供电公司") and req.closed_at
    assert "转办至：国网烟台供电公司" in client.get(f"/requests/{req.id}").get_data(as_text=True)

    other = a_request(world, status=IN_PROGRESS, assignee=world.liaison)
    assert act(client, other, "close", to_status=CANNOT_RESOLVE, note="产权不清，无法维修").status_code == 302
    db.session.refresh(other)
    assert (other.status, other.close_note) == (CANNOT_RESOLVE, "产权不清，无法维修")


def test_only_the_assignee_their_team_or_a_leader_works_on_a_request(client, auth, world):
    req = a_request(world, status=ASSIGNED, assignee=world.liaison)
    auth.login("cadre")  # covers 东村, but it is not hers
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert "action-start" not in page and "action-close" not in page
    assert f'action="/requests/{req.id}/visits"' in page  # she may still log a visit
    r = act(client, req, "start")
    assert r.status_code == 422 and "只有承办人、承办队伍成员或街道领导可以办理" in r.get_data(as_text=True)


def test_reopening_and_the_callback_belong_to_a_leader_or_the_raiser(client, auth, world):
    raised_by_liaison = a_request(world, raiser=world.liaison, status=RESOLVED)
    auth.login("liaison")
    assert act(client, raised_by_liaison, "callback", satisfaction="basically").status_code == 302
    assert act(client, raised_by_liaison, "reopen").status_code == 302
    db.session.refresh(raised_by_liaison)
    assert raised_by_liaison.status == RECEIVED  # nobody assigned: back to the desk

    switch(auth, "cadre")
    other = a_request(world, raiser=world.leader, status=CANNOT_RESOLVE)
    r = act(client, other, "reopen")
    assert r.status_code == 422 and "只有街道领导或登记人可以重新打开或回访" in r.get_data(as_text=True)
    r = act(client, other, "callback", satisfaction="satisfied")
    assert r.status_code == 422
    switch(auth, "leader")
    r = act(client, other, "callback")
    assert r.status_code == 422 and "请选择群众满意度" in r.get_data(as_text=True)


def test_a_change_made_on_a_stale_page_is_kept_as_a_conflict_and_the_person_is_told(client, auth, world):
    req = a_request(world)
    auth.login("leader")
    leader_page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert 'name="base_version" type="hidden" value="1"' in leader_page
    switch(auth, "admin")
    assert act(client, req, "assign", assignee_id=world.cadre.id).status_code == 302
    switch(auth, "leader")
    # The leader's page still says version 1: the close is kept, not applied.
    r = act(client, req, "close", version=1, to_status=RESOLVED, note="当场答复")
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "没有生效：您打开页面后，已有其他人先更改了这条诉求" in page
    assert "冲突（未生效）" in page and "试图：办结" in page and "派给 孙干部" in page
    db.session.refresh(req)
    assert (req.status, req.assignee_id, req.version, req.closed_at) == (ASSIGNED, world.cadre.id, 2, None)
    applied, kept = events(req)
    assert (applied.conflict, kept.conflict, kept.to_status, kept.base_version) == (False, True, RESOLVED, 1)
    assert kept.note == "当场答复" and kept.user_id == world.leader.id


def test_a_persons_own_earlier_change_does_not_make_their_next_one_stale(client, auth, world):
    req = a_request(world, status=ASSIGNED, assignee=world.liaison)
    req.version = 2
    db.session.commit()
    auth.login("liaison")
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    visit_id = record_ids_in(page)[0]
    client.post(f"/requests/{req.id}/visits", data={"record_id": visit_id, "kind": "request_followup",
                                                    "summary": "上门查看屋顶"})
    db.session.refresh(req)
    assert (req.status, req.version) == (IN_PROGRESS, 3)
    # Closed from the page loaded before the visit (version 2): still applied.
    assert act(client, req, "close", version=2, to_status=RESOLVED).status_code == 302
    db.session.refresh(req)
    assert req.status == RESOLVED and not any(e.conflict for e in events(req))
