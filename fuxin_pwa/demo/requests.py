"""Resident requests in the demo (群众诉求 · 订单式服务): about sixty over the last ten weeks,
taken down at a service centre's tablet by the leaders or in the field by the teams.

Each is stored as the request pages would have stored it: every transition a RequestEvent
(who, when, action, from and to), the version bumped by each, every follow-up visit a
诉求办理 task log linked to the request (the first one moving it to 办理中 by itself, as
requests.services.note_visit does), due at the category's deadline after the raising.
The stories come first (the leaking roof takes the leak case's ten visits), then requests
drawn at random. As in history.py, every draw happens whatever the current time; a time
that would fall after now is moved back to just before it."""
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..auth.models import COMMUNITY_WORKER, GRID_WORKER, LEADER, VILLAGE_LIAISON, YOUNG_CADRE
from ..extensions import db
from ..i18n import zh
from ..places.models import ESTATE, GRID
from ..requests.models import (ASSIGN, ASSIGNED, CALLBACK, CANNOT_RESOLVE, CLOSE, IN_PROGRESS, PARTLY_RESOLVED,
                               RECEIVED, REFERRED, REOPEN, RESOLVED, START, RequestCategory, RequestEvent,
                               ResidentRequest)
from ..requests.services import AUTO_VISIT_NOTE, SOURCE_VISIT
from . import names, texts
from .request_texts import (ASSIGN_NOTES, CALLBACK_NOTES, CLOSE_NOTES, DESCRIPTIONS, REFERRED_TO, STORIES,
                            VISITS)

DRAWN = 50  # besides the stories
DAYS_BACK = 70  # ten weeks
AT_DESK = 0.4  # share taken down at a centre's tablet; the rest in the field
CATEGORY_WEIGHTS = {"facility_repair": 30, "neighbour_dispute": 12, "sanitation": 20, "policy_question": 15,
                    "assistance": 13, "other": 10}
CLOSED_WEIGHTS = {RESOLVED: 70, PARTLY_RESOLVED: 12, CANNOT_RESOLVE: 8, REFERRED: 10}
OPEN_PAST_DEADLINE = 0.1  # the overdue ones: a handful
CLOSED_WITHIN_DEADLINE = 0.3  # of the ones still within their deadline
SATISFACTION_WEIGHTS = {"satisfied": 60, "basically": 25, "unreachable": 10, "unsatisfied": 5}
# Who follows a request up, by preference: the grid's own worker first.
COVER_RANK = {GRID_WORKER: 0, COMMUNITY_WORKER: 1, VILLAGE_LIAISON: 2, YOUNG_CADRE: 3}


class Life:
    """One request as it goes: its row, changed the way requests.services changes it, and an
    event for each change; the request id is filled in once the row is inserted."""

    def __init__(self, owner: "DemoRequests", row: dict, place, household, code: str):
        self.o, self.row, self.place, self.household, self.code = owner, row, place, household, code

    @property
    def status(self) -> str:
        return self.row["status"]

    def _event(self, when, user, action, to_status, source=None, **fields) -> None:
        row = self.row
        data = {"request": row["uuid"], "action": action, "to_status": to_status, **fields}
        event = {"request_id": None, "action": action, "from_status": row["status"],
                 "to_status": to_status if action != CALLBACK else None,
                 "assignee_id": None, "assignee_team": None, "referred_to": None, "satisfaction": None,
                 "note": None, "base_version": row["version"], "conflict": False, **fields,
                 "user_id": user.id, **self.o.h._meta(when, "request_update", data)}
        if source:
            event["source"] = source
        self.o.events.append((row, event))
        row["version"] += 1
        if action != CALLBACK:
            row["status"] = to_status

    def assign(self, when, by, person=None, team=None) -> None:
        person_id = person.id if person else None
        self._event(when, by, ASSIGN, ASSIGNED, assignee_id=person_id, assignee_team=team,
                    note=self.o.rng.choice(ASSIGN_NOTES))
        self.row.update(assignee_id=person_id, assignee_team=None if person else team)

    def start(self, when, user, note=None, source=None) -> None:
        self._event(when, user, START, IN_PROGRESS, note=note, source=source)

    def visit(self, when, user, summary: str, outcome=None, row=None) -> None:
        """A follow-up visit (or an existing log row of one); the first starts the work."""
        if row is None:
            row = self.o.h.log(user, "request_followup", self.place, when, self.o.fill(summary, self),
                               self.household, outcome=outcome)
        if row is None:
            return
        self.o.visits.append((self.row, row))
        if self.status in (RECEIVED, ASSIGNED):
            self.start(row["occurred_at"], user, zh(AUTO_VISIT_NOTE), SOURCE_VISIT)
            # Made by the server as the visit arrived: the timeline shows the visit, then the move.
            event = self.o.events[-1][1]
            event["received_at"] = min(row["received_at"] + timedelta(seconds=1), self.o.h.now)

    def close(self, when, user, status: str, note: str, referred_to=None) -> None:
        referred_to = referred_to if status == REFERRED else None
        self._event(when, user, CLOSE, status, referred_to=referred_to, note=note)
        self.row.update(closed_at=when, close_note=note, referred_to=referred_to)

    def callback(self, when, user, satisfaction: str, note: str) -> None:
        self._event(when, user, CALLBACK, None, satisfaction=satisfaction, note=self.o.fill(note, self))
        self.row["satisfaction"] = satisfaction

    def reopen(self, when, user, note: str) -> None:
        to = IN_PROGRESS if (self.row["assignee_id"] or self.row["assignee_team"]) else RECEIVED
        self._event(when, user, REOPEN, to, note=note)
        self.row.update(closed_at=None, close_note=None, referred_to=None, satisfaction=None)


