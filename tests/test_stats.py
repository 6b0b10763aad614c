"""Statistics (统计): per month, per team and per place, what the field recorded — check-ins,
task logs by kind, cases, resident requests, incidents — for leaders and admins, by filter.
Months and days are Shanghai's; nobody is ranked."""
import re
import uuid
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from fuxin_pwa.cases.models import IN_PROGRESS, OPEN, RESOLVED, Case
from fuxin_pwa.dispatch.models import ON_SITE, RECEIVED, Deployment, Incident, IncidentAck, Post
from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import CheckIn
from fuxin_pwa.requests.models import RequestCategory, ResidentRequest
from fuxin_pwa.stats.forms import default_first
from fuxin_pwa.timeutil import local_today, to_utc_naive, utcnow
from tests.factories import make_checkin, make_task_log

HX = {"HX-Request": "true"}
MARCH_APRIL = {"date_from": "2026-03-01", "date_to": "2026-04-30"}


def local(*args) -> datetime:
    """A Shanghai wall-clock time as the naive UTC the database stores."""
    return to_utc_naive(datetime(*args))


# --- Making records (shared with test_ledgers.py) -------------------------------------------

def make_request(user, place, when, due_days=7, status="received", closed_at=None, household=None,
                 phone="13912345678", name="陈大妈", description="楼道灯坏了", category="facility_repair", **kw):
    cat = db.session.scalar(sa.select(RequestCategory).where(RequestCategory.code == category))
    request = ResidentRequest(uuid=str(uuid.uuid4()), user_id=user.id, occurred_at=when, content_hash="test",
                              place_id=place.id, household_id=household.id if household else None,
                              category_id=cat.id, resident_name=name, resident_phone=phone,
                              description=description, status=status, due_at=when + timedelta(days=due_days),
                              closed_at=closed_at, **kw)
    db.session.add(request)
    db.session.commit()
    return request


def make_case(owner, household, opened_at, status=OPEN, closed_at=None, created_by=None, title="屋顶漏水"):
    case = Case(household_id=household.id, kind="repair", title=title, plan="请律师、协调邻居、组织维修",
                status=status, owner_id=owner.id, created_by_id=(created_by or owner).id,
                opened_at=opened_at, closed_at=closed_at)
    db.session.add(case)
    db.session.commit()
    return case


def make_incident(leader, started_at, title="6·18 暴雨", place=None, people=(), post_place=None, acks=()):
    """An incident with one post and `people` deployed there; `acks` are (person, state, when, lat, lon)."""
    incident = Incident(title=title, kind="flood", started_at=started_at, created_by_id=leader.id,
                        place_id=place.id if place else None)
    db.session.add(incident)
    db.session.flush()
    post = Post(incident_id=incident.id, name="福新路积水点", place_id=post_place.id if post_place else None)
    db.session.add(post)
    db.session.flush()
    deployments = {}
    for person in people:
        d = Deployment(incident_id=incident.id, user_id=person.id, post_id=post.id, assigned_at=started_at,
                       state_at=started_at, assigned_by_id=leader.id)
        db.session.add(d)
        deployments[person.id] = d
    db.session.flush()
    for person, state, when, lat, lon in acks:
        d = deployments[person.id]
        d.state, d.state_at = state, when
        db.session.add(IncidentAck(uuid=str(uuid.uuid4()), user_id=person.id, occurred_at=when, content_hash="t",
                                   incident_id=incident.id, deployment_id=d.id, state=state, lat=lat, lon=lon,
                                   accuracy_m=12 if lat else None))
    db.session.commit()
    return incident


def table_rows(html: str, css: str) -> dict[str, dict[str, str]]:
    """The rows of one figures table on the page: {row label: {stat: text}}."""
    table = re.search(rf'<table class="stats-table {css}">(.*?)</table>', html, re.S).group(1)
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        label = re.search(r'<th scope="row">(.*?)</th>', row, re.S).group(1).strip()
        rows[label] = dict(re.findall(r'<td data-stat="(\w+)"[^>]*>(.*?)</td>', row, re.S))
    return rows


def total(html: str, name: str) -> str:
    return re.search(rf'data-total="{name}"><span class="stat-n">(.*?)</span>', html, re.S).group(1).strip()


def stats_page(client, **args) -> str:
    r = client.get("/stats/", query_string=args)
    assert r.status_code == 200, r.status_code
    return r.get_data(as_text=True)


