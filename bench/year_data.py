"""A year of data for measuring the oversight screens (bench/oversight_pages.py uses it).

    python bench/year_data.py [PATH] [--url URL] [--weeks 52] [--seed 2026]

Builds into a fresh database (default: fuxin-year.sqlite in the system's temp folder; an
existing file there is replaced; a --url database must be empty) one subdistrict of 50
villages and communities with about four grids each and their households; 300 people (46
village liaisons with one or two villages each, a grid worker for every grid, community
workers, young cadres, leaders, an admin); and 52 weeks of their work ending this week:
about 60,000 check-ins and 55,000 task logs (a share of them in the evening and at night),
5,000 resident requests with every event and follow-up visit, 600 household cases, and 30
incidents with posts, groups, deployments and acknowledgements, the last one large and
still under way. The schema is the models' (db.create_all, as `flask db upgrade` gives).
Ids are given here and rows go in with bulk INSERTs in chunks, so nothing is read back.
The same seed gives the same data; only the dates move, as the year ends now."""
import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from datetime import time as clock

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import sqlalchemy as sa  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from fuxin_pwa import create_app  # noqa: E402
from fuxin_pwa.auth.models import (ADMIN, COMMUNITY_WORKER, GRID_WORKER, LEADER, VILLAGE_LIAISON,  # noqa: E402
                                   YOUNG_CADRE, User)
from fuxin_pwa.cases.models import Case, CaseEvent  # noqa: E402
from fuxin_pwa.demo import DEMO_PASSWORD  # noqa: E402
from fuxin_pwa.demo import names, texts  # noqa: E402
from fuxin_pwa.dispatch.models import (Deployment, Incident, IncidentAck, IncidentGroup, Post)  # noqa: E402
from fuxin_pwa.extensions import db  # noqa: E402
from fuxin_pwa.field.models import CheckIn, TaskKind, TaskLog  # noqa: E402
from fuxin_pwa.field.services import ensure_task_kinds  # noqa: E402
from fuxin_pwa.places.models import (COMMUNITY, ESTATE, GRID, SUBDISTRICT, VILLAGE, Assignment,  # noqa: E402
                                     Household, Place)
from fuxin_pwa.records import SOURCE_SYNC, SOURCE_WEB, content_hash  # noqa: E402
from fuxin_pwa.requests.models import RequestCategory, RequestEvent, ResidentRequest  # noqa: E402
from fuxin_pwa.requests.services import ensure_request_categories  # noqa: E402
from fuxin_pwa.timeutil import iso_local, to_local, to_utc_naive, utcnow, week_start  # noqa: E402

from bench.year_matters import Matters  # noqa: E402

