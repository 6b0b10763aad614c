"""Duty rosters after they are built: an exchange of two shifts (互换) asked and accepted, a
roster extended by the same rule, its future rebuilt with new people, deleted (its record
kept where a check-in proves a shift was stood), standby groups changed, the holiday calendar
and a holiday roster kept to it, and the people picker."""
from datetime import time, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from fuxin_pwa.duty.models import ACCEPTED, APPLIED, ASKED, DECLINED, Holiday, Roster, Shift, StandbyGroup, SwapRequest
from fuxin_pwa.duty.planning import add_holidays
from fuxin_pwa.duty.services import (DutyRefused, RosterRule, ShiftRule, add_group, answer_swap, approve_swap,
                                     ask_exchange, ask_swap, build_roster, set_shift_people)
from fuxin_pwa.extensions import db
from fuxin_pwa.timeutil import local_today, utcnow
from tests.factories import make_checkin

DAY, NIGHT = ShiftRule("白班", time(8), time(20)), ShiftRule("夜班", time(20), time(8))


def _roster(world, starts_on=None, approval=False, days=3, members=None, holidays_only=False, name="东村值守"):
    return build_roster(world.leader, RosterRule(
        "site_guard", name, world.village_a.id, starts_on or local_today() + timedelta(days=1), days,
        [DAY, NIGHT], 1, members or [world.cadre.id, world.liaison_b.id], approval), holidays_only)


def names(shift):
    db.session.refresh(shift)
    return sorted(p.user.name for p in shift.people)


def grid(roster):
    db.session.refresh(roster)
    return [(s.label, names(s)) for s in roster.shifts]


# --- 互换 ----------------------------------------------------------------------------------------

def test_an_exchange_asked_and_accepted_changes_both_shifts_at_once(client, auth, world):
    roster = _roster(world)
    mine, hers = roster.shifts[0], roster.shifts[2]  # 孙干部's day 1 白班, 钱包村's day 2 白班
    assert names(mine) == ["孙干部"] and names(hers) == ["钱包村"]
    auth.login("cadre")
    page = client.get(f"/duty/shifts/{mine.id}/swap").get_data(as_text=True)
    assert "互换" in page and f'value="{hers.id}:{world.liaison_b.id}"' in page
    r = client.post(f"/duty/shifts/{mine.id}/exchange", data={"offer": f"{hers.id}:{world.liaison_b.id}"})
    assert r.status_code == 302
    assert "与 钱包村 互换" in client.get("/duty/mine").get_data(as_text=True)
    auth.logout()
    swap = db.session.scalar(sa.select(SwapRequest))
    assert swap.exchange_shift_id == hers.id and swap.state == ASKED
    # Nobody else answers it, nor offers a shift they are not on.
    auth.login("grid")
    assert client.post(f"/duty/swaps/{swap.id}/answer", data={"answer": "yes"}).status_code == 404
    assert client.get(f"/duty/shifts/{mine.id}/swap").status_code == 404
    assert client.post(f"/duty/shifts/{mine.id}/exchange", data={"offer": f"{hers.id}:{world.liaison_b.id}"}
                       ).status_code == 404
    auth.logout()
    auth.login("liaison_b")
    assert "孙干部 想与您互换" in client.get("/").get_data(as_text=True)
    assert client.post(f"/duty/swaps/{swap.id}/answer", data={"answer": "yes"}).status_code == 302
    db.session.expire_all()
    assert swap.state == APPLIED
    assert names(mine) == ["钱包村"] and names(hers) == ["孙干部"]


def test_an_exchange_waits_for_the_leader_where_the_roster_requires_it(world):
    roster = _roster(world, approval=True)
    mine, hers = roster.shifts[0], roster.shifts[2]
    swap = ask_exchange(mine, world.cadre, hers, world.liaison_b.id)
    answer_swap(swap, True)
    assert swap.state == ACCEPTED and names(mine) == ["孙干部"]
    approve_swap(swap, True)
    assert swap.state == APPLIED and names(mine) == ["钱包村"] and names(hers) == ["孙干部"]


def test_an_exchange_onto_an_overlapping_shift_is_refused_in_chinese(client, auth, world):
    roster = _roster(world)
    mine, hers = roster.shifts[0], roster.shifts[2]
    # 孙干部 also guards elsewhere on day 2 by day: taking 钱包村's 白班 would put him on both.
    _roster(world, starts_on=roster.starts_on + timedelta(days=1), days=1, members=[world.cadre.id, world.grid.id],
            name="西村值守")
    auth.login("cadre")
    r = client.post(f"/duty/shifts/{mine.id}/exchange", data={"offer": f"{hers.id}:{world.liaison_b.id}"})
    assert r.status_code == 422 and "互换后会有人同时在两个时间重叠的班次上" in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(SwapRequest.id))) == 0


