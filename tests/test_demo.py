"""The demo subdistrict: the shape of the 2024 report, the same data for the same seed, and
every demo login landing on its home."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from fuxin_pwa.auth.models import User
from fuxin_pwa.cases.models import CaseEvent, CLOSED_STATUSES, Case
from fuxin_pwa.cli import DEMO_LOGINS, DEMO_PASSWORD
from fuxin_pwa.demo.loader import load_demo
from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import DEFAULT_TASK_KINDS, CheckIn, TaskKind, TaskLog
from fuxin_pwa.field.queries import my_places_this_week
from fuxin_pwa.field.services import ensure_task_kinds
from fuxin_pwa.places.models import Assignment, Household, Place
from fuxin_pwa.timeutil import utcnow

SEED = 20240805


@pytest.fixture
def demo(app):
    return load_demo(seed=SEED)


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
            rows(sa.select(Case.title, Case.status).order_by(Case.id)))


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
    """Field people land on the field home; leaders and admins are sent on to oversight."""
    lands_on = {"admin": "/oversight/", "leader": "/oversight/"}
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
