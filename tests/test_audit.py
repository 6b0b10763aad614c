"""The audit trail: every change to people, places, households, cases, requests and the rest
is one entry (who, when, which object, each field's before → after), made in one place by
session events; personal values masked, secrets only as changed; field records are their own
audit. Leaders and admins see an object's history on its page, field staff never do."""
import csv
import io
import json

import pytest
import sqlalchemy as sa

from fuxin_pwa.audit.models import SECRET, AuditEntry
from fuxin_pwa.audit.registry import BY_MODEL
from fuxin_pwa.auth.models import User
from fuxin_pwa.cases.models import Case
from fuxin_pwa.dispatch.models import Deployment, Incident, IncidentGroup, Post
from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import TaskKind
from fuxin_pwa.places.models import Assignment, Household, Place
from fuxin_pwa.records import FieldRecordMixin
from fuxin_pwa.requests.models import RequestCategory, ResidentRequest
from tests.test_requests import a_request, act
from tests.test_sync import checkin, sync, task_log


def entries(object_type=None, object_id=None, action=None):
    stmt = sa.select(AuditEntry).order_by(AuditEntry.id)
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if object_id is not None:
        stmt = stmt.where(AuditEntry.object_id == object_id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return db.session.scalars(stmt).all()


def count_entries():
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))


def test_an_admin_changing_a_persons_role_and_phone_is_one_entry_with_before_after_and_no_password(
        client, auth, world):
    auth.login("admin")
    old_hash = world.liaison.password_hash
    response = client.post(f"/admin/people/{world.liaison.id}", data={
        "username": "liaison", "name": "赵包村", "role": "grid_worker", "team": "grid_worker",
        "phone": "13900002222", "active": "y", "password": "Xinlu-2026-gw"})
    assert response.status_code == 302
    [entry] = entries("user", world.liaison.id, "update")
    assert entry.actor_id == world.admin.id and entry.path == f"/admin/people/{world.liaison.id}"
    assert entry.changes["role"] == ["village_liaison", "grid_worker"]
    assert entry.changes["team"] == ["village_liaison", "grid_worker"]
    assert entry.changes["phone"] == ["138****1111", "139****2222"]
    assert entry.changes["password_hash"] == [None, SECRET]
    assert "name" not in entry.changes  # unchanged fields are not logged
    # Neither the old nor the new hash, the session token or a whole phone number is in the log.
    db.session.refresh(world.liaison)
    logged = json.dumps([e.changes for e in entries()], ensure_ascii=False)
    for secret in (old_hash, world.liaison.password_hash, world.liaison.session_token, "13900002222", "13800001111"):
        assert secret not in logged
    # The person's page shows the admin the change.
    page = client.get(f"/admin/people/{world.liaison.id}").get_data(as_text=True)
    assert 'id="audit-history"' in page and "139****2222" in page


def test_a_leader_assigning_a_request_is_in_its_history_for_the_leader_not_for_the_field_worker(
        client, auth, world):
    req = a_request(world)
    assert entries("request") == []  # raising a request is a field record: its row is its audit
    auth.login("leader")
    assert act(client, req, "assign", assignee_id=world.liaison.id).status_code == 302
    [entry] = entries("request", req.id)
    assert entry.action == "update" and entry.actor_id == world.leader.id
    assert entry.changes["status"] == ["received", "assigned"]
    assert entry.changes["assignee_id"] == [None, world.liaison.id]
    assert "version" not in entry.changes
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert 'id="audit-history"' in page and "刘书记" in page

    auth.logout()
    auth.login("liaison")
    response = client.get(f"/requests/{req.id}")
    assert response.status_code == 200 and 'id="audit-history"' not in response.get_data(as_text=True)


def test_a_refused_stale_change_to_a_request_logs_nothing(client, auth, world):
    req = a_request(world)
    auth.login("leader")
    assert act(client, req, "assign", assignee_id=world.liaison.id).status_code == 302
    auth.logout()
    auth.login("admin")  # someone else, on the page as it was before the leader's change
    act(client, req, "assign", version=1, assignee_id=world.grid.id)
    db.session.refresh(req)
    assert req.assignee_id == world.liaison.id  # kept as a conflict, not applied
    assert len(entries("request", req.id)) == 1


def test_a_household_edit_masks_phone_and_id_number(client, auth, world):
    auth.login("admin")
    response = client.post(f"/admin/households/{world.household_a.id}/edit", data={
        "address": "东村1号", "head_name": "张三", "phone": "13900005678", "id_number": "370611196001019999",
        "members": "3"})
    assert response.status_code == 302
    [entry] = entries("household", world.household_a.id, "update")
    assert entry.changes["phone"] == ["138****5678", "139****5678"]
    assert entry.changes["id_number"] == ["3706**********1234", "3706**********9999"]
    assert entry.changes["members"] == [None, 3]
    logged = json.dumps(entry.changes)
    assert "13900005678" not in logged and "370611196001019999" not in logged
    # And the household's creation (by the test's set-up, no one logged in) was masked too.
    [created] = entries("household", world.household_a.id, "create")
    assert created.actor_id is None and created.changes["phone"] == [None, "138****5678"]
    # The leader sees the history on the household's page; the liaison who covers it does not.
    auth.logout()
    auth.login("leader")
    assert 'id="audit-history"' in client.get(f"/cases/households/{world.household_a.id}").get_data(as_text=True)
    auth.logout()
    auth.login("liaison")
    page = client.get(f"/cases/households/{world.household_a.id}")
    assert page.status_code == 200 and 'id="audit-history"' not in page.get_data(as_text=True)