# --- Who may look --------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["liaison", "cadre", "grid", "community"])
@pytest.mark.parametrize("path", ["/stats/", "/stats/export.xlsx?ledger=visits",
                                  "/stats/export.csv?ledger=visits"])
def test_field_roles_get_403(client, auth, world, username, path):
    auth.login(username)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ["/stats/", "/stats/export.xlsx"])
def test_logged_out_people_are_sent_to_login(client, world, path):
    r = client.get(path)
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


@pytest.mark.parametrize("username", ["leader", "admin"])
def test_leaders_and_admins_open_the_statistics(client, auth, world, username):
    auth.login(username)
    page = stats_page(client)
    assert "统计 · 台账" in page and "每月趋势" in page and "口径说明" in page


# --- Months and days are Shanghai's ---------------------------------------------------------

def test_a_check_in_at_2330_on_the_last_of_march_counts_in_march(client, auth, world):
    make_checkin(world.liaison, world.grid_a, when=local(2026, 3, 31, 23, 30))  # 15:30 UTC
    make_checkin(world.liaison, world.grid_a, when=local(2026, 4, 1, 0, 10))    # still 31 March in UTC
    make_checkin(world.liaison, world.grid_a, when=local(2026, 3, 1, 0, 5))     # 28 February in UTC
    auth.login("leader")
    page = stats_page(client, **MARCH_APRIL)
    months = table_rows(page, "by-month")
    assert list(months) == ["2026-03", "2026-04"]
    assert months["2026-03"]["checkins"] == "2" and months["2026-04"]["checkins"] == "1"
    assert total(page, "checkins") == "3"


def test_dates_filter_at_local_midnight(client, auth, world):
    for when in (local(2026, 3, 9, 23, 59), local(2026, 3, 10, 0, 0), local(2026, 3, 20, 23, 59),
                 local(2026, 3, 21, 0, 0)):
        make_checkin(world.liaison, world.grid_a, when=when)
    auth.login("leader")
    page = stats_page(client, date_from="2026-03-10", date_to="2026-03-20")
    assert total(page, "checkins") == "2"


def test_the_default_is_the_last_twelve_months_up_to_today(client, auth, world):
    today = local_today()
    make_checkin(world.liaison, world.grid_a)                                          # today
    make_checkin(world.liaison, world.grid_a, when=utcnow() - timedelta(days=400))     # too old
    auth.login("leader")
    page = stats_page(client)
    months = list(table_rows(page, "by-month"))
    assert len(months) == 12 and months[-1] == today.strftime("%Y-%m")
    assert months[0] == default_first(today).strftime("%Y-%m")
    assert f'value="{today.isoformat()}"' in page and f'value="{default_first(today).isoformat()}"' in page
    assert total(page, "checkins") == "1"


def test_default_first_is_the_first_of_the_month_eleven_months_back():
    assert default_first(date(2026, 11, 27)) == date(2025, 12, 1)
    assert default_first(date(2026, 1, 5)) == date(2025, 2, 1)
    assert default_first(date(2026, 12, 31)) == date(2026, 1, 1)


@pytest.mark.parametrize("args, message", [
    ({"date_from": "2026-04-01", "date_to": "2026-03-01"}, "结束日期不能早于开始日期"),
    ({"date_from": "2023-01-01", "date_to": "2026-03-01"}, "日期范围不能超过731天"),
    ({"date_from": "2026-13-01"}, "开始日期"),
])
def test_a_wrong_filter_comes_back_with_its_error(client, auth, world, args, message):
    auth.login("leader")
    r = client.get("/stats/", query_string=args)
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert message in page and "导出台账" not in page
    assert client.get("/stats/", query_string=args, headers=HX).status_code == 422  # field.js has htmx swap it in


def test_two_years_is_the_longest_range(client, auth, world):
    auth.login("leader")
    page = stats_page(client, date_from="2024-12-01", date_to="2026-11-30")
    assert len(table_rows(page, "by-month")) == 24


# --- What is counted -----------------------------------------------------------------------

