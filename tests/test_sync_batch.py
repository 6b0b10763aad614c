"""A batch is stored together and still exactly once (docs: sync-protocol.md).

A liaison back from a week in the hills sends hundreds of records at once; the server
looks up what the batch names once and inserts its plain records together, so the cost
of a batch does not grow with its length, while every guarantee of the protocol holds:
answers in order, one bad record never sinks the others, replays are duplicates, two
identical batches at once store each record once."""
import threading
import uuid

import pytest
import sqlalchemy as sa

from fuxin_pwa.cases.models import IN_PROGRESS
from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import CheckIn, TaskLog
from fuxin_pwa.places.models import Household
from fuxin_pwa.requests.models import ResidentRequest
from tests.test_cases import a_case
from tests.test_sync import checkin, count, statuses, sync, task_log
from tests.test_sync_concurrency import at_once, hold_both_after_reading, logged_in_session


@pytest.fixture
def households(world):
    """Forty households in the liaison's grid, so a long batch names many different ones."""
    made = [Household(place_id=world.grid_a.id, address=f"东村{n}号", head_name=f"户主{n}") for n in range(2, 42)]
    db.session.add_all(made)
    db.session.commit()
    return [h.id for h in made]


def week_in_the_hills(world, household_ids, n):
    """n records, alternately a check-in and a visit logged at a household, over two places."""
    places = [world.village_a.id, world.grid_a.id]
    return [checkin(places[i % 2], note=f"入村走访 第{i}次") if i % 2 == 0 else
            task_log(world.grid_a.id, household_id=household_ids[i % len(household_ids)], summary=f"走访 第{i}次",
                     duration_min=10 + i % 40)
            for i in range(n)]


def test_a_batch_of_200_costs_the_same_queries_as_a_batch_of_20_new_or_replayed(
        app, client, auth, world, households, count_queries):
    auth.login("liaison")
    short = week_in_the_hills(world, households[:2], 20)
    long = week_in_the_hills(world, households, 200)  # forty households where the short one names two
    costs = {}
    for name, records in (("short", short), ("long", long)):
        for round_ in ("new", "replay"):
            db.session.expire_all()
            app.extensions.pop("fuxin_kept_values", None)  # each from a worker that kept nothing yet
            with count_queries() as q:
                r = sync(client, records)
            assert set(statuses(r)) == {"created" if round_ == "new" else "duplicate"}
            costs[name, round_] = q.count
    assert costs["long", "new"] == costs["short", "new"]
    assert costs["long", "replay"] == costs["short", "replay"]
    assert costs["long", "new"] <= 15  # a handful of look-ups, one INSERT a table, one commit
    assert (count(CheckIn), count(TaskLog)) == (110, 110)


def test_two_identical_batches_that_both_find_nothing_stored_store_each_record_once(
        live_server, world, monkeypatch):
    """Both batches look their ids up before either has inserted anything (held at a
    barrier right after the look-up), so both go to insert the same 30 records: one
    insert wins, the other meets the unique key and answers every record duplicate."""
    from fuxin_pwa import records
    hold_both_after_reading(monkeypatch, records, "stored_records")
    unique_violations = []
    sa.event.listen(db.engine, "handle_error", lambda ctx: unique_violations.append(
        isinstance(ctx.sqlalchemy_exception, sa.exc.IntegrityError)))
    batch = [checkin(world.village_a.id) for _ in range(20)] + [task_log(world.village_a.id) for _ in range(10)]
    body = {"device_id": "phone-1", "records": batch}
    tabs = [logged_in_session(live_server.url) for _ in range(2)]
    answers = at_once(*[lambda s=s: s.post(f"{live_server.url}/api/v1/sync", json=body, timeout=60) for s in tabs])
    assert [a.status_code for a in answers] == [200, 200]
    for position, record in enumerate(batch):
        seen = [a.json()["results"][position] for a in answers]
        assert [r["id"] for r in seen] == [record["id"]] * 2
        assert sorted(r["status"] for r in seen) == ["created", "duplicate"]
    assert True in unique_violations  # the loser's insert was refused by the key, not skipped by luck
    db.session.expire_all()
    assert (count(CheckIn), count(TaskLog)) == (20, 10)


def test_a_value_the_database_cannot_hold_is_the_persons_to_fix_and_the_rest_of_the_batch_is_stored(
        client, auth, world, monkeypatch):
    """Should a form ever let through a number no column holds, the database's refusal is
    answered as a field error of that record (never errors.server, retried for ever), and
    the batch's other records are stored."""
    from fuxin_pwa.field.forms import TaskLogForm
    monkeypatch.setattr(TaskLogForm.duration_min, "kwargs", {"validators": []})  # the form's limit gone
    auth.login("liaison")
    batch = [checkin(world.village_a.id), task_log(world.village_a.id, duration_min=2 ** 70),
             task_log(world.village_a.id)]
    results = sync(client, batch).get_json()["results"]
    assert [r["status"] for r in results] == ["created", "rejected", "created"]
    assert list(results[1]["errors"]) == ["data"] and "无法保存" in results[1]["errors"]["data"][0]
    assert (count(CheckIn), count(TaskLog)) == (1, 1)


def test_a_mixed_batch_answers_every_record_in_order_and_what_moves_shared_state_still_moves(
        client, auth, world):
    case = a_case(world)  # open: a visit logged on it starts the work
    auth.login("liaison")
    first = checkin(world.village_a.id)
    changed = dict(first, data={**first["data"], "note": "另一次"})
    batch = [first,
             {"id": str(uuid.uuid4()), "type": "request", "occurred_at": first["occurred_at"],
              "data": {"place_id": world.village_a.id, "category": "policy_question", "resident_name": "王大爷",
                       "description": "咨询养老补贴"}},
             task_log(world.grid_a.id, household_id=world.household_a.id, case_id=case.id, summary="上门查看漏水"),
             first,  # the same record twice in one batch: stored once
             changed,  # the same id with other content
             checkin(world.village_b.id),  # not her village
             task_log(world.village_a.id)]
    r = sync(client, batch)
    results = r.get_json()["results"]
    assert [x["id"] for x in results] == [x["id"] for x in batch]
    assert statuses(r) == ["created", "created", "created", "duplicate", "rejected", "rejected", "created"]
    assert "id" in results[4]["errors"] and "place_id" in results[5]["errors"]
    db.session.expire_all()
    assert (count(CheckIn), count(TaskLog), count(ResidentRequest)) == (1, 2, 1)
    assert db.session.get(type(case), case.id).status == IN_PROGRESS
    again = sync(client, batch)
    assert statuses(again) == ["duplicate", "duplicate", "duplicate", "duplicate", "rejected", "rejected",
                               "duplicate"]
    assert (count(CheckIn), count(TaskLog), count(ResidentRequest)) == (1, 2, 1)


def test_a_batch_stored_together_is_read_by_the_next_request_at_once(client, auth, world, households):
    """Nothing is left pending after the answer: the leader's list sees the batch at once."""
    auth.login("liaison")
    sync(client, week_in_the_hills(world, households, 40))
    auth.logout()
    auth.login("leader")
    page = client.get("/oversight/records").get_data(as_text=True)
    assert "入村走访 第38次" in page or "走访 第39次" in page


def test_threads_do_not_share_a_batch(app, world):
    """The batch being stored is per request (a context variable), so a worker's threads
    storing two people's batches never judge one against the other's ids."""
    from fuxin_pwa.records import RecordBatch, _batch
    seen = []

    def other_thread():
        seen.append(_batch.get())
    with app.app_context(), RecordBatch(set()):
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
    assert seen == [None]
