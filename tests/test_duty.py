"""Duty rosters (值守排班): a leader builds a roster by rule and changes a shift; people see 我的值班
on their home and swap a shift between them; 谁在值班 with phones for leaders only; a check-in
at the place is the shift's evidence; the grid exports to Excel; a standby group is called up
onto an incident in one step."""
import io
from datetime import datetime, time, timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from werkzeug.datastructures import MultiDict

from fuxin_pwa.dispatch.models import Deployment, Incident
from fuxin_pwa.duty.models import ACCEPTED, APPLIED, Roster, Shift, StandbyGroup, SwapRequest
from fuxin_pwa.duty.routes import _home_duty
from fuxin_pwa.duty.services import RosterRule, ShiftRule, add_group, build_roster, set_shift_people
from fuxin_pwa.extensions import db
from fuxin_pwa.privacy.models import AccessLogEntry
from fuxin_pwa.timeutil import local_today, to_utc_naive, utcnow
from tests.factories import make_checkin

DAY, NIGHT = ShiftRule("白班", time(8), time(20)), ShiftRule("夜班", time(20), time(8))


def roster_form(world, **changes):
    data = {"name": "东村待征迁地块值守", "kind": "site_guard", "place_id": world.village_a.id,
            "starts_on": f"{local_today() + timedelta(days=1):%Y-%m-%d}", "days": "14",
            "shift1_label": "白班", "shift1_starts": "08:00", "shift1_ends": "20:00",
            "shift2_label": "夜班", "shift2_starts": "20:00", "shift2_ends": "08:00", "per_shift": "2",
            "member_ids": [world.cadre.id, world.liaison.id, world.liaison_b.id, world.grid.id]}
    data.update(changes)
    return data


def names_on(shift):
    return sorted(p.user.name for p in shift.people)


def shift_of(roster, day_offset, label):
    day = roster.starts_on + timedelta(days=day_offset)
    return next(s for s in roster.shifts if s.label == label and s.starts_at.date() in (day, day - timedelta(days=1))
                and s.starts_at >= to_utc_naive(datetime.combine(day, time(0))))


def test_a_fortnight_of_day_and_night_shifts_a_swap_and_the_roster_shows_him(client, auth, world):
    auth.login("leader")
    r = client.post("/duty/new", data=roster_form(world))
    assert r.status_code == 302
    roster = db.session.scalar(sa.select(Roster))
    assert len(roster.shifts) == 28 and roster.ends_on == roster.starts_on + timedelta(days=13)
    first_day, first_night = shift_of(roster, 0, "白班"), shift_of(roster, 0, "夜班")
    assert names_on(first_day) == sorted(["孙干部", "赵包村"])
    assert names_on(first_night) == sorted(["钱包村", "周网格"])
    # The next day, who was on days goes on nights.
    assert names_on(shift_of(roster, 1, "夜班")) == sorted(["孙干部", "赵包村"])
    assert first_night.ends_at - first_night.starts_at == timedelta(hours=12)
    auth.logout()

    auth.login("cadre")
    home = client.get("/").get_data(as_text=True)
    assert "我的值班" in home and "下一班" in home and "东村待征迁地块值守 · 白班" in home
    r = client.post(f"/duty/shifts/{first_day.id}/swap", data={"to_user_id": world.liaison_b.id})
    assert r.status_code == 302
    auth.logout()

    auth.login("liaison_b")
    assert "孙干部 请您替班" in client.get("/").get_data(as_text=True)
    swap = db.session.scalar(sa.select(SwapRequest))
    assert client.post(f"/duty/swaps/{swap.id}/answer", data={"answer": "yes"}).status_code == 302
    db.session.expire_all()
    assert swap.state == APPLIED
    assert names_on(db.session.get(Shift, first_day.id)) == sorted(["钱包村", "赵包村"])
    page = client.get(f"/duty/{roster.id}").get_data(as_text=True)
    assert "钱包村" in page
    auth.logout()
    auth.login("leader")
    assert client.get(f"/duty/{roster.id}").status_code == 200


