"""Server time and SQL queries of the oversight screens on a year of data.

Targets (issue 4): at most 150 ms of server time for each page on SQLite, and a number of
SQL queries that does not grow with the data. Run from the project root in the test venv:

    python bench/oversight_pages.py [--db PATH] [--rebuild] [--runs 30] [--no-readme]

What is measured: the year of bench/year_data.py, built into PATH the first time and reused
after (--rebuild makes it again; its weeks end on the day it was built), served in-process
through Flask's test client with `leader` logged in: no network and no browser, so the time
is the server's, from the request to the whole body in hand. Each page is fetched 3 times to
warm up, then N times: the median and 95th percentile of time.perf_counter() around
client.get(), and the SQL statements one request sends (SQLAlchemy's before_cursor_execute).
The same pages on four weeks of the same generator (the same places and 300 people, a
thirteenth of the activity) show whether the query count grows with the data. A page that
answers 404 or still shows its placeholder is skipped with a note. The table is written
into bench/README.md under its own heading.
"""
import argparse
import datetime
import math
import os
import platform
import re
import sqlite3
import statistics
import sys
import textwrap
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import sqlalchemy as sa  # noqa: E402

from bench.year_data import DEFAULT_PATH, build, fresh_file, report, sqlite_url  # noqa: E402
from fuxin_pwa import create_app  # noqa: E402
from fuxin_pwa.demo import DEMO_PASSWORD  # noqa: E402
from fuxin_pwa.dispatch.models import Deployment  # noqa: E402
from fuxin_pwa.extensions import db  # noqa: E402
from fuxin_pwa.field.models import CheckIn, TaskLog  # noqa: E402
from fuxin_pwa.requests.models import ResidentRequest  # noqa: E402

TARGET_MS = 150
WARM_UP = 3
README = os.path.join(os.path.dirname(os.path.abspath(__file__)), "README.md")
# Words of a page not built yet, looked for in the visible text (not in attributes).
PLACEHOLDER = re.compile(r"placeholder|建设中|即将上线|待实现|coming soon|not built yet", re.I)
# (path, what it is); {incident} is the incident with the most people sent.
PAGES = [
    ("/coverage/", "coverage matrix, this week"),
    ("/requests/", "request board, first page"),
    ("/requests/?status=overdue", "overdue requests"),
    ("/stats/", "statistics, default filters"),
    ("/dispatch/{incident}", "incident board, {people} people"),
    ("/dispatch/{incident}/live", "the board's 15-second refresh, htmx"),
]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]


class Site:
    """The app on one database, a logged-in leader, and a query counter."""

    def __init__(self, url: str):
        self.app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                               "RATELIMIT_ENABLED": False})
        self.queries = 0
        with self.app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", self._count)
            self.incident, self.people = db.session.execute(
                sa.select(Deployment.incident_id, sa.func.count()).group_by(Deployment.incident_id)
                .order_by(sa.func.count().desc()).limit(1)).one()
            self.size = {"checkins": db.session.scalar(sa.select(sa.func.count(CheckIn.id))),
                         "task_logs": db.session.scalar(sa.select(sa.func.count(TaskLog.id))),
                         "requests": db.session.scalar(sa.select(sa.func.count(ResidentRequest.id)))}
        self.client = self.app.test_client()
        answer = self.client.post("/login", data={"username": "leader", "password": DEMO_PASSWORD})
        if answer.status_code != 302:
            raise SystemExit(f"Logging in as leader failed ({answer.status_code}).")

    def _count(self, *_args):
        self.queries += 1

    def path(self, template: str) -> str:
        return template.format(incident=self.incident)

    def fetch(self, path: str):
        """(response, seconds, queries) of one GET, the body read in full."""
        headers = {"HX-Request": "true"} if path.endswith("/live") else {}
        self.queries = 0
        start = time.perf_counter()
        response = self.client.get(path, headers=headers)
        response.get_data()
        return response, time.perf_counter() - start, self.queries

    def measure(self, path: str, runs: int) -> dict:
        response, first, _ = self.fetch(path)
        visible = re.sub(r"<script.*?</script>|<[^>]*>", " ", response.get_data(as_text=True), flags=re.S)
        if response.status_code == 404 or (response.status_code == 200 and PLACEHOLDER.search(visible)):
            shown = " (placeholder)" if response.status_code == 200 else ""
            return {"skipped": f"answers {response.status_code}{shown}"}
        if response.status_code != 200:
            return {"skipped": f"answers {response.status_code}"}
        for _ in range(WARM_UP - 1):
            self.fetch(path)
        times, counts = [], set()
        for _ in range(runs):
            _, seconds, queries = self.fetch(path)
            times.append(seconds * 1000)
            counts.add(queries)
        return {"median": statistics.median(times), "p95": p95(times), "queries": max(counts),
                "steady": len(counts) == 1, "first": first * 1000}