def test_a_check_in_and_a_task_log_synced_make_no_audit_entry(client, auth, world):
    auth.login("liaison")
    before = count_entries()
    response = sync(client, [checkin(world.village_a.id), task_log(world.village_a.id)])
    assert [r["status"] for r in response.get_json()["results"]] == ["created", "created"]
    assert count_entries() == before


def test_removing_an_assignment_in_bulk_is_logged_under_the_person(client, auth, world):
    auth.login("admin")
    assignment_id = db.session.scalar(sa.select(Assignment.id).where(Assignment.user_id == world.liaison.id))
    response = client.post(f"/admin/people/{world.liaison.id}/assignments/{world.village_a.id}/remove")
    assert response.status_code == 302
    [entry] = entries("assignment", assignment_id, "delete")
    assert entry.actor_id == world.admin.id and (entry.parent_type, entry.parent_id) == ("user", world.liaison.id)
    assert entry.changes["place_id"] == [world.village_a.id, None]


def test_a_case_and_an_incident_show_their_history_to_leaders(client, auth, world):
    case = Case(household_id=world.household_a.id, kind="repair", title="屋顶漏水", owner_id=world.liaison.id,
                created_by_id=world.leader.id)
    incident = Incident(title="暴雨", created_by_id=world.leader.id)
    db.session.add_all([case, incident])
    db.session.commit()
    case.plan = "先修屋顶"
    db.session.commit()
    [entry] = entries("case", case.id, "update")
    assert entry.changes == {"plan": [None, "先修屋顶"]}  # the version column is not a change
    auth.login("leader")
    assert "先修屋顶" in client.get(f"/cases/{case.id}").get_data(as_text=True)
    board = client.get(f"/dispatch/{incident.id}").get_data(as_text=True)
    assert 'id="audit-history"' in board and "暴雨" in board
    auth.logout()
    auth.login("liaison")
    assert 'id="audit-history"' not in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_a_change_rolled_back_leaves_no_entry(app, world):
    before = count_entries()
    world.household_b.head_name = "李四四"
    db.session.flush()
    db.session.rollback()
    assert count_entries() == before