def _roster(world, starts_on=None, approval=False, days=3, members=None):
    return build_roster(world.leader, RosterRule(
        "site_guard", "东村值守", world.village_a.id, starts_on or local_today() + timedelta(days=1), days,
        [DAY, NIGHT], 1, members or [world.cadre.id, world.liaison_b.id], approval))


def test_a_swap_waits_for_the_leader_where_the_roster_requires_it(client, auth, world):
    roster = _roster(world, approval=True)
    shift = roster.shifts[0]
    assert names_on(shift) == ["孙干部"]
    auth.login("cadre")
    client.post(f"/duty/shifts/{shift.id}/swap", data={"to_user_id": world.liaison_b.id})
    auth.logout()
    swap = db.session.scalar(sa.select(SwapRequest))
    # Nobody else answers it for him.
    auth.login("grid")
    assert client.post(f"/duty/swaps/{swap.id}/answer", data={"answer": "yes"}).status_code == 404
    auth.logout()
    auth.login("liaison_b")
    client.post(f"/duty/swaps/{swap.id}/answer", data={"answer": "yes"})
    auth.logout()
    db.session.expire_all()
    assert swap.state == ACCEPTED and names_on(shift) == ["孙干部"]
    auth.login("leader")
    assert "待领导批准" in client.get("/duty/mine").get_data(as_text=True)
    home = client.get("/?field=1").get_data(as_text=True)  # his home says whose it is, not "请您替班"
    assert "待批准：钱包村 替 孙干部 值 白班" in home and "请您替班" not in home
    client.post(f"/duty/swaps/{swap.id}/approve", data={"answer": "yes"})
    db.session.expire_all()
    assert swap.state == APPLIED and names_on(shift) == ["钱包村"]


def test_bad_input_comes_back_filled_with_a_chinese_error(client, auth, world):
    auth.login("leader")
    for changes, message in [({"days": "0"}, "天数应在 1 到 92 之间"),
                             ({"days": "abc"}, "不是有效的整数"), ({"shift1_starts": "25:00"}, "不是有效的时间"),
                             ({"per_shift": "9"}, "每班人数不能多于轮换人员数"),
                             ({"shift2_starts": ""}, "第二班请填写名称、开始和结束时间，或全部不填"),
                             ({"member_ids": ["999999"]}, "所选人员不在可选名单中"),
                             ({"place_id": "99999999999"}, "请选择值守地点"),
                             ({"starts_on": "0001-01-01"}, "日期超出范围"),
                             ({"name": ""}, "请填写排班名称")]:
        r = client.post("/duty/new", data=roster_form(world, **changes))
        page = r.get_data(as_text=True)
        assert r.status_code == 422, changes
        assert message in page, changes
        assert 'value="白班"' in page
    assert db.session.scalar(sa.select(sa.func.count(Roster.id))) == 0


def test_a_leader_changes_one_shift(client, auth, world):
    roster = _roster(world)
    shift = roster.shifts[0]
    auth.login("leader")
    r = client.post(f"/duty/shifts/{shift.id}/edit", data={"user_ids": [world.grid.id, world.liaison.id]})
    assert r.status_code == 302
    db.session.expire_all()
    assert names_on(shift) == sorted(["周网格", "赵包村"])
    assert client.post(f"/duty/shifts/{shift.id}/edit", data={}).status_code == 422


def _now_roster(world):
    """A roster with a shift under way now: 孙干部 and 钱包村 on it."""
    roster = _roster(world, starts_on=local_today() - timedelta(days=1), days=3,
                     members=[world.cadre.id, world.liaison_b.id])
    now = utcnow()
    shift = next(s for s in roster.shifts if s.starts_at <= now < s.ends_at)
    set_shift_people(shift, [world.cadre.id, world.liaison_b.id])
    world.liaison_b.phone = "13912345678"
    db.session.commit()
    return roster, shift


def test_who_is_on_duty_with_phones_for_the_leader_only(client, auth, world):
    _now_roster(world)
    auth.login("leader")
    page = client.get("/duty/now").get_data(as_text=True)
    assert "13912345678" in page and "钱包村" in page
    auth.logout()
    auth.login("cadre")
    page = client.get("/duty/now").get_data(as_text=True)
    assert "钱包村" in page and "139****5678" in page and "13912345678" not in page
    assert "值班中" in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login("grid")
    assert "钱包村" not in client.get("/duty/now").get_data(as_text=True)


