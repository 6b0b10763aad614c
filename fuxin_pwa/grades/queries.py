"""What the grade pages, the export and the profile read: every community worker's post, the
inputs of the rule (highest degree and certificate from training/, 不称职 years from
evaluations/) and the last grade a leader confirmed, loaded for everyone at once (a few
queries, whatever the number of people).

The ledger is by community and then by name, never by grade: it is a pay record, not a
ranking (DOMAIN.md)."""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from ..auth.models import COMMUNITY_WORKER, User
from ..evaluations.services import community_of, incompetent_years
from ..extensions import db
from ..places.models import Place
from ..training.models import EDUCATION, QUALIFICATION
from ..training.queries import Held, highest_for
from .ladder import Calculation, LadderRule, grade_of
from .models import POST_LABELS, GradeChange, GradePost


def current_rule() -> LadderRule:
    """The locality's rule: the defaults with the app config's GRADE_RULE over them."""
    return LadderRule.from_config(current_app.config.get("GRADE_RULE"))


def post_choices(rule: LadderRule) -> list[tuple[str, str]]:
    return [(post, str(POST_LABELS.get(post) or rule.post_labels.get(post, post))) for post in rule.ranges]


@dataclass
class LedgerRow:
    person: User
    community: str
    post: GradePost | None
    education: Held | None
    certificate: Held | None
    calculation: Calculation | None  # None until a post and service start are set
    recorded: int | None  # the last grade a leader confirmed; None before the first
    post_label: str = ""

    @property
    def differs(self) -> bool:
        """The rule now gives another grade than the last confirmed one: a leader confirms it."""
        return self.calculation is not None and self.calculation.grade != self.recorded


def _rows(people: list[User], today: date) -> list[LedgerRow]:
    ids = [p.id for p in people]
    if not ids:
        return []
    rule = current_rule()
    posts = {p.user_id: p for p in db.session.scalars(sa.select(GradePost).where(GradePost.user_id.in_(ids)))}
    education = highest_for(ids, EDUCATION)
    certificate = highest_for(ids, QUALIFICATION)
    held_back = incompetent_years(ids, today)
    where = community_of(ids)
    names = dict(db.session.execute(sa.select(Place.id, Place.name)
                                    .where(Place.id.in_({v for v in where.values() if v}))).all())
    recorded: dict[int, int] = {}
    for uid, to_grade in db.session.execute(sa.select(GradeChange.user_id, GradeChange.to_grade)
                                            .where(GradeChange.user_id.in_(ids))
                                            .order_by(GradeChange.changed_on, GradeChange.id)):
        recorded[uid] = to_grade  # the latest wins
    labels = dict(post_choices(rule))
    rows = []
    for person in people:
        post, edu, cert = posts.get(person.id), education.get(person.id), certificate.get(person.id)
        calc = None
        if post is not None and post.post in rule.ranges:
            calc = grade_of(rule, post.post, post.service_start, today, edu.level if edu else None,
                            cert.level if cert else None, held_back[person.id],
                            edu.label if edu else None, cert.label if cert else None)
        rows.append(LedgerRow(person, names.get(where[person.id], ""), post, edu, cert, calc, recorded.get(person.id),
                              labels.get(post.post, post.post) if post else ""))
    return rows


def ledger(today: date) -> list[LedgerRow]:
    """Every active community worker, by community (those with none last) and name."""
    people = db.session.scalars(sa.select(User).where(User.active, User.role == COMMUNITY_WORKER)
                                .order_by(User.name, User.id)).all()
    rows = _rows(list(people), today)
    return sorted(rows, key=lambda r: (r.community == "", r.community, r.person.name, r.person.id))


def row_of(person: User, today: date) -> LedgerRow:
    return _rows([person], today)[0]


def changes_of(user_id: int) -> list[GradeChange]:
    return list(db.session.scalars(sa.select(GradeChange).where(GradeChange.user_id == user_id)
                                   .order_by(GradeChange.changed_on.desc(), GradeChange.id.desc())
                                   .options(selectinload(GradeChange.by))).all())