def test_the_admin_page_filters_by_person_type_and_date(client, auth, world):
    req = a_request(world)
    auth.login("leader")
    act(client, req, "assign", assignee_id=world.liaison.id)
    auth.logout()
    auth.login("admin")
    client.post(f"/admin/households/{world.household_b.id}/edit", data={
        "address": "西村8号", "head_name": "李四", "phone": "13987654321", "members": "5"})
    request_link = f'href="/requests/{req.id}"'
    household_link = f'href="/cases/households/{world.household_b.id}"'

    everyone = client.get("/admin/audit/").get_data(as_text=True)
    assert request_link in everyone and household_link in everyone
    by_leader = client.get(f"/admin/audit/?actor={world.leader.id}").get_data(as_text=True)
    assert request_link in by_leader and household_link not in by_leader
    households = client.get("/admin/audit/?type=household").get_data(as_text=True)
    assert household_link in households and request_link not in households
    by_system = client.get("/admin/audit/?actor=system&type=place").get_data(as_text=True)
    assert f'href="/admin/places/{world.village_a.id}/edit"' in by_system
    from fuxin_pwa.timeutil import local_today
    today = local_today()
    assert request_link in client.get(f"/admin/audit/?date_from={today}&date_to={today}").get_data(as_text=True)
    later = client.get(f"/admin/audit/?date_from={today.replace(year=today.year + 1)}").get_data(as_text=True)
    assert request_link not in later and "没有符合条件的变更记录" in later
    # Bounds no day sum can hold are a field error, and an id no column can hold no filter:
    # never a 500, and the list still shows.
    for odd in ("date_from=0001-01-01", "date_to=9999-12-31"):
        response = client.get(f"/admin/audit/?{odd}")
        assert response.status_code == 422 and request_link in response.get_data(as_text=True), odd
        assert "日期超出范围" in response.get_data(as_text=True)
    response = client.get(f"/admin/audit/?type=request&object_id={2 ** 63}")
    assert response.status_code == 200 and request_link in response.get_data(as_text=True)
    backwards = client.get(f"/admin/audit/?date_from={today}&date_to={today.replace(year=today.year - 1)}")
    assert backwards.status_code == 422 and "结束日期不能早于开始日期" in backwards.get_data(as_text=True)
    # htmx asks for the list only.
    part = client.get("/admin/audit/?type=request", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in part and request_link in part


def test_the_csv_export_keeps_a_formula_in_a_value_as_text(client, auth, world):
    auth.login("admin")
    evil = '=HYPERLINK("http://evil.example","点我")'
    assert client.post(f"/admin/households/{world.household_c.id}/edit", data={
        "address": evil, "head_name": "王五", "phone": "13700001234"}).status_code == 302
    response = client.get("/admin/audit/export.csv?type=household")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    cells = [cell for row in rows for cell in row]
    assert "'" + evil in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    assert "管理员" in cells  # who

    # Taking the log away is itself in the personal-data access log, with its filter and rows.
    from fuxin_pwa.privacy.models import AccessLogEntry
    [logged] = db.session.scalars(sa.select(AccessLogEntry).where(AccessLogEntry.field == "audit")).all()
    assert logged.kind == "export" and '"type": "household"' in logged.filters and logged.rows == len(rows) - 1


def test_only_admins_open_the_audit_page(client, auth, world):
    for username in ("leader", "liaison"):
        auth.login(username)
        assert client.get("/admin/audit/").status_code == 403
        assert client.get("/admin/audit/export.csv").status_code == 403
        auth.logout()


LISTED = (User, Assignment, Place, Household, Case, ResidentRequest, RequestCategory, TaskKind, Incident,
          Post, IncidentGroup, Deployment)
# Not audited, and why: field records and logs are facts, never edited; each row is its own audit.
# Residents' ballots are anonymous, cast once and never edited: no entry names who cast them.
NOT_AUDITED = {"case_events", "photos", "audit_entries", "access_log", "evaluation_ballots",
               "evaluation_ballot_ratings"}


@pytest.mark.parametrize("model", LISTED, ids=lambda m: m.__name__)
def test_every_listed_model_is_registered(app, model):
    assert model in BY_MODEL


def test_a_new_model_must_choose_audited_or_not(app):
    """A model added later is either one line in audit/registry.py or named here as a fact."""
    for mapper in db.Model.registry.mappers:
        model = mapper.class_
        if issubclass(model, FieldRecordMixin) and model is not ResidentRequest:
            continue
        assert model in BY_MODEL or model.__tablename__ in NOT_AUDITED, model.__name__


def test_secrets_never_reach_the_log_even_on_creation(app):
    user = User(username="new1", name="新人", role="grid_worker", phone="13811112222", password_hash="pbkdf2:x$y$z")
    db.session.add(user)
    db.session.commit()
    [entry] = entries("user", user.id, "create")
    assert entry.changes["password_hash"] == [None, SECRET] and entry.changes["session_token"] == [None, SECRET]
    assert entry.changes["phone"] == [None, "138****2222"]
    assert "pbkdf2" not in json.dumps(entry.changes)


def test_flushing_many_changes_adds_one_insert_for_their_entries(app, world, count_queries):
    for household in (world.household_a, world.household_b, world.household_c):
        household.note = "走访过"  # loaded already: setting it needs no query
    with count_queries() as counter:
        db.session.commit()
    # three UPDATEs (one executemany on some drivers) and one INSERT of the three entries
    assert counter.count <= 4
    assert len(entries(action="update")) == 3


def test_a_deleted_object_is_logged_with_its_last_values(app, world):
    kind = TaskKind(code="tmp_kind", label="临时", sort=5)
    db.session.add(kind)
    db.session.commit()
    db.session.delete(kind)  # the object is expired after the commit: its values are read before the delete
    db.session.commit()
    [entry] = entries("task_kind", kind.id, "delete")
    assert entry.changes["label"] == ["临时", None] and entry.changes["code"] == ["tmp_kind", None]


def test_a_place_renamed_through_the_admin_form(client, auth, world):
    auth.login("admin")
    client.post(f"/admin/places/{world.village_b.id}/edit", data={
        "name": "西村（新）", "kind": "village", "parent_id": world.subdistrict.id, "code": "V-B", "active": "y"})
    [entry] = entries("place", world.village_b.id, "update")
    assert entry.changes["name"] == ["西村", "西村（新）"] and entry.actor_id == world.admin.id


def test_request_category_changes_are_logged(app):
    category = db.session.scalar(sa.select(RequestCategory).where(RequestCategory.code == "sanitation"))
    category.deadline_days = 5
    db.session.commit()
    [entry] = entries("request_category", category.id, "update")
    assert entry.changes == {"deadline_days": [3, 5]}





def test_a_care_situation_recorded_for_a_worker_is_in_the_audit_trail(app, world):
    from datetime import date

    from fuxin_pwa.care.services import record_trigger
    trigger = record_trigger(world.leader, world.grid.id, "hospitalised", date(2026, 12, 1), "住院", world.leader.id)
    db.session.commit()
    [entry] = entries("care_trigger", trigger.id, "create")
    assert entry.changes["reason"] == [None, "hospitalised"] and entry.changes["person_id"] == [None, world.grid.id]