DEFAULT_PATH = os.path.join(tempfile.gettempdir(), "fuxin-year.sqlite")
SEED = 2026
TEAMS = {LEADER: 4, VILLAGE_LIAISON: 46, COMMUNITY_WORKER: 50, YOUNG_CADRE: 40, GRID_WORKER: 159}  # + 1 admin
COMMUNITIES, VILLAGES = 10, 40
REQUESTS, CASES, INCIDENTS = 5000, 600, 30  # a year's
CHUNK = 5000
CENTRE = (37.49, 121.25)
# A week's check-ins per person, and the share of them written up as a task log.
WEEKLY = {GRID_WORKER: (4, 5, 5, 6), COMMUNITY_WORKER: (2, 3, 3, 4), YOUNG_CADRE: (2, 3, 3, 4)}
WITH_LOG = {GRID_WORKER: 0.7, COMMUNITY_WORKER: 0.9, YOUNG_CADRE: 0.9, VILLAGE_LIAISON: 0.65}
WORK = {  # task kinds by team (诉求办理 comes from the requests themselves)
    VILLAGE_LIAISON: {"briefing": 40, "resident_visit": 40, "volunteer_service": 12},
    YOUNG_CADRE: {"resident_visit": 25, "demolition_talk": 25, "resettlement_visit": 25, "briefing": 15,
                  "volunteer_service": 10},
    COMMUNITY_WORKER: {"resident_visit": 45, "briefing": 25, "volunteer_service": 30},
    GRID_WORKER: {"resident_visit": 60, "briefing": 25, "volunteer_service": 15},
}
COVER_RANK = {GRID_WORKER: 0, COMMUNITY_WORKER: 1, VILLAGE_LIAISON: 2, YOUNG_CADRE: 3}
VILLAGE_SYLLABLES = ("东西南北前后上下大小", "庄夼疃台沟埠店泊格岭")
COMMUNITY_NAMES = ["福安社区", "福康社区", "海景社区", "滨河社区", "汇福社区", "金山社区", "盛泰社区"]
ESTATE_SUFFIXES = ["花园", "家园", "新居", "雅苑", "小区"]
class Year(Matters):
    """The subdistrict, its people and their year; cases, requests and incidents come from Matters."""

    def __init__(self, seed: int, weeks: int, now: datetime):
        self.rng, self.weeks, self.now = random.Random(seed), weeks, now
        self.today = to_local(now).date()
        self.first_monday = week_start(self.today) - timedelta(weeks=weeks - 1)
        self.rows: dict = defaultdict(list)
        self.ids: dict = defaultdict(int)
        self.people: dict[str, list[dict]] = defaultdict(list)
        self.assigned: dict[int, list[int]] = {}
        self.below: dict[int, list[int]] = {}
        self.households: dict[int, list[tuple]] = defaultdict(list)  # place id → (id, head, phone, address)
        self.places: dict[int, dict] = {}
        self.centres: dict[int, tuple] = {}

    # --- small helpers -----------------------------------------------------------------------

    def add(self, model, row: dict) -> int:
        self.ids[model] += 1
        row["id"] = self.ids[model]
        self.rows[model].append(row)
        return row["id"]

    def pick(self, weights: dict) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def at(self, day: date, hour: float) -> datetime:
        return to_utc_naive(datetime.combine(day, clock()) + timedelta(minutes=round(hour * 60)))

    def hour(self) -> float:
        """Daytime mostly; evenings, when villagers are home, and now and then late at night."""
        r = self.rng.random()
        return self.rng.uniform(18.5, 21.5) if r < 0.1 else self.rng.uniform(21.5, 23.8) if r < 0.115 \
            else self.rng.uniform(8, 17.5)

    def cap(self, when: datetime) -> datetime:
        return min(when, self.now - timedelta(minutes=1))

    def name(self) -> str:
        pool = names.MALE_GIVEN if self.rng.random() < 0.55 else names.FEMALE_GIVEN
        return self.rng.choice(names.SURNAMES) + "".join(self.rng.choice(pool) for _ in range(self.rng.choice((1, 2))))

    def phone(self) -> str:
        return self.rng.choice(names.PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def record(self, model, user_id: int, when: datetime, rtype: str, data: dict) -> int | None:
        """A device record (id, user, times, source, hash); None, after the draws, if in the future."""
        synced = self.rng.random() < 0.75
        row = {**data, "user_id": user_id, "uuid": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
               "occurred_at": when, "device_occurred_at": when if synced else None, "clock_corrected": False,
               "received_at": min(when + timedelta(minutes=self.rng.randint(0, 180) if synced else 0), self.now),
               "source": SOURCE_SYNC if synced else SOURCE_WEB,
               "device_id": f"phone-{user_id:04d}" if synced else None,
               "content_hash": content_hash(rtype, iso_local(when), data)}
        return self.add(model, row) if when < self.now else None

    def gps(self, place_id: int) -> tuple:
        lat, lon = self.centres[place_id]
        r = self.rng.random()
        if r < 0.03:
            return None, None, None
        accuracy = self.rng.uniform(220, 900) if r < 0.06 else self.rng.uniform(5, 60)
        return (round(lat + self.rng.uniform(-4e-4, 4e-4), 6), round(lon + self.rng.uniform(-5e-4, 5e-4), 6),
                round(accuracy, 1))

    def checkin(self, user, place_id: int, when: datetime, note=None) -> None:
        lat, lon, accuracy = self.gps(place_id)
        self.record(CheckIn, user["id"], when, "checkin",
                    {"place_id": place_id, "lat": lat, "lon": lon, "accuracy_m": accuracy, "note": note})

    def log(self, user, kind: str, place_id: int, when: datetime, summary: str, household=None, case_id=None,
            request_id=None, incident_id=None, outcome=None, duration=None) -> int | None:
        data = {"kind_id": self.kinds[kind], "place_id": place_id, "household_id": household[0] if household else None,
                "case_id": case_id, "request_id": request_id, "incident_id": incident_id, "summary": summary,
                "outcome": outcome, "next_step_on": None,
                "duration_min": duration or self.rng.choice((15, 20, 30, 30, 45, 60, 90))}
        return self.record(TaskLog, user["id"], when, "task_log", data)

    def text(self, kind: str, place_id: int, household=None) -> str:
        head = household[1] if household else self.rng.choice(names.SURNAMES) + "大爷"
        return self.rng.choice(texts.SUMMARIES[kind]).format(place=self.places[place_id]["name"], head=head,
                                                             road=self.rng.choice(names.ROADS))

    def spot(self, user) -> tuple[int, tuple | None]:
        """A place this person covers (or one below it) and a household there."""
        place_id = self.rng.choice([p for a in self.assigned[user["id"]] for p in self.below[a]])
        homes = self.households.get(place_id)
        return place_id, self.rng.choice(homes) if homes else None

    # --- places, households, people ---------------------------------------------------------------

    def build_places(self) -> None:
        rng = self.rng
        top = self.add(Place, {"name": names.SUBDISTRICT, "kind": SUBDISTRICT, "parent_id": None, "code": "FX"})
        villages = list(names.VILLAGES)
        combos = [a + b + "村" for a in VILLAGE_SYLLABLES[0] for b in VILLAGE_SYLLABLES[1]]
        villages += [v for v in rng.sample(combos, len(combos)) if v not in villages][:VILLAGES - len(villages)]
        level1 = [(n, COMMUNITY) for n in (names.COMMUNITIES + COMMUNITY_NAMES)[:COMMUNITIES]]
        level1 += [(n, VILLAGE) for n in villages]
        self.level1 = []
        for i, (name, kind) in enumerate(level1, 1):
            pid = self.add(Place, {"name": name, "kind": kind, "parent_id": top, "code": f"FX-{i:02d}"})
            self.centres[pid] = (CENTRE[0] + rng.uniform(-0.04, 0.04), CENTRE[1] + rng.uniform(-0.05, 0.05))
            self.level1.append(pid)
            self.below[pid] = [pid]
            short = name.removesuffix("社区").removesuffix("村")
            for k in range(1, rng.choice((3, 4, 4, 5)) + 1):
                gid = self.add(Place, {"name": f"{short}第{k}网格", "kind": GRID, "parent_id": pid,
                                       "code": f"FX-{i:02d}-G{k}"})
                self.below[pid].append(gid)
                self.below[gid] = [gid]
                self.centres[gid] = (self.centres[pid][0] + rng.uniform(-0.003, 0.003),
                                     self.centres[pid][1] + rng.uniform(-0.004, 0.004))
                if kind == COMMUNITY and rng.random() < 0.6:
                    eid = self.add(Place, {"name": short + ESTATE_SUFFIXES[k % 5], "kind": ESTATE, "parent_id": gid,
                                           "code": f"FX-{i:02d}-G{k}-E"})
                    self.below[pid].append(eid)
                    self.below[gid].append(eid)
                    self.below[eid] = [eid]
                    self.centres[eid] = self.centres[gid]
        self.below[top] = [r["id"] for r in self.rows[Place]]
        self.centres[top] = CENTRE
        for row in self.rows[Place]:
            row.update(active=True, created_at=self.now)
            self.places[row["id"]] = row
        self.grids = [r["id"] for r in self.rows[Place] if r["kind"] == GRID]

    def build_households(self) -> None:
        rng = self.rng
        for place in self.rows[Place]:
            if place["kind"] not in (GRID, ESTATE):
                continue
            parent = self.places[place["parent_id"]]
            count = rng.randint(20, 35) if place["kind"] == ESTATE else rng.randint(10, 18)
            for i in range(count):
                if place["kind"] == ESTATE:
                    address = f"{place['name']}{i // 6 + 1}号楼{i % 6 // 2 + 1}单元{i % 2 + 1}01"
                elif parent["kind"] == VILLAGE:
                    address = f"{parent['name']}{names.VILLAGE_STREETS[place['id'] % 7]}{i + 1}号"
                else:
                    address = f"{names.ROADS[place['id'] % 8]}{i * 2 + 1}号"
                head, phone = self.name(), self.phone() if rng.random() < 0.9 else None
                hid = self.add(Household, {"place_id": place["id"], "address": address, "head_name": head,
                                           "phone": phone, "id_number": None, "members": rng.randint(1, 6),
                                           "note": rng.choice(names.HOUSEHOLD_NOTES), "created_at": self.now})
                self.households[place["id"]].append((hid, head, phone, address))
        self.all_households = [(h, pid) for pid, hs in self.households.items() for h in hs]

    def build_people(self) -> None:
        rng, password = self.rng, generate_password_hash(DEMO_PASSWORD)
        communities = [p for p in self.level1 if self.places[p]["kind"] == COMMUNITY]
        villages = [p for p in self.level1 if self.places[p]["kind"] == VILLAGE]
        grids = list(self.grids)
        rng.shuffle(grids)
        plan = [(ADMIN, "admin", [])]
        base = {LEADER: "leader", VILLAGE_LIAISON: "liaison", COMMUNITY_WORKER: "community",
                YOUNG_CADRE: "cadre", GRID_WORKER: "grid"}
        for role, size in TEAMS.items():
            for i in range(size):
                username = base[role] if i == 0 else f"{base[role]}{i + 1:03d}"
                if role == VILLAGE_LIAISON:
                    places = [villages[i % len(villages)]]
                    if rng.random() < 0.35 or i >= len(villages):
                        places.append(rng.choice([v for v in villages if v != places[0]]))
                elif role == COMMUNITY_WORKER:
                    places = [communities[i % len(communities)]]
                elif role == YOUNG_CADRE:
                    places = rng.sample(self.level1, rng.choice((1, 2)))
                elif role == GRID_WORKER:  # every grid has its worker; some workers hold two
                    places = [grids[i]] + ([grids[size + i]] if size + i < len(grids) else [])
                else:
                    places = []
                plan.append((role, username, places))
        for role, username, places in plan:
            user = {"username": username, "name": self.name(), "password_hash": password, "role": role,
                    "team": role if role in COVER_RANK else None, "phone": self.phone(), "active": True,
                    "created_at": self.now}
            uid = self.add(User, user)
            self.people[role].append(user)
            self.assigned[uid] = places
            for place_id in places:
                self.add(Assignment, {"user_id": uid, "place_id": place_id, "created_at": self.now})
        self.covers: dict[int, list[dict]] = defaultdict(list)
        for role in COVER_RANK:
            for user in self.people[role]:
                for a in self.assigned[user["id"]]:
                    for p in self.below[a]:
                        self.covers[p].append(user)
        self.field = [u for role in COVER_RANK for u in self.people[role]]

    def where(self, place_id: int) -> str:
        """The estate, village or community a resident names."""
        place = self.places[place_id]
        return self.places[place["parent_id"]]["name"] if place["kind"] == GRID else place["name"]

    def cover(self, place_id: int) -> dict:
        people = self.covers[place_id]
        best = min(COVER_RANK[u["role"]] for u in people)
        return self.rng.choice([u for u in people if COVER_RANK[u["role"]] == best])

    # --- the weeks ----------------------------------------------------------------------------------

    def weeks_of_work(self) -> None:
        rng = self.rng
        reliability = {u["id"]: rng.uniform(0.72, 0.97) for u in self.people[VILLAGE_LIAISON]}
        guard_villages = [p for p in self.level1 if self.places[p]["name"] in names.EXPROPRIATION_VILLAGES]
        for week in range(self.weeks):
            monday = self.first_monday + timedelta(weeks=week)
            for user in self.people[VILLAGE_LIAISON]:  # 每周至少入村1次, with gaps
                for village in self.assigned[user["id"]]:
                    visits = 0 if rng.random() > reliability[user["id"]] else (2 if rng.random() < 0.15 else 1)
                    for _ in range(visits):
                        when = self.at(monday + timedelta(days=rng.randint(0, 5)), self.hour())
                        place = rng.choice(self.below[village]) if rng.random() < 0.3 else village
                        self.checkin(user, place, when, rng.choice(texts.CHECKIN_NOTES))
                        self.work(user, place, when + timedelta(minutes=rng.randint(5, 60)))
            for role in WEEKLY:
                for user in self.people[role]:
                    for _ in range(rng.choice(WEEKLY[role])):
                        when = self.at(monday + timedelta(days=rng.randint(0, 6)), self.hour())
                        place, _home = self.spot(user)
                        self.checkin(user, place, when)
                        self.work(user, place, when + timedelta(minutes=rng.randint(2, 30)))
            for village in guard_villages:  # land awaiting expropriation, guarded day and night
                for _ in range(3):
                    user, night = rng.choice(self.people[YOUNG_CADRE]), rng.random() < 0.45
                    when = self.at(monday + timedelta(days=rng.randint(0, 6)), 20 if night else 8)
                    self.checkin(user, village, when, "夜间值守" if night else None)
                    self.log(user, "site_guard", village, when, self.text("site_guard", village),
                             duration=720 if night else 600)

    def work(self, user, place_id: int, when: datetime) -> None:
        if self.rng.random() < WITH_LOG[user["role"]]:
            kind = self.pick(WORK[user["role"]])
            homes = self.households.get(place_id)
            household = self.rng.choice(homes) if homes and kind == "resident_visit" else None
            self.log(user, kind, place_id, when, self.text(kind, place_id, household), household,
                     outcome=self.rng.choice(texts.OUTCOMES))

    # --- all of it -----------------------------------------------------------------------------------------

    def build(self) -> None:
        self.kinds = dict(db.session.execute(sa.select(TaskKind.code, TaskKind.id)).all())
        self.categories = {c: (i, d) for c, i, d in db.session.execute(
            sa.select(RequestCategory.code, RequestCategory.id, RequestCategory.deadline_days))}
        self.build_places()
        self.build_households()
        self.build_people()
        self.weeks_of_work()
        self.cases(round(CASES * self.weeks / 52))
        self.requests(round(REQUESTS * self.weeks / 52))
        self.incidents(max(2, round(INCIDENTS * self.weeks / 52)))


ORDER = [Place, Household, User, Assignment, Case, CaseEvent, ResidentRequest, RequestEvent, Incident, Post,
         IncidentGroup, Deployment, IncidentAck, CheckIn, TaskLog]  # parents before children


def insert(year: Year) -> None:
    for model in ORDER:
        rows = year.rows[model]
        for i in range(0, len(rows), CHUNK):
            db.session.execute(model.__table__.insert(), rows[i:i + CHUNK])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # the ids were given here: move the sequences past them
        for model in ORDER:
            table = model.__tablename__
            db.session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                       f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
        db.session.commit()


def night_share(year: Year) -> float:
    """Check-ins and task logs made between 18:00 and 06:00 local time."""
    rows = year.rows[CheckIn] + year.rows[TaskLog]
    return sum(1 for r in rows if not 6 <= to_local(r["occurred_at"]).hour < 18) / max(len(rows), 1)


def build(url: str, weeks: int = 52, seed: int = SEED) -> dict:
    """Build the data into the empty database at `url`; returns counts and seconds."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    start = time.perf_counter()
    with app.app_context():
        db.create_all()
        if db.session.scalar(sa.select(sa.func.count(User.id))):
            raise SystemExit("The database already has people: give an empty one.")
        ensure_task_kinds()
        ensure_request_categories()
        db.session.commit()
        year = Year(seed, weeks, utcnow())
        year.build()
        made = time.perf_counter() - start
        insert(year)
        db.engine.dispose()
    counts = {model.__tablename__: len(year.rows[model]) for model in ORDER}
    return {"counts": counts, "night": night_share(year), "made_s": made, "total_s": time.perf_counter() - start}


def sqlite_url(path: str) -> str:
    return "sqlite:///" + os.path.abspath(path)


def fresh_file(path: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def report(result: dict) -> str:
    c = result["counts"]
    lines = [" · ".join(f"{table} {n:,}" for table, n in c.items()),
             f"check-ins and task logs: {c['checkins'] + c['task_logs']:,} "
             f"({result['night']:.1%} between 18:00 and 06:00)",
             f"built in {result['total_s']:.1f} s (rows made in {result['made_s']:.1f} s, the rest inserting)"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", default=DEFAULT_PATH, help="SQLite file to (re)create")
    parser.add_argument("--url", help="a database URL instead (it must be empty)")
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    if not args.url:
        fresh_file(args.path)
    print(report(build(args.url or sqlite_url(args.path), args.weeks, args.seed)))


if __name__ == "__main__":
    main()
