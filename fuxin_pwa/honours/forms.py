"""Contests, entrants, results, honours and interest teams. Choice lists are set by the view; a
value not offered is refused with a sentence, never looked up."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SelectMultipleField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from ..field.forms import int_or_none, plausible_date
from .models import CONTEST_KINDS, NAME_MAX, NOTE_MAX, RESULT_MAX, TITLE_MAX


def _offered(field) -> set:
    return {value for value, _label in field.choices or [] if value is not None}


class ContestForm(FlaskForm):
    kind = SelectField(_l("比赛类型"), choices=list(CONTEST_KINDS.items()),
                       validators=[AnyOf(list(CONTEST_KINDS), message=_l("请选择比赛类型"))])
    title = StringField(_l("比赛名称"), validators=[
        DataRequired(_l("请填写比赛名称")), Length(max=TITLE_MAX, message=_l("比赛名称不能超过%(n)s字", n=TITLE_MAX))])
    held_on = DateField(_l("比赛日期"), validators=[DataRequired(_l("请选择比赛日期")), plausible_date])


class EntryForm(FlaskForm):
    """One entrant: a person, or an interest team (exactly one of the two)."""

    user_id = SelectField(_l("参赛人员"), coerce=int_or_none, validate_choice=False)
    team_id = SelectField(_l("或参赛队伍"), coerce=int_or_none, validate_choice=False)

    def validate_user_id(self, field):
        if field.data is not None and field.data not in _offered(field):
            raise ValidationError(_("所选人员不在可选名单中"))
        if field.data is None and self.team_id.data is None:
            raise ValidationError(_("请选择参赛人员或参赛队伍"))
        if field.data is not None and self.team_id.data is not None:
            raise ValidationError(_("参赛人员和参赛队伍只能选一个"))

    def validate_team_id(self, field):
        if field.data is not None and field.data not in _offered(field):
            raise ValidationError(_("所选队伍不在可选名单中"))


class HonourForm(EntryForm):
    """An honour won outside the app's contests (a district's 优秀网格员): for a person or a team."""

    title = StringField(_l("荣誉名称"), validators=[
        DataRequired(_l("请填写荣誉名称")), Length(max=TITLE_MAX, message=_l("荣誉名称不能超过%(n)s字", n=TITLE_MAX))])
    awarded_on = DateField(_l("获得日期"), validators=[DataRequired(_l("请选择获得日期")), plausible_date])


class ResultForm(FlaskForm):
    result = StringField(_l("比赛结果"), validators=[
        DataRequired(_l("请填写比赛结果，如一等奖")),
        Length(max=RESULT_MAX, message=_l("比赛结果不能超过%(n)s字", n=RESULT_MAX))])


class TeamForm(FlaskForm):
    name = StringField(_l("队伍名称"), validators=[
        DataRequired(_l("请填写队伍名称")), Length(max=NAME_MAX, message=_l("队伍名称不能超过%(n)s字", n=NAME_MAX))])
    note = StringField(_l("简介"), validators=[
        Optional(), Length(max=NOTE_MAX, message=_l("简介不能超过%(n)s字", n=NOTE_MAX))])


class MembersForm(FlaskForm):
    user_ids = SelectMultipleField(_l("加入成员"), coerce=int_or_none, validate_choice=False)

    def validate_user_ids(self, field):
        chosen = field.data or []
        if not chosen:
            raise ValidationError(_("请选择成员"))
        if any(v not in _offered(field) for v in chosen):
            raise ValidationError(_("所选人员不在可选名单中"))


class EventForm(FlaskForm):
    title = StringField(_l("活动内容"), validators=[
        DataRequired(_l("请填写活动内容")), Length(max=TITLE_MAX, message=_l("活动内容不能超过%(n)s字", n=TITLE_MAX))])
    held_on = DateField(_l("活动日期"), validators=[DataRequired(_l("请选择活动日期")), plausible_date])
    place_id = SelectField(_l("活动地点（网格家园）"), coerce=int_or_none, validate_choice=False)

    def validate_place_id(self, field):
        typed = any(v not in ("", "None") for v in field.raw_data or [])
        if (field.data is None and typed) or (field.data is not None and field.data not in _offered(field)):
            raise ValidationError(_("请选择活动地点"))
