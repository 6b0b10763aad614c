"""The admin area: places, households, people and what they cover, task kinds."""
import re

import pytest
import sqlalchemy as sa

from fuxin_pwa.auth.models import User
from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import TaskKind
from fuxin_pwa.places.models import Assignment, Household, Place
from tests.factories import PASSWORD, make_user

ADMIN_PAGES = [
    lambda w: "/admin/",
    lambda w: "/admin/places",
    lambda w: "/admin/places?q=东村",
    lambda w: "/admin/places/new",
    lambda w: f"/admin/places/{w.village_a.id}/edit",
    lambda w: f"/admin/places/{w.grid_a.id}/households",
    lambda w: f"/admin/places/{w.grid_a.id}/households/new",
    lambda w: f"/admin/households/{w.household_a.id}/edit",
    lambda w: "/admin/people",
    lambda w: "/admin/people/new",
    lambda w: f"/admin/people/{w.liaison.id}",
    lambda w: "/admin/task-kinds",
    lambda w: "/admin/task-kinds/1/edit",
    lambda w: "/admin/import",
    lambda w: "/admin/import/places",
    lambda w: "/admin/import/people/template.csv",
]


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_every_admin_page_opens_for_the_admin_only(client, auth, world, page):
    url = page(world)
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    for username in ("leader", "liaison", "grid", "cadre"):
        auth.login(username)
        assert client.get(url).status_code == 403, (username, url)
        auth.logout()
    auth.login("admin")
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/admin/places/new", "/admin/people/new", "/admin/task-kinds"])
def test_a_leader_cannot_post_to_admin_forms(client, auth, world, url):
    auth.login("leader")
    assert client.post(url, data={"name": "x"}).status_code == 403


def test_the_admin_index_counts_what_there_is(client, auth, world):
    auth.login("admin")
    html = client.get("/admin/").get_data(as_text=True)
    # 8 places, 3 households, 7 people, 8 default task kinds
    for label in ("地点与户", "人员与包片", "工作类型", "导入"):
        assert label in html
    counts = re.findall(r'class="admin-count">(\d+)<', html)
    assert counts[:2] == ["8", "3"] and counts[2] == "7" and counts[4] == "8"


# --- Places ----------------------------------------------------------------------------

def test_the_place_tree_shows_villages_with_their_grids_and_household_counts(client, auth, world):
    auth.login("admin")
    html = client.get("/admin/places").get_data(as_text=True)
    assert "福新街道" in html and "万科社区" in html and "万科假日风景小区" in html
    assert html.index("东村") < html.index("东村第1网格")
    assert "1 户" in html


def test_an_admin_adds_a_village_under_the_subdistrict(client, auth, world):
    auth.login("admin")
    response = client.post("/admin/places/new", data={
        "name": "南村", "kind": "village", "parent_id": world.subdistrict.id, "code": "V-C", "active": "y"})
    assert response.status_code == 302
    place = db.session.scalar(sa.select(Place).where(Place.code == "V-C"))
    assert place.name == "南村" and place.parent_id == world.subdistrict.id and place.active


