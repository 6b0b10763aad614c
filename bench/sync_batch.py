"""Server time of one 200-record sync batch, new and replayed, on SQLite and PostgreSQL.

Target: median at most 100 ms for each. Run from the project root in the venv:

    python bench/sync_batch.py [--runs 15] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test] [--no-readme]

What is measured: the demo subdistrict in a fresh SQLite file (WAL, as the app sets it)
and in a fresh PostgreSQL database made beside the one named by --pg (and dropped after);
the real app with CSRF and the rate limiter off, so only the sync's own work is timed
(the CSRF check is a hash comparison; tests prove both are on in production). `liaison`
logs in through the login form; each run posts a new batch of 200 records, half
check-ins and half task logs at her places (kinds, outcomes and durations varied), to
`POST /api/v1/sync` through Flask's test client (no network: the time is the server's,
from the request entering the app to the response leaving it), then posts the same batch
again (every record answers duplicate). Each answer is checked (200 created, then 200
duplicates) before its time counts. The medians go into bench/README.md.
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import sqlalchemy as sa  # noqa: E402

from bench.offline_save import write_readme_section  # noqa: E402
from fuxin_pwa import create_app  # noqa: E402
from fuxin_pwa.extensions import db  # noqa: E402

TARGET_MS = 100
BATCH = 200
PASSWORD = "fuxin2024"
CST = timezone(timedelta(hours=8))


@contextmanager
def sqlite_database():
    folder = tempfile.mkdtemp(prefix="fuxin-bench-")
    try:
        yield f"sqlite:///{folder}/bench.sqlite"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgres_database(url: str):
    """A fresh database beside the one `url` names, dropped afterwards."""
    name = f"fuxin_bench_{os.getpid()}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        yield sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def demo_app(url: str, extra: dict | None = None):
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
                      "WTF_CSRF_ENABLED": False, **(extra or {})})
    with app.app_context():
        from fuxin_pwa.demo.loader import load_demo
        db.create_all()
        load_demo(seed=20240805)
    return app


def batch(places: list[int], kinds: list[str], run: int) -> list[dict]:
    """200 records of a week in the hills: a check-in, then the work done there."""
    start = datetime.now(CST) - timedelta(days=7)
    records = []
    for i in range(BATCH):
        at = (start + timedelta(minutes=45 * i)).isoformat(timespec="seconds")
        place = places[i % len(places)]
        if i % 2 == 0:
            data = {"place_id": place, "lat": 37.4968 + i / 1e4, "lon": 121.2541, "accuracy_m": 18,
                    "note": f"入村走访 第{run}轮第{i}次"}
            kind = "checkin"
        else:
            data = {"kind": kinds[i % len(kinds)], "place_id": place, "summary": f"传达防汛部署，走访农户 {run}-{i}",
                    "outcome": "群众已知晓" if i % 3 else None, "duration_min": 10 + i % 50}
            kind = "task_log"
        records.append({"id": str(uuid.uuid4()), "type": kind, "occurred_at": at, "data": data})
    return records


def measure(url: str, runs: int) -> dict:
    app = demo_app(url)
    client = app.test_client()
    assert client.post("/login", data={"username": "liaison", "password": PASSWORD}).status_code == 302
    me = client.get("/api/v1/me").get_json()
    places = [p["id"] for p in me["places"]]
    kinds = [k["code"] for k in me["task_kinds"]]
    new, replay = [], []
    for run in range(runs + 1):  # the first run warms the process up and is not counted
        records = batch(places, kinds, run)
        body = {"device_id": "bench", "sent_at": datetime.now(CST).isoformat(), "records": records}
        for expected, times in (("created", new), ("duplicate", replay)):
            began = time.perf_counter()
            answer = client.post("/api/v1/sync", json=body)
            elapsed = (time.perf_counter() - began) * 1000
            statuses = {r["status"] for r in answer.get_json()["results"]}
            assert answer.status_code == 200 and statuses == {expected}, (answer.status_code, statuses)
            if run:
                times.append(elapsed)
    with app.app_context():
        db.engine.dispose()
    return {"new": new, "replay": replay}


def line(label: str, times: list[float]) -> str:
    median = statistics.median(times)
    verdict = "met" if median <= TARGET_MS else "NOT met"
    return (f"| {label} | **{median:.1f} ms** ({verdict}) | {min(times):.1f} / {max(times):.1f} ms |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--pg", default=os.environ.get("TEST_DATABASE_URL"),
                        help="a PostgreSQL URL whose server may create a scratch database")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    rows = []
    with sqlite_database() as url:
        result = measure(url, args.runs)
    rows += [line("SQLite, 200 new", result["new"]), line("SQLite, the same 200 replayed", result["replay"])]
    if args.pg:
        with postgres_database(args.pg) as url:
            result = measure(url, args.runs)
        rows += [line("PostgreSQL, 200 new", result["new"]),
                 line("PostgreSQL, the same 200 replayed", result["replay"])]
    table = ["| batch | median server time | fastest / slowest |", "|---|---|---|", *rows]
    print("\n".join(table))
    if not args.no_readme:
        write_readme_section("sync-batch", "A 200-record sync batch (bench/sync_batch.py)", [
            f"Median of {args.runs} runs after one warm-up; half check-ins, half task logs, as `liaison`, "
            "timed in the app (Flask's test client, no network). Target ≤ 100 ms.", "", *table, "",
            "Before the batch was stored together (each record looked up, validated and committed on its "
            "own, the person's scope rebuilt for each; same machine, 2026-12-04, 5 runs): SQLite 485 ms new "
            "and 300 ms replayed, PostgreSQL 840 ms and 539 ms. Statements for a 200-record batch on "
            "SQLite: 1,500 before (1,301 replayed), 9 now (7 replayed); tests/test_sync_batch.py holds a "
            "200-record batch to a 20-record batch's count."])


if __name__ == "__main__":
    main()