@pytest.fixture
def march(world):
    """A month of work across the teams and places, in March 2026."""
    w = world
    day = local(2026, 3, 10, 9, 0)
    make_checkin(w.liaison, w.village_a, when=day)
    make_checkin(w.liaison, w.grid_a, when=day)
    make_checkin(w.liaison_b, w.grid_b, when=day)
    make_checkin(w.grid, w.estate, when=local(2026, 3, 12, 21, 40))  # an evening round counts the same
    make_task_log(w.cadre, w.grid_a, "demolition_talk", when=day)
    make_task_log(w.cadre, w.grid_b, "demolition_talk", when=day)
    make_task_log(w.grid, w.estate, "request_followup", when=day)
    make_task_log(w.leader, w.subdistrict, "briefing", when=day)  # a leader's own: no team, no village
    return w


def test_per_team_and_per_place_with_grids_and_estates_rolled_up(client, auth, march):
    auth.login("leader")
    page = stats_page(client, **MARCH_APRIL)
    teams = table_rows(page, "by-team")
    assert teams["包村包片干部"]["checkins"] == "3" and teams["网格员"]["checkins"] == "1"
    assert teams["年轻干部"]["task_logs"] == "2" and teams["社区工作者"]["task_logs"] == "0"
    assert teams["街道领导及管理员"]["task_logs"] == "1"
    places = table_rows(page, "by-place")
    assert list(places)[:3] == ["万科社区", "东村", "西村"]  # communities first, then villages
    assert places["东村"]["checkins"] == "2" and places["东村"]["task_logs"] == "1"
    assert places["万科社区"]["checkins"] == "1"  # checked in at the estate, two levels below
    assert places["街道（未归入村居）"]["task_logs"] == "1"
    assert total(page, "checkins") == "4" and total(page, "task_logs") == "4"


def test_task_logs_by_kind_in_the_chart_and_its_table(client, auth, march):
    auth.login("leader")
    page = stats_page(client, **MARCH_APRIL)
    assert re.search(r'<td data-kind="demolition_talk">2</td>', page)
    assert re.search(r'<td data-kind="request_followup">1</td>', page)
    assert re.search(r'<td data-kind="flood_duty">0</td>', page)
    assert "<title>违建约谈：2 条</title>" in page
    assert "<title>2026-03 签到：4</title>" in page and "<title>2026-04 工作记录：0</title>" in page
    assert '<svg class="chart chart-trend"' in page and 'role="img"' in page


def test_the_team_filter_keeps_that_teams_records(client, auth, march):
    auth.login("leader")
    page = stats_page(client, team="village_liaison", **MARCH_APRIL)
    assert total(page, "checkins") == "3" and total(page, "task_logs") == "0"
    assert list(table_rows(page, "by-team")) == ["包村包片干部"]


def test_the_place_filter_takes_everything_below_the_place(client, auth, march):
    auth.login("leader")
    page = stats_page(client, place_id=march.village_a.id, **MARCH_APRIL)
    assert total(page, "checkins") == "2" and total(page, "task_logs") == "1"
    assert list(table_rows(page, "by-place")) == ["东村"]
    page = stats_page(client, place_id=march.grid_c.id, **MARCH_APRIL)
    assert total(page, "checkins") == "1"  # the estate lies under 万科第1网格


def test_cases_opened_and_resolved_by_month_and_owners_team(client, auth, world):
    w = world
    make_case(w.liaison, w.household_a, local(2026, 3, 2, 10), created_by=w.leader)
    make_case(w.liaison, w.household_a, local(2026, 3, 5, 10), status=RESOLVED, closed_at=local(2026, 4, 2, 10))
    make_case(w.grid, w.household_c, local(2026, 2, 5, 10), status=RESOLVED, closed_at=local(2026, 3, 31, 23))
    make_case(w.grid, w.household_c, local(2026, 3, 6, 10), status="closed", closed_at=local(2026, 3, 9))
    make_case(w.cadre, w.household_b, local(2026, 3, 7, 10), status=IN_PROGRESS)
    auth.login("leader")
    page = stats_page(client, **MARCH_APRIL)
    months = table_rows(page, "by-month")
    assert months["2026-03"]["cases_opened"] == "4" and months["2026-03"]["cases_resolved"] == "1"
    assert months["2026-04"]["cases_resolved"] == "1"
    teams = table_rows(page, "by-team")
    assert teams["包村包片干部"]["cases_opened"] == "2"  # opened by a leader, owned by the liaison
    assert total(page, "cases") == "4 / 2"