def database(path: str, weeks: int, rebuild: bool) -> tuple[str, dict | None]:
    """The SQLite file of `weeks` weeks, built when missing (or asked); (url, build result or None)."""
    if os.path.exists(path) and not rebuild:
        return sqlite_url(path), None
    fresh_file(path)
    result = build(sqlite_url(path), weeks=weeks)
    print(f"Built {weeks} weeks into {os.path.basename(path)}:\n{report(result)}\n")
    return sqlite_url(path), result


def machine() -> str:
    """'2 vCPU (`nproc` 2), Intel Xeon Processor, 23.5 GiB RAM; Debian 12': no paths."""
    cpu, ram, system = platform.machine(), "", platform.system()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            found = re.search(r"^model name\s*:\s*(.+)$", handle.read(), re.M)
        cpu = re.sub(r"\((R|TM)\)", "", found.group(1)).strip() if found else cpu
        with open("/proc/meminfo", encoding="utf-8") as handle:
            kib = int(re.search(r"^MemTotal:\s+(\d+)", handle.read(), re.M).group(1))
        ram = f", {kib / 1024 / 1024:.1f} GiB RAM"
        with open("/etc/os-release", encoding="utf-8") as handle:
            release = dict(re.findall(r'^(\w+)="?([^"\n]*)"?$', handle.read(), re.M))
        system = f"{release.get('NAME', system).split()[0]} {release.get('VERSION_ID', '')}".strip()
    except (OSError, AttributeError):
        pass
    n = os.cpu_count()
    return (f"{n} vCPU (`nproc` {n}), {cpu}{ram}; {system}, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}")


def table(rows: list[tuple], year: Site, month: Site | None, runs: int) -> list[str]:
    lines = ["| measure | result | target |", "|---|---|---|"]
    for template, what, big, small in rows:
        label = f"`{year.path(template)}` ({what.format(people=year.people)})"
        if "skipped" in big:
            lines.append(f"| {label} | not measured: {big['skipped']} | ≤ {TARGET_MS} ms |")
            continue
        met = "met" if big["median"] <= TARGET_MS else "missed"
        # The first view also compiles the templates and fills the statistics' counts cache.
        lines.append(f"| {label}: server time, median of {runs} (p95; first view) | **{big['median']:.1f} ms: "
                     f"{met}** ({big['p95']:.1f} ms; {big['first']:.0f} ms) | ≤ {TARGET_MS} ms |")
        if small is None or "skipped" in small:
            lines.append(f"| same page: SQL queries per request | {big['queries']} (year) | does not grow |")
            continue
        grows = "same" if small["queries"] == big["queries"] else "**grows**"
        lines.append(f"| same page: SQL queries per request, year / 4 weeks | {big['queries']} / "
                     f"{small['queries']}: {grows} | does not grow |")
    return lines


