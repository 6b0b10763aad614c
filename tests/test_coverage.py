"""Weekly coverage (全域覆盖): liaisons × villages and grid workers × grids, week by week,
the 12-week strips, and what no one has visited yet. Evidence of work, never a ranking."""
import io
import re
import uuid
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import CheckIn, TaskKind, TaskLog
from fuxin_pwa.photos.services import save_photo
from fuxin_pwa.places.models import Assignment, Place
from fuxin_pwa.timeutil import local_today, to_local, to_utc_naive, utcnow, week_start
from tests.factories import make_checkin, make_task_log, make_user

HX = {"HX-Request": "true"}


def local(*args) -> datetime:
    """A Shanghai wall-clock time as the naive UTC the database stores."""
    return to_utc_naive(datetime(*args))


def visit(person, place, when=None, **kw):
    """A check-in with a good position (±15 m), unless told otherwise."""
    return make_checkin(person, place, when=when, **{"lat": 37.5, "lon": 121.2, "accuracy_m": 15, **kw})


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def cell(html: str, username: str, place: str) -> tuple[str, str]:
    """The state class and the words of one person's cell for one place."""
    m = re.search(rf'<a class="cov-cell (is-\w+)"[^>]*data-person="{username}" data-place="{place}">(.*?)</a>',
                  html, re.S)
    assert m, f"no cell for {username} at {place}"
    return m.group(1), text(m.group(2))


def strip(html: str, place: str) -> list[bool]:
    """The 12-week strip of a place, oldest first: True where someone checked in."""
    m = re.search(rf'<tr data-strip="{place}">(.*?)</tr>', html, re.S)
    assert m, f"no strip for {place}"
    cells = re.findall(r'<td class="([yn])">(.*?)</td>', m.group(1))
    assert all(said == ("✓" if state == "y" else "无") for state, said in cells)  # words, not colour alone
    return [state == "y" for state, _ in cells]


def uncovered(html: str) -> str:
    return text(html[html.index('id="uncovered"'):html.index('id="strips"')])


def uncovered_item(html: str, path: str) -> str:
    section = html[html.index('id="uncovered"'):html.index('id="strips"')]
    for item in re.findall(r"<li>(.*?)</li>", section, re.S):
        if f"<strong>{path}</strong>" in item:
            return text(item)
    raise AssertionError(f"{path} is not in 本周未覆盖")


def page(client, week=None):
    r = client.get("/coverage/" + (f"?week={week}" if week else ""))
    assert r.status_code == 200
    return r.get_data(as_text=True)


@pytest.fixture
def leader(client, auth, world):
    auth.login("leader")
    return world


# --- Who may look --------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["liaison", "cadre", "grid", "community"])
def test_field_roles_get_403_on_the_matrix_and_the_evidence(client, auth, world, username):
    auth.login(username)
    assert client.get("/coverage/").status_code == 403
    url = f"/coverage/cell?user_id={world.liaison.id}&place_id={world.village_a.id}"
    assert client.get(url).status_code == 403
    assert client.get(url, headers=HX).status_code == 403


@pytest.mark.parametrize("username", ["leader", "admin"])
def test_leaders_and_admins_see_both_matrices(client, auth, world, username):
    auth.login(username)
    html = page(client)
    assert "包村干部 × 村" in html and "网格员 × 网格" in html
    assert cell(html, "liaison", "东村")[0] == "is-missing"
    assert cell(html, "grid", "万科第1网格")[0] == "is-missing"


