"""Bad input, generated: whatever a phone (or anyone holding a session) sends to the sync
API, the answer is the protocol's, never a 5xx, and a record whose content no database can
hold is refused as the person's to fix (a field error), never answered `errors.server`,
which would have the phone retry it forever."""
import uuid
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import CheckIn, TaskLog
from fuxin_pwa.records import record_models

SHANGHAI = timezone(timedelta(hours=8))
PER_EXAMPLE = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Text as people (and broken keyboards) type it: Chinese, emoji, control characters, NUL.
texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=60) | st.sampled_from(
    ["", " ", "\x00", "入村\x00走访", "😀" * 10, "a" * 5000, "<script>alert(1)</script>", "\u202e反向"])
numbers = st.one_of(st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
                    st.floats(allow_nan=True, allow_infinity=True), st.just(10 ** 30))
values = st.one_of(st.none(), st.booleans(), numbers, texts, st.lists(st.integers(), max_size=2),
                   st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
times = st.one_of(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31))
                  .map(lambda d: d.isoformat()), texts, st.just("0001-01-01T00:00:00+14:00"),
                  st.just("9999-12-31T23:59:59-12:00"))


def field_data(place_id):
    keys = ["place_id", "lat", "lon", "accuracy_m", "note", "kind", "summary", "outcome", "duration_min",
            "next_step_on", "household_id", "case_id", "request_id", "incident_id", "resident_name",
            "resident_phone", "category", "description", "state", "action", "base_version", "assignee_id",
            "event_id", "service", "count", "service_day_id"]
    return st.dictionaries(st.sampled_from(keys), values, max_size=8).map(
        lambda d: {"place_id": place_id, **d})


def records(place_id):
    return st.fixed_dictionaries({
        "id": st.one_of(st.uuids().map(str), texts),
        "type": st.sampled_from(["checkin", "task_log", "request", "request_update", "incident_ack", "service_tally", "poem"]),
        "occurred_at": times,
        "data": field_data(place_id),
    })


def answer_is_the_protocols(r, sent):
    assert r.status_code == 200, (r.status_code, r.get_data(as_text=True)[:300])
    results = r.get_json()["results"]
    assert len(results) == len(sent)
    for result in results:
        assert result["status"] in ("created", "duplicate", "rejected", "conflict")
        if result["status"] == "rejected":
            assert result["errors"] and "server" not in result["errors"], result  # the person's to fix
    return results


def is_uuid(value) -> bool:
    try:
        return str(uuid.UUID(str(value))) == str(value)
    except ValueError:
        return False


def rows_with_ids(ids) -> dict[str, int]:
    found = {i: 0 for i in ids}
    for model in record_models():
        for stored in db.session.scalars(sa.select(model.uuid).where(model.uuid.in_(ids))):
            found[stored] += 1
    return found


# The floor: at least 1,000 generated batches through the sync API in the default run.
@settings(PER_EXAMPLE, max_examples=1000)
@given(data=st.data())
def test_whatever_a_phone_sends_is_answered_record_by_record_and_never_with_a_server_error(
        client, auth, world, data):
    auth.login("liaison")
    batch = data.draw(st.lists(records(world.village_a.id), min_size=1, max_size=6))
    sent_at = data.draw(st.one_of(st.none(), st.just(datetime.now(SHANGHAI).isoformat()), times))
    ids = {str(record["id"]) for record in batch if is_uuid(record["id"])}  # no other id can be stored
    before = rows_with_ids(ids)
    r = client.post("/api/v1/sync", json={"device_id": data.draw(texts), "sent_at": sent_at, "records": batch})
    if r.status_code == 400:  # a sent_at that is no time (or none any calendar holds) refuses the whole batch
        assert r.get_json()["error"] == "bad_request" and sent_at not in (None,)
        assert rows_with_ids(ids) == before
        return
    results = answer_is_the_protocols(r, batch)
    db.session.rollback()
    after = rows_with_ids(ids)
    for record_id in ids:  # a row for each record answered created, and for no other
        created = sum(1 for record, result in zip(batch, results)
                      if str(record["id"]) == record_id and result["status"] == "created")
        assert created <= 1 and after[record_id] - before[record_id] == created, (record_id, results)


json_values = st.recursive(st.none() | st.booleans() | numbers | texts,
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
                           max_leaves=12)
bodies = st.one_of(json_values, st.fixed_dictionaries({"records": json_values}),
                   st.fixed_dictionaries({"records": st.lists(json_values, max_size=4)}),
                   st.fixed_dictionaries({"sent_at": json_values, "device_id": json_values, "records": st.just([])}))