class DemoRequests:
    def __init__(self, history):
        self.h, self.rng, self.w = history, history.rng, history.w
        self.categories = {c.code: c for c in db.session.scalars(sa.select(RequestCategory))}
        self.leaders = self.w.people[LEADER]
        self.households = [h for h in self.w.households_under[self.w.places[names.SUBDISTRICT].id]]
        self.covers = self._covers()
        self.rows: list[dict] = []
        self.events: list[tuple[dict, dict]] = []  # (request row, event row)
        self.visits: list[tuple[dict, dict]] = []  # (request row, task log row)

    def build(self) -> dict:
        for story in STORIES:
            self.story(story)
        for _ in range(DRAWN):
            self.drawn()
        self.save()
        return {"requests": len(self.rows), "request_events": len(self.events)}

    # --- helpers -----------------------------------------------------------------------------

    def _covers(self) -> dict[int, list]:
        """Place id → the team members covering it (assigned to it or to a place above it)."""
        covers: dict[int, list] = {}
        for role in COVER_RANK:
            for user in self.w.people.get(role, []):
                for assigned in self.w.assigned[user.id]:
                    for place in self.w.below[assigned.id]:
                        covers.setdefault(place.id, []).append(user)
        return covers

    def cover(self, place):
        """The person who would follow a request up at this place: its grid worker, or else
        the community worker, liaison or cadre covering it."""
        people = self.covers[place.id]
        best = min(COVER_RANK[u.role] for u in people)
        return self.rng.choice([u for u in people if COVER_RANK[u.role] == best])

    def cap(self, when: datetime) -> datetime:
        return min(when, self.h.now - timedelta(minutes=1))

    def spread(self, start: datetime, end: datetime, n: int) -> list[datetime]:
        """n times between start and end, in order (n draws, whatever the dates)."""
        fractions = sorted(self.rng.uniform(0.05, 0.95) for _ in range(n))
        end = max(self.cap(end), start)
        return [self.cap(start + (end - start) * f) for f in fractions]

    def where(self, place) -> str:
        if place.kind == ESTATE:
            return place.name
        return self.w.by_id[place.parent_id].name if place.kind == GRID else place.name

    def fill(self, text: str, life: Life) -> str:
        return text.format(head=life.row["resident_name"], addr=life.household.address,
                           where=self.where(life.place), road=self.rng.choice(names.ROADS))

    def phone(self, household) -> str | None:
        r = self.rng.random()
        if r < 0.05:
            return None
        if household.phone and r < 0.8:
            return household.phone
        return self.rng.choice(names.PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def resident(self, household) -> str:
        """Mostly the head of the household; sometimes someone else of the family."""
        if self.rng.random() < 0.75:
            return household.head_name
        given = names.MALE_GIVEN if self.rng.random() < 0.5 else names.FEMALE_GIVEN
        return household.head_name[0] + "".join(self.rng.choice(given) for _ in range(self.rng.choice((1, 2))))

    def new(self, raiser, household, code: str, description: str, raised: datetime, head: bool = False) -> Life:
        """A request raised by `raiser`; by the household's head if `head`, else by them mostly."""
        place = self.w.by_id[household.place_id]
        category = self.categories[code]
        row = {"place_id": place.id, "household_id": household.id, "category_id": category.id,
               "resident_name": household.head_name if head else self.resident(household),
               "resident_phone": self.phone(household),
               "description": "", "status": RECEIVED, "assignee_id": None, "assignee_team": None,
               "referred_to": None, "close_note": None, "closed_at": None, "satisfaction": None,
               "due_at": raised + timedelta(days=category.deadline_days), "version": 1, "user_id": raiser.id}
        life = Life(self, row, place, household, code)
        row["description"] = self.fill(description, life)
        data = {k: row[k] for k in ("place_id", "household_id", "resident_name", "resident_phone", "description")}
        row.update(self.h._meta(raised, "request", {**data, "category": code}))
        self.rows.append(row)
        return life

    def visit_text(self, code: str, n: int, total: int, closing: bool) -> str:
        first, middle, last = VISITS[code]
        if n == total - 1 and closing and total > 1:
            return self.rng.choice(last)
        return self.rng.choice(first if n == 0 else middle)

    # --- the stories ----------------------------------------------------------------------------

    def person(self, spec, cover):
        """None, "cover" or a demo login ("leader" included) → the person."""
        if spec is None or spec == "cover":
            return None if spec is None else cover
        return self.w.logins[spec]

    def story(self, s: dict) -> None:
        rng, h = self.rng, self.h
        if s["key"] == "leak":
            household = self.w.special_households["leak"]
        else:
            household = rng.choice(self.w.households_under[self.w.places[s["where"]].id])
        place = self.w.by_id[household.place_id]
        cover = self.cover(place)
        raiser = self.person(s["raiser"], cover)
        assignee = self.person(s["assignee"], cover)
        leak_visits = []
        if s["key"] == "leak":
            leak_visits = sorted((r for r in h.logs if r["case_id"] == h.leak_case.id), key=lambda r: r["occurred_at"])
            raised = leak_visits[0]["occurred_at"] - timedelta(hours=2)
        elif "minutes" in s:
            raised = h.now - timedelta(minutes=s["minutes"])
        else:
            raised = self.cap(h.at(h.today - timedelta(days=s["days"]), s["hour"]))
        life = self.new(raiser, household, s["category"], s["description"], raised, head=True)
        worker = assignee or raiser
        assigned_at = raised + timedelta(minutes=rng.randint(10, 90))
        if assignee is not None:
            life.assign(self.cap(assigned_at), self.w.logins["leader"], assignee)
        close = s.get("close")
        if leak_visits:
            for row in leak_visits:
                life.visit(None, worker, "", row=row)
            closed_at = leak_visits[-1]["occurred_at"] + timedelta(hours=1)
        else:
            end = raised + timedelta(days=s["span"]) if close else h.now - (h.now - raised) * 0.15
            closed_at = self.cap(end)
            visits = s.get("visits", [])
            for when, text in zip(self.spread(assigned_at, closed_at, len(visits)), visits):
                life.visit(when, worker, text, outcome=None if not close else rng.choice(texts.OUTCOMES))
        if not close:
            return
        status, note, referred_to = close
        life.close(closed_at, worker, status, note, referred_to)
        when = closed_at
        for satisfaction, note in s.get("callbacks", []):
            when = self.cap(when + timedelta(hours=rng.uniform(20, 60)))
            life.callback(when, self.w.logins["leader"], satisfaction, note)
        if "reopen" in s:
            note, visits = s["reopen"]
            reopened = self.cap(when + timedelta(hours=1))
            life.reopen(reopened, self.w.logins["leader"], note)
            for at, text in zip(self.spread(reopened, reopened + timedelta(days=1.5), len(visits)), visits):
                life.visit(at, worker, text)

    # --- drawn at random --------------------------------------------------------------------------

    def drawn(self) -> None:
        rng, h = self.rng, self.h
        code = h.pick(CATEGORY_WEIGHTS)
        category = self.categories[code]
        household = rng.choice(self.households)
        place = self.w.by_id[household.place_id]
        cover = self.cover(place)
        days = rng.randint(1, DAYS_BACK)
        at_desk = rng.random() < AT_DESK
        raiser = rng.choice(self.leaders) if at_desk else rng.choice(self.covers[place.id])
        raised = h.at(h.today - timedelta(days=days), rng.uniform(8.5, 17) if at_desk else h.hour(evening=0.15))
        late = days > category.deadline_days
        closed = rng.random() < ((1 - OPEN_PAST_DEADLINE) if late else CLOSED_WITHIN_DEADLINE)
        close_status = h.pick(CLOSED_WEIGHTS)
        span = max(min(category.deadline_days * rng.uniform(0.1, 1.3), days - 0.3), 0.1)
        life = self.new(raiser, household, code, rng.choice(DESCRIPTIONS[code]), raised)
        boss = raiser if at_desk else rng.choice(self.leaders)
        if code == "policy_question" and at_desk and closed and rng.random() < 0.7:
            # Answered at the desk there and then: closed from 已受理, no one sent.
            life.close(raised + timedelta(minutes=rng.randint(5, 40)), raiser, RESOLVED,
                       rng.choice(CLOSE_NOTES[RESOLVED]))
            return
        team = rng.random() < 0.15
        person = None if team else (raiser if not at_desk and rng.random() < 0.5 else cover)
        worker = person or cover
        assigned_at = raised + timedelta(hours=rng.uniform(0.1, 5))
        life.assign(self.cap(assigned_at), boss, person, cover.team if team else None)
        open_state = rng.choice((ASSIGNED, IN_PROGRESS, IN_PROGRESS, IN_PROGRESS))
        visits = rng.choice((1, 1, 2, 2, 3, 4)) if code != "policy_question" else rng.choice((0, 1))
        manual_start = rng.random() < 0.3
        end = max(raised + timedelta(days=span) if closed else h.now - (h.now - raised) * 0.1,
                  assigned_at + timedelta(minutes=30))  # a short span still comes after the assignment
        if not closed and open_state == ASSIGNED:
            return
        times = self.spread(assigned_at, end, visits + 1)
        if manual_start or visits == 0:
            life.start(times[0], worker)
        for n, when in enumerate(times[1:]):
            closing = closed and close_status == RESOLVED
            life.visit(when, worker, self.visit_text(code, n, visits, closing),
                       outcome="已解决" if closing and n == visits - 1 else rng.choice(texts.OUTCOMES))
        if not closed:
            return
        closed_at = self.cap(end)
        life.close(closed_at, worker, close_status, rng.choice(CLOSE_NOTES[close_status]),
                   rng.choice(REFERRED_TO))
        if days - span > 3 and rng.random() < 0.4:
            satisfaction = h.pick(SATISFACTION_WEIGHTS)
            life.callback(self.cap(closed_at + timedelta(hours=rng.uniform(20, 70))), rng.choice((raiser, boss)),
                          satisfaction, rng.choice(CALLBACK_NOTES[satisfaction]))

    # --- storing -------------------------------------------------------------------------------------

    def save(self) -> None:
        """The requests in one batch, then their events; the visits go in with the history's
        task logs, once they carry their request's id."""
        db.session.execute(sa.insert(ResidentRequest).execution_options(render_nulls=True), self.rows)
        uuids = [r["uuid"] for r in self.rows]
        ids = dict(db.session.execute(sa.select(ResidentRequest.uuid, ResidentRequest.id)
                                      .where(ResidentRequest.uuid.in_(uuids))).all())
        for request, event in self.events:
            event["request_id"] = ids[request["uuid"]]
        for request, log in self.visits:
            log["request_id"] = ids[request["uuid"]]
        if self.events:
            db.session.execute(sa.insert(RequestEvent).execution_options(render_nulls=True),
                               [event for _, event in self.events])