def test_logged_out_people_are_sent_to_log_in(client, world):
    r = client.get("/coverage/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


# --- The matrix ----------------------------------------------------------------------------

def test_a_liaisons_checkins_this_week_turn_her_village_visited_with_the_count(client, leader):
    w = leader
    make_checkin(w.liaison, w.village_a, lat=37.5, lon=121.2, accuracy_m=15)
    make_checkin(w.liaison, w.grid_a, lat=37.5, lon=121.2, accuracy_m=20)  # below 东村: counts for it
    make_checkin(w.liaison_b, w.village_a, lat=37.5, lon=121.2, accuracy_m=20)  # someone else's visit
    html = page(client)
    assert cell(html, "liaison", "东村") == ("is-visited", "东村 ✓ 已入村 2 次")
    assert cell(html, "liaison_b", "西村") == ("is-missing", "西村 ✗ 未入村")
    assert "孙干部" not in html[:html.index('id="uncovered"')]  # young cadres are not in the matrices


def test_a_grid_workers_checkin_at_an_estate_in_her_grid_counts_for_the_grid(client, leader):
    make_checkin(leader.grid, leader.estate, lat=37.5, lon=121.3, accuracy_m=10)
    assert cell(page(client), "grid", "万科第1网格") == ("is-visited", "万科第1网格 ✓ 已走访 1 次")


def test_a_checkin_last_week_leaves_this_weeks_cell_empty_but_shows_on_the_strip(client, leader):
    make_checkin(leader.liaison, leader.village_a, when=utcnow() - timedelta(days=7))
    html = page(client)
    assert cell(html, "liaison", "东村")[0] == "is-missing"
    assert strip(html, "东村") == [False] * 10 + [True, False]
    assert strip(html, "西村") == [False] * 12
    assert "上次签到： " + to_local(utcnow() - timedelta(days=7)).strftime("%Y-%m-%d") in uncovered_item(html, "东村")


def test_the_strip_of_a_village_counts_anyones_checkin_in_its_grids(client, leader):
    for weeks_ago in (0, 3, 11, 12):  # 12 weeks ago is off the strip
        make_checkin(leader.cadre, leader.grid_b, when=utcnow() - timedelta(days=7 * weeks_ago))
    html = page(client)
    expected = [False] * 12
    for weeks_ago in (0, 3, 11):
        expected[11 - weeks_ago] = True
    assert strip(html, "西村") == expected == strip(html, "西村第1网格")
    assert re.search(r'<tr data-strip="西村">.*?<td class="cov-gaps">9</td>', html, re.S)
    assert "已有人签到：村 1 / 2 · 网格 1 / 3" in text(html)


def test_low_accuracy_and_no_location_checkins_count_and_are_marked(client, leader):
    w = leader
    make_checkin(w.liaison, w.village_a, lat=37.5, lon=121.2, accuracy_m=15)
    html = page(client)
    assert cell(html, "liaison", "东村") == ("is-visited", "东村 ✓ 已入村 1 次")  # accurate: no mark

    make_checkin(w.liaison, w.village_a, lat=37.5, lon=121.2, accuracy_m=350)  # low accuracy
    make_checkin(w.liaison, w.grid_a)  # no location at all
    make_checkin(w.liaison_b, w.village_b, lat=37.5, lon=121.2)  # a position without its accuracy
    html = page(client)
    assert cell(html, "liaison", "东村") == ("is-visited", "东村 ✓ 已入村 3 次 含定位精度低/无定位 2 次")
    assert cell(html, "liaison_b", "西村") == ("is-visited", "西村 ✓ 已入村 1 次 含定位精度低/无定位 1 次")


def test_people_are_ordered_by_name_and_never_ranked(client, leader):
    people = [make_user(f"v{n}", "village_liaison", name=f"包村{n}号", places=[leader.village_a]) for n in (2, 3, 1)]
    for _ in range(5):
        make_checkin(people[1], leader.village_a)  # 包村3号 works hardest: still listed last
    make_checkin(people[0], leader.village_a)
    html = page(client)
    names = re.findall(r'<h3 class="cov-person">(.*?)</h3>', html)
    assert names[:3] == ["包村1号", "包村2号", "包村3号"]
    assert cell(html, "v3", "东村")[1].startswith("东村 ✓ 已入村 5 次")
    for word in ("排名", "排行", "名次", "在线时长"):
        assert word not in html


def test_inactive_people_and_places_are_left_out(client, leader):
    w = leader
    w.liaison_b.active = False
    w.grid_b.active = False
    db.session.commit()
    html = page(client)
    assert 'data-person="liaison_b"' not in html
    assert "西村第1网格" not in html
    assert "西村" in uncovered(html)


def test_a_liaison_without_villages_still_has_a_row(client, leader):
    make_user("newcomer", "village_liaison", name="新包村")
    html = page(client)
    row = html[html.index('id="cov-newcomer"'):]
    assert "新包村" in row[:200] and "未分配包片地点" in row[:300]
    assert '<a href="#cov-newcomer">新包村</a>' in html  # and a name in the index


# --- 本周未覆盖 -------------------------------------------------------------------------------

def test_an_unvisited_grid_is_listed_with_its_owner_and_last_visit(client, leader):
    w = leader
    three_weeks_ago = utcnow() - timedelta(days=21)
    make_checkin(w.grid, w.estate, when=three_weeks_ago)  # the estate lies in 万科第1网格
    make_checkin(w.liaison, w.village_a)  # 东村 this week, at the village itself
    html = page(client)
    listed = uncovered(html)

    grid_c = uncovered_item(html, "万科社区 / 万科第1网格")
    assert "负责人：周网格" in grid_c
    assert f"上次签到： {to_local(three_weeks_ago):%Y-%m-%d}" in grid_c
    # A grid no one owns: its village's people are named, and it was never visited.
    grid_b = uncovered_item(html, "西村 / 西村第1网格")
    assert "无专人" in grid_b and "上级西村：孙干部、钱包村" in grid_b and "从未" in grid_b
    # 东村 was visited this week; its grid was not (a visit to the village is not one to the grid).
    assert "<strong>东村</strong>" not in html[html.index('id="uncovered"'):html.index('id="strips"')]
    assert "东村 / 东村第1网格" in listed
    # Villages first, then grids; communities and estates are not part of the promise.
    assert listed.index("西村 村") < listed.index("万科社区 / 万科第1网格")
    assert "万科假日风景小区" not in listed


def test_when_everything_is_visited_the_list_says_so(client, leader):
    w = leader
    for person, place in ((w.liaison, w.grid_a), (w.liaison_b, w.grid_b), (w.grid, w.grid_c)):
        make_checkin(person, place)
    html = page(client)
    assert "每个村和网格都有人签到" in html
    assert "已有人签到：村 2 / 2 · 网格 3 / 3" in text(html)


# --- Weeks ---------------------------------------------------------------------------------

def test_a_past_week_shows_that_weeks_visits_and_links_both_ways(client, leader):
    w = leader
    when = utcnow() - timedelta(days=21)
    visit(w.liaison, w.village_a, when=when)
    monday = week_start(to_local(when).date())
    this_monday = week_start()

    now = page(client)
    assert cell(now, "liaison", "东村")[0] == "is-missing"
    assert f'rel="prev" href="/coverage/?week={this_monday - timedelta(days=7)}"' in now
    assert 'rel="next"' not in now  # next week has not begun

    then = page(client, (monday + timedelta(days=2)).isoformat())  # any day of the week
    assert cell(then, "liaison", "东村") == ("is-visited", "东村 ✓ 已入村 1 次")
    assert f"{monday} 至 {monday + timedelta(days=6)}" in then
    assert f'rel="next" href="/coverage/?week={monday + timedelta(days=7)}"' in then
    assert "该周未覆盖" in then and "回到本周" in then
    # Tapping a cell of that week opens that week's evidence.
    assert f'href="/coverage/cell?user_id={w.liaison.id}&amp;place_id={w.village_a.id}&amp;week={monday}"' in then


def test_the_week_runs_monday_to_sunday_in_shanghai_time(client, leader):
    w = leader
    # Sunday 23:30 and Monday 00:10 in Fuxin are both on Sunday in UTC: only local weeks split them.
    visit(w.liaison, w.village_a, when=local(2024, 8, 11, 23, 30), note="周日深夜")
    visit(w.liaison, w.village_a, when=local(2024, 8, 12, 0, 10), note="周一凌晨")
    for day in ("2024-08-05", "2024-08-07", "2024-08-11"):
        assert cell(page(client, day), "liaison", "东村") == ("is-visited", "东村 ✓ 已入村 1 次")
    assert cell(page(client, "2024-08-12"), "liaison", "东村") == ("is-visited", "东村 ✓ 已入村 1 次")
    assert cell(page(client, "2024-08-19"), "liaison", "东村")[0] == "is-missing"

    sunday_week = client.get(f"/coverage/cell?user_id={w.liaison.id}&place_id={w.village_a.id}&week=2024-08-08")
    body = sunday_week.get_data(as_text=True)
    assert "2024-08-11 23:30" in body and "周日深夜" in body and "周一凌晨" not in body


def test_a_future_week_is_refused_with_a_clear_message_and_this_week_shown(client, leader):
    future = (local_today() + timedelta(days=14)).isoformat()
    r = client.get(f"/coverage/?week={future}")
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "这一周还没有到，不能查看；已显示本周" in html
    monday = week_start()
    assert f"{monday} 至 {monday + timedelta(days=6)}" in html
    assert client.get(f"/coverage/?week={future}", headers=HX).status_code == 422


def test_a_date_that_is_not_a_date_is_refused_and_this_week_shown(client, leader):
    r = client.get("/coverage/?week=2024-13-45")
    assert r.status_code == 422
    assert "不是有效的日期值" in r.get_data(as_text=True)
    assert client.get("/coverage/?week=1900-01-01").status_code == 422


# --- The evidence of a cell ----------------------------------------------------------------

def _photo(user, record):
    picture = io.BytesIO()
    Image.new("RGB", (8, 8)).save(picture, "JPEG")
    return save_photo(user, record, str(uuid.uuid4()), "image/jpeg", picture.getvalue()).photo


def test_the_evidence_panel_shows_time_gps_accuracy_note_photos_and_task_logs(client, leader):
    w = leader
    evening = make_checkin(w.liaison, w.village_a, when=local(2024, 8, 6, 21, 15), lat=37.4968, lon=121.2541,
                           accuracy_m=18, note="晚上入村，传达防汛部署")
    photo = _photo(w.liaison, evening)
    make_checkin(w.liaison, w.grid_a, when=local(2024, 8, 8, 9, 5), note="网格里没信号")
    make_checkin(w.liaison, w.village_a, when=local(2024, 8, 9, 10, 0), lat=37.5, lon=121.2, accuracy_m=420)
    make_task_log(w.liaison, w.grid_a, "demolition_talk", when=local(2024, 8, 6, 21, 40), summary="约谈东村1号户主",
                  household_id=w.household_a.id)
    make_checkin(w.liaison_b, w.village_a, when=local(2024, 8, 7, 8, 0), note="别人的签到")
    make_checkin(w.liaison, w.village_a, when=local(2024, 8, 13, 8, 0), note="下一周的签到")
    url = f"/coverage/cell?user_id={w.liaison.id}&place_id={w.village_a.id}&week=2024-08-06"

    r = client.get(url, headers=HX)
    assert r.status_code == 200 and "HX-Request" in r.headers["Vary"]
    panel = r.get_data(as_text=True)
    assert "<html" not in panel  # the panel's content only
    said = text(panel)
    assert "赵包村 · 东村" in said and "2024-08-05 至 2024-08-11" in said
    assert "签到 3 次" in said and "其中定位精度低/无定位 2 次" in said
    assert "2024-08-06 21:15 定位 37.49680, 121.25410 ±18 米 晚上入村，传达防汛部署" in said
    assert "2024-08-08 09:05 东村第1网格 无定位 网格里没信号" in said
    assert "2024-08-09 10:00 定位 37.50000, 121.20000 ±420 米 定位精度低" in said
    assert f"/photos/{photo.uuid}/thumb" in panel
    assert "2024-08-06 21:40 违建约谈 东村第1网格 东村1号 约谈东村1号户主" in said
    assert "别人的签到" not in said and "下一周的签到" not in said
    assert said.index("21:15") < said.index("09:05") < said.index("10:00")  # the week in order

    full = client.get(url)  # without JS: the same evidence as a page, with the way back
    body = full.get_data(as_text=True)
    assert full.status_code == 200 and "<html" in body and "晚上入村，传达防汛部署" in body
    assert 'href="/coverage/?week=2024-08-05"' in body


def test_an_empty_cell_says_so(client, leader):
    r = client.get(f"/coverage/cell?user_id={leader.grid.id}&place_id={leader.grid_c.id}", headers=HX)
    assert "该周没有签到" in r.get_data(as_text=True)


@pytest.mark.parametrize("query", ["user_id=9999&place_id={place}", "user_id={user}&place_id=9999",
                                   "place_id={place}", "user_id=x&place_id={place}"])
def test_the_evidence_of_an_unknown_person_or_place_is_404(client, leader, query):
    q = query.format(user=leader.liaison.id, place=leader.village_a.id)
    assert client.get(f"/coverage/cell?{q}").status_code == 404


# --- A fixed number of queries, whatever the data -------------------------------------------

def grow(world, villages=6, weeks=14):
    """More villages with grids, liaisons and grid workers, and check-ins (every other week
    a weak one) and task logs over more weeks than the strip holds; added in one commit."""
    now = utcnow()
    kind = db.session.scalar(sa.select(TaskKind.id).where(TaskKind.code == "resident_visit"))
    records = []

    def checkin(person, place, when, **kw):
        records.append(CheckIn(uuid=str(uuid.uuid4()), user_id=person.id, place_id=place.id, occurred_at=when,
                               content_hash="test", **kw))

    for v in range(villages):
        village = Place(name=f"新村{v}", kind="village", parent_id=world.subdistrict.id)
        db.session.add(village)
        db.session.flush()
        grids = [Place(name=f"新村{v}第{g}网格", kind="grid", parent_id=village.id) for g in range(3)]
        db.session.add_all(grids)
        db.session.flush()
        liaison = make_user(f"lv{v}", "village_liaison", name=f"新包村{v}", places=[village, world.village_a])
        workers = [make_user(f"gw{v}{g}", "grid_worker", name=f"新网格{v}{g}", places=[grid])
                   for g, grid in enumerate(grids)]
        for week in range(weeks):
            when = now - timedelta(days=7 * week, seconds=v)
            checkin(liaison, village, when, lat=37.5, lon=121.2, accuracy_m=300 if week % 2 else 10)
            checkin(liaison, world.grid_a, when)
            for worker, grid in zip(workers, grids):
                checkin(worker, grid, when - timedelta(hours=1))
                records.append(TaskLog(uuid=str(uuid.uuid4()), user_id=worker.id, place_id=grid.id, kind_id=kind,
                                       summary="走访", occurred_at=when, content_hash="test"))
    db.session.add_all(records)
    db.session.add(Assignment(user_id=world.liaison_b.id, place_id=world.grid_b.id))
    db.session.commit()


def test_the_matrix_runs_the_same_number_of_queries_for_a_small_and_a_big_world(client, leader, count_queries):
    make_checkin(leader.liaison, leader.village_a)
    page(client)  # warm up whatever is loaded once per process
    db.session.expire_all()  # the tests share the app's session: start both counts from cold
    with count_queries() as small:
        html = page(client)
    assert cell(html, "liaison", "东村")[0] == "is-visited"

    grow(leader)
    db.session.expire_all()
    with count_queries() as big:
        html = page(client)
    assert cell(html, "lv5", "新村5")[1] == "新村5 ✓ 已入村 1 次"
    assert html.count('class="cov-cell ') > 30
    assert big.count == small.count <= 9  # the matrix, the strips, the rounds owed and the care visits the leader owes


def test_the_evidence_panel_runs_the_same_number_of_queries_for_a_small_and_a_big_world(
        client, leader, count_queries):
    w = leader
    make_checkin(w.liaison, w.village_a)
    url = f"/coverage/cell?user_id={w.liaison.id}&place_id={w.village_a.id}"
    db.session.expire_all()  # the tests share the app's session: start both counts from cold
    with count_queries() as small:
        client.get(url, headers=HX)

    grow(w)
    for n in range(12):
        record = make_checkin(w.liaison, w.grid_a if n % 2 else w.village_a, note=f"第{n}次")
        if n < 3:
            _photo(w.liaison, record)
        make_task_log(w.liaison, w.grid_a, summary=f"走访{n}")
    db.session.expire_all()
    with count_queries() as big:
        panel = client.get(url, headers=HX).get_data(as_text=True)
    assert "第11次" in panel and "走访11" in panel and panel.count("/thumb") == 3
    assert big.count == small.count <= 8


def test_a_past_weeks_last_visit_is_the_latest_up_to_that_week_not_one_made_after(client, leader):
    w = leader
    five_weeks_ago, yesterday = utcnow() - timedelta(days=35), utcnow() - timedelta(days=1)
    visit(w.grid, w.grid_c, when=five_weeks_ago)
    visit(w.grid, w.grid_c, when=yesterday)  # after the week looked at
    two_weeks_ago = week_start(to_local(utcnow() - timedelta(days=14)).date())
    then = uncovered_item(page(client, two_weeks_ago.isoformat()), "万科社区 / 万科第1网格")
    assert f"上次签到： {to_local(five_weeks_ago):%Y-%m-%d}" in then
    assert f"{to_local(yesterday):%Y-%m-%d}" not in then
    # A place first visited after that week had not been visited then.
    visit(w.liaison_b, w.grid_b, when=yesterday)
    assert "从未" in uncovered_item(page(client, two_weeks_ago.isoformat()), "西村 / 西村第1网格")
