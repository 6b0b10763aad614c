"""三必访 care visits: a worker in hospital is recorded (by herself or a leader), a visit is owed
within 7 days by the responsible leader and shows on his home, overdue once the days pass;
he records the visit (online or synced from his phone) and it leaves his home; the year's
关爱台账 exports to Excel; peers never see another's care record."""
import io
import uuid
from datetime import timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from werkzeug.datastructures import MultiDict

from fuxin_pwa.care.models import CareTrigger, CareVisit
from fuxin_pwa.care.services import record_trigger
from fuxin_pwa.extensions import db
from fuxin_pwa.privacy.models import AccessLogEntry
from fuxin_pwa.timeutil import local_today
from tests.factories import now_iso, synced as sync


def visit_record(trigger, **data):
    return {"id": str(uuid.uuid4()), "type": "care_visit", "occurred_at": now_iso(),
            "data": {"trigger_id": trigger.id, "visited_on": f"{local_today():%Y-%m-%d}", "visitors": "刘书记、吴社工",
                     "brought": "慰问品一份，帮助联系医院护工", "follow_up": "出院后再上门", **data}}


def home_of(client):
    return client.get("/?field=1").get_data(as_text=True)


def test_she_records_her_own_hospital_stay_and_the_leader_visits_within_the_week(client, auth, world):
    auth.login("community")
    r = client.post("/care/new", data={"person_id": world.community_worker.id, "reason": "hospitalised",
                                       "happened_on": f"{local_today():%Y-%m-%d}", "note": "阑尾炎手术",
                                       "responsible_id": world.leader.id})
    assert r.status_code == 302
    trigger = db.session.scalar(sa.select(CareTrigger))
    assert (trigger.person_id, trigger.responsible_id, trigger.recorded_by_id) == (
        world.community_worker.id, world.leader.id, world.community_worker.id)
    assert trigger.due_on == local_today() + timedelta(days=7)
    assert "患病住院" in client.get(f"/care/{trigger.id}").get_data(as_text=True)
    auth.logout()

    auth.login("leader")
    home = home_of(client)
    assert "三必访 待走访" in home and "吴社工" in home and "患病住院" in home and "已超期" not in home
    r = client.post(f"/care/{trigger.id}/visits", data={
        "record_id": str(uuid.uuid4()), "visited_on": f"{local_today():%Y-%m-%d}", "visitors": "刘书记",
        "brought": "鲜花水果，慰问金500元", "follow_up": ""})
    assert r.status_code == 302
    assert "吴社工" not in home_of(client)
    auth.logout()

    auth.login("community")
    profile = client.get("/people/me", follow_redirects=True).get_data(as_text=True)
    assert "已走访" in profile and "患病住院" in profile


def test_an_overdue_visit_says_so_on_the_leaders_home(client, auth, world):
    trigger = record_trigger(world.leader, world.grid.id, "bereavement", local_today() - timedelta(days=10), None,
                             world.leader.id)
    trigger.due_on = local_today() - timedelta(days=3)
    db.session.commit()
    auth.login("leader")
    assert "已超期 3 天" in home_of(client) and "直系亲属去世" in home_of(client)
    auth.logout()
    auth.login("admin")  # not the responsible leader: nothing on her home
    assert "三必访 待走访" not in home_of(client)


def test_the_leader_lands_on_coverage_and_is_told_there_of_the_care_visits_he_owes(client, auth, world):
    trigger = record_trigger(world.leader, world.grid.id, "bereavement", local_today() - timedelta(days=10), None,
                             world.leader.id)
    trigger.due_on = local_today() - timedelta(days=3)
    record_trigger(world.leader, world.community_worker.id, "hospitalised", local_today(), None, world.leader.id)
    db.session.commit()
    auth.login("leader")
    landing = client.get("/coverage/").get_data(as_text=True)
    assert "三必访：您负责的 2 次关爱走访待走访，其中 1 次已超期" in landing and 'href="/care/"' in landing
    auth.logout()
    auth.login("admin")  # not the responsible leader
    assert "三必访：" not in client.get("/coverage/").get_data(as_text=True)


def test_the_visit_synced_from_his_phone_is_stored_once_and_leaves_his_home(client, auth, world):
    trigger = record_trigger(world.admin, world.liaison.id, "hardship", local_today(), "家中失火", world.leader.id)
    auth.login("leader")
    record = visit_record(trigger)
    assert [r["status"] for r in sync(client, [record])] == ["created"]
    assert [r["status"] for r in sync(client, [record])] == ["duplicate"]
    visit = db.session.scalar(sa.select(CareVisit))
    assert (visit.trigger_id, visit.user_id, visit.source, visit.visitors) == (trigger.id, world.leader.id, "sync",
                                                                              "刘书记、吴社工")
    assert db.session.scalar(sa.select(sa.func.count(CareVisit.id))) == 1
    assert "赵包村" not in home_of(client)
    assert "care_visit" in client.get("/api/v1/me").get_json()["types"]


def test_a_field_worker_cannot_record_a_care_visit_through_the_sync(client, auth, world):
    trigger = record_trigger(world.admin, world.liaison.id, "hardship", local_today(), None, world.leader.id)
    auth.login("liaison")
    answer = sync(client, [visit_record(trigger)])[0]
    assert answer["status"] == "rejected" and answer["errors"]["trigger_id"] == ["关爱记录不存在"]
    auth.logout()
    auth.login("leader")
    answer = sync(client, [visit_record(trigger, visitors="", visited_on="2026-02-30")])[0]
    assert answer["status"] == "rejected" and set(answer["errors"]) == {"visitors", "visited_on"}


