"""Fixed-point service days (定点便民服务): a leader arranges a morning at a centre with its
services and staff; at the tablet the staff tally residents served, a tap each (online, or
offline and synced as `service_tally` records); a resident's request raised there names the
day; the phone learns the days of a week back and a week ahead from /api/v1/me."""
import uuid
from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from fuxin_pwa.extensions import db
from fuxin_pwa.requests.models import ResidentRequest
from fuxin_pwa.service_days.models import ServiceDay, ServiceKind, ServiceTally
from fuxin_pwa.service_days.services import DayInput, save_day
from fuxin_pwa.timeutil import local_today
from tests.factories import now_iso, synced as sync



def kind(code):
    return db.session.scalar(sa.select(ServiceKind).where(ServiceKind.code == code))


def a_day(world, place=None, on=None, codes=("haircut", "clinic"), staff=(), title="东村便民服务日"):
    return save_day(world.leader, DayInput(title, (place or world.village_a).id, on or local_today(), time(8, 30),
                                           time(11, 30), [kind(c).id for c in codes], [u.id for u in staff], None, None))


def tally(day, service="haircut", count=1, **data):
    return {"id": str(uuid.uuid4()), "type": "service_tally", "occurred_at": now_iso(),
            "data": {"event_id": day.id, "service": service, "count": count, **data}}


def served(day_id) -> dict[str, int]:
    rows = db.session.execute(sa.select(ServiceKind.code, sa.func.sum(ServiceTally.count))
                              .join(ServiceKind, ServiceKind.id == ServiceTally.kind_id)
                              .where(ServiceTally.day_id == day_id).group_by(ServiceKind.code)).all()
    return {code: int(n) for code, n in rows}


def test_a_leader_arranges_a_morning_at_the_centre_and_its_staff_see_it_on_their_home(client, auth, world):
    auth.login("leader")
    r = client.post("/service-days/new", data=MultiDict([
        ("title", "万科社区党群服务中心便民服务日"), ("place_id", world.community.id),
        ("held_on", f"{local_today():%Y-%m-%d}"), ("starts_at", "08:30"), ("ends_at", "11:30"),
        ("kind_ids", kind("haircut").id), ("kind_ids", kind("legal").id),
        ("staff_ids", world.community_worker.id), ("staff_ids", world.liaison.id),
        ("volunteers", "福山区人民医院志愿服务队")]))
    assert r.status_code == 302
    day = db.session.scalar(sa.select(ServiceDay))
    assert [k.code for k in day.services] == ["haircut", "legal"]
    assert {u.username for u in day.staff} == {"community", "liaison"}
    auth.logout()
    # The liaison does not cover 万科社区, but she is on the day's staff: it is on her home.
    auth.login("liaison")
    home = client.get("/?field=1").get_data(as_text=True)
    assert "今日便民服务" in home and "万科社区党群服务中心便民服务日" in home
    assert client.get(f"/service-days/{day.id}").status_code == 200


def test_bad_input_comes_back_filled_with_chinese_errors(client, auth, world):
    auth.login("leader")
    r = client.post("/service-days/new", data={"title": "盐场便民服务", "place_id": world.village_a.id,
                                                "held_on": f"{local_today():%Y-%m-%d}", "starts_at": "11:00",
                                                "ends_at": "09:00", "volunteers": "医院志愿者"})
    said = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "结束时间应晚于开始时间" in said and "请至少选择一项服务" in said
    assert "盐场便民服务" in said and "医院志愿者" in said
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ServiceDay)) == 0


def test_a_tablet_offline_tallies_three_haircuts_and_a_clinic_visit_and_back_online_they_count_once(
        client, auth, world):
    day = a_day(world)
    auth.login("liaison")
    batch = [tally(day), tally(day), tally(day), tally(day, "clinic")]
    assert [r["status"] for r in sync(client, batch)] == ["created"] * 4
    assert [r["status"] for r in sync(client, batch)] == ["duplicate"] * 4  # the same batch again
    assert served(day.id) == {"haircut": 3, "clinic": 1}
    auth.logout()
    auth.login("leader")
    page = client.get(f"/service-days/{day.id}").get_data(as_text=True)
    assert "服务群众 4 人次" in page and "赵包村" in page


