"""Planned rounds: who owes which household how many visits this month, and the writes
(care tags, rules).

A rule says: each household of a care group in a member's places is owed N visits a month
by the member's team. A household in two groups with two rules of one team is owed the
larger number: one visit serves both. A visit is a task log or a check-in naming the
household, made by anyone of the team (two grid workers sharing a grid share its plan). A
check-in naming only a place ticks off the village's weekly visit (the coverage page),
never a household's.

The visits are spread over the month: the k-th of N is due by day ⌈k·D/N⌉ of a D-day
month, so "2 a month" means one by mid-month and one by its end. A household still owed a
visit this month is overdue when that visit's day has passed, or when last month (under a
rule already in force for the whole of it) ended short; this month's visits all made, it
is not, whatever last month was."""
import calendar
import math
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from ..auth.models import User
from ..extensions import db
from ..places.models import Household, Place
from ..places.services import scope_place_ids
from ..timeutil import local_day_bounds_utc, local_today, utcnow
from .models import CARE_TAGS, CareTag, VisitRule


@dataclass
class Owed:
    """One household's plan this month under one team's rules."""
    household_id: int
    address: str
    place_id: int
    place_name: str
    team: str
    required: int
    done: int
    next_due: date | None  # None once this month's visits are all made
    overdue: bool

    @property
    def still_owed(self) -> bool:
        return self.done < self.required


@dataclass
class MonthPlan:
    households: list[Owed]

    @property
    def required(self) -> int:
        return sum(o.required for o in self.households)

    @property
    def done(self) -> int:
        return sum(min(o.done, o.required) for o in self.households)

    @property
    def owed(self) -> list[Owed]:
        """Those still owed a visit: overdue first, then soonest due, then by place and address."""
        return sorted((o for o in self.households if o.still_owed),
                      key=lambda o: (not o.overdue, o.next_due, o.place_name, o.address))


def month_bounds(today: date) -> tuple[date, date, date]:
    """(first day of this month, its last day, first day of last month)."""
    first = today.replace(day=1)
    last = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    return first, last, (first - timedelta(days=1)).replace(day=1)


def next_due(first: date, last: date, done: int, required: int) -> date | None:
    if done >= required:
        return None
    return first.replace(day=min(last.day, math.ceil((done + 1) * last.day / required)))


def owed_households(team: str | None, scope, today: date | None = None) -> list[Owed]:
    """Every (household, team) a rule covers: of `team` only, or of every team with None; in
    the places `scope` (None: everywhere). One query whatever the number of households."""
    today = today or local_today()
    first, last, prev_first = month_bounds(today)
    month_start, month_end = local_day_bounds_utc(first, last)
    prev_start, _ = local_day_bounds_utc(prev_first, prev_first)

    rules = (sa.select(VisitRule.team, CareTag.household_id,
                       sa.func.max(VisitRule.visits_per_month).label("required"),
                       sa.func.min(VisitRule.created_at).label("since"))
             .join(CareTag, CareTag.tag == VisitRule.care_tag)
             .group_by(VisitRule.team, CareTag.household_id))
    if team is not None:
        rules = rules.where(VisitRule.team == team)
    rules = rules.subquery()
    from ..field.models import CheckIn, TaskLog  # field/ builds on nothing of this area's

    # A visit: a task log or a check-in naming the household, since last month began.
    made = sa.union_all(*(sa.select(m.household_id, m.user_id, m.occurred_at)
                          .where(m.household_id.is_not(None), m.occurred_at >= prev_start, m.occurred_at < month_end)
                          for m in (TaskLog, CheckIn))).subquery()
    this_month = sa.func.sum(sa.case((made.c.occurred_at >= month_start, 1), else_=0))
    visits = (sa.select(made.c.household_id, User.team, this_month.label("this_month"),
                        sa.func.count().label("both"))
              .join(User, User.id == made.c.user_id)
              .group_by(made.c.household_id, User.team).subquery())
    stmt = (sa.select(Household.id, Household.address, Place.id, Place.name, rules.c.team, rules.c.required,
                      rules.c.since, sa.func.coalesce(visits.c.this_month, 0), sa.func.coalesce(visits.c.both, 0))
            .join(rules, rules.c.household_id == Household.id)
            .join(Place, Place.id == Household.place_id)
            .outerjoin(visits, sa.and_(visits.c.household_id == Household.id, visits.c.team == rules.c.team))
            .where(Place.active).order_by(Place.name, Household.address, Household.id))
    if scope is not None:
        stmt = stmt.where(Household.place_id.in_(scope or {-1}))
    found = []
    for hid, address, pid, pname, row_team, required, since, done, both in db.session.execute(stmt).all():
        done, last_month = int(done), int(both) - int(done)
        due = next_due(first, last, done, required)
        short_before = since < prev_start and last_month < required
        found.append(Owed(hid, address, pid, pname, row_team, required, done, due,
                          due is not None and (due < today or short_before)))
    return found


