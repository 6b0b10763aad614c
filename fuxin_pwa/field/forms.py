"""The rule sets for check-ins and task logs. The HTML forms and the sync endpoint both
validate with these classes: one rule set, two doors."""
import math
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FloatField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from ..domain import an_id
from ..extensions import db
from ..memo import remembered
from ..places.models import Household
from ..places.services import active_place_ids, place_in_scope
from ..timeutil import to_local, utcnow
from .models import TaskKind

NOTE_MAX = 500
SUMMARY_MAX = 1000
PEOPLE_REACHED_MAX = 100000


def int_or_none(value):
    """Coerce for id selects: a non-number, or a number no id column can hold, becomes None,
    so the field says what is wrong instead of the database failing on the lookup."""
    if value in (None, ""):
        return None
    try:
        return an_id(value)
    except (TypeError, ValueError, OverflowError):
        return None


def active_kind_ids() -> dict[str, int]:
    """Code → id of every active task kind; read once a request (a batch checks 200 logs)."""
    return remembered("task_kinds", lambda: dict(db.session.execute(
        sa.select(TaskKind.code, TaskKind.id).where(TaskKind.active)).all()))


EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2999, 12, 31)


def plausible(day: date) -> bool:
    return EARLIEST_DATE <= day <= LATEST_DATE


def plausible_date(form, field):
    """A date (or a time) the app's day and week sums can hold: year 1 or 9999 typed into a
    filter would overflow the local-to-UTC arithmetic, and no work is dated there."""
    if field.data is None:
        return
    day = field.data.date() if isinstance(field.data, datetime) else field.data
    if not plausible(day):
        raise ValidationError(_("日期超出范围（%(first)s–%(last)s 年）", first=EARLIEST_DATE.year, last=LATEST_DATE.year))


def finite(form, field):
    """NaN passes NumberRange (every comparison with it is false) and is no position."""
    if field.data is not None and not math.isfinite(field.data):
        raise ValidationError(_("数值无效"))


# A position as a phone reports it; check-ins and acknowledgements share these rules.
def lat_field():
    return FloatField(_l("纬度"), validators=[Optional(), finite, NumberRange(-90, 90, _l("纬度应在 -90 到 90 之间"))])


def lon_field():
    return FloatField(_l("经度"), validators=[Optional(), finite,
                                             NumberRange(-180, 180, _l("经度应在 -180 到 180 之间"))])


def accuracy_field():
    return FloatField(_l("定位精度（米）"), validators=[Optional(), finite,
                                                  NumberRange(0, 100000, _l("定位精度数值无效"))])


def kind_choices(kinds) -> list[tuple[str, str]]:
    """The task-kind select of a task-log form: "choose…", then the kinds offered."""
    return [("", _("请选择"))] + [(k.code, k.display_label) for k in kinds]


