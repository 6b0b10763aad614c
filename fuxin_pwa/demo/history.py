"""Three months of demo history ending now: the liaisons' weekly village visits, each team's
task logs, the rainstorm night, the stair-painting day, household cases (一户一策), and
then resident requests (demo/requests.py), incidents (demo/incidents.py) and directives
(demo/directives.py).

Every draw from the random source happens whatever the current time is, and records that
would fall in the future are dropped only afterwards, so a seed gives the same history."""
import math
import uuid
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from ..auth.models import COMMUNITY_WORKER, GRID_WORKER, VILLAGE_LIAISON, YOUNG_CADRE
from ..cases.models import IN_PROGRESS, OPEN, RESOLVED, Case, CaseEvent
from ..extensions import db
from ..field.models import CheckIn, TaskKind, TaskLog
from ..places.models import Household
from ..records import SOURCE_IMPORT, content_hash
from ..timeutil import iso_local, to_local, to_utc_naive, utcnow, week_start
from . import names, texts
from .directives import DemoDirectives
from .duty import DemoDuty
from .people import DemoPeople
from .grades import DemoGrades
from .honours import DemoHonours
from .reserve import DemoReserve
from .service_days import DemoServiceDays
from .incidents import DemoIncidents
from .requests import DemoRequests
from .rounds import DemoRounds

WEEKS = 13  # this week and the twelve before it: about three months
RAINSTORM_DAYS_AGO = 33  # last month
STAIR_PAINTING_WEEKS_AGO = 3
HOLDOUT_VISITS = 34
FLOOD_RESERVE = 12  # the young men among the cadres (the first made): 6 groups of 2 that night

# What each team mostly logs: task kind code → weight.
TEAM_WORK = {
    VILLAGE_LIAISON: {"briefing": 35, "resident_visit": 35, "request_followup": 12, "volunteer_service": 10},
    YOUNG_CADRE: {"resident_visit": 25, "demolition_talk": 20, "resettlement_visit": 20, "briefing": 15,
                  "volunteer_service": 10, "request_followup": 10},
    COMMUNITY_WORKER: {"resident_visit": 35, "request_followup": 25, "briefing": 20, "volunteer_service": 20},
    GRID_WORKER: {"resident_visit": 45, "request_followup": 25, "briefing": 20, "volunteer_service": 10},
}
TASKS_PER_WEEK = {YOUNG_CADRE: (1, 2, 2, 3, 3, 4), COMMUNITY_WORKER: (2, 3, 3, 4), GRID_WORKER: (3, 4, 4, 5)}
CHECKIN_WITH_TASK = {YOUNG_CADRE: 0.35, COMMUNITY_WORKER: 0.4, GRID_WORKER: 0.5}
CASE_OWNERS = {"illegal_structure": YOUNG_CADRE, "expropriation": YOUNG_CADRE,
               "hardship": COMMUNITY_WORKER, "dispute": GRID_WORKER, "repair": GRID_WORKER}
OTHER_CASES = 20


