"""The admin's business rules and writes: the place tree's shape, unique keys, people and
their assignments, task kinds. The HTML forms and the importer both call these."""
import sqlalchemy as sa
from flask_babel import gettext as _

from ..auth.models import FIELD_ROLES, User
from ..domain import NotFound
from ..extensions import db
from ..field.models import TaskKind
from ..memo import forget
from ..places.models import (ALLOWED_PARENTS, COMMUNITY, ESTATE, GRID, PLACE_KINDS, VILLAGE,
                             Assignment, Household, Place)

# Households hang off the places people walk to, never off the subdistrict itself.
HOUSEHOLD_PLACE_KINDS = (COMMUNITY, VILLAGE, GRID, ESTATE)
ASSIGNABLE_KINDS = (COMMUNITY, VILLAGE, GRID, ESTATE)


def _kinds_text(kinds) -> str:
    return _("或").join(str(PLACE_KINDS[k]) for k in kinds if k)


# --- Rules -----------------------------------------------------------------------------

def parent_problem(kind: str, parent_kind: str | None) -> str | None:
    """Why a place of `kind` may not sit under a parent of `parent_kind`; None if it may."""
    allowed = ALLOWED_PARENTS[kind]
    if parent_kind in allowed:
        return None
    label = PLACE_KINDS[kind]
    if parent_kind is None:
        return _("%(kind)s应放在%(parents)s下，请选择上级地点", kind=label, parents=_kinds_text(allowed))
    if allowed == (None,):
        return _("%(kind)s是最上级地点，不能有上级", kind=label)
    return _("%(kind)s不能放在%(parent)s下（应在%(parents)s下）", kind=label,
             parent=PLACE_KINDS.get(parent_kind, parent_kind), parents=_kinds_text(allowed))


def kind_change_problem(place: Place | None, new_kind: str) -> str | None:
    """A place's kind may change only if what hangs below it still fits."""
    if place is None or place.id is None or place.kind == new_kind:
        return None
    child_kinds = db.session.scalars(
        sa.select(Place.kind).where(Place.parent_id == place.id).distinct()).all()
    for child_kind in child_kinds:
        if new_kind not in ALLOWED_PARENTS.get(child_kind, ()):
            return _("该地点下有%(child)s，不能改为%(kind)s", child=PLACE_KINDS.get(child_kind, child_kind),
                     kind=PLACE_KINDS[new_kind])
    if new_kind not in HOUSEHOLD_PLACE_KINDS and db.session.scalar(
            sa.select(Household.id).where(Household.place_id == place.id).limit(1)):
        return _("该地点下有户，不能改为%(kind)s", kind=PLACE_KINDS[new_kind])
    return None


def household_place_problem(place: Place) -> str | None:
    if place.kind not in HOUSEHOLD_PLACE_KINDS:
        return _("户不能直接挂在%(kind)s下（应在%(parents)s下）", kind=place.kind_label,
                 parents=_kinds_text(HOUSEHOLD_PLACE_KINDS))
    return None


def code_taken(code: str, place: Place | None) -> bool:
    stmt = sa.select(Place.id).where(Place.code == code)
    if place is not None and place.id is not None:
        stmt = stmt.where(Place.id != place.id)
    return db.session.scalar(stmt) is not None


def household_address_taken(place_id: int, address: str, household: Household | None) -> bool:
    stmt = sa.select(Household.id).where(Household.place_id == place_id, Household.address == address)
    if household is not None and household.id is not None:
        stmt = stmt.where(Household.id != household.id)
    return db.session.scalar(stmt) is not None


def username_taken(username: str, person: User | None) -> bool:
    stmt = sa.select(User.id).where(sa.func.lower(User.username) == username.lower())
    if person is not None and person.id is not None:
        stmt = stmt.where(User.id != person.id)
    return db.session.scalar(stmt) is not None


