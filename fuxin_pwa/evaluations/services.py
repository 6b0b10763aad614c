"""Evaluation rounds: who is in them, their marks and notes, the residents' votes, and each
person's result through scoring.py. Raises domain errors, never HTTP ones."""
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from ..auth.models import User
from ..domain import DomainError
from ..extensions import db
from ..places.models import COMMUNITY, GRID, VILLAGE, Assignment, Place
from ..timeutil import utcnow
from . import scoring
from .models import Ballot, BallotRating, EvaluationMark, EvaluationNote, EvaluationRound, VoteLink


class VoteRefused(DomainError):
    """A vote the round does not take: closed, or this phone has voted already."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def create_round(user, title: str, team: str, starts_on: date, ends_on: date, items: list[str],
                 weights: dict[str, int], vote_minimum: int, excellent_share: int, bonus_cap: int) -> EvaluationRound:
    """The round, and one vote link (an unguessable token) per community its people serve."""
    rnd = new_round(user, title, team, starts_on, ends_on, items, weights, vote_minimum, excellent_share, bonus_cap)
    db.session.commit()
    return rnd


def new_round(user, title, team, starts_on, ends_on, items, weights, vote_minimum, excellent_share,
              bonus_cap) -> EvaluationRound:
    """create_round without the commit: the demo loads in one transaction."""
    rnd = EvaluationRound(title=title.strip(), team=team, starts_on=starts_on, ends_on=ends_on, items=items,
                          weights=weights, vote_minimum=vote_minimum, excellent_share=excellent_share,
                          bonus_cap=bonus_cap, created_by_id=user.id)
    db.session.add(rnd)
    db.session.flush()
    for place_id in sorted(set(community_of(p.id for p in round_people(rnd)).values()) - {None}):
        rnd.links.append(VoteLink(place_id=place_id, token=secrets.token_urlsafe(24)))
    db.session.flush()
    return rnd


def round_people(rnd: EvaluationRound) -> list[User]:
    return db.session.scalars(sa.select(User).where(User.active, User.role == rnd.team)
                              .order_by(User.name, User.id)).all()


def community_of(user_ids) -> dict[int, int | None]:
    """Each person's community or village: the first they are assigned to, or the one above
    their grid. Residents vote for the people who serve their community."""
    ids = list(user_ids)
    out: dict[int, int | None] = {uid: None for uid in ids}
    if not ids:
        return out
    rows = db.session.execute(sa.select(Assignment.user_id, Place.id, Place.kind, Place.parent_id)
                              .join(Place, Place.id == Assignment.place_id)
                              .where(Assignment.user_id.in_(ids)).order_by(Assignment.id)).all()
    for uid, place_id, kind, parent_id in rows:
        if out[uid] is None:
            out[uid] = place_id if kind in (COMMUNITY, VILLAGE) else parent_id if kind == GRID else None
    return out


def people_of_link(link: VoteLink) -> list[User]:
    rnd = link.round
    people = round_people(rnd)
    where = community_of(p.id for p in people)
    return [p for p in people if where[p.id] == link.place_id]


def save_marks(rnd: EvaluationRound, person: User, marker, marks: dict[str, dict[str, float | None]],
               daily: str | None, extra: str | None, bonus: float | None) -> None:
    """The three marked sides (a side left blank is kept blank), the notes and the bonus."""
    existing = {m.side: m for m in db.session.scalars(sa.select(EvaluationMark).where(
        EvaluationMark.round_id == rnd.id, EvaluationMark.person_id == person.id))}
    for side, scores in marks.items():
        kept = {item: v for item, v in scores.items() if v is not None}
        mark = existing.get(side)
        if not kept:
            if mark is not None:
                db.session.delete(mark)
            continue
        if mark is None:
            mark = EvaluationMark(round_id=rnd.id, person_id=person.id, side=side, marked_by_id=marker.id)
            db.session.add(mark)
        mark.scores, mark.marked_by_id = kept, marker.id
    note = note_of(rnd.id, person.id) or EvaluationNote(round_id=rnd.id, person_id=person.id)
    note.daily, note.extra = (daily or "").strip() or None, (extra or "").strip() or None
    note.bonus = bonus or 0
    db.session.add(note)
    db.session.commit()


def note_of(round_id: int, person_id: int) -> EvaluationNote | None:
    return db.session.scalar(sa.select(EvaluationNote).where(EvaluationNote.round_id == round_id,
                                                             EvaluationNote.person_id == person_id))


def marks_of(round_id: int, person_id: int) -> dict[str, dict]:
    return {m.side: m.scores for m in db.session.scalars(sa.select(EvaluationMark).where(
        EvaluationMark.round_id == round_id, EvaluationMark.person_id == person_id))}


# --- the residents' vote ---------------------------------------------------------------

def voter_hash(cookie: str) -> str:
    return hashlib.sha256(cookie.encode()).hexdigest()


def link_by_token(token: str) -> VoteLink | None:
    return db.session.scalar(sa.select(VoteLink).where(VoteLink.token == token)) if token else None


def has_voted(link: VoteLink, cookie: str | None) -> bool:
    return bool(cookie) and db.session.scalar(sa.select(Ballot.id).where(
        Ballot.round_id == link.round_id, Ballot.voter_hash == voter_hash(cookie))) is not None


def cast_ballot(link: VoteLink, cookie: str, ratings: dict[int, tuple[str, str | None]]) -> Ballot:
    """One phone's ratings of its community's workers; refused if the vote is closed or this
    phone (its cookie) has voted in the round, from any community's page."""
    if link.closed_at is not None:
        raise VoteRefused("closed")
    if has_voted(link, cookie):
        raise VoteRefused("voted")
    ballot = Ballot(round_id=link.round_id, link_id=link.id, voter_hash=voter_hash(cookie))
    ballot.ratings = [BallotRating(person_id=pid, rating=rating, comment=(comment or "").strip() or None)
                      for pid, (rating, comment) in ratings.items()]
    db.session.add(ballot)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # the same phone's two taps at once: the second is the duplicate
        db.session.rollback()
        raise VoteRefused("voted") from None
    return ballot


