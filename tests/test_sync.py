"""The server half of the sync contract (docs: sync-protocol.md), answer by answer."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import CheckIn, TaskLog
from fuxin_pwa.timeutil import LOCAL_TZ

SHANGHAI = timezone(timedelta(hours=8))


def now_iso(delta=timedelta(0)):
    return (datetime.now(SHANGHAI) + delta).isoformat(timespec="seconds")


def checkin(place_id, **data):
    return {"id": str(uuid.uuid4()), "type": "checkin", "occurred_at": now_iso(),
            "data": {"place_id": place_id, "lat": 37.4968, "lon": 121.2541, "accuracy_m": 18,
                     "note": "入村走访", **data}}


def task_log(place_id, **data):
    return {"id": str(uuid.uuid4()), "type": "task_log", "occurred_at": now_iso(),
            "data": {"kind": "resident_visit", "place_id": place_id, "summary": "走访群众，了解诉求", **data}}


def sync(client, records, sent_at=None, **extra):
    body = {"device_id": "test-device", "sent_at": sent_at or now_iso(), "records": records}
    return client.post("/api/v1/sync", json=body, **extra)


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def statuses(response):
    return [r["status"] for r in response.get_json()["results"]]


# --- GET /api/v1/me --------------------------------------------------------------------

def test_me_logged_out_is_json_401(client):
    r = client.get("/api/v1/me")
    assert r.status_code == 401 and r.get_json() == {"error": "auth_required"}


def test_me_gives_a_liaison_their_places_kinds_types_and_token(client, auth, world):
    auth.login("liaison")
    r = client.get("/api/v1/me")
    body = r.get_json()
    assert r.status_code == 200 and r.headers["ETag"]
    assert body["user"] == {"username": "liaison", "name": "赵包村", "role": "village_liaison"}
    assert {"checkin", "task_log"} <= set(body["types"])
    assert {"code": "demolition_talk", "label": "违建约谈"} in body["task_kinds"]
    names = {p["name"] for p in body["places"]}
    assert names == {"东村", "东村第1网格"}  # her village and what lies below it, nothing else
    assert body["csrf_token"]


def test_me_answers_304_to_its_own_etag_and_leaders_get_all_places(client, auth, world):
    auth.login("leader")
    first = client.get("/api/v1/me")
    assert len(first.get_json()["places"]) == 7  # every place but the subdistrict itself
    again = client.get("/api/v1/me", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_me_answers_304_to_the_weak_etag_a_gzipped_answer_carries(client, auth, world):
    """A phone asks with gzip and is given the tag weakened (W/"…"); sending that back is a 304."""
    auth.login("leader")  # every place: an answer long enough to be gzipped
    first = client.get("/api/v1/me", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip" and first.headers["ETag"].startswith('W/"')
    again = client.get("/api/v1/me", headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_me_etag_changes_after_a_new_login(client, auth, world):
    auth.login("liaison")
    etag = client.get("/api/v1/me").headers["ETag"]
    auth.logout()
    auth.login("liaison")
    r = client.get("/api/v1/me", headers={"If-None-Match": etag})
    assert r.status_code == 200 and r.get_json()["csrf_token"]


# --- POST /api/v1/sync: per-record answers ----------------------------------------------

def test_new_records_are_created_and_a_replay_is_all_duplicate(client, auth, world):
    auth.login("liaison")
    batch = [checkin(world.village_a.id), checkin(world.grid_a.id), task_log(world.village_a.id)]
    first = sync(client, batch)
    assert first.status_code == 200 and statuses(first) == ["created"] * 3
    assert [r["id"] for r in first.get_json()["results"]] == [r["id"] for r in batch]
    replay = sync(client, batch)
    assert statuses(replay) == ["duplicate"] * 3
    assert count(CheckIn) == 2 and count(TaskLog) == 1
    stored = db.session.scalar(sa.select(CheckIn).where(CheckIn.uuid == batch[0]["id"]))
    assert stored.source == "sync" and stored.device_id == "test-device" and stored.accuracy_m == 18


def test_same_id_with_other_content_is_rejected_on_id(client, auth, world):
    auth.login("liaison")
    record = checkin(world.village_a.id)
    sync(client, [record])
    changed = {**record, "data": {**record["data"], "note": "改过的备注"}}
    r = sync(client, [changed])
    result = r.get_json()["results"][0]
    assert result["status"] == "rejected" and "id" in result["errors"]
    assert db.session.scalar(sa.select(CheckIn.note)) == "入村走访"  # the fact is never overwritten


def test_same_id_from_another_person_is_rejected_on_id(client, auth, world):
    auth.login("cadre")  # the cadre covers 东村 too
    record = checkin(world.village_a.id)
    sync(client, [record])
    auth.logout()
    auth.login("liaison")
    result = sync(client, [record]).get_json()["results"][0]
    assert result["status"] == "rejected" and "id" in result["errors"]
    assert count(CheckIn) == 1


def test_an_id_is_unique_across_record_types(client, auth, world):
    auth.login("liaison")
    record = checkin(world.village_a.id)
    sync(client, [record])
    reused = {**task_log(world.village_a.id), "id": record["id"]}
    assert statuses(sync(client, [reused])) == ["rejected"]
    assert count(TaskLog) == 0


def test_one_bad_record_never_sinks_the_others(client, auth, world):
    auth.login("liaison")
    batch = [checkin(world.village_a.id), checkin(world.village_b.id), "not a record",
             {"id": "nope", "type": "checkin", "occurred_at": now_iso(), "data": {}},
             {**checkin(world.village_a.id), "type": "poem"},
             task_log(world.village_a.id)]
    results = sync(client, batch).get_json()["results"]
    assert [r["status"] for r in results] == ["created", "rejected", "rejected", "rejected", "rejected", "created"]
    assert results[1]["errors"] == {"place_id": ["不在您的包片范围内"]}
    assert "id" in results[3]["errors"] and "type" in results[4]["errors"]
    assert count(CheckIn) == 1 and count(TaskLog) == 1


@pytest.mark.parametrize("data, field, message", [
    ({"place_id": 99999}, "place_id", "地点不存在"),
    ({"place_id": None}, "place_id", "请选择地点"),
    ({"lat": 137.0}, "lat", "纬度应在 -90 到 90 之间"),
    ({"lon": 200.0}, "lon", "经度应在 -180 到 180 之间"),
    ({"lat": 37.5, "lon": None}, "lon", "经纬度需同时提供"),
    ({"note": "长" * 501}, "note", "备注不能超过500字"),
])
def test_checkin_validation_errors_come_back_in_chinese(client, auth, world, data, field, message):
    auth.login("liaison")
    record = checkin(world.village_a.id)
    record["data"].update(data)
    result = sync(client, [record]).get_json()["results"][0]
    assert result["status"] == "rejected" and result["errors"][field] == [message]
    assert count(CheckIn) == 0


@pytest.mark.parametrize("data, field, message", [
    ({"kind": "karaoke"}, "kind", "未知的工作类型"),
    ({"summary": ""}, "summary", "请填写工作内容"),
    ({"next_step_on": "2000-01-01"}, "next_step_on", "下一步日期不能早于本次走访日期"),
    ({"duration_min": 5000}, "duration_min", "用时应在 1 到 1440 分钟之间"),
])
def test_task_log_validation_errors_come_back_in_chinese(client, auth, world, data, field, message):
    auth.login("liaison")
    record = task_log(world.village_a.id)
    record["data"].update(data)
    result = sync(client, [record]).get_json()["results"][0]
    assert result["status"] == "rejected" and result["errors"][field] == [message]


def test_a_liaison_cannot_log_work_on_another_liaisons_household(client, auth, world):
    auth.login("liaison")
    record = task_log(world.village_a.id, household_id=world.household_b.id)
    result = sync(client, [record]).get_json()["results"][0]
    assert result["status"] == "rejected" and "household_id" in result["errors"]


def test_task_log_with_household_and_next_step_is_stored(client, auth, world):
    auth.login("liaison")
    tomorrow = (datetime.now(LOCAL_TZ).date() + timedelta(days=1)).isoformat()
    record = task_log(world.grid_a.id, household_id=world.household_a.id, next_step_on=tomorrow,
                      duration_min=40, outcome="同意下周再谈", kind="demolition_talk")
    assert statuses(sync(client, [record])) == ["created"]
    log = db.session.scalar(sa.select(TaskLog))
    assert log.household_id == world.household_a.id and log.kind.label == "违建约谈"
    assert log.next_step_on.isoformat() == tomorrow and log.duration_min == 40


# --- clock correction --------------------------------------------------------------------

def test_a_phone_clock_two_days_behind_is_corrected_and_flagged(client, auth, world):
    auth.login("liaison")
    wrong = timedelta(days=-2)
    record = checkin(world.village_a.id)
    record["occurred_at"] = now_iso(wrong - timedelta(minutes=5))  # saved 5 minutes before sending
    assert statuses(sync(client, [record], sent_at=now_iso(wrong))) == ["created"]
    stored = db.session.scalar(sa.select(CheckIn))
    assert stored.clock_corrected
    assert abs(stored.device_occurred_at - (stored.occurred_at - timedelta(days=2))) < timedelta(seconds=5)
    assert abs((stored.received_at - stored.occurred_at) - timedelta(minutes=5)) < timedelta(seconds=5)


def test_a_clock_within_two_minutes_is_left_alone(client, auth, world):
    auth.login("liaison")
    record = checkin(world.village_a.id)
    sync(client, [record], sent_at=now_iso(timedelta(seconds=-60)))
    stored = db.session.scalar(sa.select(CheckIn))
    assert not stored.clock_corrected and stored.occurred_at == stored.device_occurred_at


def test_a_record_dated_1980_still_counts(client, auth, world):
    auth.login("liaison")
    record = checkin(world.village_a.id)
    record["occurred_at"] = "1980-01-01T08:00:00+08:00"
    assert statuses(sync(client, [record], sent_at="1980-01-01T08:01:00+08:00")) == ["created"]
    stored = db.session.scalar(sa.select(CheckIn))
    assert stored.clock_corrected and stored.occurred_at.year >= 2026


def test_a_phone_clock_a_day_ahead_is_corrected_like_one_behind(client, auth, world):
    auth.login("liaison")
    ahead = timedelta(days=1)
    record = checkin(world.village_a.id)
    record["occurred_at"] = now_iso(ahead - timedelta(minutes=10))
    assert statuses(sync(client, [record], sent_at=now_iso(ahead))) == ["created"]
    stored = db.session.scalar(sa.select(CheckIn))
    assert stored.clock_corrected and stored.occurred_at < stored.received_at


def test_a_record_still_ahead_after_the_correction_is_the_persons_to_fix(client, auth, world):
    """Dated a year ahead by a phone whose clock is right: it would sit on top of every list."""
    auth.login("liaison")
    ahead = [checkin(world.village_a.id), task_log(world.village_a.id), checkin(world.village_a.id)]
    ahead[0]["occurred_at"] = now_iso(timedelta(days=365))
    ahead[1]["occurred_at"] = now_iso(timedelta(hours=1))
    ahead[2]["occurred_at"] = now_iso(timedelta(minutes=3))  # within a few minutes: a clock's slack
    r = sync(client, ahead, sent_at=now_iso())
    assert statuses(r) == ["rejected", "rejected", "created"]
    errors = r.get_json()["results"][0]["errors"]
    assert list(errors) == ["occurred_at"] and "请检查手机的时间设置" in errors["occurred_at"][0]
    assert (count(CheckIn), count(TaskLog)) == (1, 0)
    # Without sent_at there is nothing to correct by, and the rule is the same.
    late = checkin(world.village_a.id)
    late["occurred_at"] = now_iso(timedelta(days=2))
    assert statuses(client.post("/api/v1/sync", json={"records": [late]})) == ["rejected"]


# --- whole-request answers ----------------------------------------------------------------

def test_sync_logged_out_is_json_401_never_a_redirect(client, world):
    r = sync(client, [checkin(world.village_a.id)])
    assert r.status_code == 401 and r.get_json() == {"error": "auth_required"}


@pytest.mark.parametrize("body", ["not json", "[]", '{"records": 5}', '{"sent_at": "yesterday", "records": []}'])
def test_malformed_bodies_are_json_400(client, auth, world, body):
    auth.login("liaison")
    r = client.post("/api/v1/sync", data=body, content_type="application/json")
    assert r.status_code == 400 and r.get_json()["error"] == "bad_request"


def test_more_than_200_records_is_413(client, auth, world):
    auth.login("liaison")
    r = sync(client, [checkin(world.village_a.id) for _ in range(201)])
    assert r.status_code == 413 and r.get_json()["error"] == "too_large"
    assert count(CheckIn) == 0


def test_more_than_one_mebibyte_is_413(client, auth, world):
    auth.login("liaison")
    r = sync(client, [checkin(world.village_a.id, note="x" * (1024 * 1024))])
    assert r.status_code == 413 and r.get_json()["error"] == "too_large"


def test_exactly_200_records_are_accepted(client, auth, world):
    auth.login("liaison")
    r = sync(client, [checkin(world.village_a.id) for _ in range(200)])
    assert r.status_code == 200 and statuses(r) == ["created"] * 200


@pytest.mark.app_config(RATELIMIT_ENABLED=True, SYNC_RATE_LIMIT="2 per minute")
def test_rate_limit_is_json_429_with_retry_after(client, auth, world):
    auth.login("liaison")
    for _ in range(2):
        assert sync(client, []).status_code == 200
    r = sync(client, [])
    assert r.status_code == 429 and r.get_json()["error"] == "rate_limited"
    assert int(r.headers["Retry-After"]) > 0


# --- CSRF, end to end with CSRF on --------------------------------------------------------

@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_with_csrf_on_the_token_from_me_lets_a_sync_through(client, world):
    login_page = client.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/login", data={"username": "liaison", "password": "fuxin2024",
                                       "csrf_token": token}).status_code == 302
    record = checkin(world.village_a.id)
    missing = sync(client, [record])
    assert missing.status_code == 403 and missing.get_json()["error"] == "csrf"
    wrong = sync(client, [record], headers={"X-CSRFToken": "forged"})
    assert wrong.status_code == 403 and wrong.get_json()["error"] == "csrf"
    token = client.get("/api/v1/me").get_json()["csrf_token"]
    ok = sync(client, [record], headers={"X-CSRFToken": token})
    assert ok.status_code == 200 and statuses(ok) == ["created"]


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_with_csrf_on_an_html_form_without_token_is_refused_and_saves_nothing(client, world):
    r = client.post("/login", data={"username": "liaison", "password": "fuxin2024"})
    assert r.status_code == 400 and "页面已过期" in r.get_data(as_text=True)
