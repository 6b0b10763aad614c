"""Household cases (一户一策): a matter followed over many visits, by the people who cover
the household, with a plan, an owner, a status and a timeline of visits."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from fuxin_pwa.cases.models import CLOSED, IN_PROGRESS, OPEN, RESOLVED, Case, CaseEvent
from fuxin_pwa.cases.services import open_case
from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import TaskLog
from fuxin_pwa.timeutil import utcnow
from tests.factories import make_task_log, make_user

HX = {"HX-Request": "true"}


def a_case(world, household=None, owner=None, status=OPEN, title="屋顶漏水", kind="repair", visits=0,
           opened_days_ago=0):
    household = household or world.household_a
    owner = owner or world.liaison
    case = open_case(owner, household, kind, title, "请律师、协调邻居、组织维修", owner.id)
    case.status = status
    case.opened_at = utcnow() - timedelta(days=opened_days_ago)
    db.session.commit()
    for i in range(visits):
        make_task_log(owner, household.place, household_id=household.id, case_id=case.id,
                      summary=f"第{i + 1}次走访", when=utcnow() - timedelta(hours=visits - i))
    return case


def record_id_in(html):
    return re.search(r'name="record_id" type="hidden" value="([0-9a-f-]{36})"', html).group(1)


# --- Opening a case on a household ---------------------------------------------------------

def test_a_liaison_opens_a_household_page_with_phone_and_id_masked(client, auth, world):
    auth.login("liaison")
    page = client.get(f"/cases/households/{world.household_a.id}").get_data(as_text=True)
    assert "东村1号" in page and "张三" in page
    assert "138****5678" in page and "13812345678" not in page
    assert "3706**********1234" in page and "370611196001011234" not in page
    assert f"/cases/new?household_id={world.household_a.id}" in page
    assert f"/log?household_id={world.household_a.id}" in page


def test_a_liaison_opens_a_case_owned_by_themself_by_default(client, auth, world):
    auth.login("liaison")
    form = client.get(f"/cases/new?household_id={world.household_a.id}").get_data(as_text=True)
    assert f'<option selected value="{world.liaison.id}">' in form
    # Owners offered: the people covering the household's village, not the neighbour village's.
    assert "孙干部" in form and "钱包村" not in form

    r = client.post(f"/cases/new?household_id={world.household_a.id}", data={
        "kind": "illegal_structure", "title": "东村1号违建", "plan": "先约谈，再限期自拆",
        "owner_id": world.liaison.id})
    case = db.session.scalar(sa.select(Case))
    assert r.status_code == 302 and r.headers["Location"] == f"/cases/{case.id}"
    assert (case.status, case.owner_id, case.created_by_id) == (OPEN, world.liaison.id, world.liaison.id)
    event = db.session.scalar(sa.select(CaseEvent))
    assert (event.from_status, event.to_status, event.user_id) == (None, OPEN, world.liaison.id)
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "东村1号违建" in page and "先约谈，再限期自拆" in page and "待办" in page
    # The visit form guesses the kind of work from the kind of case: one tap less on the phone.
    assert '<option selected value="demolition_talk">' in page


def test_a_case_form_with_mistakes_comes_back_filled_with_chinese_errors(client, auth, world):
    auth.login("liaison")
    r = client.post(f"/cases/new?household_id={world.household_a.id}", data={
        "kind": "", "title": "", "plan": "约谈三次", "owner_id": world.liaison_b.id})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "请选择类型" in page and "请填写事项" in page and "负责人须是包片该户的人员" in page
    assert "约谈三次" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0


def test_new_without_a_household_sends_you_to_find_one(client, auth, world):
    auth.login("grid")
    r = client.get("/cases/new")
    assert r.status_code == 302 and r.headers["Location"] == "/cases/households"
    page = client.get("/cases/households?q=万科").get_data(as_text=True)
    assert "万科假日风景3-2-101" in page and "东村1号" not in page


# --- The case page and its timeline --------------------------------------------------------

def test_a_grid_worker_adds_a_visit_from_the_case_page_and_the_count_goes_to_3(client, auth, world):
    case = a_case(world, household=world.household_c, owner=world.grid, status=IN_PROGRESS, visits=2)
    auth.login("grid")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'hx-post="/cases/%d/visits"' % case.id in page and 'action="/cases/%d/visits"' % case.id in page
    assert '<span id="visit-count">2</span>' in page
    first_id = record_id_in(page)

    r = client.post(f"/cases/{case.id}/visits", headers=HX, data={
        "record_id": first_id, "kind": "request_followup", "summary": "请来律师和邻居一起看屋顶",
        "outcome": "邻居同意分摊维修费", "next_step_on": "", "duration_min": "40"})
    fragment = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in fragment
    assert "请来律师和邻居一起看屋顶" in fragment and "邻居同意分摊维修费" in fragment and "周网格" in fragment
    assert '<span id="visit-count">3</span>' in fragment and 'hx-swap-oob="true"' in fragment
    # A fresh, empty form with a new record id, ready for the next visit.
    assert record_id_in(fragment) != first_id
    assert re.search(r'<textarea[^>]*name="summary"[^>]*>\s*</textarea>', fragment)
    # The timeline is newest first: the new visit above the two older ones.
    assert fragment.index("请来律师") < fragment.index("第2次走访") < fragment.index("第1次走访")

    stored = db.session.scalar(sa.select(TaskLog).where(TaskLog.uuid == first_id))
    assert (stored.case_id, stored.household_id, stored.place_id, stored.user_id) == (
        case.id, world.household_c.id, world.estate.id, world.grid.id)
    assert stored.source == "web" and stored.duration_min == 40


def test_a_visit_with_mistakes_comes_back_filled_with_chinese_errors(client, auth, world):
    case = a_case(world)
    auth.login("liaison")
    r = client.post(f"/cases/{case.id}/visits", headers=HX, data={
        "kind": "resident_visit", "summary": "", "outcome": "户主不在家", "duration_min": "9999"})
    fragment = r.get_data(as_text=True)
    # 422, as to a browser: field.js has htmx swap a form that came back with its errors.
    assert r.status_code == 422
    assert "请填写工作内容" in fragment and "用时应在 1 到 1440 分钟之间" in fragment
    assert "户主不在家" in fragment and 'value="9999"' in fragment
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TaskLog)) == 0


def test_without_javascript_a_visit_posts_the_form_and_comes_back_to_the_case(client, auth, world):
    case = a_case(world)
    auth.login("liaison")
    r = client.post(f"/cases/{case.id}/visits", data={"kind": "resident_visit", "summary": "入户了解情况"})
    assert r.status_code == 302 and r.headers["Location"] == f"/cases/{case.id}#visits"
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "已记录走访" in page and "入户了解情况" in page
    r = client.post(f"/cases/{case.id}/visits", data={"kind": "", "summary": ""})
    assert r.status_code == 422 and "请选择工作类型" in r.get_data(as_text=True)


def test_the_first_visit_on_an_open_case_moves_it_to_in_progress_and_says_who(client, auth, world):
    case = a_case(world, owner=world.liaison)
    auth.login("cadre")  # covers the village too; not the owner
    r = client.post(f"/cases/{case.id}/visits", headers=HX, data={"kind": "demolition_talk", "summary": "约谈"})
    assert "推进中" in r.get_data(as_text=True)
    db.session.refresh(case)
    assert case.status == IN_PROGRESS
    event = db.session.scalar(sa.select(CaseEvent).where(CaseEvent.to_status == IN_PROGRESS))
    assert event.user_id == world.cadre.id and event.from_status == OPEN


def test_a_double_submit_of_one_visit_stores_it_once(client, auth, world):
    case = a_case(world)
    auth.login("liaison")
    record_id = record_id_in(client.get(f"/cases/{case.id}").get_data(as_text=True))
    data = {"record_id": record_id, "kind": "resident_visit", "summary": "入户走访"}
    client.post(f"/cases/{case.id}/visits", headers=HX, data=data)
    client.post(f"/cases/{case.id}/visits", headers=HX, data=data)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TaskLog)) == 1


def test_the_case_page_decides_which_case_a_visit_belongs_to(client, auth, world):
    mine = a_case(world, title="东村1号违建")
    other = a_case(world, household=world.household_a, title="另一件事")
    auth.login("liaison")
    client.post(f"/cases/{mine.id}/visits", headers=HX, data={
        "kind": "resident_visit", "summary": "走访", "case_id": other.id, "place_id": world.village_b.id})
    log = db.session.scalar(sa.select(TaskLog))
    assert log.case_id == mine.id and log.place_id == world.grid_a.id


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_with_csrf_on_an_htmx_visit_passes_with_the_header_and_fails_without(client, world):
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"username": "liaison", "password": "fuxin2024", "csrf_token": token})
    case = a_case(world)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    header_token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    r = client.post(f"/cases/{case.id}/visits", data={"kind": "resident_visit", "summary": "走访"})
    assert r.status_code == 400
    r = client.post(f"/cases/{case.id}/visits", data={"kind": "resident_visit", "summary": "走访"},
                    headers={**HX, "X-CSRFToken": header_token})
    assert r.status_code == 200 and "走访" in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TaskLog)) == 1


# --- Status ----------------------------------------------------------------------------------

def test_the_owner_resolves_a_case_and_a_leader_reopens_it(client, auth, world):
    case = a_case(world, status=IN_PROGRESS, visits=1)
    auth.login("liaison")
    r = client.post(f"/cases/{case.id}/status", data={"to_status": RESOLVED, "note": "已自行拆除"})
    assert r.status_code == 302
    db.session.refresh(case)
    assert case.status == RESOLVED and case.closed_at is not None
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "已化解" in page and "已自行拆除" in page and "历时" in page

    auth.logout()
    auth.login("leader")
    assert client.post(f"/cases/{case.id}/status", data={"to_status": IN_PROGRESS}).status_code == 302
    db.session.refresh(case)
    assert case.status == IN_PROGRESS and case.closed_at is None
    moves = db.session.execute(sa.select(CaseEvent.from_status, CaseEvent.to_status, CaseEvent.user_id)
                               .order_by(CaseEvent.id)).all()
    assert moves[-2:] == [(IN_PROGRESS, RESOLVED, world.liaison.id), (RESOLVED, IN_PROGRESS, world.leader.id)]


def test_a_move_the_rules_do_not_allow_is_refused_in_chinese(client, auth, world):
    case = a_case(world, status=RESOLVED)
    auth.login("liaison")
    r = client.post(f"/cases/{case.id}/status", data={"to_status": CLOSED, "note": "重复"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "不能从「已化解」改为「已关闭」" in page and "重复" in page
    # Through hx-boost the same 422 is swapped in (field.js), and the address bar keeps the case's URL.
    r = client.post(f"/cases/{case.id}/status", data={"to_status": CLOSED},
                    headers={**HX, "HX-Boosted": "true"})
    assert r.status_code == 422 and "<html" in r.get_data(as_text=True)
    assert r.headers["HX-Replace-Url"] == f"/cases/{case.id}"
    db.session.refresh(case)
    assert case.status == RESOLVED


def test_someone_else_in_scope_may_add_visits_but_not_change_the_status(client, auth, world):
    case = a_case(world, owner=world.liaison, status=IN_PROGRESS)
    auth.login("cadre")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "状态由负责人或街道领导更改" in page and 'action="/cases/%d/status"' % case.id not in page
    assert client.post(f"/cases/{case.id}/status", data={"to_status": RESOLVED}).status_code == 403
    r = client.post(f"/cases/{case.id}/visits", headers=HX,
                    data={"kind": "resident_visit", "summary": "陪同走访"})
    assert r.status_code == 200 and "陪同走访" in r.get_data(as_text=True)


# --- Who sees what ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/cases/households/{household}", "/cases/new?household_id={household}", "/cases/{case}"])
def test_a_liaison_cannot_open_another_liaisons_household_or_case(client, auth, world, path):
    case = a_case(world, household=world.household_b, owner=world.liaison_b)
    auth.login("liaison")
    assert client.get(path.format(household=world.household_b.id, case=case.id)).status_code == 404


def test_a_liaison_cannot_write_to_another_liaisons_case(client, auth, world):
    case = a_case(world, household=world.household_b, owner=world.liaison_b)
    auth.login("liaison")
    visit = {"kind": "resident_visit", "summary": "x"}
    assert client.post(f"/cases/{case.id}/visits", data=visit).status_code == 404
    assert client.post(f"/cases/{case.id}/status", data={"to_status": CLOSED}).status_code == 404
    assert client.post(f"/cases/new?household_id={world.household_b.id}",
                       data={"kind": "other", "title": "x", "owner_id": world.liaison.id}).status_code == 404


def test_the_case_list_shows_my_scope_and_leaders_see_all(client, auth, world):
    a_case(world, household=world.household_a, owner=world.liaison, title="东村违建")
    a_case(world, household=world.household_b, owner=world.liaison_b, title="西村尾留户")
    auth.login("liaison")
    page = client.get("/cases/").get_data(as_text=True)
    assert "东村违建" in page and "西村尾留户" not in page
    auth.logout()
    auth.login("leader")
    page = client.get("/cases/").get_data(as_text=True)
    assert "东村违建" in page and "西村尾留户" in page


@pytest.mark.parametrize("path", ["/cases/", "/cases/households", "/cases/1", "/cases/households/1",
                                  "/cases/new?household_id=1"])
def test_logged_out_people_are_sent_to_login(client, world, path):
    r = client.get(path)
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


# --- The list ------------------------------------------------------------------------------

def test_the_list_filters_by_status_and_kind_and_searches_address_and_head(client, auth, world):
    a_case(world, household=world.household_a, title="违建约谈", kind="illegal_structure", status=IN_PROGRESS,
           visits=3, opened_days_ago=12)
    a_case(world, household=world.household_b, title="屋顶漏水", kind="repair", status=CLOSED)
    auth.login("cadre")  # covers both villages
    page = client.get("/cases/").get_data(as_text=True)
    assert "违建约谈" in page and "屋顶漏水" in page
    assert re.search(r'走访 <span class="visits">3</span> 次 ·\s*已立案 12 天', page)

    def titles(query):
        html = client.get("/cases/?" + query, headers=HX).get_data(as_text=True)
        assert "<html" not in html
        return [t for t in ("违建约谈", "屋顶漏水") if t in html]

    assert titles("status=in_progress") == ["违建约谈"]
    assert titles("status=active") == ["违建约谈"]
    assert titles("status=closed") == ["屋顶漏水"]
    assert titles("kind=repair") == ["屋顶漏水"]
    assert titles("q=李四") == ["屋顶漏水"]
    assert titles("q=东村1号") == ["违建约谈"]
    # An unknown filter value is said so, in Chinese, and ignored.
    r = client.get("/cases/?status=bogus").get_data(as_text=True)
    assert "不是有效的选择" in r and "违建约谈" in r


def test_the_list_is_paginated(client, auth, world):
    for i in range(33):
        a_case(world, title=f"事项{i:02d}")
    auth.login("liaison")
    first = client.get("/cases/").get_data(as_text=True)
    assert "第 1 / 2 页 · 共 33 条" in first and first.count('class="entry case-row"') == 30
    second = client.get("/cases/?page=2").get_data(as_text=True)
    assert second.count('class="entry case-row"') == 3


def test_the_list_takes_the_same_number_of_queries_for_2_or_20_cases(client, auth, world, queries_of):
    people = [make_user(f"worker{i}", "village_liaison", places=[world.village_a]) for i in range(4)]

    def add_cases(n):
        for i in range(n):
            a_case(world, owner=people[i % 4], title=f"事项{i}", visits=2)

    auth.login("liaison")
    add_cases(2)
    few = queries_of(lambda: client.get("/cases/"))
    add_cases(18)
    assert queries_of(lambda: client.get("/cases/")) == few


def test_a_visit_and_the_move_it_causes_are_stored_together_or_not_at_all(client, auth, world, monkeypatch):
    """The server fails between storing the visit and starting the case's work: nothing is
    kept, so the phone's retry stores the visit and moves the case, instead of hearing
    "duplicate" for a visit whose move was lost."""
    import uuid

    from fuxin_pwa.cases import services as case_services
    from tests.test_sync import now_iso, sync

    case = a_case(world, owner=world.liaison)
    auth.login("liaison")
    record = {"id": str(uuid.uuid4()), "type": "task_log", "occurred_at": now_iso(), "data": {
        "place_id": world.grid_a.id, "household_id": world.household_a.id, "case_id": case.id,
        "kind": "resident_visit", "summary": "第一次走访"}}

    real = case_services.note_visit

    def crash_after_the_move(case, user):
        real(case, user)
        raise RuntimeError("the server stopped here")
    monkeypatch.setattr(case_services, "note_visit", crash_after_the_move)
    [first] = sync(client, [record]).get_json()["results"]
    assert first["status"] == "rejected" and "server" in first["errors"]  # the phone retries it
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TaskLog)) == 0
    assert db.session.get(Case, case.id).status == OPEN

    monkeypatch.setattr(case_services, "note_visit", real)
    [retried] = sync(client, [record]).get_json()["results"]
    assert retried["status"] == "created"
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == IN_PROGRESS
