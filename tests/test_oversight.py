"""The leader's view: every place with who covers it, everyone by team, and every check-in
and task log, filterable. Evidence of work, never a ranking of people."""
from datetime import datetime

import pytest

from fuxin_pwa.timeutil import to_utc_naive, utcnow
from tests.factories import make_checkin, make_task_log

HX = {"HX-Request": "true"}


def local(*args) -> datetime:
    """A Shanghai wall-clock time as the naive UTC the database stores."""
    return to_utc_naive(datetime(*args))


@pytest.fixture
def records(world):
    """One record of each kind a leader must be able to tell apart."""
    make_checkin(world.liaison, world.village_a, note="东村入村无定位")
    make_checkin(world.liaison_b, world.grid_b, lat=37.5, lon=121.2, accuracy_m=350, note="西村精度低")
    make_checkin(world.grid, world.estate, lat=37.5, lon=121.3, accuracy_m=15, note="万科小区巡查")
    make_task_log(world.grid, world.estate, "request_followup", summary="屋顶漏水回访", clock_corrected=True)
    make_task_log(world.cadre, world.grid_a, "demolition_talk", summary="东村违建约谈",
                  household_id=world.household_a.id)
    return world


def shown(html):
    notes = ("东村入村无定位", "西村精度低", "万科小区巡查", "屋顶漏水回访", "东村违建约谈")
    return {n for n in notes if n in html}


# --- Who may look --------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["liaison", "cadre", "grid", "community"])
@pytest.mark.parametrize("path", ["/oversight/", "/oversight/records"])
def test_field_roles_get_403_on_the_leaders_pages(client, auth, world, username, path):
    auth.login(username)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/oversight/", "/oversight/records"])
def test_logged_out_people_are_sent_to_login(client, world, path):
    r = client.get(path)
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


@pytest.mark.parametrize("username", ["leader", "admin"])
def test_leaders_and_admins_see_both_pages_and_reach_the_field_forms(client, auth, world, username):
    auth.login(username)
    assert client.get("/oversight/").status_code == 200
    assert client.get("/oversight/records").status_code == 200
    assert client.get("/?field=1").status_code == 200


# --- The index -----------------------------------------------------------------------------

def test_the_leader_sees_every_place_with_its_grids_and_who_covers_it(client, auth, records):
    auth.login("leader")
    page = client.get("/oversight/").get_data(as_text=True)
    for name in ("万科社区", "东村", "西村", "东村第1网格", "万科假日风景小区"):
        assert name in page
    east = page[page.index("<strong>东村</strong>"):page.index("<strong>西村</strong>")]
    assert "1 个网格 · 1 户" in east and "孙干部" in east and "赵包村" in east and "钱包村" not in east
    assert f'/oversight/records?place_id={records.village_a.id}' in page


def test_people_are_listed_by_team_with_their_places_and_no_counts_or_ranks(client, auth, records):
    for _ in range(7):
        make_checkin(records.liaison, records.village_a)
    auth.login("leader")
    page = client.get("/oversight/").get_data(as_text=True)
    people = page[page.index("人员（按队伍）"):]
    for team in ("年轻干部", "社区工作者", "网格员", "包村包片干部"):
        assert team in people
    grid_team = people[people.index("网格员"):people.index("包村包片干部")]
    assert "周网格" in grid_team and "万科第1网格" in grid_team
    assert "次" not in people and "排名" not in page and "排行" not in page


# --- Every record, filtered ----------------------------------------------------------------

def test_the_leader_sees_every_record_newest_first_with_its_markers(client, auth, records):
    auth.login("leader")
    page = client.get("/oversight/records").get_data(as_text=True)
    assert shown(page) == {"东村入村无定位", "西村精度低", "万科小区巡查", "屋顶漏水回访", "东村违建约谈"}
    row = lambda note: page[page.rindex("<tr", 0, page.index(note)):page.index(note)]  # noqa: E731
    assert "无定位" in row("东村入村无定位") and "定位精度低" not in row("东村入村无定位")
    assert "定位精度低" in row("西村精度低")
    assert "无定位" not in row("万科小区巡查") and "定位精度低" not in row("万科小区巡查")
    assert "时间已校正" in row("屋顶漏水回访")
    assert "周网格" in row("屋顶漏水回访") and "网格员" in row("屋顶漏水回访")
    assert page.index("东村违建约谈") < page.index("东村入村无定位")  # made last, shown first