def test_field_staff_see_only_the_rosters_they_are_on(client, auth, world):
    roster = _roster(world)
    auth.login("grid")
    assert client.get(f"/duty/{roster.id}").status_code == 404
    assert "东村值守" not in client.get("/duty/").get_data(as_text=True)
    auth.logout()
    auth.login("cadre")
    assert client.get(f"/duty/{roster.id}").status_code == 200
    assert "东村值守" in client.get("/duty/").get_data(as_text=True)
    assert client.get(f"/duty/{roster.id}.xlsx").status_code == 403


def test_a_checkin_at_the_place_during_the_shift_is_its_evidence(client, auth, world):
    roster, shift = _now_roster(world)
    make_checkin(world.cadre, world.grid_a, when=shift.starts_at + timedelta(minutes=5))
    auth.login("leader")
    page = client.get(f"/duty/{roster.id}").get_data(as_text=True)
    assert page.count("已签到") == 1
    assert "已到岗签到" in client.get("/duty/now").get_data(as_text=True)


def test_the_roster_exports_as_the_grid_in_the_access_log(client, auth, world):
    world.cadre.name = "=HYPERLINK(1)"
    db.session.commit()
    roster = _roster(world)
    auth.login("leader")
    r = client.get(f"/duty/{roster.id}.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:4] == ("日期", "星期", "白班", "夜班")
    assert len(rows) == 4
    assert rows[1][2] == "=HYPERLINK(1)" and ws["C2"].data_type == "s"  # text, never a formula
    assert rows[1][3] == "钱包村"
    entry = db.session.scalar(sa.select(AccessLogEntry))
    assert entry.subject_type == "roster" and entry.subject_id == roster.id and entry.rows == 3


def test_a_standby_group_is_called_up_onto_an_incident_in_one_step(client, auth, world):
    roster = build_roster(world.leader, RosterRule("flood_standby", "防汛预备队", None, local_today(), 30,
                                                   [ShiftRule("值班", time(0), time(0))], 1, [world.cadre.id]))
    group = add_group(roster, "防汛预备队第1组", world.cadre.id, [world.liaison.id, world.liaison_b.id])
    incident = Incident(title="暴雨防汛", created_by_id=world.leader.id)
    db.session.add(incident)
    db.session.commit()
    auth.login("leader")
    board = client.get(f"/dispatch/{incident.id}").get_data(as_text=True)
    assert "调集预备队" in board and "防汛预备队第1组（3人）" in board
    r = client.post(f"/duty/call-up/{incident.id}", data={"group_id": group.id})
    assert r.status_code == 302
    sent = set(db.session.scalars(sa.select(Deployment.user_id).where(Deployment.incident_id == incident.id)))
    assert sent == {world.cadre.id, world.liaison.id, world.liaison_b.id}
    # Called up again: nobody is sent twice.
    client.post(f"/duty/call-up/{incident.id}", data={"group_id": group.id})
    assert db.session.scalar(sa.select(sa.func.count(Deployment.id))) == 3
    assert client.post(f"/duty/call-up/{incident.id}", data={"group_id": "x"}).status_code == 302
    auth.logout()
    auth.login("liaison_b")
    assert "暴雨防汛" in client.get("/").get_data(as_text=True)
    assert db.session.scalar(sa.select(StandbyGroup)).leader_id == world.cadre.id


def test_the_home_panel_says_when_its_drawing_changes(world):
    roster = _roster(world)
    first = roster.shifts[0]
    panel = _home_duty(world.cadre)
    assert panel["shift"].id == first.id and not panel["on_now"]
    assert panel["changes_at"] == first.starts_at  # 下一班 becomes 值班中 then
    roster, shift = _now_roster(world)
    panel = _home_duty(world.cadre)
    assert panel["on_now"] and panel["changes_at"] == shift.ends_at  # the next shift shows then
    assert _home_duty(world.grid) is None


JUNK = st.one_of(st.text(max_size=30), st.integers(-(2 ** 70), 2 ** 70).map(str),
                 st.sampled_from(["", "0", "-1", "2147483648", "99999999999999999999", "24:00", "23:59", "0001-01-01",
                                  "9999-12-31", "2026-02-30", "１２", "nan", "None", "a" * 300]))
FIELDS = ["name", "kind", "place_id", "starts_on", "days", "shift1_label", "shift1_starts", "shift1_ends",
          "shift2_label", "shift2_starts", "shift2_ends", "per_shift", "member_ids", "user_ids", "leader_id",
          "to_user_id", "answer", "group_id"]


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_junk_in_any_duty_form_is_a_field_error_never_a_server_error(app, client, auth, world, data):
    """One field at a time replaced by junk in an otherwise good roster, and junk in every
    other duty form: a page, a redirect or a field error (422, said on the form)."""
    roster = db.session.scalar(sa.select(Roster)) or _roster(world)
    incident = db.session.scalar(sa.select(Incident)) or Incident(title="暴雨", created_by_id=world.leader.id)
    db.session.add(incident)
    db.session.commit()
    auth.login("leader")
    good = roster_form(world)
    good[data.draw(st.sampled_from(FIELDS[:12]))] = data.draw(JUNK)
    posts = [("/duty/new", good)]
    for url in (f"/duty/{roster.id}/groups", f"/duty/shifts/{roster.shifts[0].id}/edit",
                f"/duty/call-up/{incident.id}", "/duty/swaps/1/approve"):
        posts.append((url, MultiDict(data.draw(st.lists(st.tuples(st.sampled_from(FIELDS), JUNK), max_size=8)))))
    for url, form in posts:
        r = client.post(url, data=form)
        assert r.status_code < 500, (url, form)
        if r.status_code == 422:
            assert 'class="error' in r.get_data(as_text=True), (url, form)
    auth.logout()
    auth.login("cadre")
    pairs = data.draw(st.lists(st.tuples(st.sampled_from(FIELDS), JUNK), max_size=6))
    r = client.post(f"/duty/shifts/{roster.shifts[0].id}/swap", data=MultiDict(pairs))
    assert r.status_code < 500
    auth.logout()


def test_her_kept_home_is_drawn_again_when_a_leader_takes_her_off_the_shift(client, auth, world):
    roster = _roster(world, days=1, members=[world.cadre.id, world.liaison_b.id])
    auth.login("cadre")
    assert "东村值守 · 白班" in client.get("/").get_data(as_text=True)
    assert "东村值守 · 白班" in client.get("/").get_data(as_text=True)  # kept
    set_shift_people(roster.shifts[0], [world.grid.id])
    home = client.get("/").get_data(as_text=True)
    assert "东村值守 · 白班" not in home and "我的值班" not in home


def test_a_standby_roster_of_24_hour_shifts(client, auth, world):
    auth.login("leader")
    r = client.post("/duty/new", data=roster_form(world, kind="flood_standby", name="汛期待命", shift1_label="待命",
                                                  shift1_starts="08:00", shift1_ends="08:00", shift2_label="",
                                                  shift2_starts="", shift2_ends="", per_shift="1", days="3"))
    assert r.status_code == 302
    shifts = db.session.scalar(sa.select(Roster)).shifts
    assert len(shifts) == 3 and all(s.ends_at - s.starts_at == timedelta(hours=24) for s in shifts)
    assert shifts[0].ends_at == shifts[1].starts_at


def test_my_duty_on_the_home_costs_two_queries(app, world, queries_of):
    """The shift with its roster and place, and the swaps with their people: one query each."""
    from flask import render_template

    from fuxin_pwa.duty.services import ask_swap

    roster = _roster(world)
    ask_swap(roster.shifts[1], world.liaison_b, world.cadre.id)  # 钱包村's night shift, asked of 孙干部
    her = SimpleNamespace(id=world.cadre.id, sees_all=False)  # the request's user, loaded before the home
    with app.test_request_context():
        assert queries_of(lambda: render_template("duty/_home.html", panel=_home_duty(her))) == 2
        html = render_template("duty/_home.html", panel=_home_duty(her))
    assert "东村值守 · 白班" in html and "东村" in html and "钱包村 请您替班：夜班" in html

