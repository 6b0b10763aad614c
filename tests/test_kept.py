"""The field home a worker keeps between requests, and the people it remembers: kept only
while nothing under them has changed, whoever made the change, in whichever worker."""
import re
import uuid
from datetime import datetime, timedelta

import pytest
from flask import g
import sqlalchemy as sa

from fuxin_pwa import create_app
from fuxin_pwa.auth.models import User
from fuxin_pwa.extensions import db
from fuxin_pwa.requests.models import ResidentRequest
from fuxin_pwa.timeutil import utcnow
from tests.factories import make_checkin
from tests.test_stats import make_request


def _sync(client, *records):
    body = {"device_id": "phone", "sent_at": datetime.now().astimezone().isoformat(timespec="seconds"),
            "records": list(records)}
    answer = client.post("/api/v1/sync", json=body)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["results"]


def _checkin(place_id):
    return {"id": str(uuid.uuid4()), "type": "checkin", "occurred_at": datetime.now().astimezone().isoformat(
        timespec="seconds"), "data": {"place_id": place_id, "lat": 37.5, "lon": 121.25, "accuracy_m": 20}}


def _get(client, url="/"):
    """A request of its own, as each is in production: the tests share one app context, where
    Flask-Login would otherwise hand on the person the previous request loaded."""
    g.pop("_login_user", None)
    return client.get(url)


def _home(client) -> str:
    return _get(client).get_data(as_text=True)


def test_a_home_opened_again_with_nothing_changed_costs_no_query(client, auth, world, count_queries):
    auth.login("liaison")
    first = _home(client)
    with count_queries() as again:
        second = _home(client)
    assert again.count == 0
    assert second == first


def test_her_checkin_synced_from_the_phone_shows_on_the_kept_home_at_once(client, auth, world):
    auth.login("liaison")
    assert "本周未入村" in _home(client)
    assert [r["status"] for r in _sync(client, _checkin(world.village_a.id))] == ["created"]
    assert "本周已入村" in _home(client)


def test_her_own_checkin_leaves_a_colleagues_kept_home_as_it_was(app, client, auth, world, count_queries):
    auth.login("liaison_b")
    _home(client)
    make_checkin(world.liaison, world.village_a)  # another person's own visit: nothing on this home
    with count_queries() as again:
        assert "本周未入村" in _home(client)
    assert again.count == 0


def test_a_request_assigned_to_her_by_the_centre_shows_on_her_kept_home(client, auth, world):
    auth.login("grid")
    assert "暂时没有派给您的未办结诉求" in _home(client)
    make_request(world.leader, world.estate, utcnow(), status="assigned", name="王大爷", assignee_id=world.grid.id)
    assert "王大爷" in _home(client)


def test_each_answer_of_a_kept_home_has_its_own_csrf_token_place_and_record_ids(app, client, auth, world):
    """The ack buttons of a dispatch card are forms: each answer's ids must be new, or a second
    tap after a reload would be taken for the first."""
    from tests.test_dispatch import deploy, make_incident, make_post

    incident = make_incident(world)
    deploy(incident, world.liaison, make_post(incident, "解放路口"))
    auth.login("liaison")
    pages = [_home(client) for _ in range(2)]
    ids = [re.findall(r'name="record_id" value="([0-9a-f-]{36})"', page) for page in pages]
    assert ids[0] and len(set(ids[0] + ids[1])) == len(ids[0]) + len(ids[1])
    tokens = [re.findall(r'name="csrf_token" value="([^"]+)"', page) for page in pages]
    assert tokens[0] and all(len(t) > 20 and "csrf-" not in t for t in tokens[0] + tokens[1])


def test_a_flash_message_is_shown_once_and_the_next_home_has_none(client, auth, world):
    auth.login("liaison")
    _get(client)
    client.post("/checkin", data={"record_id": str(uuid.uuid4()), "place_id": world.village_a.id})
    assert "已保存签到" in _home(client)
    assert "已保存签到" not in _home(client)