@pytest.mark.parametrize("query, expected", [
    ("team=grid_worker", {"万科小区巡查", "屋顶漏水回访"}),
    ("team=young_cadre", {"东村违建约谈"}),
    ("kind=checkin", {"东村入村无定位", "西村精度低", "万科小区巡查"}),
    ("kind=demolition_talk", {"东村违建约谈"}),
    ("type=task_log", {"屋顶漏水回访", "东村违建约谈"}),
    ("type=task_log&kind=checkin", set()),
    ("team=grid_worker&type=checkin", {"万科小区巡查"}),
])
def test_the_leader_filters_records_by_team_kind_and_type(client, auth, records, query, expected):
    auth.login("leader")
    assert shown(client.get("/oversight/records?" + query, headers=HX).get_data(as_text=True)) == expected


def test_a_place_filter_includes_the_places_below_it(client, auth, records):
    auth.login("leader")
    html = client.get(f"/oversight/records?place_id={records.village_a.id}").get_data(as_text=True)
    assert shown(html) == {"东村入村无定位", "东村违建约谈"}
    html = client.get(f"/oversight/records?place_id={records.community.id}").get_data(as_text=True)
    assert shown(html) == {"万科小区巡查", "屋顶漏水回访"}


def test_dates_are_shanghai_days(client, auth, world):
    make_checkin(world.liaison, world.village_a, when=local(2024, 6, 1, 23, 30), note="六月一日深夜")
    make_checkin(world.liaison, world.village_a, when=local(2024, 6, 2, 0, 30), note="六月二日凌晨")
    make_task_log(world.liaison, world.village_a, when=local(2024, 6, 3, 8, 0), summary="六月三日早上")
    auth.login("leader")

    def notes(query):
        html = client.get("/oversight/records?" + query, headers=HX).get_data(as_text=True)
        return {n for n in ("六月一日深夜", "六月二日凌晨", "六月三日早上") if n in html}

    assert notes("date_from=2024-06-01&date_to=2024-06-01") == {"六月一日深夜"}
    assert notes("date_from=2024-06-02") == {"六月二日凌晨", "六月三日早上"}
    assert notes("date_to=2024-06-02") == {"六月一日深夜", "六月二日凌晨"}


def test_a_wrong_date_range_comes_back_filled_with_a_chinese_error(client, auth, records):
    auth.login("leader")
    page = client.get("/oversight/records?date_from=2024-06-05&date_to=2024-06-01&team=grid_worker")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "结束日期不能早于开始日期" in html
    assert 'value="2024-06-05"' in html and 'value="2024-06-01"' in html
    assert '<option selected value="grid_worker">' in html
    assert shown(html) == set()
    assert "不是有效的日期值" in client.get("/oversight/records?date_from=2024-13-45").get_data(as_text=True)


def test_the_filter_form_works_with_and_without_javascript(client, auth, records):
    auth.login("leader")
    page = client.get("/oversight/records").get_data(as_text=True)
    start = page.index('<form class="filters"')
    form = page[start:page.index("</form>", start)]
    assert 'method="get"' in form and 'action="/oversight/records"' in form
    assert 'hx-get="/oversight/records"' in form and 'hx-target="#records"' in form
    assert 'hx-push-url="true"' in form
    r = client.get("/oversight/records?kind=checkin", headers=HX)
    assert "<html" not in r.get_data(as_text=True) and "<form" not in r.get_data(as_text=True)
    assert "HX-Request" in r.headers["Vary"]


def test_records_are_paginated(client, auth, world):
    for i in range(35):
        make_checkin(world.liaison, world.village_a, note=f"第{i}次")
    auth.login("leader")
    first = client.get("/oversight/records").get_data(as_text=True)
    assert first.count('class="record-checkin"') == 30 and "第 1 / 2 页 · 共 35 条" in first
    second = client.get("/oversight/records?page=2&kind=checkin").get_data(as_text=True)
    assert second.count('class="record-checkin"') == 5


def test_the_record_list_takes_the_same_number_of_queries_for_5_or_50_records(client, auth, records,
                                                                            queries_of):
    auth.login("leader")
    few = queries_of(lambda: client.get("/oversight/records"))
    people = [records.liaison, records.liaison_b, records.cadre, records.grid, records.community_worker]
    for i in range(45):
        person = people[i % 5]
        if i % 2:
            make_checkin(person, records.village_a, lat=37.5, lon=121.2, accuracy_m=i * 10)
        else:
            make_task_log(person, records.grid_a, household_id=records.household_a.id, when=utcnow())
    assert queries_of(lambda: client.get("/oversight/records")) == few
