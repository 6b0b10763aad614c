"""The demo subdistrict: the shape of the 2024 report, the same data for the same seed, and
every demo login landing on its home."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from fuxin_pwa.auth.models import User
from fuxin_pwa.cases.models import CaseEvent, CLOSED_STATUSES, Case
from fuxin_pwa.demo import DEMO_LOGINS, DEMO_PASSWORD
from fuxin_pwa.demo.loader import load_demo
from fuxin_pwa.directives.models import Directive
from fuxin_pwa.directives.services import outstanding_for
from fuxin_pwa.dispatch.models import ACK_STATES, Deployment, Incident, IncidentAck, IncidentGroup, Post
from fuxin_pwa.dispatch.queries import my_deployments
from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import DEFAULT_TASK_KINDS, CheckIn, TaskKind, TaskLog
from fuxin_pwa.field.queries import my_places_this_week
from fuxin_pwa.field.services import ensure_task_kinds
from fuxin_pwa.places.models import Assignment, Household, Place
from fuxin_pwa.records import record_models
from fuxin_pwa.requests import models as rq
from fuxin_pwa.requests.queries import my_open_requests
from fuxin_pwa.timeutil import local_today, utcnow

SEED = 20240805


# `demo` (tests/conftest.py): the demo of seed 20240805, loaded once per run and copied in.


def user(username):
    return db.session.scalar(sa.select(User).where(User.username == username))


def places_of(username):
    return db.session.scalars(sa.select(Place).join(Assignment, Assignment.place_id == Place.id)
                              .where(Assignment.user_id == user(username).id)).all()


def count(stmt):
    return db.session.scalar(stmt)


def test_demo_has_the_reports_shape(demo):
    communities = db.session.scalars(sa.select(Place.name).where(Place.kind == "community")).all()
    assert sorted(communities) == sorted(["万科社区", "盐场社区", "永鑫社区"])
    villages = db.session.scalars(sa.select(Place).where(Place.kind == "village")).all()
    assert len(villages) >= 10
    estates = set(db.session.scalars(sa.select(Place.name).where(Place.kind == "estate")))
    assert {"万科假日风景小区", "富豪西苑"} <= estates
    assert count(sa.select(sa.func.count()).where(User.role == "village_liaison")) == 46
    for role in ("young_cadre", "community_worker", "grid_worker", "leader", "admin"):
        assert count(sa.select(sa.func.count()).where(User.role == role)) >= 1, role
    assert count(sa.select(sa.func.count(Household.id))) >= 200
    assert count(sa.select(sa.func.count()).where(Place.code.is_(None))) == 0
    assert demo["people"] == count(sa.select(sa.func.count(User.id)))


def test_every_village_has_a_liaison_and_grids(demo):
    for village in db.session.scalars(sa.select(Place).where(Place.kind == "village")):
        liaisons = count(sa.select(sa.func.count()).select_from(Assignment)
                         .join(User, User.id == Assignment.user_id)
                         .where(Assignment.place_id == village.id, User.role == "village_liaison"))
        grids = count(sa.select(sa.func.count()).where(Place.parent_id == village.id, Place.kind == "grid"))
        assert liaisons >= 1, village.name
        assert 2 <= grids <= 4, village.name


def test_demo_logins_have_the_password_and_real_places(demo):
    for username in DEMO_LOGINS:
        assert user(username).check_password(DEMO_PASSWORD), username
    expected = {"liaison": ("village", 2), "grid": ("grid", 1), "community": ("community", 1)}
    for username, (kind, n) in expected.items():
        places = places_of(username)
        assert [p.kind for p in places] == [kind] * n, username
    assert {p.kind for p in places_of("cadre")} <= {"village", "community"}
    assert places_of("cadre")
    assert user("admin").role == "admin" and user("leader").role == "leader"


def test_the_demo_liaison_has_one_village_visited_this_week_and_one_not(demo):
    visits = sorted(row["visits"] for row in my_places_this_week(user("liaison")))
    assert visits[0] == 0 and visits[1] >= 1


def test_history_spans_three_months_with_every_kind_and_the_reports_stories(demo):
    now = utcnow()
    first, last = db.session.execute(sa.select(sa.func.min(CheckIn.occurred_at),
                                               sa.func.max(CheckIn.occurred_at))).one()
    assert first <= now - timedelta(days=80) and last >= now - timedelta(days=7)
    assert count(sa.select(sa.func.count()).where(CheckIn.occurred_at > now)) == 0
    assert count(sa.select(sa.func.count()).where(TaskLog.occurred_at > now)) == 0
    kinds = set(db.session.scalars(sa.select(TaskKind.code).join(TaskLog, TaskLog.kind_id == TaskKind.id)))
    assert kinds == {code for code, _, _ in DEFAULT_TASK_KINDS}
    # Some check-ins without a location and some with poor accuracy, as phones really give.
    assert count(sa.select(sa.func.count()).where(CheckIn.lat.is_(None))) > 0
    assert count(sa.select(sa.func.count()).where(CheckIn.accuracy_m > 200)) > 0
    # The rainstorm night: the young cadres in 6 groups.
    groups = db.session.scalars(sa.select(TaskLog.summary).where(TaskLog.summary.like("防汛预备队第%"))).all()
    assert len({s[:8] for s in groups}) == 6
    assert count(sa.select(sa.func.count()).where(TaskLog.summary.like("%步梯%"))) >= 3


def test_cases_are_open_in_progress_and_resolved(demo):
    cases = db.session.scalars(sa.select(Case)).all()
    resolved = [c for c in cases if c.status in CLOSED_STATUSES]
    assert resolved and all(c.closed_at is not None for c in resolved)
    assert any(not c.is_closed for c in cases)
    visits = dict(db.session.execute(sa.select(TaskLog.case_id, sa.func.count())
                                     .where(TaskLog.case_id.is_not(None)).group_by(TaskLog.case_id)).all())
    holdout = db.session.scalar(sa.select(Case).where(Case.kind == "resettlement_holdout"))
    assert visits[holdout.id] >= 24 and not holdout.is_closed
    leak = db.session.scalar(sa.select(Case).where(Case.title.like("%漏水%"), Case.kind == "repair"))
    assert leak.status == "resolved" and 8 <= visits[leak.id] <= 12
    # Every case's status history starts when it was opened and ends at its status now.
    for case in cases:
        history = db.session.scalars(sa.select(CaseEvent.to_status).where(CaseEvent.case_id == case.id)
                                     .order_by(CaseEvent.at, CaseEvent.id)).all()
        assert history[0] == "open" and history[-1] == case.status


def _fingerprint():
    rows = lambda stmt: db.session.execute(stmt).all()  # noqa: E731
    return (rows(sa.select(User.username, User.name, User.phone).order_by(User.id)),
            rows(sa.select(Place.name, Place.code).order_by(Place.id)),
            rows(sa.select(Household.address, Household.head_name, Household.id_number)
                 .order_by(Household.id)),
            rows(sa.select(TaskLog.uuid, TaskLog.summary).order_by(TaskLog.uuid)),
            rows(sa.select(CheckIn.uuid, CheckIn.lat).order_by(CheckIn.uuid)),
            rows(sa.select(Case.title, Case.status).order_by(Case.id)),
            rows(sa.select(rq.ResidentRequest.uuid, rq.ResidentRequest.description, rq.ResidentRequest.status,
                           rq.ResidentRequest.resident_phone).order_by(rq.ResidentRequest.id)),
            rows(sa.select(rq.RequestEvent.uuid, rq.RequestEvent.action, rq.RequestEvent.to_status)
                 .order_by(rq.RequestEvent.id)),
            rows(sa.select(Incident.title, Incident.status).order_by(Incident.id)),
            rows(sa.select(IncidentAck.uuid, IncidentAck.state, IncidentAck.lat).order_by(IncidentAck.id)),
            rows(sa.select(Directive.title, Directive.due_on).order_by(Directive.id)),
            rows(sa.select(TaskLog.uuid, TaskLog.directive_id, TaskLog.people_reached)
                 .where(TaskLog.directive_id.is_not(None)).order_by(TaskLog.uuid)))


def _empty_schema():
    db.session.remove()
    db.drop_all()
    db.create_all()


def test_the_same_seed_gives_the_same_demo(app):
    first = load_demo(seed=7)
    before = _fingerprint()
    _empty_schema()  # no task kinds this time, as after `flask db upgrade`
    assert load_demo(seed=7) == first
    assert _fingerprint() == before
    assert count(sa.select(sa.func.count(TaskKind.id))) == len(DEFAULT_TASK_KINDS)
    _empty_schema()
    load_demo(seed=8)
    assert _fingerprint() != before


def test_ensure_task_kinds_adds_only_the_missing(app):
    assert ensure_task_kinds() == 0
    db.session.execute(sa.delete(TaskKind).where(TaskKind.code == "flood_duty"))
    assert ensure_task_kinds() == 1
    assert count(sa.select(sa.func.count(TaskKind.id))) == len(DEFAULT_TASK_KINDS)


def test_each_demo_login_reaches_its_home(app, demo):
    """Field people land on the field home; leaders and admins on the week's coverage."""
    lands_on = {"admin": "/coverage/", "leader": "/coverage/"}
    for username in DEMO_LOGINS:
        with app.app_context():  # a fresh `g` per person: the logged-in user is cached there
            response = app.test_client().post(
                "/login", data={"username": username, "password": DEMO_PASSWORD}, follow_redirects=True)
        assert response.status_code == 200, username
        assert response.request.path == lands_on.get(username, "/"), username