def test_a_mornings_two_hundred_taps_synced_together_cost_the_statements_of_twenty(
        app, client, auth, world, count_queries):
    day = a_day(world)
    auth.login("liaison")
    costs = []
    for n in (20, 200):
        batch = [tally(day, "haircut" if i % 2 else "clinic") for i in range(n)]
        db.session.expire_all()
        app.extensions.pop("fuxin_kept_values", None)  # each from a worker that kept nothing yet
        with count_queries() as q:
            assert {r["status"] for r in sync(client, batch)} == {"created"}
        costs.append(q.count)
    assert costs[0] == costs[1], costs
    assert served(day.id) == {"haircut": 110, "clinic": 110}


def test_a_paper_count_is_entered_as_one_tally_of_many(client, auth, world):
    day = a_day(world)
    auth.login("liaison")
    assert sync(client, [tally(day, "clinic", 37, note="纸质登记表补录")])[0]["status"] == "created"
    assert served(day.id) == {"clinic": 37}


@pytest.mark.parametrize("change, field", [
    ({"service": "legal"}, "service"),  # not offered that day
    ({"service": "poem"}, "service"),
    ({"count": 0}, "count"),
    ({"count": 501}, "count"),
    ({"count": "三"}, "count"),
    ({"event_id": 999999}, "event_id"),
    ({"event_id": "x"}, "event_id"),
])
def test_a_tally_that_cannot_be_counted_is_rejected_on_its_field(client, auth, world, change, field):
    day = a_day(world)
    auth.login("liaison")
    record = tally(day)
    record["data"].update(change)
    [result] = sync(client, [record])
    assert result["status"] == "rejected" and field in result["errors"], result
    assert served(day.id) == {}


def test_next_weeks_day_a_called_off_day_and_another_villages_day_take_no_tally(client, auth, world):
    ahead = a_day(world, on=local_today() + timedelta(days=3))
    off = a_day(world)
    off.cancelled_at = datetime(2026, 1, 1)
    db.session.commit()
    elsewhere = a_day(world, place=world.village_b, title="西村便民服务日")
    auth.login("liaison")
    results = sync(client, [tally(ahead), tally(off), tally(elsewhere)])
    assert [r["status"] for r in results] == ["rejected"] * 3
    assert "该服务日还没到，不能登记" in results[0]["errors"]["event_id"]
    assert "该服务日已取消" in results[1]["errors"]["event_id"]
    assert "服务日不存在或不在您的范围内" in results[2]["errors"]["event_id"]
    assert client.get(f"/service-days/{elsewhere.id}").status_code == 404


def test_a_tablet_back_after_a_week_offline_still_sends_last_saturdays_tallies(client, auth, world):
    day = a_day(world, on=local_today() - timedelta(days=6))
    auth.login("liaison")
    old = tally(day, count=2)
    old["occurred_at"] = now_iso(timedelta(days=-6))
    assert sync(client, [old])[0]["status"] == "created"


def test_the_phone_learns_the_days_of_a_week_back_and_a_week_ahead(client, auth, world):
    today = local_today()
    inside = [a_day(world, on=today - timedelta(days=7), title="上周"), a_day(world, on=today + timedelta(days=7),
                                                                              title="下周")]
    a_day(world, on=today - timedelta(days=8), title="太早")
    a_day(world, on=today + timedelta(days=8), title="太晚")
    a_day(world, place=world.village_b, title="西村")
    auth.login("liaison")
    me = client.get("/api/v1/me").get_json()
    assert "service_tally" in me["types"]
    days = me["service_days"]
    assert [d["id"] for d in days] == [d.id for d in inside]
    assert days[0] == {"id": inside[0].id, "title": "上周", "place_id": world.village_a.id,
                       "on": f"{today - timedelta(days=7):%Y-%m-%d}", "starts_at": "08:30", "ends_at": "11:30",
                       "services": [{"code": "haircut", "label": "理发"}, {"code": "clinic", "label": "义诊"}]}
    auth.logout()
    auth.login("leader")  # leaders: every day in the window
    assert {d["title"] for d in client.get("/api/v1/me").get_json()["service_days"]} == {"上周", "下周", "西村"}


