"""Resident requests followed up: visits that start the work, who sees which request, the
board with what is overdue, and the categories an admin keeps."""
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from fuxin_pwa.domain import NotFound
from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import TaskLog
from fuxin_pwa.requests.access import may_see_request, visible_clause
from fuxin_pwa.requests.models import (ASSIGNED, IN_PROGRESS, RECEIVED, RESOLVED, RequestCategory, RequestEvent,
                                       ResidentRequest)
from fuxin_pwa.photos.services import save_photo
from fuxin_pwa.timeutil import utcnow
from tests.factories import make_task_log, make_user
from tests.test_requests import HX, a_request, act, events, switch


# --- Follow-up visits ------------------------------------------------------------------------------

def test_a_visit_from_the_request_page_is_a_followup_task_log_that_starts_the_work(client, auth, world):
    req = a_request(world, place=world.grid_a, household=world.household_a, status=ASSIGNED, assignee=world.liaison)
    auth.login("liaison")
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert 'data-outbox="task_log"' in page and '<option selected value="request_followup">' in page
    assert f'"request_id": {req.id}' in page and f'"household_id": {world.household_a.id}' in page
    r = client.post(f"/requests/{req.id}/visits", headers=HX, data={
        "kind": "request_followup", "summary": "请来律师和邻居一起看屋顶", "duration_min": "40",
        "place_id": world.village_b.id, "request_id": 999})
    fragment = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in fragment
    assert "请来律师和邻居一起看屋顶" in fragment and 'hx-swap-oob="true"' in fragment and "办理中" in fragment
    log = db.session.scalar(sa.select(TaskLog))
    # The page, not the post, says which request, place and household the visit belongs to.
    assert (log.request_id, log.place_id, log.household_id, log.user_id) == (
        req.id, world.grid_a.id, world.household_a.id, world.liaison.id)
    db.session.refresh(req)
    assert req.status == IN_PROGRESS
    auto = events(req)[0]
    assert (auto.action, auto.from_status, auto.to_status, auto.user_id) == (
        "start", ASSIGNED, IN_PROGRESS, world.liaison.id)


def test_an_assignee_from_another_village_logs_the_visit_on_the_household_and_sees_its_photo(client, auth, world):
    """西村's liaison is sent to a 东村 household: the visit keeps the household, and the photo
    of the request is theirs to see, though 东村 is not their 包片."""
    from fuxin_pwa.photos.services import viewable_photo
    from tests.test_photos import image_bytes

    req = a_request(world, place=world.grid_a, household=world.household_a, status=ASSIGNED,
                    assignee=world.liaison_b)
    auth.login("liaison_b")
    r = client.post(f"/requests/{req.id}/visits", data={"kind": "request_followup", "summary": "上门查看屋顶"})
    assert r.status_code == 302
    log = db.session.scalar(sa.select(TaskLog))
    assert (log.request_id, log.household_id, log.user_id) == (req.id, world.household_a.id, world.liaison_b.id)
    photo = save_photo(world.leader, req, str(uuid.uuid4()), "image/jpeg", image_bytes()).photo
    assert viewable_photo(world.liaison_b, photo.uuid).uuid == photo.uuid
    with pytest.raises(NotFound):  # 万科's grid worker has nothing to do with it
        viewable_photo(world.grid, photo.uuid)


