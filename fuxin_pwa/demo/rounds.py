"""Planned rounds (定向常态服务) in the demo: default visit rules, care tags on about thirty
households, and the visits made to them last month and this, so the grid worker's home shows
本月计划 with households still owed and the coverage page a few overdue ones.

The tags follow the households' notes (a note of 独居老人 is a 独居老人 household): every one
in the demo grid worker's grid, then others drawn across the subdistrict up to thirty, a few
of them 重病患者 too. Visits are resident visits by someone of the rule's team who covers the
household: last month most households had all theirs and a few fell short (overdue now);
this month about half of what is owed is done. As in history.py, every random draw happens
whatever the time now is, and a visit in the future is dropped by History.log."""
from datetime import timedelta

from ..auth.models import COMMUNITY_WORKER, GRID_WORKER
from ..extensions import db
from ..rounds.models import CareTag, VisitRule
from ..rounds.services import month_bounds
from . import names

# (team, care tag, visits a month): the subdistrict's default plan.
RULES = [
    (GRID_WORKER, "lives_alone", 2), (GRID_WORKER, "seriously_ill", 2), (GRID_WORKER, "disabled", 1),
    (GRID_WORKER, "low_income", 1), (COMMUNITY_WORKER, "empty_nest", 1), (COMMUNITY_WORKER, "entitled", 1),
]
TAG_OF_NOTE = {"独居老人": "lives_alone", "低保户": "low_income", "残疾人家庭": "disabled",
               "空巢老人": "empty_nest", "退役军人家庭": "entitled"}
TAGGED = 30
SERIOUSLY_ILL = 4
SHORT_LAST_MONTH = 0.12  # of the households, how many had fewer visits than owed last month
DONE_THIS_MONTH = 0.5    # of this month's visits owed, about how many are made
SUMMARIES = ["上门走访{head}，了解身体和生活情况，叮嘱注意保暖",
             "看望{head}，帮助联系社区卫生服务站上门随访",
             "走访{head}，核实低保和补贴发放情况，留下联系电话",
             "入户看望{head}，检查用火用电安全"]


class DemoRounds:
    def __init__(self, history):
        self.h, self.rng, self.w = history, history.rng, history.w

    def build(self) -> dict:
        h = self.h
        leader = self.w.logins["leader"]
        since = h.now - timedelta(days=100)  # in force before last month began
        db.session.add_all(VisitRule(team=team, care_tag=tag, visits_per_month=n, created_by_id=leader.id,
                                     created_at=since) for team, tag, n in RULES)
        tagged = self.tag_households()
        visits = sum(self.visit(household, tags) for household, tags in tagged)
        return {"care_tags": sum(len(tags) for _h, tags in tagged), "planned_visits": visits}

    def tag_households(self) -> list:
        grid_worker = self.w.logins["grid"]
        mine = {h.id for place in self.w.assigned[grid_worker.id] for h in self.w.households_under[place.id]}
        households = [h for h in self.w.households_under[self.w.places[names.SUBDISTRICT].id] if h.note in TAG_OF_NOTE]
        chosen = [h for h in households if h.id in mine]
        others = [h for h in households if h.id not in mine]
        chosen += self.rng.sample(others, max(0, min(len(others), TAGGED - len(chosen))))
        tagged = [(h, {TAG_OF_NOTE[h.note]}) for h in chosen]
        for _household, tags in self.rng.sample(tagged, min(SERIOUSLY_ILL, len(tagged))):
            tags.add("seriously_ill")
        # The demo grid worker's own: one household of hers at least is 独居老人 and owes visits.
        if not any("lives_alone" in tags for h, tags in tagged if h.id in mine):
            own = next((pair for pair in tagged if pair[0].id in mine), None)
            if own is not None:
                own[1].add("lives_alone")
        db.session.add_all(CareTag(household_id=h.id, tag=tag) for h, tags in tagged for tag in sorted(tags))
        return tagged

    def visitors(self, household, team) -> list:
        return [u for u in self.w.people.get(team, [])
                if any(household in self.w.households_under[p.id] for p in self.w.assigned[u.id])]

    def visit(self, household, tags) -> int:
        """Last month's and this month's visits by the teams that owe them; how many kept."""
        h, made = self.h, 0
        first, _last, prev_first = month_bounds(h.today)
        prev_days = (first - prev_first).days
        for team in (GRID_WORKER, COMMUNITY_WORKER):
            owed = max((n for t, tag, n in RULES if t == team and tag in tags), default=0)
            people = self.visitors(household, team)
            if not owed or not people:
                continue
            short = self.rng.random() < SHORT_LAST_MONTH
            last_month = self.rng.randint(0, owed - 1) if short else owed
            this_month = sum(self.rng.random() < DONE_THIS_MONTH for _ in range(owed))
            days = [prev_first + timedelta(days=self.rng.randrange(prev_days)) for _ in range(last_month)]
            # This month's so far: between its first day and today (one later than now is dropped).
            days += [first + timedelta(days=self.rng.randrange(h.today.day)) for _ in range(this_month)]
            for day in days:
                summary = self.rng.choice(SUMMARIES).format(head=household.head_name)
                made += h.log(self.rng.choice(people), "resident_visit", self.w.by_id[household.place_id],
                              h.at(day, h.hour()), summary, household=household) is not None
        return made
