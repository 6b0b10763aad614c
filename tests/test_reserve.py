"""The young-cadre reserve pool: 刘书记 nominates 孙干部, the pool is assessed and admitted on
a date, and later he is appointed; each step is in his history with its date and who made it.
His page shows the hard work the record holds (incidents answered, demolition talks, holdout
visits, cases resolved, site-guard shifts), counted exactly, never as a score. He reads his
own candidacy on his profile; a peer gets 404; the pool and its roster are the leaders'."""
import io
import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from werkzeug.datastructures import MultiDict

from fuxin_pwa.cases.models import Case
from fuxin_pwa.dispatch.models import Deployment, Incident, IncidentAck
from fuxin_pwa.duty.models import Roster, Shift, ShiftPerson
from fuxin_pwa.extensions import db
from fuxin_pwa.privacy.models import AccessLogEntry
from fuxin_pwa.reserve.evidence import evidence_for, period
from fuxin_pwa.reserve.models import (ADMITTED, APPOINTED, ASSESSING, NOMINATED, WITHDRAWN, ReserveCandidate,
                                      ReserveStatusChange)
from fuxin_pwa.reserve.services import ReserveRefused, move, nominate
from fuxin_pwa.timeutil import local_today, utcnow
from tests.factories import make_task_log, make_user

TODAY = local_today()


def _ago(days: int) -> date:
    return TODAY - timedelta(days=days)


# --- the status flow ---------------------------------------------------------------------

def test_the_flow_goes_one_step_at_a_time_with_dates_and_who(app, world):
    c = nominate(world.leader, world.cadre, _ago(400), "防汛表现突出")
    assert c.status == NOMINATED
    move(world.leader, c, ASSESSING, _ago(300))
    move(world.leader, c, ADMITTED, _ago(200))
    assert c.admitted_on == _ago(200)
    move(world.admin, c, APPOINTED, _ago(10), appointed_as="社区党委副书记")
    assert (c.status, c.appointed_on, c.appointed_as) == (APPOINTED, _ago(10), "社区党委副书记")
    history = db.session.scalars(sa.select(ReserveStatusChange).order_by(ReserveStatusChange.id)).all()
    assert [(h.from_status, h.to_status, h.changed_on, h.changed_by_id) for h in history] == [
        (None, NOMINATED, _ago(400), world.leader.id), (NOMINATED, ASSESSING, _ago(300), world.leader.id),
        (ASSESSING, ADMITTED, _ago(200), world.leader.id), (ADMITTED, APPOINTED, _ago(10), world.admin.id)]


@pytest.mark.parametrize("steps, to, message", [
    ((), ADMITTED, "“提名”不能直接改为“入库”"),
    ((), APPOINTED, "“提名”不能直接改为“已任用”"),
    ((ASSESSING,), APPOINTED, "“考察”不能直接改为“已任用”"),
    ((ASSESSING, ADMITTED, APPOINTED), WITHDRAWN, "“已任用”不能直接改为“退出”"),
    ((WITHDRAWN,), ASSESSING, "“退出”不能直接改为“考察”"),
    ((ASSESSING,), NOMINATED, "请选择新的状态"),
    ((), "promoted", "请选择新的状态"),
])
def test_a_step_out_of_the_flow_is_refused_in_chinese(app, world, steps, to, message):
    c = nominate(world.leader, world.cadre, _ago(100), "提名")
    for i, step in enumerate(steps):
        move(world.leader, c, step, _ago(90 - i), reason="因工作调整" if step == WITHDRAWN else None,
             appointed_as="副主任" if step == APPOINTED else None)
    with pytest.raises(ReserveRefused) as refused:
        move(world.leader, c, to, _ago(5), reason="x", appointed_as="y")
    assert refused.value.message == message


def test_admission_needs_a_date_not_before_the_last_step_nor_after_today(app, world):
    c = nominate(world.leader, world.cadre, _ago(100), "提名")
    move(world.leader, c, ASSESSING, _ago(50))
    for day, message in ((None, "请填写日期"), (_ago(60), "日期不能早于上一次状态变更"),
                         (TODAY + timedelta(days=1), "日期不能晚于今天")):
        with pytest.raises(ReserveRefused) as refused:
            move(world.leader, c, ADMITTED, day)
        assert message in refused.value.message and refused.value.field == "on"
    assert c.status == ASSESSING and c.admitted_on is None