def test_without_javascript_a_visit_posts_and_comes_back_and_mistakes_come_back_filled(client, auth, world):
    req = a_request(world)
    auth.login("cadre")
    r = client.post(f"/requests/{req.id}/visits", data={"kind": "request_followup", "summary": "电话联系"})
    assert r.status_code == 302 and r.headers["Location"] == f"/requests/{req.id}#timeline"
    db.session.refresh(req)
    assert req.status == RECEIVED  # a visit before anyone dispatched it moves nothing: leaders assign
    r = client.post(f"/requests/{req.id}/visits", data={"kind": "", "summary": "", "outcome": "不在家"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "请选择工作类型" in page and "请填写工作内容" in page and "不在家" in page


def test_the_leaking_roof_took_ten_trips_and_the_timeline_shows_all_ten(client, auth, world):
    req = a_request(world, place=world.grid_a, status=IN_PROGRESS, assignee=world.liaison, raised_ago=timedelta(days=30))
    for i in range(10):
        make_task_log(world.liaison, world.grid_a, kind_code="request_followup", request_id=req.id,
                      summary=f"第{i + 1}趟：屋顶", when=utcnow() - timedelta(days=20 - i))
    auth.login("leader")
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert all(f"第{i}趟：屋顶" in page for i in range(1, 11))
    assert '<span id="visit-count">10</span>' in page
    # Oldest first: the story reads from the raising down.
    assert page.index("登记诉求") < page.index("第1趟：屋顶") < page.index("第10趟：屋顶")


def test_the_request_page_takes_the_same_number_of_queries_for_2_or_20_visits(client, auth, world, queries_of):
    req = a_request(world, place=world.grid_a, status=ASSIGNED, assignee=world.liaison)
    people = [make_user(f"helper{i}", "village_liaison", places=[world.village_a]) for i in range(3)]

    def add(n):
        for i in range(n):
            make_task_log(people[i % 3], world.grid_a, kind_code="request_followup", request_id=req.id)
            db.session.add(RequestEvent(uuid=str(uuid.uuid4()), user_id=people[i % 3].id, content_hash="t",
                                        occurred_at=utcnow(), request_id=req.id, action="callback",
                                        satisfaction="satisfied", base_version=1, conflict=bool(i % 2)))
        db.session.commit()

    auth.login("leader")
    url = f"/requests/{req.id}"
    add(2)
    few = queries_of(lambda: client.get(url))
    add(18)
    assert queries_of(lambda: client.get(url)) == few


# --- Who sees what ---------------------------------------------------------------------------------

def test_a_grid_worker_sees_only_their_grids_requests_and_those_assigned_to_them(client, auth, world):
    theirs = a_request(world, place=world.estate, name="王五")
    a_request(world, place=world.grid_a, name="张三")
    a_request(world, place=world.village_b, name="李四")
    sent_to_them = a_request(world, place=world.village_b, name="赵六", status=ASSIGNED, assignee=world.grid)
    auth.login("grid")
    board = client.get("/requests/").get_data(as_text=True)
    assert "王五" in board and "赵六" in board and "张三" not in board and "李四" not in board
    assert client.get(f"/requests/{theirs.id}").status_code == 200
    assert client.get(f"/requests/{sent_to_them.id}").status_code == 200


def test_another_villages_request_is_404_for_a_liaison(client, auth, world):
    req = a_request(world, place=world.village_a)
    auth.login("liaison_b")
    assert client.get(f"/requests/{req.id}").status_code == 404
    assert client.post(f"/requests/{req.id}/events", data={"action": "start", "base_version": 1}).status_code == 404
    assert client.post(f"/requests/{req.id}/visits", data={"kind": "request_followup", "summary": "x"}).status_code == 404
    assert "张大妈" not in client.get("/requests/").get_data(as_text=True)


def test_the_list_filter_and_the_single_request_rule_agree_for_everyone(world):
    requests = [a_request(world, place=p) for p in (world.village_a, world.grid_a, world.village_b, world.estate)]
    requests.append(a_request(world, place=world.village_b, status=ASSIGNED, team="grid_worker"))
    requests.append(a_request(world, place=world.village_b, raiser=world.liaison))
    requests.append(a_request(world, place=world.community, status=ASSIGNED, assignee=world.liaison))
    people = [world.admin, world.leader, world.liaison, world.liaison_b, world.cadre, world.grid, world.community_worker]
    for person in people:
        clause = visible_clause(person)
        stmt = sa.select(ResidentRequest.id) if clause is None else sa.select(ResidentRequest.id).where(clause)
        listed = set(db.session.scalars(stmt).all())
        assert listed == {r.id for r in requests if may_see_request(person, r)}, person.username


def test_phones_are_masked_and_revealable_only_by_leaders_the_assignee_and_the_raiser(client, auth, world):
    """Whole only after a logged reveal (test_privacy.py); here, who is offered one."""
    req = a_request(world, raiser=world.cadre, status=ASSIGNED, assignee=world.liaison)
    reveal_form = f'action="/privacy/reveal/request/{req.id}/phone"'
    for username in ("leader", "admin", "cadre", "liaison"):
        switch(auth, username)
        board = client.get("/requests/").get_data(as_text=True)
        assert "138****5678" in board and "13812345678" not in board
        page = client.get(f"/requests/{req.id}").get_data(as_text=True)
        assert "138****5678" in page and "13812345678" not in page and reveal_form in page
    req.assignee_id = world.grid.id  # now the liaison only covers the place
    db.session.commit()
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert "138****5678" in page and "13812345678" not in page and reveal_form not in page


# --- The board and overdue -------------------------------------------------------------------------

def test_overdue_means_past_due_and_not_closed_and_stands_out_first_with_how_long(client, auth, world):
    late = a_request(world, name="逾期户", raised_ago=timedelta(days=10), due_in=timedelta(days=7))
    a_request(world, name="按期户", raised_ago=timedelta(days=1))
    a_request(world, name="已办户", status=RESOLVED, raised_ago=timedelta(days=30), due_in=timedelta(days=3))
    auth.login("leader")
    board = client.get("/requests/").get_data(as_text=True)
    assert "已超期 1 件" in board
    assert board.count("is-overdue") == 1 and "已超期 3 天" in board
    assert board.index("逾期户") < board.index("按期户") < board.index("已办户")
    overdue = client.get("/requests/?status=overdue").get_data(as_text=True)
    assert "逾期户" in overdue and "按期户" not in overdue and "已办户" not in overdue
    assert late.is_overdue() and not late.is_overdue(late.due_at - timedelta(seconds=1))

    auth.logout()
    auth.login("leader")
    act(client, late, "close", to_status=RESOLVED)
    assert "逾期户" not in client.get("/requests/?status=overdue").get_data(as_text=True)
    assert "没有超期的诉求" in client.get("/requests/").get_data(as_text=True)


def test_the_board_filters_by_status_category_place_words_and_mine(client, auth, world):
    a_request(world, name="甲", place=world.grid_a, category="sanitation", description="垃圾没人清")
    a_request(world, name="乙", place=world.village_b, status=IN_PROGRESS, assignee=world.cadre)
    a_request(world, name="丙", place=world.village_a, status=RESOLVED)
    auth.login("cadre")

    def names(query):
        html = client.get("/requests/" + query, headers=HX).get_data(as_text=True)
        return {n for n in "甲乙丙" if f"· {n}</strong>" in html}

    assert names("") == {"甲", "乙", "丙"}
    assert names("?status=open") == {"甲", "乙"}
    assert names("?status=resolved") == {"丙"}
    assert names("?category=sanitation") == {"甲"}
    assert names(f"?place_id={world.village_a.id}") == {"甲", "丙"}  # a village and its grids
    assert names("?q=垃圾") == {"甲"} and names("?q=丙") == {"丙"}
    assert names("?mine=1") == {"乙"}
    assert names("?q=没有这个") == set()
    fragment = client.get("/requests/?q=没有这个", headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and "没有符合条件的诉求" in fragment


def test_the_board_takes_the_same_number_of_queries_for_3_or_30_requests(client, auth, world, queries_of):
    people = [make_user(f"raiser{i}", "village_liaison", places=[world.village_a]) for i in range(3)]

    def add(n):
        for i in range(n):
            a_request(world, raiser=people[i % 3], place=(world.grid_a, world.village_a)[i % 2],
                      status=(RECEIVED, ASSIGNED)[i % 2], assignee=people[(i + 1) % 3] if i % 2 else None,
                      due_in=timedelta(days=(i % 3) - 1))

    auth.login("liaison")
    add(3)
    few = queries_of(lambda: client.get("/requests/"))
    add(27)
    assert queries_of(lambda: client.get("/requests/")) == few


def test_my_open_requests_come_to_the_field_home_overdue_first(client, auth, world):
    a_request(world, name="本人件", status=ASSIGNED, assignee=world.liaison, raised_ago=timedelta(days=1))
    a_request(world, name="超期件", status=IN_PROGRESS, assignee=world.liaison, raised_ago=timedelta(days=9),
              due_in=timedelta(days=7))
    a_request(world, name="队伍件", status=ASSIGNED, team="village_liaison", place=world.village_a)
    # Her team's request in 西村 is for the liaisons who cover 西村, not for her.
    a_request(world, name="外村件", status=ASSIGNED, team="village_liaison", place=world.village_b)
    a_request(world, name="已办件", status=RESOLVED, assignee=world.liaison)
    a_request(world, name="别人件", status=ASSIGNED, assignee=world.cadre)
    auth.login("liaison")
    home = client.get("/").get_data(as_text=True)
    # Drawn with the page, under her places: nothing loads after the page has painted.
    panel = home[home.index('id="home-requests"'):].split("</section>")[0]
    assert home.index("我的包片") < home.index('id="home-requests"') and "hx-get" not in panel
    for shown in (panel, client.get("/requests/mine").get_data(as_text=True)):  # and as a page of its own
        assert "3 件未办结" in shown
        assert "已办件" not in shown and "别人件" not in shown and "外村件" not in shown
        assert shown.index("超期件") < shown.index("本人件") and "已超期 2 天" in shown and "队伍件" in shown


def test_the_home_counts_all_her_open_requests_while_it_lists_the_first_ten(client, auth, world):
    for n in range(12):
        a_request(world, name=f"第{n}件", status=ASSIGNED, assignee=world.liaison, raised_ago=timedelta(hours=n + 1))
    auth.login("liaison")
    home = client.get("/").get_data(as_text=True)
    panel = home[home.index('id="home-requests"'):].split("</section>")[0]
    assert "12 件未办结" in panel
    assert sum(f"第{n}件" in panel for n in range(12)) == 10


# --- Categories (admin) ----------------------------------------------------------------------------

def test_an_admin_adds_a_category_whose_deadline_sets_new_requests_due(client, auth, world):
    auth.login("admin")
    r = client.post("/requests/categories", data={"code": "property", "label": "物业服务",
                                                  "label_en": "Property service", "deadline_days": "0", "sort": "5"})
    assert r.status_code == 422 and "办理时限应在 1 到 365 天之间" in r.get_data(as_text=True)
    r = client.post("/requests/categories", data={"code": "property", "label": "物业服务",
                                                  "label_en": "Property service", "deadline_days": "20",
                                                  "sort": "5", "active": "y"})
    assert r.status_code == 302
    assert "物业服务" in client.get("/requests/categories").get_data(as_text=True)
    r = client.post("/requests/categories", data={"code": "property", "label": "重复", "deadline_days": "3"})
    assert "代码 property 已存在" in r.get_data(as_text=True)
    category = db.session.scalar(sa.select(RequestCategory).where(RequestCategory.code == "property"))
    assert "物业服务（20天）" in client.get("/requests/new").get_data(as_text=True)

    old = a_request(world, category="property")
    r = client.post(f"/requests/categories/{category.id}/edit", data={
        "code": "changed", "label": "物业服务", "deadline_days": "400", "sort": "5", "active": "y"})
    assert r.status_code == 422 and "办理时限应在 1 到 365 天之间" in r.get_data(as_text=True)
    r = client.post(f"/requests/categories/{category.id}/edit", data={
        "code": "changed", "label": "物业服务", "deadline_days": "2", "sort": "5"})
    assert r.status_code == 302
    db.session.refresh(category)
    assert (category.code, category.deadline_days, category.active) == ("property", 2, False)
    db.session.refresh(old)
    assert old.due_at - old.occurred_at == timedelta(days=20)  # raised before: keeps its due time
    assert "物业服务（" not in client.get("/requests/new").get_data(as_text=True)  # retired


@pytest.mark.parametrize("username", ["leader", "liaison", "grid"])
def test_only_the_admin_edits_categories(client, auth, world, username):
    auth.login(username)
    assert client.get("/requests/categories").status_code == 403
    assert client.post("/requests/categories/1/edit", data={"label": "x"}).status_code == 403