def test_a_grid_under_the_subdistrict_is_refused_in_chinese_and_the_form_comes_back_filled(client, auth, world):
    auth.login("admin")
    response = client.post("/admin/places/new", data={
        "name": "孤网格", "kind": "grid", "parent_id": world.subdistrict.id, "code": "G-X"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "网格不能放在街道下（应在社区或村下）" in html
    assert 'value="孤网格"' in html and 'value="G-X"' in html
    assert db.session.scalar(sa.select(Place).where(Place.code == "G-X")) is None


def test_a_place_code_is_unique(client, auth, world):
    auth.login("admin")
    response = client.post("/admin/places/new", data={
        "name": "又一个东村", "kind": "village", "parent_id": world.subdistrict.id, "code": "V-A"})
    assert response.status_code == 422
    assert "编码 V-A 已被其他地点使用" in response.get_data(as_text=True)


def test_a_village_with_grids_cannot_become_a_grid(client, auth, world):
    auth.login("admin")
    response = client.post(f"/admin/places/{world.village_a.id}/edit", data={
        "name": "东村", "kind": "grid", "parent_id": world.community.id, "code": "V-A", "active": "y"})
    assert response.status_code == 422
    assert "该地点下有网格，不能改为网格" in response.get_data(as_text=True)


def test_an_admin_deactivates_a_grid_instead_of_deleting_it(client, auth, world):
    auth.login("admin")
    response = client.post(f"/admin/places/{world.grid_b.id}/edit", data={
        "name": "西村第1网格", "kind": "grid", "parent_id": world.village_b.id, "code": "G-B1"})
    assert response.status_code == 302
    db.session.refresh(world.grid_b)
    assert world.grid_b.active is False
    assert db.session.get(Household, world.household_b.id) is not None
    assert "已停用" in client.get("/admin/places").get_data(as_text=True)
    auth.logout()
    auth.login("liaison_b")
    assert "西村第1网格" not in client.get("/checkin").get_data(as_text=True)


def test_searching_places_by_code_answers_the_list_fragment_to_htmx(client, auth, world):
    auth.login("admin")
    response = client.get("/admin/places?q=G-C1", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "万科第1网格" in html and "<html" not in html
    assert "HX-Request" in response.headers["Vary"]


# --- Households ---------------------------------------------------------------------------

def test_the_household_list_masks_phone_and_id_number_but_the_edit_form_shows_them(client, auth, world):
    auth.login("admin")
    html = client.get(f"/admin/places/{world.grid_a.id}/households").get_data(as_text=True)
    assert "138****5678" in html and "3706**********1234" in html
    assert "13812345678" not in html and "370611196001011234" not in html
    form = client.get(f"/admin/households/{world.household_a.id}/edit").get_data(as_text=True)
    assert 'value="13812345678"' in form and 'value="370611196001011234"' in form


def test_an_admin_adds_a_household_and_a_second_one_at_the_same_address_is_refused(client, auth, world):
    auth.login("admin")
    data = {"address": "东村2号", "head_name": "赵六", "phone": "139 0000 1111", "id_number": "37061119800303345x",
            "members": "4", "note": "独居老人的儿子"}
    assert client.post(f"/admin/places/{world.grid_a.id}/households/new", data=data).status_code == 302
    household = db.session.scalar(sa.select(Household).where(Household.address == "东村2号"))
    assert household.phone == "13900001111" and household.id_number == "37061119800303345X"
    assert household.members == 4
    again = client.post(f"/admin/places/{world.grid_a.id}/households/new", data=data)
    assert again.status_code == 422 and "该地点已有地址为 东村2号 的户" in again.get_data(as_text=True)


def test_a_bad_phone_or_id_number_is_explained_next_to_the_field(client, auth, world):
    auth.login("admin")
    response = client.post(f"/admin/households/{world.household_a.id}/edit", data={
        "address": "东村1号", "head_name": "张三", "phone": "12345", "id_number": "123", "members": "三"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "电话号码 12345 不正确" in html and "身份证号 123 格式不正确" in html
    assert 'id="phone-err"' in html and 'value="12345"' in html


def test_editing_a_household_keeps_it_and_search_finds_it(client, auth, world):
    auth.login("admin")
    response = client.post(f"/admin/households/{world.household_a.id}/edit", data={
        "address": "东村1号", "head_name": "张三丰", "phone": "13812345678", "id_number": "", "members": "2"})
    assert response.status_code == 302
    db.session.refresh(world.household_a)
    assert world.household_a.head_name == "张三丰" and world.household_a.id_number is None
    html = client.get(f"/admin/places/{world.grid_a.id}/households?q=三丰",
                      headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "张三丰" in html and "<html" not in html


def test_a_subdistrict_has_no_household_page(client, auth, world):
    auth.login("admin")
    assert client.get(f"/admin/places/{world.subdistrict.id}/households").status_code == 404


# --- People ---------------------------------------------------------------------------------

def test_an_admin_adds_a_grid_worker_who_can_then_log_in(client, auth, world):
    auth.login("admin")
    response = client.post("/admin/people/new", data={
        "username": "grid2", "name": "郑网格", "role": "grid_worker", "team": "", "phone": "13700002222",
        "active": "y", "password": "Xinlu-2026-gw"})
    assert response.status_code == 302
    person = db.session.scalar(sa.select(User).where(User.username == "grid2"))
    assert person.team == "grid_worker" and person.check_password("Xinlu-2026-gw")
    auth.logout()
    assert auth.login("grid2", "Xinlu-2026-gw").status_code == 302


@pytest.mark.parametrize("password, said", [
    ("fuxin2024", "密码至少10位"),  # the demo's, one short
    ("1234567890", "这个密码太常见"),
    ("Password123", "这个密码太常见"),  # whatever its case
    ("aaaaabbbbb", "这个密码太常见"),  # two characters, however long
])
def test_a_password_an_admin_sets_is_long_and_not_a_common_one(client, auth, world, password, said):
    auth.login("admin")
    response = client.post("/admin/people/new", data={
        "username": "grid3", "name": "冯网格", "role": "grid_worker", "active": "y", "password": password})
    assert response.status_code == 422 and said in response.get_data(as_text=True)
    assert 'value="grid3"' in response.get_data(as_text=True)  # the form comes back filled
    assert db.session.scalar(sa.select(User).where(User.username == "grid3")) is None


def test_create_admin_refuses_a_weak_password(app, world):
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["create-admin", "boss"], input="1234567890\n1234567890\n")
    assert weak.exit_code != 0 and "这个密码太常见" in weak.output
    assert db.session.scalar(sa.select(User).where(User.username == "boss")) is None
    strong = runner.invoke(args=["create-admin", "boss"], input="Fushan-harbour-7\nFushan-harbour-7\n")
    assert strong.exit_code == 0
    assert db.session.scalar(sa.select(User).where(User.username == "boss")).check_password("Fushan-harbour-7")


def test_a_new_person_needs_a_password_and_a_unique_username(client, auth, world):
    auth.login("admin")
    response = client.post("/admin/people/new", data={
        "username": "LIAISON", "name": "重名", "role": "no_such_role", "password": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "用户名 LIAISON 已被使用" in html and "未知的角色：no_such_role" in html and "请设置初始密码" in html
    assert 'value="重名"' in html


def test_a_blank_password_on_edit_keeps_the_old_one(client, auth, world):
    auth.login("admin")
    response = client.post(f"/admin/people/{world.liaison.id}", data={
        "username": "liaison", "name": "赵包村（改）", "role": "village_liaison", "team": "village_liaison",
        "phone": "13800001111", "active": "y", "password": ""})
    assert response.status_code == 302
    db.session.refresh(world.liaison)
    assert world.liaison.name == "赵包村（改）" and world.liaison.check_password(PASSWORD)


def test_a_deactivated_person_cannot_log_in(client, auth, world):
    auth.login("admin")
    client.post(f"/admin/people/{world.cadre.id}", data={
        "username": "cadre", "name": "孙干部", "role": "young_cadre", "team": "young_cadre"})
    auth.logout()
    response = auth.login("cadre")
    assert response.status_code == 200 and "该账号已停用" in response.get_data(as_text=True)


def test_the_admin_cannot_lock_themselves_out(client, auth, world):
    auth.login("admin")
    response = client.post(f"/admin/people/{world.admin.id}", data={
        "username": "admin", "name": "管理员", "role": "leader"})
    html = response.get_data(as_text=True)
    assert "不能取消自己的管理员角色" in html and "不能停用自己的账号" in html
    db.session.refresh(world.admin)
    assert world.admin.role == "admin" and world.admin.active


def test_people_are_filtered_by_team_role_and_status_and_phones_are_masked(client, auth, world):
    make_user("old_grid", "grid_worker", name="旧网格员", active=False)
    auth.login("admin")
    html = client.get("/admin/people?team=grid_worker&active=1").get_data(as_text=True)
    assert "周网格" in html and "旧网格员" not in html and "赵包村" not in html
    assert "138****1111" in html and "13800001111" not in html
    html = client.get("/admin/people?role=grid_worker&active=0").get_data(as_text=True)
    assert "旧网格员" in html and "周网格" not in html
    html = client.get("/admin/people?q=liaison").get_data(as_text=True)
    assert "东村" in html  # the places each person covers


# --- Assignments ------------------------------------------------------------------------------

def test_an_admin_assigns_a_village_with_htmx_and_the_liaison_sees_it_at_home(client, auth, world):
    auth.login("admin")
    response = client.post(f"/admin/people/{world.liaison.id}/assignments",
                           data={"place_id": world.village_b.id}, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card" id="assignments">') and "<html" not in html
    assert "西村" in html and 'name="csrf_token"' in html
    auth.logout()
    auth.login("liaison")
    assert "西村" in client.get("/").get_data(as_text=True)


def test_assignments_work_without_javascript_too(client, auth, world):
    auth.login("admin")
    page = client.get(f"/admin/people/{world.liaison.id}").get_data(as_text=True)
    assert 'id="assignments"' in page and f'action="/admin/people/{world.liaison.id}/assignments"' in page
    response = client.post(f"/admin/people/{world.liaison.id}/assignments", data={"place_id": world.grid_b.id})
    assert response.status_code == 302
    response = client.post(f"/admin/people/{world.liaison.id}/assignments/{world.village_a.id}/remove")
    assert response.status_code == 302
    covered = set(db.session.scalars(sa.select(Assignment.place_id).where(Assignment.user_id == world.liaison.id)))
    assert covered == {world.grid_b.id}


def test_removing_an_assignment_with_htmx_answers_the_section(client, auth, world):
    auth.login("admin")
    response = client.post(f"/admin/people/{world.cadre.id}/assignments/{world.village_a.id}/remove",
                           headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert 'id="assignments"' in html and "<html" not in html
    assert "西村" in html and "取消 东村" not in html


def test_the_subdistrict_or_nothing_cannot_be_assigned(client, auth, world):
    auth.login("admin")
    response = client.post(f"/admin/people/{world.liaison.id}/assignments",
                           data={"place_id": world.subdistrict.id}, headers={"HX-Request": "true"})
    assert "只能分配启用的社区、村、网格或小区" in response.get_data(as_text=True)
    response = client.post(f"/admin/people/{world.liaison.id}/assignments", data={"place_id": ""})
    assert response.status_code == 422 and "请选择地点" in response.get_data(as_text=True)


# --- Task kinds ---------------------------------------------------------------------------------

def test_an_admin_adds_a_task_kind_that_field_staff_can_then_choose(client, auth, world):
    auth.login("admin")
    response = client.post("/admin/task-kinds", data={
        "code": "safety_patrol", "label": "安全巡查", "label_en": "Safety patrol", "sort": "20", "active": "y"})
    assert response.status_code == 302
    assert "安全巡查" in client.get("/admin/task-kinds").get_data(as_text=True)
    auth.logout()
    auth.login("liaison")
    assert "安全巡查" in client.get("/log").get_data(as_text=True)


def test_a_task_kind_code_is_unique_well_formed_and_never_changes(client, auth, world):
    auth.login("admin")
    response = client.post("/admin/task-kinds", data={"code": "flood_duty", "label": "防汛"})
    assert response.status_code == 422 and "代码 flood_duty 已存在" in response.get_data(as_text=True)
    response = client.post("/admin/task-kinds", data={"code": "Bad Code", "label": "坏"})
    assert "代码只能用小写字母" in response.get_data(as_text=True)
    kind = db.session.scalar(sa.select(TaskKind).where(TaskKind.code == "flood_duty"))
    response = client.post(f"/admin/task-kinds/{kind.id}/edit", data={
        "code": "renamed", "label": "防汛值守（夜）", "sort": "3"})
    assert response.status_code == 302
    db.session.refresh(kind)
    assert kind.code == "flood_duty" and kind.label == "防汛值守（夜）" and kind.active is False


# --- Bounded lists ------------------------------------------------------------------------------

def _add_villages(world, start, n):
    for i in range(start, start + n):
        village = Place(name=f"新村{i:02d}", kind="village", parent_id=world.subdistrict.id, code=f"NV-{i}")
        db.session.add(village)
        db.session.flush()
        grid = Place(name=f"新村{i:02d}网格", kind="grid", parent_id=village.id)
        db.session.add(grid)
        db.session.flush()
        db.session.add(Place(name=f"新村{i:02d}小区", kind="estate", parent_id=grid.id))
        db.session.add(Household(place_id=grid.id, address=f"新村{i}号", head_name="户主"))
    db.session.commit()


def _add_households(world, start, n):
    for i in range(start, start + n):
        db.session.add(Household(place_id=world.grid_a.id, address=f"东村{100 + i}号", head_name=f"户主{i}",
                                 phone="13900000000", id_number="370611199001011234"))
    db.session.commit()


def _add_people(world, start, n):
    for i in range(start, start + n):
        person = User(username=f"extra{i}", name=f"网格员{i}", role="grid_worker", team="grid_worker",
                      phone="13900000000", password_hash="-")
        db.session.add(person)
        db.session.flush()
        db.session.add_all([Assignment(user_id=person.id, place_id=world.grid_a.id),
                            Assignment(user_id=person.id, place_id=world.grid_b.id)])
    db.session.commit()


@pytest.mark.parametrize("url, grow", [
    (lambda w: "/admin/places", _add_villages),
    (lambda w: "/admin/places?q=新村", _add_villages),
    (lambda w: f"/admin/places/{w.grid_a.id}/households", _add_households),
    (lambda w: "/admin/people", _add_people),
    (lambda w: "/admin/people?team=grid_worker", _add_people),
])
def test_admin_lists_run_the_same_number_of_queries_for_5_and_50_rows(client, auth, world, count_queries,
                                                                      url, grow):
    auth.login("admin")
    grow(world, 0, 5)
    client.get(url(world))  # warm up: the first request compiles the templates
    db.session.expire_all()  # the test and the app share a session: start each request cold
    with count_queries() as few:
        assert client.get(url(world)).status_code == 200
    grow(world, 5, 45)
    db.session.expire_all()
    with count_queries() as many:
        assert client.get(url(world)).status_code == 200
    assert many.count == few.count


def test_the_places_list_is_paginated(client, auth, world):
    _add_villages(world, 0, 40)
    auth.login("admin")
    html = client.get("/admin/places").get_data(as_text=True)
    assert "第 1 / 2 页" in html and "新村00" in html and "新村39" not in html
    assert "新村39" in client.get("/admin/places?page=2").get_data(as_text=True)


# --- CSRF in production --------------------------------------------------------------------------

@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_every_admin_post_form_carries_a_csrf_token(client, world):
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token})
    pages = ["/admin/places/new", f"/admin/places/{world.village_a.id}/edit",
             f"/admin/places/{world.grid_a.id}/households/new", f"/admin/households/{world.household_a.id}/edit",
             "/admin/people/new", f"/admin/people/{world.cadre.id}", "/admin/task-kinds",
             "/admin/task-kinds/1/edit", "/admin/import/places"]
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        forms = re.findall(r'<form[^>]*method="post".*?</form>', html, flags=re.S)
        assert forms, url
        for form in forms:
            assert re.search(r'name="csrf_token"[^>]*value="[^"]+"', form), (url, form[:200])
    refused = client.post(f"/admin/people/{world.cadre.id}/assignments", data={"place_id": world.grid_a.id})
    assert refused.status_code == 400
