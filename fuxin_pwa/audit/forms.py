"""The audit page's filter: who, what kind of object, which one, and the shared date range."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField

from ..field.forms import int_or_none
from ..filters import DateRangeFilterForm
from .services import SYSTEM, AuditFilter


class AuditFilterForm(DateRangeFilterForm):
    actor = SelectField(_l("操作人"), default="")
    type = SelectField(_l("对象"), default="")
    # Set by an object's history link ("全部变更"), not chosen here: an id no column holds is no filter.
    object_id = HiddenField(filters=[int_or_none])

    def set_choices(self, actors: list[tuple[str, str]], types: list[tuple[str, object]]) -> None:
        self.actor.choices = [("", _("全部")), (SYSTEM, _("系统"))] + actors
        self.type.choices = [("", _("全部"))] + types

    def audit_filter(self) -> AuditFilter:
        """Only valid filters apply."""
        return AuditFilter(actor=self.valid("actor") or "", object_type=self.valid("type") or "",
                           object_id=self.valid("object_id"), date_from=self.valid("date_from"),
                           date_to=self.valid("date_to"))