@pytest.fixture
def requests(world):
    """Requests raised in March 2026 by the grid worker in 万科, closed after 2 h, 10 h, 30 h."""
    w = world
    start = local(2026, 3, 3, 9, 0)
    for hours in (2, 10, 30):
        make_request(w.grid, w.estate, start, status="resolved", closed_at=start + timedelta(hours=hours))
    make_request(w.grid, w.estate, start, due_days=1, status="resolved",              # closed late
                 closed_at=start + timedelta(days=3))
    make_request(w.grid, w.estate, start, due_days=3)                                 # open, past due
    make_request(w.liaison, w.village_a, utcnow() - timedelta(hours=1), due_days=7)   # open, in time
    return w


def test_requests_opened_closed_overdue_and_the_median_time_to_close(client, auth, requests):
    auth.login("leader")
    page = stats_page(client, **MARCH_APRIL)
    march = table_rows(page, "by-month")["2026-03"]
    assert march["requests_opened"] == "5" and march["requests_closed"] == "4"
    assert march["requests_overdue"] == "2"  # one still open past its deadline, one closed late
    assert march["median_close"] == "20.0 小时"  # of 2, 10, 30 and 72 hours
    assert table_rows(page, "by-team")["网格员"]["requests_opened"] == "5"
    assert table_rows(page, "by-place")["万科社区"]["median_close"] == "20.0 小时"
    assert "仍未办结，或办结时间晚于办理期限" in page  # the legend defines 超期


def test_a_median_over_an_odd_number_and_long_times_reads_in_days(client, auth, world):
    start = local(2026, 3, 3, 9, 0)
    for days in (1, 3, 9):
        make_request(world.grid, world.estate, start, due_days=30, status="resolved",
                     closed_at=start + timedelta(days=days))
    auth.login("leader")
    assert table_rows(stats_page(client, **MARCH_APRIL), "by-month")["2026-03"]["median_close"] == "3.0 天"


def test_incidents_with_person_times_and_acknowledgements(client, auth, world):
    w = world
    start = local(2026, 4, 18, 23, 0)
    incident = make_incident(w.leader, start, place=w.subdistrict, people=[w.cadre, w.liaison, w.grid],
                             post_place=w.grid_a, acks=[
                                 (w.cadre, RECEIVED, start + timedelta(minutes=3), None, None),
                                 (w.cadre, ON_SITE, start + timedelta(minutes=30), 37.5, 121.25),
                                 (w.liaison, RECEIVED, start + timedelta(minutes=5), None, None)])
    make_incident(w.leader, local(2026, 1, 5, 8, 0), title="去年的雪", people=[w.cadre])  # outside the range
    auth.login("leader")
    page = stats_page(client, **MARCH_APRIL)
    april = table_rows(page, "by-month")["2026-04"]
    assert april["incidents"] == "1" and april["deployments"] == "3" and april["acks"] == "3"
    teams = table_rows(page, "by-team")
    assert teams["年轻干部"]["deployments"] == "1" and teams["年轻干部"]["acks"] == "2"
    assert teams["年轻干部"]["incidents"] == "1"
    assert table_rows(page, "by-place")["东村"]["deployments"] == "3"  # the post lies in 东村
    incidents = page[page.index('by-incident'):]
    assert "6·18 暴雨" in incidents and "去年的雪" not in incidents
    assert re.search(r"<td>3</td><td>1</td><td>3</td>", incidents)  # sent, on site, replies
    assert f"/stats/export.xlsx?ledger=incidents&amp;incident_id={incident.id}" in page


def test_no_person_is_named_or_ranked(client, auth, march):
    for _ in range(9):
        make_checkin(march.liaison, march.village_a, when=local(2026, 3, 11, 9))
    make_incident(march.leader, local(2026, 3, 18, 23), people=[march.cadre])
    auth.login("leader")
    page = stats_page(client, **MARCH_APRIL)
    results = page[page.index('id="stats-results"'):]
    figures = results[:results.index("口径说明")]  # the legend itself says nobody is ranked
    for name in ("赵包村", "钱包村", "孙干部", "周网格", "吴社工", "刘书记"):
        assert name not in results
    for word in ("排名", "排行", "名次", "积分", "在线时长"):
        assert word not in figures


# --- The page on the tablet ------------------------------------------------------------------

def test_htmx_gets_only_the_results_and_the_url_keeps_the_filter(client, auth, march):
    auth.login("leader")
    r = client.get("/stats/", query_string={"team": "grid_worker", **MARCH_APRIL}, headers=HX)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "<html" not in html and "<form" not in html
    assert total(html, "checkins") == "1" and "HX-Request" in r.headers["Vary"]
    page = stats_page(client)
    assert 'hx-get="/stats/"' in page and 'hx-target="#stats-results"' in page and 'hx-push-url="true"' in page