class History:
    def __init__(self, rng, world):
        self.rng, self.w = rng, world
        self.now = utcnow()
        self.today = to_local(self.now).date()
        self.monday = week_start(self.today)
        self.kinds = dict(db.session.execute(sa.select(TaskKind.code, TaskKind.id)).all())
        self.checkins: list[dict] = []
        self.logs: list[dict] = []
        self.counts = {"checkins": 0, "task_logs": 0, "cases": 0}
        self.rainstorm_crew: list[tuple] = []  # (user, group number from 0, on-site time, log row)
        self.rainstorm_day: date | None = None
        self.leak_case = None

    def build(self) -> None:
        self.liaison_weeks()
        for role in (YOUNG_CADRE, COMMUNITY_WORKER, GRID_WORKER):
            self.team_weeks(role)
        self.site_guard()
        self.rainstorm()
        self.stair_painting()
        self.cases()
        # After the cases and the rainstorm: the leaking roof's request takes the leak case's
        # visits, and the rainstorm incident takes the night's reports.
        self.counts.update(DemoRequests(self).build())
        self.counts.update(DemoIncidents(self).build())
        self.counts.update(DemoDirectives(self).build())
        self.counts.update(DemoRounds(self).build())  # last: the draws before it stay as they were
        self.counts.update(DemoDuty(self).build())  # draws nothing: anywhere in the order
        self.counts.update(DemoPeople(self).build())  # draws nothing: anywhere in the order
        self.counts.update(DemoHonours(self).build())  # draws nothing: anywhere in the order
        self.counts.update(DemoGrades(self).build())  # draws nothing; reads credentials and evaluations
        self.counts.update(DemoReserve(self).build())  # draws nothing: anywhere in the order
        self.counts.update(DemoServiceDays(self).build())  # draws nothing: anywhere in the order
        for model, rows in ((CheckIn, self.checkins), (TaskLog, self.logs)):
            if rows:
                db.session.execute(sa.insert(model).execution_options(render_nulls=True), rows)
        self.counts.update(checkins=len(self.checkins), task_logs=len(self.logs))

    # --- time and place -----------------------------------------------------------------

    def at(self, day: date, hour: float) -> datetime:
        """Naive UTC of a local day and hour (hours past 24 run into the next morning)."""
        return to_utc_naive(datetime.combine(day, time()) + timedelta(minutes=round(hour * 60)))

    def hour(self, evening: float = 0.1) -> float:
        """Daytime mostly; evenings too, when villagers are home from work (and it counts)."""
        if self.rng.random() < evening:
            return self.rng.uniform(18.5, 21)
        return self.rng.uniform(8.5, 17.5)

    def this_week_visit(self) -> datetime:
        """A time this week, before now, for the demo liaison's one visited village."""
        start = self.at(self.monday, 0)
        for day in (self.today, self.today - timedelta(days=1)):
            when = self.at(day, 9.5)
            if start <= when < self.now:
                return when
        return start + (self.now - start) / 2

    def gps(self, place_id: int) -> tuple:
        """Mostly a good fix; a few without one, a few with poor accuracy (indoors, rain)."""
        r, (lat, lon) = self.rng.random(), self.w.centres[place_id]
        if r < 0.03:
            return None, None, None
        accuracy = self.rng.uniform(220, 900) if r < 0.06 else self.rng.uniform(5, 60)
        dist, angle = self.rng.uniform(0, accuracy), self.rng.uniform(0, 2 * math.pi)
        return (round(lat + dist * math.sin(angle) / 111_000, 6),
                round(lon + dist * math.cos(angle) / (111_000 * math.cos(math.radians(lat))), 6),
                round(accuracy, 1))

    def spot(self, user) -> tuple:
        """A place where this person works (assigned or below) and a household there."""
        places = [p for a in self.w.assigned[user.id] for p in self.w.below[a.id]]
        place = self.rng.choice(places)
        homes = self.w.households_under[place.id] or self.w.households_under[places[0].id]
        return place, self.rng.choice(homes)

    def text(self, kind: str, place, household=None, options=None) -> str:
        template = self.rng.choice(options or texts.SUMMARIES[kind])
        head = household.head_name if household else self.rng.choice(names.SURNAMES) + "大爷"
        return template.format(place=place.name, head=head, road=self.rng.choice(names.ROADS))

    # --- records --------------------------------------------------------------------------

    def _meta(self, when: datetime, record_type: str, data: dict) -> dict:
        received = min(when + timedelta(minutes=self.rng.randint(0, 90)), self.now)
        return {"uuid": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
                "occurred_at": when, "device_occurred_at": None, "clock_corrected": False,
                "received_at": received, "source": SOURCE_IMPORT, "device_id": None,
                "content_hash": content_hash(record_type, iso_local(when), data)}

    def checkin(self, user, place, when: datetime, note=None) -> None:
        lat, lon, accuracy = self.gps(place.id)
        data = {"place_id": place.id, "lat": lat, "lon": lon, "accuracy_m": accuracy, "note": note}
        row = {"user_id": user.id, **data, **self._meta(when, "checkin", data)}
        if when < self.now:  # after the draws, so the seed's sequence never depends on now
            self.checkins.append(row)

    def log(self, user, kind: str, place, when: datetime, summary: str, household=None,
            case_id=None, outcome=None, duration=None, next_step: date | None = None,
            request_id=None, incident_id=None, directive_id=None, people_reached=None) -> dict | None:
        """The row, kept for insertion unless it falls in the future; a request's or an
        incident's id may be set on it later, once that row has its id. A relay of a
        directive (demo/directives.py) names it and the people reached."""
        duration = duration or self.rng.choice((15, 20, 30, 30, 45, 60, 90))
        data = {"kind": kind, "place_id": place.id, "summary": summary,
                "household_id": household.id if household else None, "case_id": case_id,
                "request_id": request_id, "incident_id": incident_id,
                "outcome": outcome, "next_step_on": next_step, "duration_min": duration}
        if directive_id is not None:  # hashed as the phone sends a relay; other logs keep their hash
            data.update(directive_id=directive_id, people_reached=people_reached)
        row = {"user_id": user.id, "kind_id": self.kinds[kind], "directive_id": None, "people_reached": None,
               **data, **self._meta(when, "task_log", data)}
        del row["kind"]
        if when < self.now:
            self.logs.append(row)
            return row
        return None

    def pick(self, weights: dict) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    # --- the teams' weeks -------------------------------------------------------------------

    def liaison_weeks(self) -> None:
        """Each liaison visits each of their villages most weeks (每周至少入村1次), with gaps."""
        demo = self.w.logins["liaison"]
        for user in self.w.people[VILLAGE_LIAISON]:
            reliability = self.rng.uniform(0.72, 0.97)
            for place in self.w.assigned[user.id]:
                for week in range(WEEKS - 1, -1, -1):
                    visits = 0 if self.rng.random() > reliability else (2 if self.rng.random() < 0.15 else 1)
                    for _ in range(visits):
                        day = self.monday - timedelta(weeks=week) + timedelta(days=self.rng.choice(
                            (0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5)))
                        when = self.at(day, self.hour(evening=0.12))
                        if user is demo and week == 0:
                            continue  # set below: one village visited this week, one not
                        self.village_visit(user, place, when)
            if user is demo:
                self.village_visit(demo, self.w.assigned[demo.id][0], self.this_week_visit())

    def village_visit(self, user, village, when: datetime) -> None:
        grids = self.w.grids.get(village.id, [])
        place = self.rng.choice(grids) if grids and self.rng.random() < 0.3 else village
        self.checkin(user, place, when, self.rng.choice(texts.CHECKIN_NOTES))
        kind = self.pick(TEAM_WORK[VILLAGE_LIAISON])
        household = self.rng.choice(self.w.households_under.get(place.id) or [None])
        later = when + timedelta(minutes=self.rng.randint(5, 60))
        if self.rng.random() < 0.65:
            self.log(user, kind, place, later, self.text(kind, place, household),
                     household if kind in ("resident_visit", "request_followup") else None,
                     outcome=self.rng.choice(texts.OUTCOMES))

    def team_weeks(self, role: str) -> None:
        for user in self.w.people[role]:
            for week in range(WEEKS - 1, -1, -1):
                for _ in range(self.rng.choice(TASKS_PER_WEEK[role])):
                    day = self.monday - timedelta(weeks=week, days=-self.rng.randint(0, 6))
                    when = self.at(day, self.hour(evening=0.15))
                    kind = self.pick(TEAM_WORK[role])
                    place, household = self.spot(user)
                    if self.rng.random() < CHECKIN_WITH_TASK[role]:
                        self.checkin(user, place, when - timedelta(minutes=self.rng.randint(1, 10)))
                    with_home = kind not in ("briefing", "volunteer_service")
                    self.log(user, kind, place, when, self.text(kind, place, household),
                             household if with_home else None, outcome=self.rng.choice(texts.OUTCOMES))

    def site_guard(self) -> None:
        """Land awaiting expropriation is guarded from day into night (从白天守护到黑夜)."""
        cadres = self.w.people[YOUNG_CADRE]
        for week in range(WEEKS - 1, -1, -1):
            for name in names.EXPROPRIATION_VILLAGES:
                village = self.w.places[name]
                for _ in range(self.rng.randint(2, 4)):
                    user = self.rng.choice(cadres)
                    day = self.monday - timedelta(weeks=week, days=-self.rng.randint(0, 6))
                    night = self.rng.random() < 0.45
                    when = self.at(day, 20 if night else 8) + timedelta(minutes=self.rng.randint(0, 20))
                    options = [texts.SUMMARIES["site_guard"][1 if night else self.rng.choice((0, 2))]]
                    summary = self.text("site_guard", village, options=options)
                    self.checkin(user, village, when, "夜间值守" if night else None)
                    self.log(user, "site_guard", village, when, summary, duration=720 if night else 600)

    def rainstorm(self) -> None:
        """The rainstorm night: at 23:00 the young men of the cadre team go out in 6 groups."""
        day = self.rainstorm_day = self.today - timedelta(days=RAINSTORM_DAYS_AGO)
        men = self.w.people[YOUNG_CADRE][:FLOOD_RESERVE]
        self.rng.shuffle(men)
        for i, user in enumerate(men):
            group = i % len(names.FLOOD_POSTS)
            road, place_name = names.FLOOD_POSTS[group]
            place = self.w.places[place_name]
            when = self.at(day, 23) + timedelta(minutes=self.rng.randint(5, 25))
            self.checkin(user, place, when, f"防汛预备队第{group + 1}组到岗：{road}")
            summary = texts.RAINSTORM.format(group=group + 1, road=road)
            row = self.log(user, "flood_duty", place, when + timedelta(minutes=5), summary,
                           outcome=texts.RAINSTORM_OUTCOME, duration=self.rng.randint(150, 210))
            self.rainstorm_crew.append((user, group, when, row))
        for user in self.w.people[GRID_WORKER]:  # the morning after: patrols of each grid
            if self.rng.random() < 0.5:
                place, _ = self.spot(user)
                when = self.at(day + timedelta(days=1), self.rng.uniform(6.5, 9))
                self.log(user, "flood_duty", place, when, self.text("flood_duty", place))

    def stair_painting(self) -> None:
        """A Saturday at 万科假日风景小区: the red stairways volunteer event."""
        day = self.monday - timedelta(weeks=STAIR_PAINTING_WEEKS_AGO) + timedelta(days=5)
        estate, community = self.w.places["万科假日风景小区"], self.w.places["万科社区"]
        people = [u for u in self.w.people[COMMUNITY_WORKER] if self.w.assigned[u.id][0] is community]
        people += self.rng.sample(self.w.people[YOUNG_CADRE], 2)
        for user in people:
            when = self.at(day, 9) + timedelta(minutes=self.rng.randint(0, 15))
            self.checkin(user, estate, when)
            self.log(user, "volunteer_service", estate, when, texts.STAIR_PAINTING, duration=180,
                     outcome="居民亲手参与，楼梯变成小区一道风景线")

    # --- household cases ---------------------------------------------------------------------

    def cases(self) -> None:
        cadre, grid = self.w.logins["cadre"], self.w.logins["grid"]
        holdout_village = self.w.assigned[cadre.id][0]
        holdout = self.rng.choice(self.w.households_under[holdout_village.id])
        db.session.execute(sa.update(Household).where(Household.id == holdout.id).values(note="安置区尾留户"))
        visit_days = sorted(self.rng.sample(range(2, WEEKS * 7 - 4), HOLDOUT_VISITS), reverse=True)
        steps = [texts.HOLDOUT_VISITS[0]] + [
            f"第{n}次上门：" + texts.HOLDOUT_VISITS[1 + (n - 2) % (len(texts.HOLDOUT_VISITS) - 1)]
            for n in range(2, HOLDOUT_VISITS + 1)]
        specs = [(cadre, holdout, "resettlement_holdout", "安置区尾留户政策解答与安置协商",
                  "数十次上门解答政策，邀请已回迁邻居现身说法，协调过渡期住房，争取家人支持",
                  IN_PROGRESS, "resettlement_visit", list(zip(visit_days, steps)))]
        leak = self.w.special_households["leak"]
        leak_days = [38, 36, 33, 30, 27, 24, 20, 16, 11, 7]
        specs.append((grid, leak, "repair", "富豪西苑8号楼顶楼屋面漏水",
                      "联系物业和律师明确维修责任，协调同单元邻居共同维修，使用维修资金做屋面防水",
                      RESOLVED, "request_followup", list(zip(leak_days, texts.LEAK_VISITS))))
        for i in range(OTHER_CASES):
            kind = "hardship" if i == 0 else self.rng.choice(list(texts.CASES))
            task_kind, titles, plan = texts.CASES[kind]
            # The first is the demo community worker's, so their case list is not empty.
            team = self.w.people[CASE_OWNERS[kind]]
            owner = self.w.logins["community"] if i == 0 else self.rng.choice(team)
            _, household = self.spot(owner)
            status = self.rng.choices((RESOLVED, IN_PROGRESS, OPEN), weights=(4, 4, 2))[0]
            start = self.rng.randint(10, WEEKS * 7 - 5) if status != OPEN else self.rng.randint(1, 6)
            count = 0 if status == OPEN else self.rng.randint(2, min(9, start))
            days = sorted(self.rng.sample(range(1, start + 1), count), reverse=True)
            steps = [self.text(task_kind, self.w.by_id[household.place_id], household) for _ in days]
            specs.append((owner, household, kind, self.rng.choice(titles), plan, status, task_kind,
                          list(zip(days, steps)) or [(start, None)]))
        self.leak_case = self.save_cases(specs)[1]

    def save_cases(self, specs: list) -> list:
        """Store the cases, their events and visits; returns the cases in the order given."""
        rows = []
        for owner, household, kind, title, plan, status, task_kind, visits in specs:
            visits = [(self.at(self.today - timedelta(days=d), self.hour(evening=0.2)), s) for d, s in visits]
            opened = visits[0][0] - timedelta(hours=self.rng.randint(2, 48))
            closed = visits[-1][0] + timedelta(hours=self.rng.randint(1, 6)) if status == RESOLVED else None
            if closed is not None and closed >= self.now:
                closed = self.now
            case = Case(household_id=household.id, kind=kind, title=title, plan=plan, status=status,
                        owner_id=owner.id, created_by_id=owner.id, opened_at=opened, closed_at=closed,
                        version={OPEN: 1, IN_PROGRESS: 2, RESOLVED: 3}[status])
            rows.append((case, owner, household, task_kind, visits, status))
        db.session.add_all([r[0] for r in rows])
        db.session.flush()
        db.session.add_all(self.case_events(rows))
        for case, owner, household, task_kind, visits, status in rows:
            place = self.w.by_id[household.place_id]
            for n, (when, summary) in enumerate(visits):
                if summary is None:
                    continue
                last = n == len(visits) - 1
                summary = summary.format(head=household.head_name, place=place.name)
                next_step = to_local(when).date() + timedelta(days=7) if last and status != RESOLVED else None
                self.log(owner, task_kind, place, when, summary, household, case.id,
                         outcome="已化解" if last and status == RESOLVED else self.rng.choice(texts.OUTCOMES),
                         duration=self.rng.choice((30, 45, 60, 90)), next_step=next_step)
        self.counts["cases"] = len(rows)
        return [r[0] for r in rows]

    @staticmethod
    def case_events(rows) -> list:
        """Each case's status history, as the case pages record it: opened, work started
        with the first visit, and resolved where it was."""
        events = []
        for case, owner, _household, _kind, visits, status in rows:
            events.append(CaseEvent(case_id=case.id, user_id=owner.id, from_status=None,
                                    to_status=OPEN, at=case.opened_at))
            if status in (IN_PROGRESS, RESOLVED):
                events.append(CaseEvent(case_id=case.id, user_id=owner.id, from_status=OPEN,
                                        to_status=IN_PROGRESS, at=visits[0][0], note="记录走访后自动转为推进中"))
            if status == RESOLVED:
                events.append(CaseEvent(case_id=case.id, user_id=owner.id, from_status=IN_PROGRESS,
                                        to_status=RESOLVED, at=case.closed_at))
        return events