@settings(PER_EXAMPLE, max_examples=200)
@given(body=bodies, raw=st.one_of(st.none(), st.binary(max_size=64)))
def test_any_body_at_all_is_answered_in_json_and_never_with_a_server_error(client, auth, world, body, raw):
    auth.login("liaison")
    if raw is None:
        r = client.post("/api/v1/sync", json=body)
    else:
        r = client.post("/api/v1/sync", data=raw, content_type="application/json")
    assert r.status_code in (200, 400), (r.status_code, r.get_data(as_text=True)[:300])
    answer = r.get_json()
    assert (answer["error"] == "bad_request") if r.status_code == 400 else \
        all(x["status"] in ("created", "duplicate", "rejected", "conflict") for x in answer["results"])


@PER_EXAMPLE
@given(note=texts, summary=texts, duration=numbers, lat=numbers)
def test_text_and_numbers_no_database_can_hold_are_refused_on_their_field(client, auth, world, note, summary,
                                                                          duration, lat):
    auth.login("liaison")
    now = datetime.now(SHANGHAI).isoformat()
    batch = [{"id": str(uuid.uuid4()), "type": "checkin", "occurred_at": now,
              "data": {"place_id": world.village_a.id, "note": note, "lat": lat, "lon": 121.25, "accuracy_m": 10}},
             {"id": str(uuid.uuid4()), "type": "task_log", "occurred_at": now,
              "data": {"place_id": world.village_a.id, "kind": "resident_visit", "summary": summary,
                       "duration_min": duration}}]
    before = (db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)),
              db.session.scalar(sa.select(sa.func.count()).select_from(TaskLog)))
    results = answer_is_the_protocols(client.post("/api/v1/sync", json={"records": batch}), batch)
    db.session.rollback()
    after = (db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)),
             db.session.scalar(sa.select(sa.func.count()).select_from(TaskLog)))
    assert after == tuple(n + (r["status"] == "created") for n, r in zip(before, results))
    if "\x00" in note:  # on every database, not only where PostgreSQL would have refused it
        assert results[0]["status"] == "rejected" and "note" in results[0]["errors"]


# --- The HTML doors ---------------------------------------------------------------------------------

def test_a_nul_character_in_a_form_or_an_address_is_refused_plainly_and_nothing_is_stored(client, auth, world):
    auth.login("liaison")
    posts = [("/checkin", {"place_id": world.village_a.id, "note": "入村\x00走访"}),
             ("/log", {"place_id": world.village_a.id, "kind": "resident_visit", "summary": "走访\x00"}),
             ("/requests/new", {"place_id": world.village_a.id, "category": "policy_question",
                                "resident_name": "王\x00", "description": "咨询"})]
    for url, data in posts:
        r = client.post(url, data=data)
        assert r.status_code == 400 and "无法保存的字符" in r.get_data(as_text=True), url
    for url in ("/cases/?q=%00", "/requests/?q=%00", "/my/record?q=a%00", "/cases/?q=ok&q=%00"):
        r = client.get(url)
        assert r.status_code == 400 and "无法保存的字符" in r.get_data(as_text=True), url
    db.session.rollback()
    assert [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in record_models()] == \
        [0] * len(record_models())


@PER_EXAMPLE
@given(q=st.text(alphabet=st.characters(codec="utf-8"), max_size=30))
def test_whatever_is_searched_the_lists_answer_a_page_not_a_server_error(client, auth, world, q):
    auth.login("leader")
    for url in ("/cases/", "/requests/", "/admin/people", "/oversight/records", "/my/record"):
        r = client.get(url, query_string={"q": q})
        assert r.status_code in (200, 302, 400, 403, 422), (url, q, r.status_code)


def test_a_position_that_is_not_a_number_is_refused_on_its_field(client, auth, world):
    """NaN slips past a range check (every comparison with it is false); it is no position."""
    auth.login("liaison")
    now = datetime.now(SHANGHAI).isoformat()
    batch = [{"id": str(uuid.uuid4()), "type": "checkin", "occurred_at": now,
              "data": {"place_id": world.village_a.id, "lat": float("nan"), "lon": 121.25}},
             {"id": str(uuid.uuid4()), "type": "checkin", "occurred_at": now,
              "data": {"place_id": world.village_a.id, "lat": 37.5, "lon": 121.25, "accuracy_m": "NaN"}}]
    results = answer_is_the_protocols(client.post("/api/v1/sync", json={"records": batch}), batch)
    assert [(r["status"], list(r["errors"])) for r in results] == [("rejected", ["lat"]), ("rejected", ["accuracy_m"])]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 0
