"""Changes to the grade records: a post and service start set, a grade change confirmed."""
from datetime import date

from ..domain import DomainError
from ..extensions import db
from .models import GradeChange, GradePost


def set_post(person, post: str, service_start: date) -> GradePost:
    row = db.session.scalar(db.select(GradePost).where(GradePost.user_id == person.id))
    if row is None:
        row = GradePost(user_id=person.id, post=post, service_start=service_start)
        db.session.add(row)
    else:
        row.post, row.service_start = post, service_start
    db.session.commit()
    return row


def confirm_change(row, leader, reason: str, on: date) -> GradeChange:
    """Record the grade the rule now gives `row`'s person (a LedgerRow), with the reason. The
    grade is the one computed at the moment of confirming, never one sent by the browser."""
    if row.calculation is None or not row.differs:
        raise DomainError("nothing to confirm")
    change = GradeChange(user_id=row.person.id, changed_on=on, from_grade=row.recorded,
                         to_grade=row.calculation.grade, reason=reason.strip(), by_id=leader.id)
    db.session.add(change)
    db.session.commit()
    return change