def write_readme(lines: list[str]) -> None:
    """Replace this benchmark's section in bench/README.md (between its markers), or append it."""
    start, end = "<!-- oversight-pages:start -->", "<!-- oversight-pages:end -->"
    body = "\n".join([start, *lines, end])
    text = open(README, encoding="utf-8").read()
    if start in text and end in text:
        text = text[:text.index(start)] + body + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + body + "\n"
    with open(README, "w", encoding="utf-8") as handle:
        handle.write(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=DEFAULT_PATH, help="the year's SQLite file (built if missing)")
    parser.add_argument("--rebuild", action="store_true", help="build the year (and the 4 weeks) again")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-subset", action="store_true", help="skip the 4-week comparison")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()[0]  # other work on the machine shows in the times
    year_url, built = database(args.db, 52, args.rebuild)
    month_url = None if args.no_subset else database(args.db.removesuffix(".sqlite") + "-4weeks.sqlite", 4,
                                                     args.rebuild)[0]
    year = Site(year_url)
    month = Site(month_url) if month_url else None
    rows = []
    for template, what in PAGES:
        big = year.measure(year.path(template), args.runs)
        small = month.measure(month.path(template), max(args.runs // 3, 5)) if month else None
        rows.append((template, what, big, small))
        shown = big.get("skipped") or (f"median {big['median']:.1f} ms, p95 {big['p95']:.1f} ms, "
                                       f"{big['queries']} queries" + ("" if big["steady"] else " (varies)"))
        if small and "skipped" not in small:
            shown += f"; 4 weeks: {small['queries']} queries"
        print(f"{year.path(template):32} {shown}")
    lines = table(rows, year, month, args.runs)
    print("\n".join(lines))
    if args.no_readme:
        return
    size = year.size
    intro = [
        "## Oversight screens on a year of data (`oversight_pages.py`)", "",
        f"**Targets: at most {TARGET_MS} ms of server time for each page on SQLite, and a number of SQL "
        "queries per page that does not grow with the data.**", "",
        "```",
        "python bench/year_data.py            # the year alone, into a fresh SQLite file in the temp folder; "
        "PATH, --url, --weeks, --seed",
        "python bench/oversight_pages.py      # in the test venv, from the project root; --rebuild, --runs, "
        "--no-subset, --no-readme",
        "```", "",
        "`year_data.py` builds one subdistrict (50 villages and communities, about 200 grids, 3,400 "
        "households), 300 people (46 village liaisons with one or two villages each, a grid worker for "
        "every grid, community workers, young cadres, leaders) and 52 weeks of their work ending the day "
        "it runs: check-ins and task logs (about 15% of them between 18:00 and 06:00), 5,000 resident "
        "requests with every event and follow-up visit, 600 cases, 30 incidents with posts, groups, "
        "deployments and acknowledgements, the last one under way with 150 people. Deterministic by seed, "
        "bulk INSERTs with ids given, no reads back. `oversight_pages.py` builds it the first time and "
        "reuses it after, serves the app in-process (Flask's test client: the time is the server's, no "
        "network), logs `leader` in and fetches each page 3 times to warm up, then N times; queries are "
        "counted with SQLAlchemy's `before_cursor_execute`, on the year and on 4 weeks of the same "
        "generator (a thirteenth of the activity: the same counts mean they do not grow with it). "
        "The verdict "
        "is on the median; the 95th percentile shows the spread on a shared machine.", "",
        f"Run {datetime.date.today():%Y-%m-%d} on {machine()}; load average {load:.1f} when it started. "
        f"The year: {size['checkins']:,} check-ins, {size['task_logs']:,} task logs, "
        f"{size['requests']:,} requests" + (f"; built in {built['total_s']:.1f} s." if built else "."), "",
    ]
    prose = [line if not line or line.startswith(("```", "python", "#")) else textwrap.fill(line, 92)
             for line in intro]
    write_readme(prose + lines)


if __name__ == "__main__":
    main()
