"""Who may open what: every route × every role, and logged out.

Each row names a route, the roles that may use it, and what everyone else gets: 403 for a
page of another role's area, 404 for a resident's household or case outside one's places
(not even its existence is confirmed). A route missing from this table fails the last test,
so a new route cannot ship without its row."""
import io
import uuid

from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from fuxin_pwa.cases.models import Case
from fuxin_pwa.dispatch.models import Deployment, Incident, Post
from fuxin_pwa.extensions import db
from fuxin_pwa.photos.services import save_photo
from fuxin_pwa.requests.models import RequestCategory, ResidentRequest
from fuxin_pwa.timeutil import utcnow
from tests.factories import make_checkin

LOGINS = {"admin": "admin", "leader": "leader", "young_cadre": "cadre", "community_worker": "community",
          "grid_worker": "grid", "village_liaison": "liaison"}
ALL = set(LOGINS)
OVERSIGHT = {"admin", "leader"}
ADMIN = {"admin"}
# Household A lies in 东村 (grid 东村第1网格): its liaison and the cadre who covers 东村 see it.
COVERS_A = OVERSIGHT | {"village_liaison", "young_cadre"}
PAGE = {200}
FORM_POST = {200, 302, 400, 422}  # an empty POST reaches the view: saved, refused or redirected

