"""The young-cadre reserve pool in the demo: the 12 chosen since 2023 on their results (the
report's 后备库), admitted on dates from 2023 to 2026, two of them since appointed; and two
more in the pool's first steps (one nominated, one being assessed). The demo's own cadre
login is among those admitted, so the profile shows a candidacy to its owner.

No random draw: the plan is a fixed list in the people's order, so the same seed gives the
same demo; a date later than today (a demo loaded early) is brought back to today."""
from datetime import date, timedelta

from ..auth.models import LEADER, YOUNG_CADRE
from ..extensions import db
from ..reserve.models import (ADMITTED, APPOINTED, ASSESSING, NOMINATED, ReserveCandidate, ReserveNote,
                              ReserveStatusChange)
from ..timeutil import local_day_bounds_utc

# (nominated, assessed, admitted, appointed as / on): one row per candidate, in the cadres' order.
PLAN = [
    (date(2023, 3, 6), date(2023, 4, 10), date(2023, 6, 30), None),
    (date(2023, 3, 6), date(2023, 4, 10), date(2023, 6, 30), ("冶头村党支部副书记", date(2025, 3, 18))),
    (date(2023, 3, 6), date(2023, 4, 10), date(2023, 6, 30), None),
    (date(2023, 9, 4), date(2023, 10, 9), date(2023, 12, 28), None),
    (date(2023, 9, 4), date(2023, 10, 9), date(2023, 12, 28), ("万科社区居委会副主任", date(2025, 11, 6))),
    (date(2024, 3, 11), date(2024, 4, 15), date(2024, 6, 28), None),
    (date(2024, 8, 12), date(2024, 9, 9), date(2024, 11, 29), None),
    (date(2024, 8, 12), date(2024, 9, 9), date(2024, 11, 29), None),
    (date(2025, 3, 10), date(2025, 4, 14), date(2025, 6, 27), None),
    (date(2025, 3, 10), date(2025, 4, 14), date(2025, 6, 27), None),
    (date(2025, 9, 8), date(2025, 10, 13), date(2025, 12, 30), None),
    (date(2026, 3, 9), date(2026, 4, 13), date(2026, 6, 26), None),
    (date(2026, 9, 7), date(2026, 10, 12), None, None),  # being assessed
    (date(2026, 11, 2), None, None, None),  # nominated
]
REASONS = ["防汛值守中带队坚守一线，群众认可度高", "违建约谈一户一策推进有力", "安置区尾留户反复走访，耐心细致",
           "征迁地块昼夜值守，从未缺岗"]
NOTES = {0: "暴雨夜带领第1组在解放路口值守至凌晨，处置及时",
         3: "尾留户协商中坚持政策底线，又能解决群众实际困难",
         12: "考察谈话：本人表示愿意到村居一线任职"}


class DemoReserve:
    def __init__(self, history):
        self.h, self.w = history, history.w
        self.today = history.today
        leaders = self.w.people[LEADER]
        self.leader = self.w.logins["leader"]
        self.deputy = leaders[1] if len(leaders) > 1 else self.leader

    def _day(self, day: date | None) -> date | None:
        return min(day, self.today) if day else None

    def build(self) -> dict:
        cadres = self.w.people[YOUNG_CADRE]
        made = 0
        for i, (person, (nominated, assessed, admitted, appointed)) in enumerate(zip(cadres, PLAN)):
            nominated, assessed, admitted = self._day(nominated), self._day(assessed), self._day(admitted)
            by = self.leader if i % 2 == 0 else self.deputy
            steps = [(None, NOMINATED, nominated)]
            if assessed:
                steps.append((NOMINATED, ASSESSING, assessed))
            if admitted:
                steps.append((ASSESSING, ADMITTED, admitted))
            appointed_as, appointed_on = appointed if appointed else (None, None)
            appointed_on = self._day(appointed_on)
            if appointed_on:
                steps.append((ADMITTED, APPOINTED, appointed_on))
            candidate = ReserveCandidate(user_id=person.id, status=steps[-1][1], nominated_on=nominated,
                                         nominated_by_id=by.id, admitted_on=admitted, appointed_on=appointed_on,
                                         appointed_as=appointed_as, created_at=self._at(nominated))
            db.session.add(candidate)
            db.session.flush()
            reason = REASONS[i % len(REASONS)]
            for from_status, to_status, on in steps:
                db.session.add(ReserveStatusChange(
                    candidate_id=candidate.id, from_status=from_status, to_status=to_status, changed_on=on,
                    changed_by_id=by.id, reason=reason if to_status == NOMINATED else None, recorded_at=self._at(on)))
            db.session.add(ReserveNote(candidate_id=candidate.id, author_id=by.id, written_at=self._at(nominated),
                                       text=reason))
            if i in NOTES:
                on = steps[-1][2]
                db.session.add(ReserveNote(candidate_id=candidate.id, author_id=self.leader.id,
                                           written_at=self._at(on) + timedelta(hours=2), text=NOTES[i]))
            made += 1
        db.session.flush()
        return {"reserve_candidates": made}

    def _at(self, day: date):
        return local_day_bounds_utc(day, day)[0] + timedelta(hours=9)
