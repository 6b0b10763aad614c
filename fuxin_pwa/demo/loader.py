"""`load_demo(seed)`: a demo 福新街道 modelled on the 2024 report on its four teams.

Every random choice comes from one random.Random(seed), so a seed always gives the same
places, people, households and history; only the dates move, as the history ends now.
Rows go in bulk, so a load takes a second or two on SQLite or PostgreSQL."""
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from ..auth.models import (ADMIN, COMMUNITY_WORKER, FIELD_ROLES, GRID_WORKER, LEADER,
                           VILLAGE_LIAISON, YOUNG_CADRE, User)
from . import DEMO_LOGINS, DEMO_PASSWORD
from ..extensions import db
from ..field.services import ensure_task_kinds
from ..requests.services import ensure_request_categories
from ..service_days.services import ensure_service_kinds
from ..places.models import COMMUNITY, ESTATE, GRID, SUBDISTRICT, VILLAGE, Assignment, Household, Place
from . import names
from .history import FLOOD_RESERVE, History

LIAISONS = 46  # as in the report: 46 包村干部
YOUNG_CADRES = 15
COMMUNITY_WORKERS_PER_COMMUNITY = 4
LEADERS = 3
GRID_COVERAGE = 0.8  # share of grids with their own grid worker
CENTRE = (37.49, 121.25)  # Fushan District, Yantai

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


@dataclass
class World:
    """What the history needs to know about the places and people just made."""

    places: dict[str, Place] = field(default_factory=dict)  # by name
    by_id: dict[int, Place] = field(default_factory=dict)
    grids: dict[int, list[Place]] = field(default_factory=dict)  # by parent id
    below: dict[int, list[Place]] = field(default_factory=dict)  # place id → itself and below
    centres: dict[int, tuple[float, float]] = field(default_factory=dict)
    households_under: dict[int, list[Household]] = field(default_factory=dict)
    people: dict[str, list[User]] = field(default_factory=dict)  # by role
    assigned: dict[int, list[Place]] = field(default_factory=dict)  # by user id
    logins: dict[str, User] = field(default_factory=dict)  # the demo logins
    special_households: dict[str, Household] = field(default_factory=dict)