def test_a_new_day_reaches_the_phone_at_once(client, auth, world):
    auth.login("liaison")
    first = client.get("/api/v1/me")
    a_day(world)
    again = client.get("/api/v1/me", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and len(again.get_json()["service_days"]) == 1


def test_a_grid_worker_sees_the_day_at_her_communitys_centre(client, auth, world):
    """Her places are a grid of 万科社区; the centre is the community's own place, above them."""
    day = a_day(world, place=world.community, title="万科社区党群服务中心便民服务日")
    auth.login("grid")
    assert [d["id"] for d in client.get("/api/v1/me").get_json()["service_days"]] == [day.id]
    assert sync(client, [tally(day)])[0]["status"] == "created"


def test_a_request_raised_at_the_day_names_it_even_from_staff_who_do_not_cover_the_place(client, auth, world):
    day = a_day(world, place=world.community, staff=[world.liaison], title="万科社区党群服务中心便民服务日")
    auth.login("liaison")
    page = client.get(f"/requests/new?service_day_id={day.id}").get_data(as_text=True)
    assert "在万科社区党群服务中心便民服务日登记" in page and f'<option selected value="{world.community.id}">' in page
    record = {"id": str(uuid.uuid4()), "type": "request", "occurred_at": now_iso(),
              "data": {"place_id": world.community.id, "resident_name": "李大爷", "category": "facility_repair",
                       "description": "楼道灯坏了", "service_day_id": day.id}}
    assert sync(client, [record])[0]["status"] == "created"
    raised = db.session.scalar(sa.select(ResidentRequest))
    assert raised.service_day_id == day.id
    assert "楼道灯坏了" in client.get(f"/service-days/{day.id}").get_data(as_text=True)
    # Without the day, the community is not hers to raise a request at.
    del record["data"]["service_day_id"]
    record["id"] = str(uuid.uuid4())
    assert sync(client, [record])[0]["errors"] == {"place_id": ["不在您的包片范围内"]}


def test_without_js_a_tap_posts_and_the_page_comes_back(client, auth, world):
    day = a_day(world)
    auth.login("liaison")
    page = client.get("/service-days/tally").get_data(as_text=True)
    assert f'id="day-{day.id}"' in page and "理发" in page and "义诊" in page
    r = client.post("/service-days/tally", data={"record_id": str(uuid.uuid4()), "event_id": day.id,
                                                 "service": "haircut", "count": 1})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"#day-{day.id}")
    assert served(day.id) == {"haircut": 1}
    r = client.post("/service-days/tally", data={"record_id": str(uuid.uuid4()), "event_id": day.id,
                                                 "service": "clinic", "count": 900, "note": "纸质表"})
    said = r.get_data(as_text=True)
    assert r.status_code == 422 and "人数应在 1 到 500 之间" in said and "纸质表" in said and 'value="900"' in said


def test_the_totals_a_tablet_asks_for_after_a_sync_are_every_tablets(client, auth, world):
    day = a_day(world)
    other = a_day(world, place=world.village_b, title="西村")
    auth.login("cadre")
    sync(client, [tally(day), tally(day, "clinic", 4), tally(other)])
    auth.logout()
    auth.login("liaison")
    answer = client.get(f"/service-days/totals?day={day.id}&day={other.id}&day=abc").get_json()
    assert answer["totals"] == {str(day.id): {"haircut": 1, "clinic": 4}}  # 西村 is not hers
    assert isinstance(answer["drawn_at"], int)