def test_an_exchange_is_refused_once_someone_is_off_their_shift_and_nothing_changes(world):
    roster = _roster(world)
    mine, hers = roster.shifts[0], roster.shifts[2]
    swap = ask_exchange(mine, world.cadre, hers, world.liaison_b.id)
    handed = ask_swap(hers, world.liaison_b, world.grid.id)  # meanwhile she gave hers to 周网格
    answer_swap(handed, True)
    with pytest.raises(DutyRefused, match="对方已不在要换的班次上"):
        answer_swap(swap, True)
    db.session.expire_all()
    assert names(mine) == ["孙干部"] and names(hers) == ["周网格"] and swap.state == ASKED
    set_shift_people(hers, [world.liaison.id])  # a leader's change: the offer lapses
    db.session.expire_all()
    assert swap.state == DECLINED


def test_an_exchange_of_a_begun_shift_is_refused(world):
    roster = _roster(world, starts_on=local_today() - timedelta(days=1), days=3)
    now = utcnow()
    begun = next(s for s in roster.shifts if s.starts_at <= now and any(p.user_id == world.cadre.id for p in s.people))
    later = next(s for s in roster.shifts if s.starts_at > now and any(p.user_id == world.liaison_b.id for p in s.people))
    with pytest.raises(DutyRefused, match="有班次已开始"):
        ask_exchange(begun, world.cadre, later, world.liaison_b.id)


# --- Extending, rebuilding, deleting ---------------------------------------------------------------

def test_extending_goes_on_with_the_rotation_where_it_stood(client, auth, world):
    members = [world.cadre.id, world.liaison_b.id, world.grid.id]
    roster = _roster(world, days=3, members=members)
    whole = _roster(world, days=5, members=members, name="对照")
    auth.login("leader")
    assert "延长排班" in client.get(f"/duty/{roster.id}/manage").get_data(as_text=True)
    r = client.post(f"/duty/{roster.id}/extend", data={"days": "2"})
    assert r.status_code == 302
    db.session.expire_all()
    assert roster.ends_on == roster.starts_on + timedelta(days=4) and len(roster.shifts) == 10
    assert grid(roster) == grid(whole)  # three days and two more read as five built at once
    r = client.post(f"/duty/{roster.id}/extend", data={"days": "0"})
    assert r.status_code == 422 and "天数应在" in r.get_data(as_text=True)


def test_a_new_people_list_rebuilds_only_the_shifts_not_yet_begun(client, auth, world):
    roster = _roster(world, starts_on=local_today() - timedelta(days=1), days=3)
    now = utcnow()
    before = {s.id: names(s) for s in roster.shifts if s.starts_at <= now}
    later = [s for s in roster.shifts if s.starts_at > now]
    on_later = next(s for s in later if any(p.user_id == world.cadre.id for p in s.people))
    swap = ask_swap(on_later, world.cadre, world.liaison.id)
    auth.login("leader")
    r = client.post(f"/duty/{roster.id}/people", data={"member_ids": [world.grid.id, world.liaison.id]})
    assert r.status_code == 302
    db.session.expire_all()
    assert {s.id: names(s) for s in roster.shifts if s.starts_at <= now} == before
    assert all(names(s)[0] in ("周网格", "赵包村") for s in later)
    assert swap.state == DECLINED  # nothing left for him to hand over
    assert roster.rule["member_ids"] == [world.grid.id, world.liaison.id]
    r = client.post(f"/duty/{roster.id}/people", data={"member_ids": []})
    assert r.status_code == 422 and "请选择轮换人员" in r.get_data(as_text=True)


def test_deleting_asks_first_then_removes_a_roster_with_no_record(client, auth, world):
    roster = _roster(world)
    ask_exchange(roster.shifts[0], world.cadre, roster.shifts[2], world.liaison_b.id)
    auth.login("leader")
    assert "我确认删除" in client.get(f"/duty/{roster.id}/delete").get_data(as_text=True)
    r = client.post(f"/duty/{roster.id}/delete", data={})
    assert r.status_code == 422 and "请勾选确认后再删除" in r.get_data(as_text=True)
    assert client.post(f"/duty/{roster.id}/delete", data={"confirm": "y"}).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Roster.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Shift.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(SwapRequest.id))) == 0


