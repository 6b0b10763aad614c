"""The leaders' view of the rounds: completion per village or community and per team, and
the households whose visit is overdue, by place. Never per person: a plan is the team's,
and the app ranks no one."""
from dataclasses import dataclass, field

import sqlalchemy as sa

from ..auth.models import TEAM_LABELS
from ..extensions import db
from ..places.models import COMMUNITY, VILLAGE, Place
from ..places.services import descendant_map
from .services import Owed, owed_households


@dataclass
class PlaceRounds:
    place: Place
    by_team: dict = field(default_factory=dict)  # team → [done, required]
    overdue: list[Owed] = field(default_factory=list)


def rounds_by_place(today=None) -> list[PlaceRounds]:
    """Every village and community with a plan this month, by kind then name. Three queries
    whatever the number of households (the places, the tree under them, the plan)."""
    tops = db.session.scalars(sa.select(Place).where(Place.active, Place.kind.in_((COMMUNITY, VILLAGE)))
                              .order_by(Place.kind, Place.name)).all()
    root_of = descendant_map({p.id for p in tops})
    rows = {p.id: PlaceRounds(p) for p in tops}
    for owed in owed_households(None, None, today):
        entry = rows.get(root_of.get(owed.place_id))
        if entry is None:  # a household under no village or community: not on this page
            continue
        counts = entry.by_team.setdefault(owed.team, [0, 0])
        counts[0] += min(owed.done, owed.required)
        counts[1] += owed.required
        if owed.overdue:
            entry.overdue.append(owed)
    return [r for r in rows.values() if r.by_team]


@dataclass
class OverdueRounds:
    places: list[PlaceRounds]  # those with an overdue household, by kind then name
    teams: dict = field(default_factory=lambda: dict(TEAM_LABELS))


def overdue_by_place(today=None) -> OverdueRounds:
    """The villages and communities with a household whose visit is overdue, for the
    coverage page beside the villages."""
    return OverdueRounds([entry for entry in rounds_by_place(today) if entry.overdue])
