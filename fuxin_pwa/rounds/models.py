"""Planned rounds (定向常态服务): households carry care tags (重点人群), and leaders set per
team how many visits a month each tagged household is owed ("each 独居老人 household in my
grid: at least 2 visits a month"). A visit is a task log or a check-in naming the household:
recorded once, it ticks the plan off with no second entry."""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

# The care groups the subdistrict plans visits for; codes in the database, labels on screen.
CARE_TAGS = {
    "lives_alone": _l("独居老人"),
    "empty_nest": _l("空巢老人"),
    "disabled": _l("残疾人"),
    "low_income": _l("低保户"),
    "entitled": _l("优抚对象"),
    "seriously_ill": _l("重病患者"),
}
# A rule asks for at most a visit a day: more is a typo, not a plan.
MAX_VISITS_PER_MONTH = 31


class CareTag(db.Model):
    """One care group a household belongs to; a household may be in several."""

    __tablename__ = "care_tags"
    __table_args__ = (sa.UniqueConstraint("household_id", "tag", name="uq_care_tags_household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(sa.ForeignKey("households.id"), index=True)
    tag: Mapped[str] = mapped_column(sa.String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    household = relationship("Household")

    @property
    def label(self) -> str:
        return CARE_TAGS.get(self.tag, self.tag)


class VisitRule(db.Model):
    """A team's monthly visits to each household of a care group in its members' places."""

    __tablename__ = "visit_rules"
    __table_args__ = (sa.UniqueConstraint("team", "care_tag", name="uq_visit_rules_team"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team: Mapped[str] = mapped_column(sa.String(32), index=True)
    care_tag: Mapped[str] = mapped_column(sa.String(32))
    visits_per_month: Mapped[int] = mapped_column()
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by = relationship("User")

    @property
    def tag_label(self) -> str:
        return CARE_TAGS.get(self.care_tag, self.care_tag)