def test_an_admin_adds_a_service_and_a_stopped_one_is_no_longer_offered(client, auth, world):
    auth.login("admin")
    r = client.post("/admin/services", data={"label": "磨刀", "label_en": "Knife sharpening",
                                             "code": "knife_sharpening", "sort": 9, "active": "y"})
    assert r.status_code == 302 and kind("knife_sharpening").label == "磨刀"
    r = client.post("/admin/services", data={"label": "再来一个", "code": "haircut", "sort": 1})
    assert r.status_code == 422 and "代码 haircut 已存在" in r.get_data(as_text=True)
    haircut = kind("haircut")
    r = client.post(f"/admin/services/{haircut.id}/edit", data={"label": "理发", "code": "haircut", "sort": 0})
    assert r.status_code == 302 and not kind("haircut").active
    auth.logout()
    auth.login("leader")
    form = client.get("/service-days/new").get_data(as_text=True)
    assert "磨刀" in form and f'name="kind_ids" value="{haircut.id}"' not in form


JUNK = st.one_of(st.text(max_size=30), st.integers(-(2 ** 70), 2 ** 70).map(str),
                 st.sampled_from(["", "0", "-1", "2147483648", "99999999999999999999", "0001-01-01", "9999-12-31",
                                  "25:61", "2026-02-30", "１２", "nan", "a" * 600]))
FIELDS = ["title", "place_id", "held_on", "starts_at", "ends_at", "kind_ids", "staff_ids", "volunteers", "note",
          "record_id", "event_id", "service", "count", "household_id"]


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_junk_in_any_service_day_form_is_a_field_error_never_a_server_error(app, client, auth, world, data):
    day = db.session.scalar(sa.select(ServiceDay)) or a_day(world)
    auth.login("leader")
    for url in ("/service-days/new", f"/service-days/{day.id}/edit", "/service-days/tally"):
        pairs = data.draw(st.lists(st.tuples(st.sampled_from(FIELDS), JUNK), max_size=8))
        r = client.post(url, data=MultiDict(pairs))
        assert r.status_code < 500, (url, pairs)
        if r.status_code == 422:
            assert 'class="error' in r.get_data(as_text=True), (url, pairs)
    record = tally(day)
    record["data"].update(dict(data.draw(st.lists(st.tuples(st.sampled_from(FIELDS[10:]), JUNK), max_size=4))))
    assert sync(client, [record])[0]["status"] in ("created", "rejected")
    auth.logout()


def test_the_tally_page_costs_the_same_queries_for_one_day_as_for_six(client, auth, world, queries_of):
    a_day(world)
    auth.login("liaison")
    one = queries_of(lambda: client.get("/service-days/tally"))
    for i in range(1, 6):
        a_day(world, on=local_today() - timedelta(days=i))
    assert queries_of(lambda: client.get("/service-days/tally")) == one


def test_the_statistics_count_residents_served_per_service_and_month_and_the_ledger_lists_each_day(
        client, auth, world):
    import io

    from openpyxl import load_workbook

    day = a_day(world, staff=[world.liaison])
    elsewhere = a_day(world, place=world.community, codes=("legal",), title="万科社区便民服务日")
    auth.login("liaison")
    sync(client, [tally(day), tally(day), tally(day, "clinic", 5)])
    auth.logout()
    auth.login("leader")
    month = f"{local_today():%Y-%m}"
    page = client.get(f"/stats/?date_from={local_today():%Y-%m-01}&date_to={local_today():%Y-%m-%d}")
    said = page.get_data(as_text=True)
    assert "便民服务人次" in said and month in said
    assert 'data-served="理发">2<' in said and 'data-served="义诊">5<' in said and 'data-served="法律咨询">0<' in said
    r = client.get(f"/stats/export.xlsx?ledger=services&date_from={local_today():%Y-%m-01}"
                   f"&date_to={local_today():%Y-%m-%d}")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.data)).active
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=2)]
    assert [(row[1], row[4], row[5]) for row in rows] == [
        ("东村便民服务日", "理发", 2), ("东村便民服务日", "义诊", 5), ("万科社区便民服务日", "法律咨询", 0)]
    assert rows[0][6] == "赵包村"
    # Narrowed to 万科社区: only its day.
    r = client.get(f"/stats/?date_from={local_today():%Y-%m-01}&date_to={local_today():%Y-%m-%d}"
                   f"&place_id={world.community.id}")
    assert 'data-served="理发">0<' in r.get_data(as_text=True)
    assert elsewhere.id
