"""Forms of the case pages. A visit on a case is a task log: it validates with the field's
TaskLogForm, not with a form of its own."""
from flask_wtf import FlaskForm
from wtforms import SearchField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from .models import CASE_KINDS, CASE_STATUSES, CASE_TRANSITIONS
from .services import ACTIVE

TITLE_MAX = 200
PLAN_MAX = 2000
NOTE_MAX = 500


class CaseForm(FlaskForm):
    kind = SelectField("类型", validate_choice=False)
    title = StringField("事项", validators=[
        DataRequired("请填写事项"), Length(max=TITLE_MAX, message=f"事项不能超过{TITLE_MAX}字")])
    plan = TextAreaField("一户一策方案", validators=[
        Optional(), Length(max=PLAN_MAX, message=f"方案不能超过{PLAN_MAX}字")])
    owner_id = SelectField("负责人", coerce=int, validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices are set here, not in the field: WTForms 3.3 deprecates tuples in `choices=`.
        self.kind.choices = [("", "请选择")] + list(CASE_KINDS.items())

    def validate_kind(self, field):
        if field.data not in CASE_KINDS:
            raise ValidationError("请选择类型")

    def validate_owner_id(self, field):
        # The choices are the people who cover the household (set by the view).
        if field.data is None:
            raise ValidationError("请选择负责人")
        if field.data not in {value for value, _ in self.owner_id.choices}:
            raise ValidationError("负责人须是包片该户的人员")


class CaseStatusForm(FlaskForm):
    to_status = SelectField("改为", validate_choice=False)
    note = TextAreaField("说明（可选）", validators=[
        Optional(), Length(max=NOTE_MAX, message=f"说明不能超过{NOTE_MAX}字")])

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.to_status.choices = [("", "请选择")] + [
            (code, CASE_STATUSES[code]) for code in CASE_TRANSITIONS.get(case.status, ())]

    def validate_to_status(self, field):
        if not field.data:
            raise ValidationError("请选择新状态")
        if field.data not in CASE_TRANSITIONS.get(self.case.status, ()):
            raise ValidationError(
                f"不能从「{self.case.status_label}」改为「{CASE_STATUSES.get(field.data, field.data)}」")


class CaseFilterForm(FlaskForm):
    """The list's GET filters; no CSRF (it changes nothing) and no prefix, so URLs stay short."""

    class Meta:
        csrf = False

    q = SearchField("搜索", validators=[Optional(), Length(max=100, message="搜索内容不能超过100字")])
    status = SelectField("状态", default="")
    kind = SelectField("类型", default="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = [("", "全部"), (ACTIVE, "未办结")] + list(CASE_STATUSES.items())
        self.kind.choices = [("", "全部")] + list(CASE_KINDS.items())

    def values(self) -> dict:
        """Only valid filters apply; an invalid one is shown with its error and ignored."""
        return {name: (self[name].data or "") if not self[name].errors else ""
                for name in ("q", "status", "kind")}