def test_deleting_keeps_begun_shifts_a_checkin_proves_and_drops_the_rest(client, auth, world):
    roster = _roster(world, starts_on=local_today() - timedelta(days=1), days=3)
    now = utcnow()
    first = roster.shifts[0]
    make_checkin(world.cadre, world.grid_a, when=first.starts_at + timedelta(minutes=5))
    begun = [s.id for s in roster.shifts if s.starts_at <= now]
    auth.login("leader")
    assert client.post(f"/duty/{roster.id}/delete", data={"confirm": "y"}).status_code == 302
    db.session.expire_all()
    kept = db.session.get(Roster, roster.id)
    assert [s.id for s in kept.shifts] == begun
    assert kept.ends_on <= local_today()


# --- Standby groups --------------------------------------------------------------------------------

def test_a_leader_renames_a_group_changes_its_leader_and_members(client, auth, world):
    roster = _roster(world)
    group = add_group(roster, "第1组", world.cadre.id, [world.liaison.id])
    auth.login("leader")
    page = client.get(f"/duty/groups/{group.id}/edit").get_data(as_text=True)
    assert 'value="第1组"' in page and 'type="checkbox"' in page
    r = client.post(f"/duty/groups/{group.id}/edit", data={
        "name": "防汛预备队第一组", "leader_id": world.liaison_b.id, "member_ids": [world.liaison.id, world.grid.id]})
    assert r.status_code == 302
    db.session.expire_all()
    group = db.session.get(StandbyGroup, group.id)
    assert group.name == "防汛预备队第一组" and group.leader_id == world.liaison_b.id
    assert {m.user_id for m in group.members} == {world.liaison_b.id, world.liaison.id, world.grid.id}
    r = client.post(f"/duty/groups/{group.id}/edit", data={"name": "", "leader_id": "x"})
    assert r.status_code == 422 and "请填写小组名称" in r.get_data(as_text=True)
    auth.logout()
    auth.login("cadre")
    assert client.get(f"/duty/groups/{group.id}/edit").status_code == 403


# --- Holidays ---------------------------------------------------------------------------------------

def test_the_holiday_calendar_and_a_roster_on_holidays_only(client, auth, world):
    start = local_today() + timedelta(days=10)
    auth.login("leader")
    r = client.post("/duty/holidays", data={"name": "春节", "day": f"{start:%Y-%m-%d}", "days": "3"})
    assert r.status_code == 302
    page = client.get("/duty/holidays").get_data(as_text=True)
    assert page.count("春节") >= 3
    r = client.post("/duty/holidays", data={"name": "元旦", "day": f"{start + timedelta(days=2):%Y-%m-%d}", "days": "1"})
    assert r.status_code == 422 and "已是节假日（春节）" in r.get_data(as_text=True)
    form = {"name": "春节值班", "kind": "holiday", "place_id": "", "starts_on": f"{start - timedelta(days=5):%Y-%m-%d}",
            "days": "14", "shift1_label": "值班", "shift1_starts": "08:00", "shift1_ends": "08:00", "per_shift": "1",
            "member_ids": [world.cadre.id, world.liaison.id], "holidays_only": "y"}
    assert client.post("/duty/new", data=form).status_code == 302
    roster = db.session.scalar(sa.select(Roster).where(Roster.name == "春节值班"))
    assert roster.holidays_only and len(roster.shifts) == 3
    assert [names(s) for s in roster.shifts] == [["孙干部"], ["赵包村"], ["孙干部"]]
    # Extending past the calendar's days gives nothing to build: said, not done.
    r = client.post(f"/duty/{roster.id}/extend", data={"days": "5"})
    assert r.status_code == 422 and "没有节假日" in r.get_data(as_text=True)
    form.update(starts_on=f"{start + timedelta(days=30):%Y-%m-%d}", days="5", name="空")
    r = client.post("/duty/new", data=form)
    assert r.status_code == 422 and "所选期间没有节假日" in r.get_data(as_text=True)
    holiday = db.session.scalar(sa.select(Holiday).order_by(Holiday.day))
    assert client.post(f"/duty/holidays/{holiday.id}/delete").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Holiday.id))) == 2
    auth.logout()
    auth.login("cadre")
    assert client.get("/duty/holidays").status_code == 403


def test_the_holiday_list_costs_the_same_for_many_days(app, client, auth, world, queries_of):
    auth.login("leader")
    today = local_today()
    add_holidays("元旦", today.replace(month=1, day=1) + timedelta(days=400), 1)
    few = queries_of(lambda: client.get("/duty/holidays"))
    add_holidays("春节", today.replace(month=1, day=1) + timedelta(days=430), 7)
    assert queries_of(lambda: client.get("/duty/holidays")) == few