# (endpoint, method, url, allowed roles, code for the others, what the allowed get)
MATRIX = [
    ("field.home", "GET", "/", ALL, None, {200, 302}),
    ("field.checkin", "GET", "/checkin", ALL, None, PAGE),
    ("field.checkin", "POST", "/checkin", ALL, None, FORM_POST),
    ("field.task_log", "GET", "/log", ALL, None, PAGE),
    ("field.task_log", "GET", "/log?household_id={household_a}", COVERS_A, 404, PAGE),
    ("field.task_log", "POST", "/log", ALL, None, FORM_POST),
    ("field.record", "GET", "/my/record", ALL, None, PAGE),
    ("cases.index", "GET", "/cases/", ALL, None, PAGE),
    ("cases.households", "GET", "/cases/households", ALL, None, PAGE),
    ("cases.household", "GET", "/cases/households/{household_a}", COVERS_A, 404, PAGE),
    ("cases.new", "GET", "/cases/new?household_id={household_a}", COVERS_A, 404, PAGE),
    ("cases.new", "POST", "/cases/new?household_id={household_a}", COVERS_A, 404, FORM_POST),
    ("cases.show", "GET", "/cases/{case_a}", COVERS_A, 404, PAGE),
    ("cases.add_visit", "POST", "/cases/{case_a}/visits", COVERS_A, 404, FORM_POST),
    # Only the case's owner (the liaison) or a leader/admin moves its status; the cadre
    # covers the place (403), everyone else does not even see the case (404).
    ("cases.move_status", "POST", "/cases/{case_a}/status", OVERSIGHT | {"village_liaison"},
     {"young_cadre": 403, "*": 404}, FORM_POST),
    # Resident requests: anyone raises one; a request at 东村第1网格 raised by the leader and not
    # yet assigned is seen by those who cover 东村 (a grid worker of 万科 gets 404).
    ("requests.index", "GET", "/requests/", ALL, None, PAGE),
    ("requests.mine", "GET", "/requests/mine", ALL, None, PAGE),
    ("requests.new", "GET", "/requests/new", ALL, None, PAGE),
    ("requests.new", "POST", "/requests/new", ALL, None, FORM_POST),
    ("requests.households", "GET", "/requests/households?place_id={grid_a}", ALL, None, PAGE),
    ("requests.show", "GET", "/requests/{request_a}", COVERS_A, 404, PAGE),
    ("requests.act", "POST", "/requests/{request_a}/events", COVERS_A, 404, FORM_POST),
    ("requests.add_visit", "POST", "/requests/{request_a}/visits", COVERS_A, 404, FORM_POST),
    ("requests.categories", "GET", "/requests/categories", ADMIN, 403, PAGE),
    ("requests.categories", "POST", "/requests/categories", ADMIN, 403, FORM_POST),
    ("requests.edit_category", "GET", "/requests/categories/{category_a}/edit", ADMIN, 403, PAGE),
    ("requests.edit_category", "POST", "/requests/categories/{category_a}/edit", ADMIN, 403, FORM_POST),
    # Dispatch: only leaders and admins open incidents, define posts and send people.
    ("dispatch.index", "GET", "/dispatch/", OVERSIGHT, 403, PAGE),
    ("dispatch.new", "GET", "/dispatch/new", OVERSIGHT, 403, PAGE),
    ("dispatch.new", "POST", "/dispatch/new", OVERSIGHT, 403, FORM_POST),
    ("dispatch.board", "GET", "/dispatch/{incident_a}", OVERSIGHT, 403, PAGE),
    # Not an htmx request: a browser is sent to the whole board.
    ("dispatch.board_live", "GET", "/dispatch/{incident_a}/live", OVERSIGHT, 403, {302}),
    ("dispatch.add_post", "POST", "/dispatch/{incident_a}/posts", OVERSIGHT, 403, FORM_POST),
    ("dispatch.add_group", "POST", "/dispatch/{incident_a}/groups", OVERSIGHT, 403, FORM_POST),
    ("dispatch.assign", "POST", "/dispatch/{incident_a}/assign", OVERSIGHT, 403, FORM_POST),
    ("dispatch.remove_person", "POST", "/dispatch/{incident_a}/people/{deployment_a}/remove", OVERSIGHT, 403,
     FORM_POST),
    ("dispatch.close", "POST", "/dispatch/{incident_a}/close", OVERSIGHT, 403, FORM_POST),
    ("dispatch.mine", "GET", "/dispatch/mine", ALL, None, PAGE),
    ("dispatch.ack", "POST", "/dispatch/{incident_a}/ack", ALL, None, FORM_POST),
    # Only people sent to the incident (the liaison) and leaders report from it; others 404.
    ("dispatch.report", "GET", "/dispatch/{incident_a}/report", OVERSIGHT | {"village_liaison"}, 404, PAGE),
    ("dispatch.report", "POST", "/dispatch/{incident_a}/report", OVERSIGHT | {"village_liaison"}, 404,
     FORM_POST),
    ("coverage.index", "GET", "/coverage/", OVERSIGHT, 403, PAGE),
    ("coverage.cell", "GET", "/coverage/cell?user_id={liaison}&place_id={village_a}", OVERSIGHT, 403, PAGE),
    ("stats.index", "GET", "/stats/", OVERSIGHT, 403, PAGE),
    ("stats.export", "GET", "/stats/export.xlsx?ledger=all", OVERSIGHT, 403, PAGE),
    ("stats.export", "GET", "/stats/export.csv?ledger=visits", OVERSIGHT, 403, PAGE),
    ("oversight.index", "GET", "/oversight/", OVERSIGHT, 403, PAGE),
    ("oversight.records", "GET", "/oversight/records", OVERSIGHT, 403, PAGE),
    ("sync.me", "GET", "/api/v1/me", ALL, None, PAGE),
    ("sync.sync", "POST", "/api/v1/sync", ALL, None, PAGE),
    ("admin.index", "GET", "/admin/", ADMIN, 403, PAGE),
    ("admin.places", "GET", "/admin/places", ADMIN, 403, PAGE),
    ("admin.new_place", "GET", "/admin/places/new", ADMIN, 403, PAGE),
    ("admin.new_place", "POST", "/admin/places/new", ADMIN, 403, FORM_POST),
    ("admin.edit_place", "GET", "/admin/places/{village_a}/edit", ADMIN, 403, PAGE),
    ("admin.edit_place", "POST", "/admin/places/{village_a}/edit", ADMIN, 403, FORM_POST),
    ("admin.households", "GET", "/admin/places/{grid_a}/households", ADMIN, 403, PAGE),
    ("admin.new_household", "GET", "/admin/places/{grid_a}/households/new", ADMIN, 403, PAGE),
    ("admin.new_household", "POST", "/admin/places/{grid_a}/households/new", ADMIN, 403, FORM_POST),
    ("admin.edit_household", "GET", "/admin/households/{household_a}/edit", ADMIN, 403, PAGE),
    ("admin.edit_household", "POST", "/admin/households/{household_a}/edit", ADMIN, 403, FORM_POST),
    ("admin.people", "GET", "/admin/people", ADMIN, 403, PAGE),
    ("admin.new_person", "GET", "/admin/people/new", ADMIN, 403, PAGE),
    ("admin.new_person", "POST", "/admin/people/new", ADMIN, 403, FORM_POST),
    ("admin.person", "GET", "/admin/people/{liaison}", ADMIN, 403, PAGE),
    ("admin.person", "POST", "/admin/people/{liaison}", ADMIN, 403, FORM_POST),
    ("admin.add_assignment", "POST", "/admin/people/{liaison}/assignments", ADMIN, 403, FORM_POST),
    ("admin.remove_assignment", "POST", "/admin/people/{liaison}/assignments/{village_a}/remove",
     ADMIN, 403, FORM_POST),
    ("admin.task_kinds", "GET", "/admin/task-kinds", ADMIN, 403, PAGE),
    ("admin.task_kinds", "POST", "/admin/task-kinds", ADMIN, 403, FORM_POST),
    ("admin.edit_task_kind", "GET", "/admin/task-kinds/1/edit", ADMIN, 403, PAGE),
    ("admin.edit_task_kind", "POST", "/admin/task-kinds/1/edit", ADMIN, 403, FORM_POST),
    ("admin.import_index", "GET", "/admin/import", ADMIN, 403, PAGE),
    ("admin.import_template", "GET", "/admin/import/people/template.csv", ADMIN, 403, PAGE),
    ("admin.import_upload", "GET", "/admin/import/places", ADMIN, 403, PAGE),
    ("admin.import_upload", "POST", "/admin/import/places", ADMIN, 403, FORM_POST),
    # An unknown upload token: the admin reaches the view and hears it is gone.
    ("admin.import_preview", "GET", "/admin/import/places/{token}", ADMIN, 403, {302, 404}),
    ("admin.import_confirm", "POST", "/admin/import/places/{token}/confirm", ADMIN, 403, {302, 404}),
    ("admin.outbox_import", "GET", "/admin/outbox-import", ADMIN, 403, PAGE),
    ("admin.outbox_import", "POST", "/admin/outbox-import", ADMIN, 403, FORM_POST),
    # A photo upload onto the liaison's own check-in: she reaches the upload (an empty body is
    # not an image: 415); on anyone else's record the answer is 404, as for a missing record.
    ("sync.record_photo", "PUT", "/api/v1/records/{checkin_a}/photos/{new_photo}", {"village_liaison"}, 404,
     {415}),
    # A photo of that check-in in 东村: its owner, leaders, admins and the cadre who covers 东村.
    ("photos.show", "GET", "/photos/{photo_a}", COVERS_A, 404, PAGE),
    ("photos.thumb", "GET", "/photos/{photo_a}/thumb", COVERS_A, 404, PAGE),
]
PUBLIC = {"static", "healthz", "auth.login", "auth.logout",
          # The installable shell: the same for everyone, needed before logging in.
          "pwa.manifest", "pwa.service_worker", "pwa.offline", "pwa.install",
          # The outbox page is a shell drawn from the device's IndexedDB: it holds no one's
          # data, and a person whose session ended must still see, fix and export their records.
          "pwa.outbox"}