def test_withdrawal_needs_a_reason_and_appointment_a_post(app, world):
    c = nominate(world.leader, world.cadre, _ago(100), "提名")
    with pytest.raises(ReserveRefused, match="退出须写明原因"):
        move(world.leader, c, WITHDRAWN, _ago(1), reason="  ")
    move(world.leader, c, ASSESSING, _ago(50))
    move(world.leader, c, ADMITTED, _ago(40))
    with pytest.raises(ReserveRefused, match="请填写任用职务"):
        move(world.leader, c, APPOINTED, _ago(1))
    move(world.leader, c, WITHDRAWN, _ago(1), reason="调离街道")
    assert c.status == WITHDRAWN


def test_only_young_cadres_are_nominated_and_once(app, world):
    for person in (world.grid, world.liaison, world.leader):
        with pytest.raises(ReserveRefused, match="只能提名年轻干部"):
            nominate(world.leader, person, TODAY, "提名")
    nominate(world.leader, world.cadre, TODAY, "提名")
    with pytest.raises(ReserveRefused, match="已在后备库中"):
        nominate(world.leader, world.cadre, TODAY, "再次提名")


# --- the evidence ------------------------------------------------------------------------

def _ack(user, incident, when):
    deployment = db.session.scalar(sa.select(Deployment).where(Deployment.incident_id == incident.id,
                                                               Deployment.user_id == user.id))
    if deployment is None:
        deployment = Deployment(incident_id=incident.id, user_id=user.id)
        db.session.add(deployment)
        db.session.flush()
    db.session.add(IncidentAck(uuid=str(uuid.uuid4()), incident_id=incident.id, deployment_id=deployment.id,
                               user_id=user.id, state="on_site", occurred_at=when, content_hash="t"))
    db.session.commit()


def _case(world, owner, status, closed_at):
    db.session.add(Case(household_id=world.household_a.id, kind="resettlement_holdout", title="尾留户协商",
                        status=status, owner_id=owner.id, created_by_id=world.leader.id,
                        opened_at=closed_at - timedelta(days=30) if closed_at else utcnow(), closed_at=closed_at))
    db.session.commit()


def _shift(roster, people, starts_at, hours=12):
    shift = Shift(roster_id=roster.id, label="夜班", starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours))
    shift.people = [ShiftPerson(user_id=p.id) for p in people]
    db.session.add(shift)
    db.session.commit()


def test_the_evidence_counts_exactly_what_the_record_holds_in_its_period(app, world):
    other = make_user("cadre2", "young_cadre", name="李干部", places=[world.village_a])
    now = utcnow()
    old = now - timedelta(days=4 * 365)  # before the three years: not counted
    storm = Incident(title="暴雨", created_by_id=world.leader.id, started_at=now - timedelta(days=20))
    flood = Incident(title="内涝", created_by_id=world.leader.id, started_at=now - timedelta(days=5))
    db.session.add_all([storm, flood])
    db.session.commit()
    _ack(world.cadre, storm, now - timedelta(days=20))
    _ack(world.cadre, storm, now - timedelta(days=20, hours=-1))  # the same incident twice: once
    _ack(world.cadre, flood, now - timedelta(days=5))
    _ack(world.cadre, flood, old)
    _ack(other, flood, now - timedelta(days=5))
    for when in (now - timedelta(days=3), now - timedelta(days=100), old):
        make_task_log(world.cadre, world.village_a, "demolition_talk", when=when)
    for _i in range(4):
        make_task_log(world.cadre, world.village_a, "resettlement_visit", when=now - timedelta(days=7))
    make_task_log(world.cadre, world.village_a, "resident_visit", when=now - timedelta(days=7))  # not a hard task
    make_task_log(other, world.village_a, "demolition_talk", when=now - timedelta(days=7))
    _case(world, world.cadre, "resolved", now - timedelta(days=30))
    _case(world, world.cadre, "closed", now - timedelta(days=60))
    _case(world, world.cadre, "in_progress", None)
    _case(world, world.cadre, "resolved", old)
    guard = Roster(kind="site_guard", name="东村待征迁地块值守", place_id=world.village_a.id, starts_on=_ago(30),
                   ends_on=TODAY + timedelta(days=30), created_by_id=world.leader.id)
    holiday = Roster(kind="holiday", name="国庆值班", starts_on=_ago(30), ends_on=_ago(20),
                     created_by_id=world.leader.id)
    db.session.add_all([guard, holiday])
    db.session.commit()
    _shift(guard, [world.cadre, other], now - timedelta(days=10))
    _shift(guard, [world.cadre], now - timedelta(days=9))
    _shift(guard, [world.cadre], now + timedelta(days=2))  # ahead: a plan, not work done
    _shift(holiday, [world.cadre], now - timedelta(days=25))  # not a site guard
    found = evidence_for([world.cadre.id, other.id, world.grid.id], period())
    mine = found[world.cadre.id]
    assert (mine.incidents, mine.demolition_talks, mine.holdout_visits, mine.cases, mine.guard_shifts) == (2, 2, 4, 2, 2)
    assert mine.total == 12
    theirs = found[other.id]
    assert (theirs.incidents, theirs.demolition_talks, theirs.holdout_visits, theirs.cases, theirs.guard_shifts) == (
        1, 1, 0, 0, 1)
    assert found[world.grid.id].total == 0