def test_demo_load_if_empty_leaves_a_database_with_people_alone(app, world):
    result = app.test_cli_runner().invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "not loaded" in result.output
    assert count(sa.select(sa.func.count()).where(Place.name == "盐场社区")) == 0


def test_demo_load_fills_an_empty_database(app):
    result = app.test_cli_runner().invoke(args=["demo", "load", "--if-empty", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "Demo loaded: people" in result.output
    assert count(sa.select(sa.func.count()).where(User.role == "village_liaison")) == 46


def test_loading_the_demo_twice_is_refused(demo):
    with pytest.raises(RuntimeError, match="empty database"):
        load_demo(seed=SEED)


# --- Resident requests and incidents ------------------------------------------------------------

def _requests():
    return db.session.scalars(sa.select(rq.ResidentRequest).options(
        sa.orm.joinedload(rq.ResidentRequest.category), sa.orm.joinedload(rq.ResidentRequest.user))).all()


def test_requests_span_ten_weeks_of_places_categories_raisers_and_states(demo):
    now = utcnow()
    requests = _requests()
    assert 50 <= len(requests) == demo["requests"] <= 75
    assert min(r.occurred_at for r in requests) <= now - timedelta(weeks=8)
    assert max(r.occurred_at for r in requests) <= now
    assert {r.category.code for r in requests} == {code for code, *_ in rq.DEFAULT_REQUEST_CATEGORIES}
    assert len({r.place_id for r in requests}) >= 15
    raisers = {r.user.role for r in requests}
    assert "leader" in raisers and raisers & {"grid_worker", "community_worker", "village_liaison"}
    assert {r.status for r in requests} >= set(rq.REQUEST_STATUSES)  # every state of the lifecycle
    for r in requests:  # due when raised plus the category's deadline, fixed at the raising
        assert r.due_at == r.occurred_at + timedelta(days=r.category.deadline_days), r.id
        assert (r.closed_at is not None) == r.is_closed, r.id
    overdue = [r for r in requests if r.is_overdue(now)]
    assert 3 <= len(overdue) <= 12  # a handful stand out on the board
    assert any(not r.is_closed and not r.is_overdue(now) for r in requests)
    assert sum(1 for r in requests if r.resident_phone) >= len(requests) * 0.8
    assert all(r.resident_phone is None or (len(r.resident_phone) == 11 and r.resident_phone.isdigit())
               for r in requests)


def test_each_requests_events_replay_to_its_state_and_version(demo):
    now = utcnow()
    events = {}
    for e in db.session.scalars(sa.select(rq.RequestEvent).order_by(rq.RequestEvent.occurred_at, rq.RequestEvent.id)):
        events.setdefault(e.request_id, []).append(e)
    assert sum(len(v) for v in events.values()) == demo["request_events"]
    callbacks = 0
    for r in _requests():
        status, satisfaction = rq.RECEIVED, None
        for e in events.get(r.id, []):
            assert not e.conflict and e.user_id and e.uuid and e.content_hash
            assert r.occurred_at <= e.occurred_at <= now, r.id
            assert e.from_status == status, (r.id, e.action)
            if e.action == rq.CALLBACK:
                assert e.satisfaction in rq.SATISFACTION and e.to_status is None
                satisfaction, callbacks = e.satisfaction, callbacks + 1
                continue
            if e.action == rq.ASSIGN:
                assert e.assignee_id or e.assignee_team
            if e.to_status == rq.REFERRED:
                assert e.referred_to
            status = e.to_status
            satisfaction = None if e.action == rq.REOPEN else satisfaction
        assert status == r.status, r.id
        assert r.version == 1 + len(events.get(r.id, [])), r.id
        assert r.satisfaction == satisfaction, r.id
        if r.status == rq.REFERRED:
            assert r.referred_to
    assert callbacks >= 2
    assert any(e.action == rq.REOPEN for v in events.values() for e in v)


def test_follow_up_visits_are_request_followup_logs_and_the_roof_took_ten(demo):
    requests = {r.id: r for r in _requests()}
    visits = db.session.execute(sa.select(TaskLog, TaskKind.code).join(TaskKind, TaskKind.id == TaskLog.kind_id)
                                .where(TaskLog.request_id.is_not(None))).all()
    assert len(visits) >= 50
    for log, kind in visits:
        r = requests[log.request_id]
        assert kind == "request_followup" and log.place_id == r.place_id and log.occurred_at >= r.occurred_at
    # Work started: every request in progress has its start, and a start by a visit is dated at it.
    starts = db.session.scalars(sa.select(rq.RequestEvent).where(rq.RequestEvent.action == rq.START)).all()
    assert {r.id for r in requests.values() if r.status == rq.IN_PROGRESS} <= {e.request_id for e in starts}
    visit_times = {(log.request_id, log.user_id, log.occurred_at) for log, _ in visits}
    by_visit = [e for e in starts if e.source == "visit"]
    assert by_visit and all((e.request_id, e.user_id, e.occurred_at) in visit_times for e in by_visit)
    # The leaking roof: a request at the centre, ten trips by the grid worker (the leak case's
    # visits), resolved and called back.
    leak = db.session.scalar(sa.select(rq.ResidentRequest).where(rq.ResidentRequest.description.like("%顶楼屋面漏水%")))
    case = db.session.scalar(sa.select(Case).where(Case.title.like("%漏水%"), Case.kind == "repair"))
    leak_visits = [log for log, _ in visits if log.request_id == leak.id]
    assert len(leak_visits) == 10 and {log.case_id for log in leak_visits} == {case.id}
    assert leak.status == rq.RESOLVED and leak.satisfaction == "satisfied"
    assert leak.assignee_id == user("grid").id


def test_record_ids_are_unique_across_every_record_table(demo):
    union = sa.union_all(*[sa.select(m.uuid.label("uuid")) for m in record_models()]).subquery()
    total, distinct = db.session.execute(sa.select(sa.func.count(), sa.func.count(sa.distinct(union.c.uuid)))).one()
    assert total == distinct
    assert total >= demo["checkins"] + demo["task_logs"] + demo["requests"] + demo["incident_acks"]


def _acks_by_deployment(incident):
    acks = {}
    for a in db.session.scalars(sa.select(IncidentAck).where(IncidentAck.incident_id == incident.id)
                                .order_by(IncidentAck.occurred_at, IncidentAck.id)):
        acks.setdefault(a.deployment_id, []).append(a)
    return acks


def test_the_rainstorm_last_month_is_a_closed_incident_with_its_posts_acks_and_reports(demo):
    now = utcnow()
    storm = db.session.scalar(sa.select(Incident).where(Incident.status == "closed"))
    assert storm.kind == "flood" and now - timedelta(days=45) < storm.started_at < now - timedelta(days=20)
    assert storm.ended_at > storm.started_at
    posts = db.session.scalars(sa.select(Post).where(Post.incident_id == storm.id)).all()
    groups = db.session.scalars(sa.select(IncidentGroup).where(IncidentGroup.incident_id == storm.id)).all()
    deployments = db.session.scalars(sa.select(Deployment).where(Deployment.incident_id == storm.id)).all()
    assert len(posts) == 6 and all(p.lat and p.place_id for p in posts)
    assert len(groups) == 6 and {g.post_id for g in groups} == {p.id for p in posts}
    assert len(deployments) == 12 and all(d.state == "stood_down" for d in deployments)
    acks = _acks_by_deployment(storm)
    for d in deployments:
        mine = acks[d.id]
        assert [a.state for a in mine] == list(ACK_STATES)  # 收到 → 出发 → 到岗 → 撤离, in order
        assert storm.started_at <= d.assigned_at <= mine[0].occurred_at and mine[-1].occurred_at <= storm.ended_at
        assert d.state_at == mine[-1].occurred_at and mine[0].user_id == d.user_id
    arrivals = [a for v in acks.values() for a in v if a.state == "on_site"]
    assert sum(1 for a in arrivals if a.lat is not None) >= 8
    reports = db.session.execute(sa.select(TaskLog, TaskKind.code).join(TaskKind, TaskKind.id == TaskLog.kind_id)
                                 .where(TaskLog.incident_id == storm.id)).all()
    assert len(reports) >= 12 and {kind for _, kind in reports} == {"flood_duty"}
    assert {log.user_id for log, _ in reports} <= {d.user_id for d in deployments}


def test_an_incident_under_way_today_waits_for_the_demo_liaison(demo):
    now = utcnow()
    live = db.session.scalar(sa.select(Incident).where(Incident.status == "open"))
    assert now - timedelta(hours=2) < live.started_at < now and live.ended_at is None
    assert db.session.scalar(sa.select(sa.func.count(Post.id)).where(Post.incident_id == live.id)) >= 2
    acks = _acks_by_deployment(live)
    deployments = db.session.scalars(sa.select(Deployment).where(Deployment.incident_id == live.id)).all()
    states = {d.state for d in deployments}
    assert {"assigned", "received", "on_site"} <= states
    for d in deployments:  # each state is the latest acknowledgement; no acknowledgement, still 待确认
        mine = acks.get(d.id, [])
        assert [a.state for a in mine] == list(ACK_STATES[:len(mine)])
        assert d.state == (mine[-1].state if mine else "assigned")
    liaison = user("liaison")
    (mine,) = my_deployments(liaison)
    assert mine.deployment.incident_id == live.id and mine.deployment.state == "assigned"
    assert now - mine.deployment.assigned_at > timedelta(minutes=10)  # the board flags it
    assert not acks.get(mine.deployment.id)


def test_demo_logins_have_requests_on_their_home(demo):
    now = utcnow()
    for username in ("liaison", "grid", "community", "cadre"):
        items, total = my_open_requests(user(username))
        assert total >= 1, username
    items, _ = my_open_requests(user("grid"))
    assert any(r.is_overdue(now) for r in items)


# --- Directives relayed (传达部署) ------------------------------------------------------------

def _page_as(app, username, path):
    with app.app_context():  # a fresh `g` per person: the logged-in user is cached there
        client = app.test_client()
        client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        response = client.get(path)
    assert response.status_code == 200, (username, path)
    return response.get_data(as_text=True)


def _relayed(directive):
    return set(db.session.scalars(sa.select(TaskLog.place_id).where(TaskLog.directive_id == directive.id)))


def test_the_leader_has_a_directive_under_way_and_one_overdue_and_the_liaison_owes_a_relay(app, demo):
    today = local_today()
    current = db.session.scalar(sa.select(Directive).where(Directive.title == "防汛安全隐患排查部署"))
    past = db.session.scalar(sa.select(Directive).where(Directive.title == "森林防火宣传部署"))
    leader = user("leader")
    assert current.created_by_id == past.created_by_id == leader.id
    villages = set(db.session.scalars(sa.select(Place.id).where(Place.kind == "village")))
    assert {t.place_id for t in current.targets} == villages and today < current.due_on <= today + timedelta(days=7)
    assert past.due_on < today and past.all_places and len(past.targets) > len(villages)
    assert 0 < len(_relayed(current)) < len(current.targets)
    assert 0 < len(set(t.place_id for t in past.targets) - _relayed(past)) <= 3  # a few places overdue

    # Each relay is a briefing at a target, by someone covering it, with the people reached,
    # made after the directive was published and before now.
    now = utcnow()
    for directive in (current, past):
        targets = {t.place_id for t in directive.targets}
        for log in db.session.scalars(sa.select(TaskLog).where(TaskLog.directive_id == directive.id)):
            assert log.kind.code == "briefing" and log.place_id in targets and log.people_reached > 0
            assert directive.created_at < log.occurred_at < now
            assert log.place_id in {p.id for p in places_of(log.user.username)}, log.user.username

    listing = _page_as(app, "leader", "/directives/")
    assert "防汛安全隐患排查部署" in listing and "森林防火宣传部署" in listing
    assert listing.count("已逾期") == 1
    assert "逾期未传达" in _page_as(app, "leader", f"/directives/{past.id}")

    # The demo liaison relayed it in the village she visited this week; the other one owes both.
    liaison = user("liaison")
    visited, unvisited = sorted(places_of("liaison"), key=lambda p: p.code)
    assert visited.id in _relayed(current) and unvisited.id not in _relayed(current) | _relayed(past)
    owed = {d.id: d.place_ids for d in outstanding_for(liaison)}
    assert owed == {past.id: [unvisited.id], current.id: [unvisited.id]}
    home = _page_as(app, "liaison", "/")
    assert "待传达" in home and f"/log?directive_id={current.id}&amp;place_id={unvisited.id}" in home
    assert "已逾期" in home
    # The community worker's one place owes nothing: their task-log form opens on it unoffered.
    assert outstanding_for(user("community")) == []


def test_demo_has_planned_rounds_owed_by_the_grid_worker_and_overdue_on_the_coverage_page(app, demo):
    from fuxin_pwa.rounds.models import CareTag, VisitRule
    from fuxin_pwa.rounds.queries import rounds_by_place
    from fuxin_pwa.places.services import with_descendants
    from fuxin_pwa.rounds.services import month_plan

    assert count(sa.select(sa.func.count()).select_from(VisitRule)) == 6
    tagged = count(sa.select(sa.func.count(sa.distinct(CareTag.household_id))))
    assert 25 <= tagged <= 35

    # The demo grid worker owes visits this month in her grid: her home shows the plan.
    plan = month_plan(user("grid"))
    assert plan is not None and plan.owed and plan.done < plan.required
    grid_places = {p.id for p in places_of("grid")}
    home = _page_as(app, "grid", "/")
    assert f"本月计划 {plan.done}/{plan.required}" in home
    assert plan.owed[0].address in home
    assert {o.place_id for o in plan.households} <= with_descendants(grid_places)

    # Some households fell short last month: overdue, by place, on the leader's coverage page.
    overdue = [o for entry in rounds_by_place() for o in entry.overdue]
    assert overdue
    coverage = _page_as(app, "leader", "/coverage/")
    assert "重点人群逾期未走访" in coverage and overdue[0].address in coverage


def test_the_plot_is_guarded_day_and_night_and_six_standby_groups_have_their_leaders(client, auth, demo):
    from fuxin_pwa.duty.models import Roster, Shift, StandbyGroup
    from fuxin_pwa.duty.queries import next_shift

    guard = db.session.scalar(sa.select(Roster).where(Roster.kind == "site_guard"))
    assert guard.place.name == "冶头村" and "待征迁地块" in guard.name
    now = utcnow()
    shifts = db.session.scalars(sa.select(Shift).where(Shift.roster_id == guard.id)).all()
    assert {s.label for s in shifts} == {"白班", "夜班"} and all(len(s.people) == 2 for s in shifts)
    assert any(s.ends_at < now for s in shifts) and any(s.starts_at > now + timedelta(days=14) for s in shifts)
    cadre = user("cadre")
    assert next_shift(cadre) is not None
    groups = db.session.scalars(sa.select(StandbyGroup).order_by(StandbyGroup.sort)).all()
    assert [g.name for g in groups] == [f"防汛预备队第{i}组" for i in range(1, 7)]
    for group in groups:
        members = {m.user_id for m in group.members}
        assert group.leader_id in members and len(members) >= 2
        assert {m.user.role for m in group.members} == {"young_cadre"}
    assert demo["rosters"] == 3 and demo["standby_groups"] == 6
    auth.login("cadre")
    home = client.get("/").get_data(as_text=True)
    assert "我的值班" in home and "想与您互换" in home  # a fellow guard's offer waits on him


def test_the_holiday_calendar_has_new_year_and_spring_festival_2027_and_its_duty_keeps_to_it(client, auth, demo):
    from datetime import date

    from fuxin_pwa.duty.models import Holiday, Roster
    from fuxin_pwa.timeutil import to_local

    days = {h.day: h.name for h in db.session.scalars(sa.select(Holiday))}
    assert [d for d, n in days.items() if n == "元旦"][0] == date(2027, 1, 1)
    assert sum(1 for n in days.values() if n == "春节") == 7
    roster = db.session.scalar(sa.select(Roster).where(Roster.kind == "holiday"))
    assert roster.holidays_only and len(roster.shifts) == len(days)
    assert {to_local(s.starts_at).date() for s in roster.shifts} == set(days)
    auth.login("leader")
    assert "春节" in client.get("/duty/holidays").get_data(as_text=True)


def test_the_reserve_pool_holds_the_twelve_chosen_since_2023_and_two_on_their_way(client, auth, demo):
    from fuxin_pwa.reserve.models import ADMITTED, APPOINTED, ReserveCandidate, ReserveStatusChange
    from fuxin_pwa.reserve.queries import pool

    candidates = db.session.scalars(sa.select(ReserveCandidate)).all()
    chosen = [c for c in candidates if c.status in (ADMITTED, APPOINTED)]
    assert len(chosen) == 12 and all(c.admitted_on.year >= 2023 for c in chosen)
    assert len({c.admitted_on.year for c in chosen}) >= 3
    assert sum(c.status == APPOINTED for c in chosen) == 2 and all(c.appointed_as for c in chosen
                                                                  if c.status == APPOINTED)
    assert {c.status for c in candidates} - {ADMITTED, APPOINTED} == {"nominated", "assessing"}
    assert {c.user.role for c in candidates} == {"young_cadre"}
    for c in candidates:  # every status reached is in the history, with its date
        assert db.session.scalars(sa.select(ReserveStatusChange.to_status).where(
            ReserveStatusChange.candidate_id == c.id).order_by(ReserveStatusChange.id)).all()[-1] == c.status
    assert sum(ev.total for _c, ev in pool().rows) > 0  # the history's hard work is there as evidence
    auth.login("leader")
    page = client.get("/reserve/").get_data(as_text=True)
    assert "入库 10" in page and "已任用 2" in page
    auth.logout()
    auth.login("cadre")
    assert "年轻干部后备库" in client.get("/people/me", follow_redirects=True).get_data(as_text=True)


def test_last_saturday_at_the_yanchang_centre_served_residents_and_next_saturdays_is_on_the_liaisons_phone(
        client, auth, demo):
    from fuxin_pwa.service_days.models import ServiceDay
    from fuxin_pwa.service_days.queries import totals_by_day

    today = local_today()
    centre, square = db.session.scalars(sa.select(ServiceDay).order_by(ServiceDay.held_on)).all()
    assert centre.title == "盐场社区党群服务中心便民服务日" and centre.place.name == "盐场社区"
    assert centre.held_on.weekday() == 5 and 0 < (today - centre.held_on).days <= 7
    assert sum(totals_by_day([centre.id])[centre.id].values()) == 102 and len(centre.services) == 5
    assert demo["service_days"] == 2 and demo["service_tallies"] == 102
    assert square.held_on > today and square.held_on.weekday() == 5
    auth.login("community")  # on last Saturday's staff: her phone has the day
    assert [d["title"] for d in client.get("/api/v1/me").get_json()["service_days"]][:1] == [centre.title]
    auth.logout()
    auth.login("liaison")
    days = client.get("/api/v1/me").get_json()["service_days"]
    assert square.title in [d["title"] for d in days] or (square.held_on - today).days > 7
    auth.logout()
    auth.login("leader")
    assert "服务群众 102 人次" in client.get(f"/service-days/{centre.id}").get_data(as_text=True)