def close_vote(link: VoteLink) -> None:
    if link.closed_at is None:
        link.closed_at = utcnow()
        db.session.commit()


def ballot_counts(round_id: int) -> dict[int, int]:
    """Ballots cast per vote link."""
    return dict(db.session.execute(sa.select(Ballot.link_id, sa.func.count()).where(Ballot.round_id == round_id)
                                   .group_by(Ballot.link_id)).all())


# --- results ---------------------------------------------------------------------------

@dataclass
class Result:
    person: User
    community_id: int | None
    parts: dict[str, float | None]
    residents_votes: int  # the community's ballots
    residents_counted: bool  # the community reached the round's vote minimum
    bonus: float
    combined: scoring.Combined
    grade: str | None = None
    notes: dict = field(default_factory=dict)


def results(rnd: EvaluationRound, only: int | None = None) -> list[Result]:
    """Every person's result in the round (grades need everyone, for the 优秀 cap); a few
    queries whatever the size of the team. `only`: keep just that person's row."""
    people = round_people(rnd)
    ids = [p.id for p in people]
    where = community_of(ids)
    marks: dict[int, dict[str, dict]] = {uid: {} for uid in ids}
    for m in db.session.scalars(sa.select(EvaluationMark).where(EvaluationMark.round_id == rnd.id)):
        if m.person_id in marks:
            marks[m.person_id][m.side] = m.scores
    notes = {n.person_id: n for n in db.session.scalars(sa.select(EvaluationNote)
                                                        .where(EvaluationNote.round_id == rnd.id))}
    ratings: dict[int, list[str]] = {uid: [] for uid in ids}
    for pid, rating in db.session.execute(sa.select(BallotRating.person_id, BallotRating.rating)
                                          .join(Ballot).where(Ballot.round_id == rnd.id)):
        if pid in ratings:
            ratings[pid].append(rating)
    per_link = ballot_counts(rnd.id)
    votes_at = {link.place_id: per_link.get(link.id, 0) for link in rnd.links}
    out = []
    for person in people:
        votes = votes_at.get(where[person.id], 0)
        counted = votes >= rnd.vote_minimum
        parts = {side: scoring.side_part(marks[person.id].get(side), rnd.items) for side in scoring.SIDES}
        parts[scoring.RESIDENTS] = scoring.residents_part(ratings[person.id]) if counted else None
        note = notes.get(person.id)
        bonus = note.bonus if note else 0
        combined = scoring.combine(parts, rnd.weights, bonus, rnd.bonus_cap)
        out.append(Result(person, where[person.id], parts, votes, counted, bonus, combined,
                          notes={"daily": note.daily if note else None, "extra": note.extra if note else None}))
    grades = scoring.grades({r.person.id: r.combined.total for r in out}, rnd.excellent_share)
    for r in out:
        r.grade = grades[r.person.id]
    return [r for r in out if only is None or r.person.id == only]


def rounds_of_person(person: User) -> list[EvaluationRound]:
    return db.session.scalars(sa.select(EvaluationRound).where(EvaluationRound.team == person.role)
                              .order_by(EvaluationRound.ends_on.desc(), EvaluationRound.id.desc())).all()


def incompetent_years(user_ids, today: date) -> dict[int, set[int]]:
    """The years (each round's period, by its last day) in which each person was graded 不称职
    in a round whose period has ended: the grade ladder holds their next step back a year
    for each. Grades are computed, not stored, so each ended round is reckoned once: a few
    queries per round, whatever the number of people. Every id asked for is present."""
    ids = set(user_ids)
    out: dict[int, set[int]] = {uid: set() for uid in ids}
    if not ids:
        return out
    teams = set(db.session.scalars(sa.select(User.role).where(User.id.in_(ids))))
    for rnd in db.session.scalars(sa.select(EvaluationRound).where(EvaluationRound.team.in_(teams),
                                                                   EvaluationRound.ends_on < today)):
        for r in results(rnd):
            if r.person.id in ids and r.grade == scoring.INCOMPETENT:
                out[r.person.id].add(rnd.ends_on.year)
    return out