def test_the_export_links_carry_the_pages_filters(client, auth, march):
    auth.login("leader")
    page = stats_page(client, team="young_cadre", place_id=march.village_a.id, **MARCH_APRIL)
    args = f"date_from=2026-03-01&amp;date_to=2026-04-30&amp;team=young_cadre&amp;place_id={march.village_a.id}"
    assert f"/stats/export.xlsx?ledger=all&amp;{args}" in page
    assert f"/stats/export.csv?ledger=visits&amp;{args}" in page
    assert f"/stats/export.xlsx?ledger=tasks&amp;kind=demolition_talk&amp;{args}" in page


def test_the_page_takes_the_same_number_of_queries_for_little_and_much_data(client, auth, march, count_queries):
    auth.login("leader")
    db.session.expire_all()  # the tests share the app's session: start both counts from cold
    with count_queries() as few:
        stats_page(client, **MARCH_APRIL)
    w = march
    people = [w.liaison, w.liaison_b, w.cadre, w.grid, w.community_worker]
    places = [w.grid_a, w.grid_b, w.estate, w.village_a, w.community]
    for i in range(40):
        when = local(2026, 3 + i % 2, 1 + i % 28, i % 24)
        make_checkin(people[i % 5], places[i % 5], when=when)
        kind = ["demolition_talk", "flood_duty", "resident_visit"][i % 3]
        make_task_log(people[i % 5], places[(i + 1) % 5], kind, when=when)
        if i % 4 == 0:
            make_request(people[i % 5], places[i % 5], when, status="resolved",
                         closed_at=when + timedelta(hours=i))
            make_case(w.liaison, w.household_a, when, status=RESOLVED, closed_at=when + timedelta(days=1))
        if i % 10 == 0:
            make_incident(w.leader, when, title=f"事件{i}", people=people[:3], post_place=w.grid_b,
                          acks=[(w.cadre, RECEIVED, when, None, None)])
    db.session.expire_all()
    with count_queries() as many:
        page = stats_page(client, **MARCH_APRIL)
    assert total(page, "checkins") == "44"
    assert few.count == many.count


# --- Counting a year of records: kept between views, topped up with what arrived ----------------

def test_a_check_in_synced_after_a_view_is_counted_on_the_next(client, auth, march):
    auth.login("leader")
    assert total(stats_page(client, **MARCH_APRIL), "checkins") == "4"
    make_checkin(march.liaison, march.grid_a, when=local(2026, 4, 3, 22, 0))  # a late evening visit, synced now
    page = stats_page(client, **MARCH_APRIL)
    assert total(page, "checkins") == "5"
    assert table_rows(page, "by-month")["2026-04"]["checkins"] == "1"
    assert table_rows(page, "by-place")["东村"]["checkins"] == "3"


def test_a_person_moved_to_another_team_moves_their_records_with_them(client, auth, march):
    auth.login("leader")
    assert table_rows(stats_page(client, **MARCH_APRIL), "by-team")["网格员"]["checkins"] == "1"
    march.liaison_b.team = "grid_worker"
    db.session.commit()
    page = stats_page(client, **MARCH_APRIL)
    assert table_rows(page, "by-team")["网格员"]["checkins"] == "2"
    assert total(stats_page(client, team="grid_worker", **MARCH_APRIL), "checkins") == "2"


def test_a_record_that_commits_late_with_a_lower_id_is_not_missed(client, auth, world):
    first = [make_checkin(world.liaison, world.grid_a, when=local(2026, 3, 2 + i, 9)) for i in range(3)]
    held_id = first[1].id
    db.session.delete(first[1])  # the id a slow transaction holds while later ones commit
    db.session.commit()
    auth.login("leader")
    assert total(stats_page(client, **MARCH_APRIL), "checkins") == "2"
    late = CheckIn(id=held_id, uuid=str(uuid.uuid4()), user_id=world.liaison.id, place_id=world.grid_a.id,
                   occurred_at=local(2026, 3, 9, 9), content_hash="test")
    db.session.add(late)
    db.session.commit()
    assert total(stats_page(client, **MARCH_APRIL), "checkins") == "3"