def test_my_duty_page_costs_the_same_with_more_exchanges(app, client, auth, world, queries_of):
    roster = _roster(world, days=6)
    auth.login("liaison_b")
    ask_exchange(roster.shifts[1], world.liaison_b, roster.shifts[0], world.cadre.id)
    few = queries_of(lambda: client.get("/duty/mine"))
    ask_exchange(roster.shifts[5], world.liaison_b, roster.shifts[4], world.cadre.id)
    ask_exchange(roster.shifts[9], world.liaison_b, roster.shifts[8], world.cadre.id)
    assert queries_of(lambda: client.get("/duty/mine")) == few


def test_the_people_picker_is_a_checkbox_list_by_team(client, auth, world):
    auth.login("leader")
    page = client.get("/duty/new").get_data(as_text=True)
    assert "data-duty-picker" in page and f'name="member_ids" value="{world.cadre.id}"' in page
    assert "duty-picker-head" in page and "duty-picker.js" in page and "只排节假日" in page


JUNK = st.one_of(st.text(max_size=30), st.integers(-(2 ** 70), 2 ** 70).map(str),
                 st.sampled_from(["", "0", "-1", "2147483648", "99999999999999999999", "0001-01-01", "9999-12-31",
                                  "2026-02-30", "1:2", "a:b", "99999999999:1", ":", "None", "a" * 300]))
FIELDS = ["days", "member_ids", "confirm", "name", "leader_id", "day", "offer"]


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_junk_in_the_new_duty_forms_is_a_field_error_never_a_server_error(app, client, auth, world, data):
    roster = db.session.scalar(sa.select(Roster)) or _roster(world)
    group = db.session.scalar(sa.select(StandbyGroup)) or add_group(roster, "第1组", world.cadre.id, [])
    auth.login("leader")
    for url in (f"/duty/{roster.id}/extend", f"/duty/{roster.id}/people", f"/duty/{roster.id}/delete",
                f"/duty/groups/{group.id}/edit", "/duty/holidays"):
        pairs = data.draw(st.lists(st.tuples(st.sampled_from(FIELDS), JUNK), max_size=6))
        if "delete" in url:
            pairs = [(k, v) for k, v in pairs if k != "confirm"]  # the roster stays for the next example
        r = client.post(url, data=MultiDict(pairs))
        assert r.status_code < 500, (url, pairs)
        if r.status_code == 422:
            assert 'class="error' in r.get_data(as_text=True), (url, pairs)
    auth.logout()
    auth.login("cadre")
    pairs = data.draw(st.lists(st.tuples(st.sampled_from(FIELDS), JUNK), max_size=6))
    r = client.post(f"/duty/shifts/{roster.shifts[0].id}/exchange", data=MultiDict(pairs))
    assert r.status_code < 500 and (r.status_code != 422 or 'class="error' in r.get_data(as_text=True))
    auth.logout()


def test_a_second_shift_named_but_without_its_times_is_a_field_error(client, auth, world):
    auth.login("leader")
    form = {"name": "值守", "kind": "site_guard", "place_id": "", "starts_on": f"{local_today():%Y-%m-%d}",
            "days": "3", "shift1_label": "白班", "shift1_starts": "08:00", "shift1_ends": "20:00",
            "shift2_label": "夜班", "shift2_starts": "20:00", "shift2_ends": "", "per_shift": "1",
            "member_ids": [world.cadre.id]}
    r = client.post("/duty/new", data=form)
    assert r.status_code == 422 and "第二班请填写名称、开始和结束时间，或全部不填" in r.get_data(as_text=True)


def test_an_exchange_that_cannot_happen_is_refused_when_accepted_not_left_for_the_leader(world):
    roster = _roster(world, approval=True)
    mine, hers = roster.shifts[0], roster.shifts[2]
    swap = ask_exchange(mine, world.cadre, hers, world.liaison_b.id)
    # 孙干部 gave his shift to 周网格 meanwhile: his offer cannot be kept.
    answer_swap(ask_swap(mine, world.cadre, world.grid.id), True)
    approve_swap(db.session.scalar(sa.select(SwapRequest).where(SwapRequest.exchange_shift_id.is_(None))), True)
    with pytest.raises(DutyRefused, match="提出互换的人已不在该班次上"):
        answer_swap(swap, True)
    db.session.expire_all()
    assert swap.state == ASKED


def test_a_roster_page_costs_the_same_for_more_standby_groups(app, client, auth, world, queries_of):
    roster = _roster(world)
    add_group(roster, "第1组", world.cadre.id, [world.liaison.id])
    auth.login("leader")
    few = queries_of(lambda: client.get(f"/duty/{roster.id}"))
    for i in range(2, 5):
        add_group(roster, f"第{i}组", world.liaison_b.id, [world.grid.id, world.liaison.id])
    assert queries_of(lambda: client.get(f"/duty/{roster.id}")) == few
