"""What the reserve pool's pages, the profile and the export read. The pool is listed by
status (in the flow's order) then name: never by the evidence counts."""
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ..auth.models import YOUNG_CADRE, User
from ..extensions import db
from .evidence import Evidence, Period, evidence_for, period
from .models import STATUSES, ReserveCandidate, ReserveNote, ReserveStatusChange


@dataclass
class Pool:
    period: Period
    rows: list[tuple[ReserveCandidate, Evidence]]  # by status, then name

    @property
    def counts(self) -> dict[str, int]:
        counts = {status: 0 for status in STATUSES}
        for candidate, _evidence in self.rows:
            counts[candidate.status] = counts.get(candidate.status, 0) + 1
        return counts

    def with_status(self, status: str):
        return [row for row in self.rows if row[0].status == status]


def pool() -> Pool:
    """Every candidate with their person and evidence: five queries whatever the size."""
    order = sa.case({status: i for i, status in enumerate(STATUSES)}, value=ReserveCandidate.status, else_=99)
    candidates = db.session.scalars(
        sa.select(ReserveCandidate).join(User, User.id == ReserveCandidate.user_id)
        .order_by(order, User.name, User.id).options(joinedload(ReserveCandidate.user))).all()
    within = period()
    evidence = evidence_for([c.user_id for c in candidates], within)
    return Pool(within, [(c, evidence[c.user_id]) for c in candidates])


def candidate_of(user_id: int) -> ReserveCandidate | None:
    return db.session.scalar(sa.select(ReserveCandidate).where(ReserveCandidate.user_id == user_id))


def history_of(candidate) -> list[ReserveStatusChange]:
    return list(db.session.scalars(
        sa.select(ReserveStatusChange).where(ReserveStatusChange.candidate_id == candidate.id)
        .order_by(ReserveStatusChange.changed_on, ReserveStatusChange.id)
        .options(joinedload(ReserveStatusChange.changed_by))).all())


def notes_of(candidate) -> list[ReserveNote]:
    return list(db.session.scalars(
        sa.select(ReserveNote).where(ReserveNote.candidate_id == candidate.id)
        .order_by(ReserveNote.written_at.desc(), ReserveNote.id.desc())
        .options(joinedload(ReserveNote.author))).all())


def nominable() -> list[User]:
    """Active young cadres not yet in the pool (withdrawn ones stay: their row keeps the history)."""
    taken = sa.select(ReserveCandidate.user_id)
    return list(db.session.scalars(sa.select(User).where(User.role == YOUNG_CADRE, User.active,
                                                         User.id.not_in(taken)).order_by(User.name, User.id)).all())


def one_evidence(candidate) -> tuple[Period, Evidence]:
    within = period()
    return within, evidence_for([candidate.user_id], within)[candidate.user_id]
