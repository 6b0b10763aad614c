"""Draining an outbox of 1,000 records into SQLite, end to end.

Target: at most 10 s. Run from the project root in the test venv (Debian's Chromium):

    python bench/drain.py [--records 1000] [--runs 3] [--no-readme]

What is measured: the demo subdistrict in a fresh SQLite file (WAL, as the app sets it),
the real app on a loopback port with CSRF and the rate limiter on, as in production;
Chromium at phone size logged in as a liaison with /checkin loaded, then offline. The
outbox is filled with 1,000 check-ins through the outbox's own store (the form's save path
costs milliseconds a record and is benchmarked by offline_save.py). The clock starts when
the browser comes back online (which fires `online` and the sync) and stops when the
server's table holds all 1,000 and the device's outbox is empty: /api/v1/me, five batches
of 200, every record validated and each batch stored together (sync/services.py), each settled in
IndexedDB. Each run has a fresh app, database and browser; the median of the runs is
written into bench/README.md under its own heading, with every run's figure.
"""
import argparse
import logging
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import sqlalchemy as sa  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from bench.offline_save import CHROMIUM, CHROMIUM_ARGS, PHONE, log_in, running_app, write_readme_section  # noqa: E402
from fuxin_pwa.extensions import db  # noqa: E402
from fuxin_pwa.field.models import CheckIn  # noqa: E402

TARGET_S = 10.0

FILL = """async (n) => {
    const S = FuxinOutbox.store;
    const places = [...document.querySelectorAll('#place_id option')].map(o => Number(o.value));
    const owner = document.querySelector('[data-outbox-user]').dataset.outboxUser;
    const batch = [];
    for (let i = 0; i < n; i++) {
        const now = new Date(Date.now() - (n - i) * 60000);
        batch.push({id: S.uuid(), type: 'checkin', occurred_at: S.isoLocal(now),
            data: {place_id: places[i % places.length], lat: 37.4968, lon: 121.2541, accuracy_m: 18,
                   note: '入村走访 第' + (i + 1) + '次，传达防汛部署'},
            owner, photos: [], state: 'queued', created_at: now.getTime(), attempts: 0, last_error: null});
    }
    await S.putRecords(batch);
    return (await S.allRecords()).length;
}"""


def stored(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn).where(CheckIn.source == "sync"))


def one_run(p, records, username):
    """Seconds from `online` to all records stored and the outbox empty; and to the server alone."""
    with running_app(RATELIMIT_ENABLED=True) as (app, base):
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=PHONE, locale="zh-CN")
        page = context.new_page()
        log_in(page, base, username)
        page.goto(f"{base}/checkin")
        page.wait_for_function("window.FuxinOutbox && FuxinOutbox.forms && FuxinOutbox.available === true")
        context.set_offline(True)
        queued = page.evaluate(FILL, records)
        assert queued == records, f"outbox holds {queued}"
        before = stored(app)

        start = time.monotonic()
        context.set_offline(False)
        while stored(app) - before < records and time.monotonic() - start < 120:
            time.sleep(0.05)
        server_done = time.monotonic() - start
        page.wait_for_function("FuxinOutbox.store.allRecords().then(r => r.length === 0)", timeout=120000)
        elapsed = time.monotonic() - start
        browser.close()
        total = stored(app) - before
    assert total == records, f"server stored {total} of {records}"
    return elapsed, server_done


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--login", default="liaison")
    parser.add_argument("--no-readme", action="store_true", help="print only; leave bench/README.md alone")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with sync_playwright() as p:
        runs = [one_run(p, args.records, args.login) for _ in range(args.runs)]
    elapsed = statistics.median(r[0] for r in runs)
    server_done = statistics.median(r[1] for r in runs)
    verdict = "met" if elapsed <= TARGET_S else "MISSED"
    summary = (f"{args.records:,} records in {elapsed:.2f} s end to end, median of {args.runs} "
               f"({args.records / elapsed:,.0f} records/s; server held all after {server_done:.2f} s); "
               f"target ≤ {TARGET_S:.0f} s: {verdict}")
    print(summary)
    if not args.no_readme:
        write_readme_section("drain", "Outbox drain (bench/drain.py)", [
            f"From `online` to the server holding all {args.records:,} check-ins and the phone's outbox "
            "empty: SQLite (WAL), CSRF and the rate limiter on, batches of 200.",
            "",
            f"- Result: **{summary}**",
            f"- Runs (s): {', '.join(f'{r[0]:.2f}' for r in runs)}",
        ])
    return 0 if elapsed <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