def test_the_days_owed_are_the_localitys_setting(app, client, auth, world):
    app.config["CARE_VISIT_DAYS"] = 3
    trigger = record_trigger(world.leader, world.grid.id, "hospitalised", local_today(), None, world.leader.id)
    assert trigger.due_on == local_today() + timedelta(days=3)


def test_a_peer_never_sees_anothers_care_record(client, auth, world):
    trigger = record_trigger(world.leader, world.liaison.id, "hospitalised", local_today(), "住院", world.leader.id)
    auth.login("liaison_b")
    assert client.get(f"/care/{trigger.id}").status_code == 404
    assert client.post(f"/care/{trigger.id}/visits", data={}).status_code == 404
    assert client.get(f"/people/{world.liaison.id}").status_code == 404
    assert client.get("/care/ledger.xlsx").status_code == 403
    # She may record her own trouble, and only her own.
    r = client.post("/care/new", data={"person_id": world.liaison.id, "reason": "hardship",
                                       "happened_on": f"{local_today():%Y-%m-%d}", "responsible_id": world.leader.id})
    assert r.status_code == 422 and "请从列表中选择" in r.get_data(as_text=True)


def test_the_years_care_ledger_exports_to_excel_in_the_access_log(client, auth, world):
    done = record_trigger(world.leader, world.liaison.id, "hospitalised", local_today(), "骨折住院", world.leader.id)
    record_trigger(world.leader, world.grid.id, "bereavement", local_today(), None, world.leader.id)
    auth.login("leader")
    sync(client, [visit_record(done)])
    r = client.get(f"/care/ledger.xlsx?year={local_today().year}")
    assert r.status_code == 200 and "private" in r.headers["Cache-Control"]
    rows = list(load_workbook(io.BytesIO(r.data)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("关爱对象", "队伍", "情形")
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["赵包村"][2] == "患病住院" and by_name["赵包村"][8] == "刘书记、吴社工"
    assert by_name["周网格"][7] == "未走访"
    entry = db.session.scalar(sa.select(AccessLogEntry).where(AccessLogEntry.subject_type == "care"))
    assert entry.rows == 2


def test_bad_input_comes_back_filled_with_a_chinese_error(client, auth, world):
    auth.login("leader")
    r = client.post("/care/new", data={"person_id": world.grid.id, "reason": "hospitalised",
                                       "happened_on": "2099-01-01", "note": "住院治疗", "responsible_id": ""})
    said = r.get_data(as_text=True)
    assert r.status_code == 422 and "发生日期不能晚于今天" in said and "住院治疗" in said
    trigger = record_trigger(world.leader, world.grid.id, "hospitalised", local_today(), None, world.leader.id)
    r = client.post(f"/care/{trigger.id}/visits", data={"visited_on": f"{local_today():%Y-%m-%d}", "visitors": "",
                                                        "brought": "慰问品"})
    said = r.get_data(as_text=True)
    assert r.status_code == 422 and "请填写走访人员" in said and "慰问品" in said


JUNK = st.one_of(st.text(max_size=30), st.integers(-(2 ** 70), 2 ** 70).map(str),
                 st.sampled_from(["", "0", "-1", "2147483648", "99999999999999999999", "0001-01-01", "9999-12-31",
                                  "2026-02-30", "１２", "nan", "None", "a" * 600]))
FIELDS = ["person_id", "reason", "happened_on", "note", "responsible_id", "record_id", "trigger_id", "visited_on",
          "visitors", "brought", "follow_up"]


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_junk_in_any_care_form_is_a_field_error_never_a_server_error(app, client, auth, world, data):
    trigger = db.session.scalar(sa.select(CareTrigger)) or record_trigger(
        world.leader, world.grid.id, "hospitalised", local_today(), None, world.leader.id)
    for username in ("leader", "grid"):
        auth.login(username)
        for url in ("/care/new", f"/care/{trigger.id}/visits"):
            pairs = data.draw(st.lists(st.tuples(st.sampled_from(FIELDS), JUNK), max_size=8))
            r = client.post(url, data=MultiDict(pairs))
            assert r.status_code < 500, (url, pairs)
            if r.status_code == 422:
                assert 'class="error' in r.get_data(as_text=True), (url, pairs)
        record = visit_record(trigger, **{k: v for k, v in data.draw(st.lists(st.tuples(
            st.sampled_from(FIELDS[6:]), JUNK), max_size=4))})
        assert sync(client, [record])[0]["status"] in ("created", "rejected")
        auth.logout()


def test_the_owed_visits_on_his_home_cost_three_queries_however_many(app, world, queries_of):
    """The triggers, their people and their responsible leader: one query each, for six as for one."""
    from flask import render_template

    from fuxin_pwa.care.routes import _home_care
    from fuxin_pwa.kept import hole_context

    for person in (world.liaison, world.liaison_b, world.cadre, world.grid, world.community_worker, world.admin):
        record_trigger(world.leader, person.id, "hardship", local_today(), None, world.leader.id)
    him = SimpleNamespace(id=world.leader.id, sees_all=True)  # the request's user, loaded before the home
    with app.test_request_context():
        html = []
        assert queries_of(lambda: html.append(render_template("care/_home.html", panel=_home_care(him),
                                                              **hole_context()))) <= 3
    assert html[0].count('data-outbox="care_visit"') == 6