def kind_code_taken(code: str, model=TaskKind) -> bool:
    """A code already used in one of the admin's coded lists (task kinds, services)."""
    return db.session.scalar(sa.select(model.id).where(model.code == code)) is not None


def team_for(role: str, team: str | None) -> str | None:
    """Field people belong to the team of their role unless told otherwise; others to none."""
    if role not in FIELD_ROLES:
        return None
    return team or role


# --- Loading, or NotFound --------------------------------------------------------------------

def get_record(model, record_id: int):
    record = db.session.get(model, record_id)
    if record is None:
        raise NotFound()
    return record


def household_place(place_id: int) -> Place:
    place = get_record(Place, place_id)
    if place.kind not in HOUSEHOLD_PLACE_KINDS:
        raise NotFound()
    return place


# --- Writes -----------------------------------------------------------------------------

def apply_place(place: Place, *, name: str, kind: str, parent_id: int | None, code: str | None,
                active: bool | None = None) -> Place:
    place.name, place.kind, place.parent_id, place.code = name, kind, parent_id, code or None
    if active is not None:
        place.active = active
    return place


def save_place(form, place: Place | None = None) -> Place:
    place = place or Place()
    apply_place(place, name=form.name.data, kind=form.kind.data, parent_id=form.parent_id.data,
                code=form.code.data, active=form.active.data)
    db.session.add(place)
    db.session.commit()
    return place


def apply_household(household: Household, data: dict) -> Household:
    household.address = data["address"]
    household.head_name = data["head_name"]
    household.phone = data.get("phone") or None
    household.id_number = data.get("id_number") or None
    household.members = data.get("members")
    household.note = data.get("note") or None
    return household


def save_household(form, place: Place, household: Household | None = None) -> Household:
    household = household or Household(place_id=place.id)
    apply_household(household, form.data)
    db.session.add(household)
    db.session.commit()
    return household


def apply_person(person: User, data: dict, *, password: str | None = None,
                 active: bool | None = None) -> User:
    person.username, person.name, person.role = data["username"], data["name"], data["role"]
    person.team = team_for(data["role"], data.get("team") or None)
    person.phone = data.get("phone") or None
    if active is not None:
        if not active and person.active:
            person.end_sessions()  # deactivated: logged out everywhere, now
        person.active = active
    if password:
        # Chosen by an admin (a new account, a reset): every session of the person ends, and
        # they choose their own at their next login, so the admin's stops working.
        person.set_password(password)
        person.must_change_password = True
    return person


def save_person(form, person: User | None = None) -> User:
    """Create or update; on update a blank password keeps the old one."""
    person = person or User()
    apply_person(person, form.data, password=form.password.data or None, active=form.active.data)
    db.session.add(person)
    db.session.commit()
    return person


def add_assignment(person: User, place_id: int) -> bool:
    """Assign a place; False when it was assigned already (adding twice is harmless)."""
    exists = db.session.scalar(sa.select(Assignment.id).where(
        Assignment.user_id == person.id, Assignment.place_id == place_id))
    if exists:
        return False
    db.session.add(Assignment(user_id=person.id, place_id=place_id))
    db.session.commit()
    return True


def remove_assignment(person: User, place_id: int) -> bool:
    result = db.session.execute(sa.delete(Assignment).where(
        Assignment.user_id == person.id, Assignment.place_id == place_id))
    db.session.commit()
    forget()  # a bulk DELETE passes no flush: the scope remembered for this request is stale
    return bool(result.rowcount)


def save_kind(form, task_kind=None, model=TaskKind):
    """Add or change an entry of a coded list (task kinds, services); commits."""
    task_kind = task_kind or model(code=form.code.data)
    task_kind.label = form.label.data
    task_kind.label_en = form.label_en.data or None
    task_kind.sort = form.sort.data if form.sort.data is not None else 100
    task_kind.active = form.active.data
    db.session.add(task_kind)
    db.session.commit()
    return task_kind