class Faker:
    """Chinese names, phone numbers and ID numbers, from the demo's one random source."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def name(self, male: bool | None = None, unique: bool = False) -> str:
        male = self.rng.random() < 0.55 if male is None else male
        pool = names.MALE_GIVEN if male else names.FEMALE_GIVEN
        while True:
            given = "".join(self.rng.choice(pool) for _ in range(self.rng.choice((1, 2, 2))))
            full = self.rng.choice(names.SURNAMES) + given
            if not unique or full not in self.used:
                self.used.add(full)
                return full

    def phone(self) -> str:
        return self.rng.choice(names.PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def id_number(self, male: bool, born_from: int = 1940, born_to: int = 1998) -> str:
        """370611 (Fushan) + birth date + sequence (odd for men) + ISO 7064 check digit."""
        born = date(self.rng.randint(born_from, born_to), 1, 1) + timedelta(days=self.rng.randrange(365))
        seq = self.rng.randrange(500) * 2 + (1 if male else 0)
        body = f"370611{born:%Y%m%d}{seq:03d}"
        return body + ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS)) % 11]


def load_demo(seed: int = 20240805) -> dict:
    """Load the demo subdistrict into an empty database; returns counts by table."""
    taken = db.session.scalar(sa.select(User.username).where(User.username.in_(DEMO_LOGINS)).limit(1))
    if taken:
        raise RuntimeError(f"Login {taken!r} exists already: the demo loads into an empty database only.")
    rng = random.Random(seed)
    fake = Faker(rng)
    ensure_task_kinds()
    ensure_request_categories()
    ensure_service_kinds()
    world = World()
    _build_places(rng, world)
    _build_households(rng, fake, world)
    _build_people(rng, fake, world)
    history = History(rng, world)
    history.build()
    db.session.commit()
    people = sum(len(v) for v in world.people.values())
    return {"people": people, "places": len(world.centres),
            "households": sum(1 for _ in _all_households(world)),
            "assignments": sum(len(v) for v in world.assigned.values()),
            "checkins": history.counts["checkins"], "task_logs": history.counts["task_logs"],
            "cases": history.counts["cases"],
            **{k: history.counts[k] for k in ("requests", "request_events", "incidents", "incident_acks",
                                                "directives", "directive_relays",
                                                "rosters", "duty_shifts", "standby_groups", "service_days",
                                                "service_tallies")}}


def _all_households(world: World):
    return world.households_under[world.places[names.SUBDISTRICT].id]


def _jitter(rng, centre, spread):
    return (round(centre[0] + rng.uniform(-spread, spread), 6),
            round(centre[1] + rng.uniform(-spread * 1.3, spread * 1.3), 6))


def insert_all(model, objects: list, *key: str) -> None:
    """Insert new objects in one batch and give each its id, found again by its unique `key`.

    The objects never join the session: a flush would insert row by row, as it needs each
    new id back in order, and that is thousands of round trips on PostgreSQL."""
    rows = [{k: v for k, v in vars(o).items() if not k.startswith("_")} for o in objects]
    db.session.execute(sa.insert(model).execution_options(render_nulls=True), rows)
    columns = [getattr(model, k) for k in key]
    ids = {tuple(r[:-1]): r[-1] for r in db.session.execute(sa.select(*columns, model.id))}
    for o in objects:
        o.id = ids[tuple(getattr(o, k) for k in key)]


def _add_level(world: World, places: list[Place]) -> None:
    insert_all(Place, places, "code")
    for place in places:
        world.places[place.name] = place
        world.by_id[place.id] = place
        world.below[place.id] = [place]


def _build_places(rng, world: World) -> None:
    top = Place(name=names.SUBDISTRICT, kind=SUBDISTRICT, code="FX")
    _add_level(world, [top])
    world.centres[top.id] = CENTRE
    level1 = [Place(name=n, kind=COMMUNITY, parent_id=top.id, code=f"FX-C{i:02d}")
              for i, n in enumerate(names.COMMUNITIES, 1)]
    level1 += [Place(name=n, kind=VILLAGE, parent_id=top.id, code=f"FX-V{i:02d}")
               for i, n in enumerate(names.VILLAGES, 1)]
    _add_level(world, level1)
    grids = []
    for place in level1:
        world.centres[place.id] = _jitter(rng, CENTRE, 0.025)
        count = rng.choice((3, 3, 4)) if place.kind == COMMUNITY else rng.choice((2, 2, 3, 3, 4))
        short = place.name.removesuffix("社区").removesuffix("村")
        world.grids[place.id] = [Place(name=f"{short}第{k}网格", kind=GRID, parent_id=place.id,
                                       code=f"{place.code}-G{k}") for k in range(1, count + 1)]
        grids += world.grids[place.id]
    _add_level(world, grids)
    estates = []
    for community, k, name in names.ESTATES:
        grid = world.grids[world.places[community].id][k - 1]
        estates.append(Place(name=name, kind=ESTATE, parent_id=grid.id, code=f"{grid.code}-E1"))
    _add_level(world, estates)
    by_id = world.by_id
    for place in grids + estates:
        world.centres[place.id] = _jitter(rng, world.centres[place.parent_id], 0.003)
        parent = by_id[place.parent_id]
        while parent is not None:  # every ancestor covers this place too
            world.below[parent.id].append(place)
            parent = by_id.get(parent.parent_id)
    world.below[top.id] = list(by_id.values())


def _address(rng, place: Place, parent: Place) -> str:
    if place.kind == ESTATE:
        return (f"{place.name}{rng.randint(1, 18)}号楼{rng.randint(1, 3)}单元"
                f"{rng.randint(1, 11)}0{rng.randint(1, 2)}")
    if parent.kind == VILLAGE:
        return f"{parent.name}{rng.choice(names.VILLAGE_STREETS)}{rng.randint(1, 120)}号"
    return f"{rng.choice(names.ROADS)}{rng.randint(1, 260)}号"


def _build_households(rng, fake: Faker, world: World) -> None:
    by_id = world.by_id
    households, seen = [], set()

    def add(place, address, **kw):
        seen.add(address)
        households.append(Household(place_id=place.id, address=address, **kw))
        return households[-1]

    leak_estate = world.places["富豪西苑"]
    world.special_households["leak"] = add(
        leak_estate, "富豪西苑8号楼2单元601", head_name="谢秀珍", phone=fake.phone(),
        id_number=fake.id_number(False, 1950, 1960), members=2, note="顶楼住户")
    for place in by_id.values():
        if place.kind not in (GRID, ESTATE):
            continue
        parent = by_id[place.parent_id]
        for _ in range(rng.randint(10, 16) if place.kind == ESTATE else rng.randint(5, 9)):
            address = _address(rng, place, parent)
            male = rng.random() < 0.6
            head, phone, id_number = fake.name(male), fake.phone(), fake.id_number(male)
            note = rng.choice(names.HOUSEHOLD_NOTES)
            members = 1 if note and "独居" in note else rng.randint(1, 6)
            if address in seen:
                continue
            add(place, address, head_name=head, members=members, note=note,
                phone=phone if rng.random() < 0.9 else None,
                id_number=id_number if rng.random() < 0.85 else None)
    insert_all(Household, households, "place_id", "address")
    for place_id, places in world.below.items():
        ids = {p.id for p in places}
        world.households_under[place_id] = [h for h in households if h.place_id in ids]


def _build_people(rng, fake: Faker, world: World) -> None:
    password_hash = generate_password_hash(DEMO_PASSWORD)  # hashed once: scrypt is slow by design
    plan: list[tuple[User, list[Place]]] = []

    def person(username, role, places=(), male=None, name=None):
        user = User(username=username, name=name or fake.name(male, unique=True), role=role,
                    team=role if role in FIELD_ROLES else None, phone=fake.phone(),
                    password_hash=password_hash, active=True)
        plan.append((user, list(places)))
        world.people.setdefault(role, []).append(user)
        return user

    def numbered(base, i):
        return base if i == 0 else f"{base}{i + 1:02d}"

    p = world.places
    villages = [p[n] for n in names.VILLAGES]
    communities = [p[n] for n in names.COMMUNITIES]
    person("admin", ADMIN, name="系统管理员")
    for i in range(LEADERS):
        person(numbered("leader", i), LEADER)
    for i in range(LIAISONS):
        if i == 0:
            places = villages[:2]  # the demo liaison: two villages, one visited this week
        else:
            places = [villages[i % len(villages)]]
            if rng.random() < 0.3:
                places.append(rng.choice([v for v in villages if v is not places[0]]))
        person(numbered("liaison", i), VILLAGE_LIAISON, places)
    both = communities + villages
    for i in range(YOUNG_CADRES):
        if i == 0:
            places = [p[names.EXPROPRIATION_VILLAGES[0]], p["永鑫社区"]]
        else:
            places = [both[i % len(both)]]
            if rng.random() < 0.4:
                places.append(rng.choice([x for x in both if x is not places[0]]))
        person(numbered("cadre", i), YOUNG_CADRE, places, male=i < FLOOD_RESERVE)
    for i in range(COMMUNITY_WORKERS_PER_COMMUNITY * len(communities)):
        person(numbered("community", i), COMMUNITY_WORKER, [communities[i % len(communities)]])
    grids = [g for place in communities + villages for g in world.grids[place.id]]
    first = world.grids[p["盐场社区"].id][0]  # holds 富豪西苑 and its leaking roof
    others = [g for g in grids if g is not first]
    rng.shuffle(others)
    covered = [first] + others[:round(GRID_COVERAGE * len(grids)) - 1]
    for i, grid in enumerate(covered):
        person(numbered("grid", i), GRID_WORKER, [grid])
    insert_all(User, [user for user, _ in plan], "username")
    rows = []
    for user, places in plan:
        world.assigned[user.id] = places
        rows += [{"user_id": user.id, "place_id": place.id} for place in places]
        if user.username in DEMO_LOGINS:
            world.logins[user.username] = user
    db.session.execute(sa.insert(Assignment).execution_options(render_nulls=True), rows)
