"""Who may see a person's personnel data: the person, leaders and admins. Anyone else hears
"not found", as for a household outside their places: a peer's profile, care record or
certificate is never even confirmed to exist."""
import sqlalchemy as sa

from ..auth.models import TEAM_LABELS, User
from ..domain import NotFound
from ..extensions import db


def may_see(viewer, person_id: int) -> bool:
    return viewer.sees_all or viewer.id == person_id


def get_person(person_id: int, viewer) -> User:
    """The person, if `viewer` may see their personnel data; NotFound otherwise."""
    if not may_see(viewer, person_id):
        raise NotFound()
    person = db.session.get(User, person_id)
    if person is None:
        raise NotFound()
    return person


def people_by_team() -> list[tuple[str, list[User]]]:
    """Everyone active, by team (leaders and admins last), by name within a team: a list to
    find a person by, never an order of merit."""
    people = db.session.scalars(sa.select(User).where(User.active).order_by(User.name, User.id)).all()
    groups: dict[str, list[User]] = {code: [] for code in TEAM_LABELS}
    groups[""] = []
    for person in people:
        groups.setdefault(person.team if person.team in TEAM_LABELS else "", []).append(person)
    return [(code, members) for code, members in groups.items() if members]
