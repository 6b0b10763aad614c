"""Forms of the case pages. A visit on a case is a task log: it validates with the field's
TaskLogForm, not with a form of its own."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from .models import CASE_KINDS, CASE_STATUSES, CASE_TRANSITIONS
from .services import ACTIVE

TITLE_MAX = 200
PLAN_MAX = 2000
NOTE_MAX = 500


class CaseForm(FlaskForm):
    kind = SelectField(_l("类型"), validate_choice=False)
    title = StringField(_l("事项"), validators=[
        DataRequired(_l("请填写事项")), Length(max=TITLE_MAX, message=_l("事项不能超过%(n)s字", n=TITLE_MAX))])
    plan = TextAreaField(_l("一户一策方案"), validators=[
        Optional(), Length(max=PLAN_MAX, message=_l("方案不能超过%(n)s字", n=PLAN_MAX))])
    owner_id = SelectField(_l("负责人"), coerce=int, validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices are set here, not in the field: WTForms 3.3 deprecates tuples in `choices=`.
        self.kind.choices = [("", _("请选择"))] + list(CASE_KINDS.items())

    def validate_kind(self, field):
        if field.data not in CASE_KINDS:
            raise ValidationError(_("请选择类型"))

    def validate_owner_id(self, field):
        # The choices are the people who cover the household (set by the view).
        if field.data is None:
            raise ValidationError(_("请选择负责人"))
        if field.data not in {value for value, _label in self.owner_id.choices}:
            raise ValidationError(_("负责人须是包片该户的人员"))


class CaseStatusForm(FlaskForm):
    to_status = SelectField(_l("改为"), validate_choice=False)
    note = TextAreaField(_l("说明（可选）"), validators=[
        Optional(), Length(max=NOTE_MAX, message=_l("说明不能超过%(n)s字", n=NOTE_MAX))])

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.to_status.choices = [("", _("请选择"))] + [
            (code, CASE_STATUSES[code]) for code in CASE_TRANSITIONS.get(case.status, ())]

    def validate_to_status(self, field):
        if not field.data:
            raise ValidationError(_("请选择新状态"))
        if field.data not in CASE_TRANSITIONS.get(self.case.status, ()):
            raise ValidationError(_("不能从「%(old)s」改为「%(new)s」", old=self.case.status_label,
                                    new=CASE_STATUSES.get(field.data, field.data)))


class CaseFilterForm(FlaskForm):
    """The list's GET filters; no CSRF (it changes nothing) and no prefix, so URLs stay short."""

    class Meta:
        csrf = False

    q = SearchField(_l("搜索"), validators=[Optional(), Length(max=100, message=_l("搜索内容不能超过100字"))])
    status = SelectField(_l("状态"), default="")
    kind = SelectField(_l("类型"), default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [("", _("全部")), (ACTIVE, _("未办结"))] + list(CASE_STATUSES.items())
        self.kind.choices = [("", _("全部"))] + list(CASE_KINDS.items())

    def values(self) -> dict:
        """Only valid filters apply; an invalid one is shown with its error and ignored."""
        return {name: (self[name].data or "") if not self[name].errors else ""
                for name in ("q", "status", "kind")}
