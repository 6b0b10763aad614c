"""A small, readable world for tests: one subdistrict, two villages with grids and
households, a community with an estate, and one person per role (password fuxin2024)."""
import uuid
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from fuxin_pwa.auth.models import User
from fuxin_pwa.extensions import db
from fuxin_pwa.field.models import CheckIn, TaskKind, TaskLog
from fuxin_pwa.places.models import Assignment, Household, Place
from fuxin_pwa.timeutil import utcnow

PASSWORD = "fuxin2024"
SHANGHAI = timezone(timedelta(hours=8))


def now_iso(delta=timedelta(0)) -> str:
    """A phone's clock in Yantai, as a record's occurred_at or a batch's sent_at."""
    return (datetime.now(SHANGHAI) + delta).isoformat(timespec="seconds")


def synced(client, records) -> list[dict]:
    """POST a batch as a phone does; the per-record results of its 200 answer."""
    r = client.post("/api/v1/sync", json={"device_id": "phone-1", "sent_at": now_iso(), "records": records})
    assert r.status_code == 200
    return r.get_json()["results"]
_PASSWORD_HASH = None


def password_hash():
    """A real hash that login checks, made cheap: PBKDF2 with one iteration, once per run.
    The app itself hashes with scrypt, slow by design (test_auth proves it), and a test
    suite logs in thousands of times. Never a way to store a real person's password."""
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        from werkzeug.security import generate_password_hash
        _PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
    return _PASSWORD_HASH


def make_user(username, role, name=None, team=None, places=(), active=True):
    user = User(username=username, name=name or username, role=role,
                team=team or (role if role not in ("admin", "leader") else None),
                phone="13800001111", active=active)
    user.password_hash = password_hash()
    db.session.add(user)
    db.session.flush()
    for place in places:
        db.session.add(Assignment(user_id=user.id, place_id=place.id))
    db.session.commit()
    return user


def make_checkin(user, place, when: datetime | None = None, **kw):
    record = CheckIn(uuid=str(uuid.uuid4()), user_id=user.id, place_id=place.id,
                     occurred_at=when or utcnow(), content_hash="test", **kw)
    db.session.add(record)
    db.session.commit()
    return record


def make_task_log(user, place, kind_code="resident_visit", when=None, **kw):
    kind = db.session.scalar(sa.select(TaskKind).where(TaskKind.code == kind_code))
    record = TaskLog(uuid=str(uuid.uuid4()), user_id=user.id, place_id=place.id, kind_id=kind.id,
                     summary=kw.pop("summary", "走访"), occurred_at=when or utcnow(),
                     content_hash="test", **kw)
    db.session.add(record)
    db.session.commit()
    return record


class World:
    @classmethod
    def build(cls):
        w = cls()
        add = lambda **kw: _add(Place(**kw))  # noqa: E731
        w.subdistrict = add(name="福新街道", kind="subdistrict", code="FX")
        w.village_a = add(name="东村", kind="village", parent_id=w.subdistrict.id, code="V-A")
        w.village_b = add(name="西村", kind="village", parent_id=w.subdistrict.id, code="V-B")
        w.community = add(name="万科社区", kind="community", parent_id=w.subdistrict.id, code="C-WK")
        w.grid_a = add(name="东村第1网格", kind="grid", parent_id=w.village_a.id, code="G-A1")
        w.grid_b = add(name="西村第1网格", kind="grid", parent_id=w.village_b.id, code="G-B1")
        w.grid_c = add(name="万科第1网格", kind="grid", parent_id=w.community.id, code="G-C1")
        w.estate = add(name="万科假日风景小区", kind="estate", parent_id=w.grid_c.id, code="E-WK")
        w.household_a = _add(Household(place_id=w.grid_a.id, address="东村1号", head_name="张三",
                                       phone="13812345678", id_number="370611196001011234"))
        w.household_b = _add(Household(place_id=w.grid_b.id, address="西村8号", head_name="李四",
                                       phone="13987654321", id_number="370611197002022345"))
        w.household_c = _add(Household(place_id=w.estate.id, address="万科假日风景3-2-101",
                                       head_name="王五", phone="13700001234"))
        w.admin = make_user("admin", "admin", name="管理员")
        w.leader = make_user("leader", "leader", name="刘书记")
        w.liaison = make_user("liaison", "village_liaison", name="赵包村", places=[w.village_a])
        w.liaison_b = make_user("liaison_b", "village_liaison", name="钱包村", places=[w.village_b])
        w.cadre = make_user("cadre", "young_cadre", name="孙干部", places=[w.village_a, w.village_b])
        w.grid = make_user("grid", "grid_worker", name="周网格", places=[w.grid_c])
        w.community_worker = make_user("community", "community_worker", name="吴社工", places=[w.community])
        return w


def _add(obj):
    db.session.add(obj)
    db.session.commit()
    return obj
