"""People who log in. A person's team is their field team; role decides what they may do."""
import functools
import hmac
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..timeutil import utcnow

ADMIN = "admin"
LEADER = "leader"
YOUNG_CADRE = "young_cadre"
COMMUNITY_WORKER = "community_worker"
GRID_WORKER = "grid_worker"
VILLAGE_LIAISON = "village_liaison"

FIELD_ROLES = (YOUNG_CADRE, COMMUNITY_WORKER, GRID_WORKER, VILLAGE_LIAISON)
OVERSIGHT_ROLES = (ADMIN, LEADER)
ROLES = (ADMIN, LEADER) + FIELD_ROLES

# Lazy: each is read in the language of the request that shows it (str() before JSON).
ROLE_LABELS = {
    ADMIN: _l("管理员"),
    LEADER: _l("街道领导/调度"),
    YOUNG_CADRE: _l("年轻干部"),
    COMMUNITY_WORKER: _l("社区工作者"),
    GRID_WORKER: _l("网格员"),
    VILLAGE_LIAISON: _l("包村包片干部"),
}
# The four field teams share their codes with the field roles.
TEAM_LABELS = {code: ROLE_LABELS[code] for code in FIELD_ROLES}


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[str] = mapped_column(sa.String(32), index=True)
    team: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Part of what every session and remember-me cookie of this person says (get_id): a new
    # one ends them all, on every device. Renewed at logout, on a password change or reset
    # and on deactivation.
    session_token: Mapped[str] = mapped_column(sa.String(32), default=lambda: secrets.token_hex(16))
    # Set when an admin chose the password (a new account, a reset): the person picks their
    # own before anything else, so the password someone else knows stops working.
    must_change_password: Mapped[bool] = mapped_column(default=False)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def end_sessions(self) -> None:
        """Every session and remember-me cookie of this person stops opening anything."""
        self.session_token = secrets.token_hex(16)

    def get_id(self) -> str:
        # Flask-Login's "alternative token": the session and the remember-me cookie hold
        # this, so they are only good while the token is the person's current one.
        return f"{self.id}.{self.session_token}"

    def holds(self, token: str) -> bool:
        return bool(self.session_token) and hmac.compare_digest(self.session_token, token)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive people
        return self.active

    @property
    def sees_all(self) -> bool:
        """Leaders and admins oversee every place; field staff only their own."""
        return self.role in OVERSIGHT_ROLES

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def team_label(self) -> str:
        return TEAM_LABELS.get(self.team or "", "")

    def __repr__(self) -> str:
        return f"<User {self.username}>"


@functools.cache
def _nobody_hash() -> str:
    return generate_password_hash("no one has this password")


def password_matches(user: "User | None", password: str) -> bool:
    """The person's password check, and the same work when there is no such person: a
    hash of the app's own kind is checked either way, so the time of a wrong answer does not
    tell a name that exists from one that does not (9 ms against 125 ms, before)."""
    if user is None:
        check_password_hash(_nobody_hash(), password)
        return False
    return user.check_password(password)