def test_the_pool_page_costs_the_same_queries_for_two_candidates_or_ten(client, auth, world, queries_of):
    def add(n):
        for i in range(n):
            person = make_user(f"yc{len(db.session.scalars(sa.select(ReserveCandidate)).all())}_{i}",
                               "young_cadre", name=f"干部{i}")
            c = nominate(world.leader, person, _ago(50), "提名")
            make_task_log(person, world.village_a, "demolition_talk", when=utcnow() - timedelta(days=3))
            if i % 2:
                move(world.leader, c, ASSESSING, _ago(20))
    auth.login("leader")
    add(2)
    few = queries_of(lambda: client.get("/reserve/"))
    add(8)
    many = queries_of(lambda: client.get("/reserve/"))
    assert few == many
    page = client.get("/reserve/").get_data(as_text=True)
    assert "提名 5" in page and "考察 5" in page and "重大任务人次 1" in page


# --- pages and who sees them --------------------------------------------------------------

def test_a_leader_nominates_admits_and_notes_and_he_reads_it_on_his_profile(client, auth, world):
    auth.login("leader")
    r = client.post("/reserve/nominate", data={"user_id": world.cadre.id, "nominated_on": _ago(30).isoformat(),
                                               "reason": "征迁值守中连续夜班，群众认可"})
    assert r.status_code == 302
    c = db.session.scalar(sa.select(ReserveCandidate))
    url = f"/reserve/{c.id}"
    assert client.post(f"{url}/status", data={"to_status": ADMITTED, "on": _ago(1).isoformat()}).status_code == 422
    assert "“提名”不能直接改为“入库”" in client.post(f"{url}/status", data={
        "to_status": ADMITTED, "on": _ago(1).isoformat()}).get_data(as_text=True)
    assert client.post(f"{url}/status", data={"to_status": ASSESSING, "on": _ago(20).isoformat()}).status_code == 302
    r = client.post(f"{url}/status", data={"to_status": ADMITTED, "on": ""})
    assert r.status_code == 422 and "请填写日期" in r.get_data(as_text=True)
    assert client.post(f"{url}/status", data={"to_status": ADMITTED, "on": _ago(2).isoformat()}).status_code == 302
    assert client.post(f"{url}/notes", data={"text": "善于做群众工作"}).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "统计期间" in page and "善于做群众工作" in page and "刘书记" in page and _ago(2).isoformat() in page
    assert "不能直接" not in page
    auth.logout()
    auth.login("cadre")
    profile = client.get("/people/me", follow_redirects=True).get_data(as_text=True)
    assert "年轻干部后备库" in profile and "入库" in profile and "善于做群众工作" in profile
    assert "查看后备干部详情" not in profile
    assert client.get(url).status_code == 403  # the pool's pages are the leaders'


def test_a_peer_cannot_see_anothers_candidacy(client, auth, world):
    c = nominate(world.leader, world.cadre, _ago(30), "提名理由：防汛表现")
    make_user("cadre2", "young_cadre", name="李干部", places=[world.village_a])
    auth.login("cadre2")
    assert client.get(f"/people/{world.cadre.id}").status_code == 404
    for url in ("/reserve/", f"/reserve/{c.id}", "/reserve/export.xlsx", "/reserve/nominate"):
        assert client.get(url).status_code == 403
    assert client.post(f"/reserve/{c.id}/notes", data={"text": "x"}).status_code == 403
    # No section on his own profile: he is not a candidate, and 孙干部's is not shown to him.
    assert "年轻干部后备库" not in client.get("/people/me", follow_redirects=True).get_data(as_text=True)