class FieldRecordForm(FlaskForm):
    """A record made by `user`, about one of the places they cover."""

    record_id = HiddenField()  # the UUID made when the form was opened; a double submit is one record
    place_id = SelectField(_l("地点"), coerce=int_or_none, validate_choice=False)

    def __init__(self, *args, user, occurred_at: datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.occurred_at = occurred_at  # naive UTC, clock-corrected; None: made now (an online form)

    @property
    def occurred_on(self) -> date:
        """The local day the record was made."""
        return to_local(self.occurred_at or utcnow()).date()

    def validate_place_id(self, field):
        if field.data is None:
            raise ValidationError(_("请选择地点"))
        if field.data not in active_place_ids():
            raise ValidationError(_("地点不存在"))
        if not place_in_scope(self.user, field.data) and not self.place_allowed_by_link(field.data):
            raise ValidationError(_("不在您的包片范围内"))

    def place_allowed_by_link(self, place_id: int) -> bool:
        """A record tied to work someone was sent to (a request, an incident) may be made
        outside their own places; the subclass says which links count."""
        return False

    def record_data(self) -> dict:
        """What the person recorded, as the sync protocol names it (for hashing and echoing)."""
        return {name: field.data for name, field in self._fields.items()
                if name not in ("csrf_token", "record_id")}


def named_household(user, field, also=None) -> Household | None:
    """The household an optional household field names, or None when it names none. It must
    lie in the person's places (their 包片), or pass `also(household)` (the household of a
    request they work on, one at the service day's place); else a Chinese error, the same
    whether it does not exist or is not theirs to see."""
    if field.data is None:
        if field.raw_data and field.raw_data[0] not in ("", None):
            raise ValidationError(_("户不存在"))
        return None
    household = db.session.get(Household, field.data)
    if household is None or not (place_in_scope(user, household.place_id) or (also and also(household))):
        raise ValidationError(_("户不存在或不在您的范围内"))
    return household


class CheckInForm(FieldRecordForm):
    # A visit to a household of the plan (rounds/) may be a check-in naming it, as a task log may.
    household_id = SelectField(_l("户（可选）"), coerce=int_or_none, validate_choice=False)
    lat = lat_field()
    lon = lon_field()
    accuracy_m = accuracy_field()
    note = TextAreaField(_l("备注"), validators=[
        Optional(), Length(max=NOTE_MAX, message=_l("备注不能超过%(n)s字", n=NOTE_MAX))])

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        # A position is both numbers or neither; half a position is a broken reading.
        if (self.lat.data is None) != (self.lon.data is None) and not (self.lat.errors or self.lon.errors):
            missing = self.lon if self.lon.data is None else self.lat
            missing.errors = list(missing.errors) + [_("经纬度需同时提供")]
            return False
        return ok

    def validate_household_id(self, field):
        named_household(self.user, field)


class TaskLogForm(FieldRecordForm):
    kind = SelectField(_l("工作类型"), validate_choice=False)
    household_id = SelectField(_l("户（可选）"), coerce=int_or_none, validate_choice=False)
    case_id = SelectField(_l("一户一策（可选）"), coerce=int_or_none, validate_choice=False)
    request_id = SelectField(_l("群众诉求（可选）"), coerce=int_or_none, validate_choice=False)
    incident_id = SelectField(_l("突发事件（可选）"), coerce=int_or_none, validate_choice=False)
    summary = TextAreaField(_l("工作内容"), validators=[
        DataRequired(_l("请填写工作内容")),
        Length(max=SUMMARY_MAX, message=_l("工作内容不能超过%(n)s字", n=SUMMARY_MAX))])
    outcome = TextAreaField(_l("结果"), validators=[
        Optional(), Length(max=SUMMARY_MAX, message=_l("结果不能超过%(n)s字", n=SUMMARY_MAX))])
    next_step_on = DateField(_l("下一步日期"), validators=[Optional(), plausible_date])
    duration_min = IntegerField(_l("用时（分钟）"), validators=[
        Optional(), NumberRange(1, 24 * 60, _l("用时应在 1 到 1440 分钟之间"))])
    # A briefing relaying a directive (传达部署): the form opened from the home's card carries it.
    directive_id = HiddenField(filters=[int_or_none])
    people_reached = IntegerField(_l("传达人数（可选）"), validators=[
        Optional(), NumberRange(0, PEOPLE_REACHED_MAX, _l("传达人数应在 0 到 %(n)s 之间", n=PEOPLE_REACHED_MAX))])

    def validate_kind(self, field):
        if not field.data:
            raise ValidationError(_("请选择工作类型"))
        kind_id = active_kind_ids().get(field.data)
        if kind_id is None:
            raise ValidationError(_("未知的工作类型"))
        self.kind_id = kind_id

    def validate_household_id(self, field):
        named_household(self.user, field, also=self._request_household)

    def _request_household(self, household) -> bool:
        """The household of a request the person may work on, wherever it lies."""
        from ..requests.access import may_see_request
        from ..requests.models import ResidentRequest

        request = db.session.get(ResidentRequest, self.request_id.data) if self.request_id.data else None
        return bool(request and request.household_id == household.id and may_see_request(self.user, request))

    def validate_case_id(self, field):
        if field.data is None:
            if field.raw_data and field.raw_data[0] not in ("", None):
                raise ValidationError(_("案例不存在"))
            return
        from ..cases.models import Case  # cases/ imports this module; import here, not at the top

        case = db.session.get(Case, field.data)
        if case is None or not place_in_scope(self.user, case.household.place_id):
            raise ValidationError(_("案例不存在或不在您的范围内"))
        if self.household_id.data is not None and case.household_id != self.household_id.data:
            raise ValidationError(_("案例与所选的户不一致"))

    def _linked(self, field, model, message):
        """The request or incident named by `field`, or None; a wrong id is an error."""
        if field.data is None:
            if field.raw_data and field.raw_data[0] not in ("", None):
                raise ValidationError(message)
            return None
        found = db.session.get(model, field.data)
        if found is None:
            raise ValidationError(message)
        return found

    def validate_request_id(self, field):
        from ..requests.access import may_see_request  # requests/ imports this module
        from ..requests.models import ResidentRequest

        request = self._linked(field, ResidentRequest, _("诉求不存在"))
        if request is not None and not may_see_request(self.user, request):
            raise ValidationError(_("诉求不存在或不在您的范围内"))
        self.request_obj = request

    def validate_incident_id(self, field):
        from ..dispatch.access import deployment_of
        from ..dispatch.models import Incident

        incident = self._linked(field, Incident, _("突发事件不存在"))
        if incident is not None and not (self.user.sees_all or deployment_of(self.user, incident.id)):
            raise ValidationError(_("您未被派往该突发事件"))
        self.incident_obj = incident

    def place_allowed_by_link(self, place_id: int) -> bool:
        """A visit on a request assigned to me is made at the request's place; a report from an
        incident I was sent to may come from any place (a flooded road is nobody's 包片)."""
        from ..dispatch.access import deployment_of
        from ..requests.access import may_see_request
        from ..requests.models import ResidentRequest

        request = db.session.get(ResidentRequest, self.request_id.data) if self.request_id.data else None
        if request is not None and request.place_id == place_id and may_see_request(self.user, request):
            return True
        return bool(self.incident_id.data and deployment_of(self.user, self.incident_id.data)
                    and self._during_incident(self.incident_id.data))

    def _during_incident(self, incident_id: int) -> bool:
        """Made while the incident was open, or within the grace for a report written just
        after: an incident widens a person's places for its own work, not for ever after.
        By the record's own time, so a report made offline at the post still counts when it
        syncs days later."""
        from ..dispatch.models import Incident

        incident = db.session.get(Incident, incident_id)
        if incident is None or incident.ended_at is None:
            return incident is not None
        made = self.occurred_at or utcnow()
        return made <= incident.ended_at + current_app.config["INCIDENT_REPORT_GRACE"]

    def validate_directive_id(self, field):
        from ..directives.services import NoSuchDirective, NotATarget, check_relay  # builds on this area

        if field.data is None:
            if field.raw_data and field.raw_data[0] not in ("", None):
                raise ValidationError(_("传达部署不存在"))
            return
        try:
            check_relay(field.data, self.place_id.data)
        except NoSuchDirective:
            raise ValidationError(_("传达部署不存在")) from None
        except NotATarget:
            raise ValidationError(_("该地点不在此传达部署的传达范围内")) from None

    def validate_next_step_on(self, field):
        if field.data and field.data < self.occurred_on:
            raise ValidationError(_("下一步日期不能早于本次走访日期"))