def test_the_deadline_a_request_shows_is_drawn_again_when_it_passes():
    due = datetime(2026, 12, 4, 12, 0)
    request = ResidentRequest(status="assigned", due_at=due)
    assert request.due_shown_changes_at(due - timedelta(hours=5)) == due  # "期限 12-04 12:00" until then
    assert request.due_shown_changes_at(due + timedelta(minutes=5)) == due + timedelta(hours=1)  # 超期 1 小时
    assert request.due_shown_changes_at(due + timedelta(hours=3, minutes=1)) == due + timedelta(hours=4)
    assert request.due_shown_changes_at(due + timedelta(days=2, hours=1)) == due + timedelta(days=3)
    assert ResidentRequest(status="resolved", due_at=due).due_shown_changes_at(due) is None


def test_a_deactivated_person_is_out_at_once_though_the_worker_knew_her(client, auth, world):
    auth.login("liaison")
    assert _get(client).status_code == 200
    user = db.session.get(User, world.liaison.id)
    user.active = False
    db.session.commit()
    assert _get(client).status_code == 302
    assert client.post("/api/v1/sync", json={"records": []}).status_code == 401


@pytest.mark.app_config(KEEP_SECONDS=0)
def test_a_change_made_outside_the_app_is_seen_within_the_time_limit(client, auth, world):
    """Raw SQL bumps no version: KEEP_SECONDS bounds how long anything kept is trusted."""
    auth.login("liaison")
    assert _get(client).status_code == 200
    db.session.execute(sa.text("UPDATE users SET active = :no WHERE id = :id"),
                       {"no": False, "id": world.liaison.id})
    db.session.commit()
    assert _get(client).status_code == 302


def test_a_write_in_one_worker_makes_another_workers_kept_pages_stale(app, client, auth, world):
    """Two workers of one server: two apps on one database and one versions folder. A check-in
    stored through one is on the home the other had kept."""
    other = create_app({**app.config, "SERVER_NAME": None})
    other_client = other.test_client()
    with other.app_context():
        other_client.post("/login", data={"username": "liaison", "password": "fuxin2024"})
        assert "本周未入村" in _home(other_client)
    auth.login("liaison")
    assert [r["status"] for r in _sync(client, _checkin(world.village_a.id))] == ["created"]
    with other.app_context():
        assert "本周已入村" in _home(other_client)
        db.session.remove()
        db.engine.dispose()


def test_a_place_taken_from_her_by_the_admin_is_refused_at_her_next_sync_though_the_worker_kept_her_scope(
        client, auth, world):
    from fuxin_pwa.places.models import Assignment

    auth.login("liaison")
    assert [r["status"] for r in _sync(client, _checkin(world.village_a.id))] == ["created"]
    db.session.execute(sa.delete(Assignment).where(Assignment.user_id == world.liaison.id))
    db.session.commit()
    (result,) = _sync(client, _checkin(world.village_a.id))
    assert result["status"] == "rejected" and result["errors"]["place_id"] == ["不在您的包片范围内"]


def test_a_place_closed_by_the_admin_is_refused_at_once_though_the_worker_kept_the_places(client, auth, world):
    auth.login("liaison")
    assert [r["status"] for r in _sync(client, _checkin(world.grid_a.id))] == ["created"]
    world.grid_a.active = False
    db.session.commit()
    (result,) = _sync(client, _checkin(world.grid_a.id))
    assert result["status"] == "rejected" and result["errors"]["place_id"] == ["地点不存在"]


def test_the_versions_folder_counts_every_bump_of_many_workers_and_a_rotation_is_a_new_version(tmp_path):
    import threading

    from fuxin_pwa.versions import FolderVersions

    store = FolderVersions(str(tmp_path))
    assert store.read(["all"]) == ("0",)
    threads = [threading.Thread(target=lambda: [store.bump(["all"]) for _ in range(50)]) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.read(["all"])[0].endswith(".200")  # not one bump lost
    seen = {store.read(["all"])[0]}
    store.ROTATE = 210
    for _ in range(20):  # past the rotation and on
        store.bump(["all"])
        version = store.read(["all"])[0]
        assert version not in seen
        seen.add(version)


def test_a_phone_asking_me_again_with_nothing_changed_gets_a_304_for_no_query(client, auth, world, count_queries):
    auth.login("liaison")
    first = _get(client, "/api/v1/me")
    with count_queries() as again:
        g.pop("_login_user", None)
        answer = client.get("/api/v1/me", headers={"If-None-Match": first.headers["ETag"]})
    assert answer.status_code == 304 and again.count == 0
    assert first.get_json()["csrf_token"] and first.get_json()["user"]["username"] == "liaison"