def month_plan(user) -> MonthPlan | None:
    """This person's plan this month, or None when their team has no rule over their places
    (leaders and admins set rules; they owe no visits). Two queries at most: the scope (kept
    between requests) and the plan."""
    if user.sees_all or not user.team:
        return None
    scope = scope_place_ids(user)
    if not scope:
        return None
    return MonthPlan(owed_households(user.team, scope))


def phone_plan(user, today: date | None = None) -> dict:
    """The plan as /api/v1/me carries it, so the home's panel can be drawn again offline
    (static/js/rounds.js): what the home card shows and nothing more, no resident's phone
    or ID number. Empty for leaders and for people with no rule. Two queries at most beyond
    month_plan's, whatever the number of households: the plan and the households' tags."""
    today = today or local_today()
    plan = month_plan(user)
    if plan is None or not plan.households:
        return {}
    owed = plan.owed
    tags = tags_of(o.household_id for o in owed)
    return {"month": today.strftime("%Y-%m"), "done": plan.done, "required": plan.required,
            "owed": [{"household_id": o.household_id, "place_id": o.place_id, "place_name": o.place_name,
                      "address": o.address, "tags": [str(label) for code, label in CARE_TAGS.items()
                                                     if code in tags.get(o.household_id, ())],
                      "done": o.done, "required": o.required, "due": o.required - o.done,
                      "due_by": o.next_due.isoformat() if o.next_due else None, "overdue": o.overdue}
                     for o in owed]}


# --- Writes --------------------------------------------------------------------------------

def household_tags(household_id: int) -> list[str]:
    return list(db.session.scalars(sa.select(CareTag.tag).where(CareTag.household_id == household_id)
                                   .order_by(CareTag.tag)).all())


def set_care_tags(household: Household, tags) -> None:
    """The household's care groups become exactly `tags` (codes of CARE_TAGS); commits."""
    wanted = {t for t in tags if t in CARE_TAGS}
    current = {c.tag: c for c in db.session.scalars(sa.select(CareTag).where(CareTag.household_id == household.id))}
    for tag in set(current) - wanted:
        db.session.delete(current[tag])
    for tag in sorted(wanted - set(current)):
        db.session.add(CareTag(household_id=household.id, tag=tag))
    db.session.commit()


def save_rule(user, team: str, care_tag: str, visits_per_month: int) -> VisitRule:
    """A team's rule for a care group; one already set for the pair takes the new number."""
    rule = db.session.scalar(sa.select(VisitRule).where(VisitRule.team == team, VisitRule.care_tag == care_tag))
    if rule is None:
        rule = VisitRule(team=team, care_tag=care_tag, created_by_id=user.id, created_at=utcnow())
        db.session.add(rule)
    rule.visits_per_month = visits_per_month
    db.session.commit()
    return rule


def delete_rule(rule_id: int) -> bool:
    """False when it was gone already (two leaders, one rule)."""
    rule = db.session.get(VisitRule, rule_id)
    if rule is None:
        return False
    db.session.delete(rule)
    db.session.commit()
    return True


def all_rules() -> list[VisitRule]:
    return list(db.session.scalars(sa.select(VisitRule).order_by(VisitRule.team, VisitRule.care_tag)).all())


def parse_care_tags(text: str) -> tuple[set[str], list[str]]:
    """Care tags written in an import cell ("独居老人；残疾人", or codes), split on 、;；,， and
    spaces: (the codes, the words that are none)."""
    from ..i18n import zh

    by_word = {zh(label): code for code, label in CARE_TAGS.items()} | {code: code for code in CARE_TAGS}
    words = [w for w in text.replace("；", ";").replace("，", ";").replace(",", ";").replace("、", ";")
             .replace(" ", ";").split(";") if w.strip()]
    tags = {by_word[w.strip()] for w in words if w.strip() in by_word}
    return tags, [w.strip() for w in words if w.strip() not in by_word]


def tags_of(household_ids) -> dict[int, set[str]]:
    """{household id: its care tags} for many households in one query."""
    found: dict[int, set[str]] = {}
    rows = db.session.execute(sa.select(CareTag.household_id, CareTag.tag)
                              .where(CareTag.household_id.in_(list(household_ids) or [-1]))).all()
    for hid, tag in rows:
        found.setdefault(hid, set()).add(tag)
    return found


def replace_tags(household: Household, wanted: set[str], current: set[str]) -> None:
    """Within an import's transaction (no commit): the household's tags become `wanted`; a new
    household is referred to by object, as it has no id before the flush."""
    if current - wanted:
        db.session.execute(sa.delete(CareTag).where(CareTag.household_id == household.id,
                                                    CareTag.tag.in_(current - wanted)))
    db.session.add_all(CareTag(household=household, tag=tag) for tag in sorted(wanted - current))


def tag_words(tags) -> str:
    """独居老人、残疾人: tags as an import file writes them, in Chinese whatever the page's language."""
    from ..i18n import zh

    return "、".join(zh(label) for code, label in CARE_TAGS.items() if code in tags)  # in the list's order