@pytest.fixture
def ids(world):
    case = Case(household_id=world.household_a.id, kind="illegal_structure", title="东村1号违建",
                owner_id=world.liaison.id, created_by_id=world.leader.id)
    db.session.add(case)
    db.session.commit()
    checkin = make_checkin(world.liaison, world.grid_a)
    picture = io.BytesIO()
    Image.new("RGB", (8, 8)).save(picture, "JPEG")
    photo = save_photo(world.liaison, checkin, str(uuid.uuid4()), "image/jpeg", picture.getvalue()).photo
    category = db.session.scalar(sa.select(RequestCategory).order_by(RequestCategory.id))
    request_a = ResidentRequest(uuid=str(uuid.uuid4()), user_id=world.leader.id, occurred_at=utcnow(),
                                content_hash="test", place_id=world.grid_a.id, category_id=category.id,
                                resident_name="张大妈", description="屋顶漏水", due_at=utcnow() + timedelta(days=7))
    incident = Incident(title="暴雨防汛", created_by_id=world.leader.id)
    db.session.add_all([request_a, incident])
    db.session.flush()
    post = Post(incident_id=incident.id, name="解放路口")
    db.session.add(post)
    db.session.flush()
    deployment = Deployment(incident_id=incident.id, user_id=world.liaison.id, post_id=post.id)
    db.session.add(deployment)
    db.session.commit()
    return {"household_a": world.household_a.id, "case_a": case.id, "village_a": world.village_a.id,
            "grid_a": world.grid_a.id, "liaison": world.liaison.id, "token": "0" * 32,
            "checkin_a": checkin.uuid, "photo_a": photo.uuid, "new_photo": str(uuid.uuid4()),
            "request_a": request_a.id, "category_a": category.id, "incident_a": incident.id,
            "deployment_a": deployment.id}


def _call(client, method, url):
    if method == "GET":
        return client.get(url)
    if method == "PUT":
        return client.put(url, data=b"", content_type="image/jpeg")
    if url.startswith("/api/"):
        return client.post(url, json={"records": []})
    return client.post(url, data={})


def _denied_code(denied, role):
    if isinstance(denied, dict):
        return denied.get(role, denied["*"])
    return denied


@pytest.mark.parametrize("role", sorted(LOGINS))
@pytest.mark.parametrize("endpoint, method, url, allowed, denied, ok", MATRIX,
                         ids=[f"{m} {u}" for _, m, u, *_ in MATRIX])
def test_role_route_matrix(client, auth, ids, role, endpoint, method, url, allowed, denied, ok):
    auth.login(LOGINS[role])
    r = _call(client, method, url.format(**ids))
    if role in allowed:
        assert r.status_code in ok, f"{role} should reach {method} {url}, got {r.status_code}"
        assert "/login" not in r.headers.get("Location", "")
    else:
        assert r.status_code == _denied_code(denied, role), f"{role} must not reach {method} {url}"


@pytest.mark.parametrize("endpoint, method, url, allowed, denied, ok", MATRIX,
                         ids=[f"{m} {u}" for _, m, u, *_ in MATRIX])
def test_logged_out_is_sent_to_log_in(client, ids, endpoint, method, url, allowed, denied, ok):
    r = _call(client, method, url.format(**ids))
    if url.startswith("/api/"):
        assert r.status_code == 401 and r.get_json() == {"error": "auth_required"}
    else:
        assert r.status_code == 302 and r.headers["Location"].startswith("/login")


def test_every_route_has_a_row(app):
    covered = {row[0] for row in MATRIX} | PUBLIC
    routes = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert routes - covered == set(), "add these routes to the access matrix"