def test_the_roster_export_lists_the_pool_and_is_in_the_access_log(client, auth, world):
    c = nominate(world.leader, world.cadre, _ago(300), "提名")
    move(world.leader, c, ASSESSING, _ago(200))
    move(world.leader, c, ADMITTED, _ago(100))
    make_task_log(world.cadre, world.village_a, "demolition_talk", when=utcnow() - timedelta(days=3))
    auth.login("leader")
    r = client.get("/reserve/export.xlsx")
    assert r.status_code == 200 and "no-store" in r.headers["Cache-Control"]
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert ws.title == "后备干部名册" and rows[1][:4] == ("孙干部", "入库", _ago(300).isoformat(), _ago(100).isoformat())
    assert rows[1][-1] == 1 and "重大任务人次" in rows[0][-1]
    entry = db.session.scalar(sa.select(AccessLogEntry).where(AccessLogEntry.subject_type == "reserve"))
    assert entry.actor_id == world.leader.id and entry.rows == 1


def test_the_nomination_form_offers_only_young_cadres_not_yet_in_the_pool(client, auth, world):
    other = make_user("cadre2", "young_cadre", name="李干部")
    nominate(world.leader, other, TODAY, "提名")
    auth.login("leader")
    page = client.get("/reserve/nominate").get_data(as_text=True)
    assert "孙干部" in page and "李干部" not in page and "周网格" not in page
    r = client.post("/reserve/nominate", data={"user_id": world.grid.id, "nominated_on": TODAY.isoformat(),
                                               "reason": "x"})
    assert r.status_code == 422 and "请从名单中选择" in r.get_data(as_text=True)
    r = client.post("/reserve/nominate", data={"user_id": world.cadre.id, "nominated_on": "", "reason": ""})
    text = r.get_data(as_text=True)
    assert r.status_code == 422 and "请填写提名日期" in text and "请填写提名理由" in text


JUNK = st.one_of(st.text(max_size=30), st.integers(-(2 ** 70), 2 ** 70).map(str),
                 st.sampled_from(["", "0", "-1", "2147483648", "99999999999999999999", "0001-01-01", "9999-12-31",
                                  "2026-02-30", "１２", "nan", "None", "a" * 1200, ADMITTED, WITHDRAWN, APPOINTED]))
FIELDS = ["user_id", "nominated_on", "reason", "to_status", "on", "appointed_as", "text"]


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_junk_in_any_reserve_form_is_a_field_error_never_a_server_error(app, client, auth, world, data):
    c = db.session.scalar(sa.select(ReserveCandidate)) or nominate(world.leader, world.cadre, _ago(10), "提名")
    auth.login("leader")
    for url in ("/reserve/nominate", f"/reserve/{c.id}/status", f"/reserve/{c.id}/notes"):
        form = MultiDict(data.draw(st.lists(st.tuples(st.sampled_from(FIELDS), JUNK), max_size=8)))
        r = client.post(url, data=form)
        assert r.status_code in (302, 400, 422), (url, form, r.status_code)  # 400: a NUL byte, refused whole
        if r.status_code == 422:
            assert 'class="error' in r.get_data(as_text=True), (url, form)
    db.session.expire_all()
    assert db.session.get(ReserveCandidate, c.id).status in (NOMINATED, ASSESSING, ADMITTED, APPOINTED, WITHDRAWN)
    auth.logout()


def test_a_leader_sees_the_candidacy_on_the_profile_with_a_way_to_the_candidate_page(client, auth, world):
    c = nominate(world.leader, world.cadre, _ago(30), "防汛表现突出")
    auth.login("admin")
    profile = client.get(f"/people/{world.cadre.id}").get_data(as_text=True)
    assert "年轻干部后备库" in profile and "防汛表现突出" in profile and f"/reserve/{c.id}" in profile
    assert "年轻干部后备库" not in client.get(f"/people/{world.grid.id}").get_data(as_text=True)
