"""A round's settings, one person's marks and notes, and a resident's ballot. The marks and the
ballot are built for the round (its items, the community's workers): a field per item, a
rating per worker, each checked with a Chinese sentence."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FloatField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..auth.models import TEAM_LABELS
from ..field.forms import finite, plausible_date
from .models import COMMENT_MAX, MARKED_SIDES, NOTE_MAX, RATING_LABELS, SIDE_LABELS, TITLE_MAX
from .scoring import DEFAULT_ITEMS, DEFAULT_WEIGHTS, SIDES

MAX_ITEMS = 8
ITEM_MAX = 8


def split_items(text: str) -> list[str]:
    """"德、能、勤、绩、廉" (or with commas or spaces) as a list, in order, without repeats."""
    for sep in ",，;；/ ":
        text = text.replace(sep, "、")
    return list(dict.fromkeys(part.strip() for part in text.split("、") if part.strip()))


def _weight(side):
    return IntegerField(SIDE_LABELS[side], default=DEFAULT_WEIGHTS[side], validators=[
        InputRequired(_l("请填写权重")), NumberRange(0, 100, message=_l("权重应在 0 到 100 之间"))])


class RoundForm(FlaskForm):
    title = StringField(_l("考核名称"), validators=[
        DataRequired(_l("请填写考核名称")), Length(max=TITLE_MAX, message=_l("考核名称不能超过%(n)s字", n=TITLE_MAX))])
    team = SelectField(_l("考核队伍"), choices=list(TEAM_LABELS.items()),
                       validators=[AnyOf(list(TEAM_LABELS), message=_l("请选择考核队伍"))])
    starts_on = DateField(_l("考核期开始"), validators=[DataRequired(_l("请选择开始日期")), plausible_date])
    ends_on = DateField(_l("考核期结束"), validators=[DataRequired(_l("请选择结束日期")), plausible_date])
    items = StringField(_l("评分项目（用顿号分开）"), default="、".join(DEFAULT_ITEMS),
                        validators=[DataRequired(_l("请填写评分项目"))])
    weight_residents = _weight(SIDES[0])
    weight_self = _weight(SIDES[1])
    weight_subdistrict = _weight(SIDES[2])
    weight_panel = _weight(SIDES[3])
    vote_minimum = IntegerField(_l("每个社区至少需要的群众投票数"), default=50, validators=[
        InputRequired(_l("请填写最少投票数")), NumberRange(1, 10000, message=_l("最少投票数应在 1 到 10000 之间"))])
    excellent_share = IntegerField(_l("优秀等次比例上限（%）"), default=20, validators=[
        InputRequired(_l("请填写优秀比例上限")), NumberRange(0, 100, message=_l("优秀比例上限应在 0 到 100 之间"))])
    bonus_cap = IntegerField(_l("附加评价最多加分"), default=5, validators=[
        InputRequired(_l("请填写附加评价最多加分")), NumberRange(0, 20, message=_l("附加评价最多加分应在 0 到 20 之间"))])

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_("结束日期不能早于开始日期"))

    def validate_items(self, field):
        items = split_items(field.data or "")
        if not items:
            raise ValidationError(_("请填写评分项目"))
        if len(items) > MAX_ITEMS or any(len(i) > ITEM_MAX for i in items):
            raise ValidationError(_("评分项目最多%(n)s项，每项不超过%(m)s字", n=MAX_ITEMS, m=ITEM_MAX))

    def validate_weight_panel(self, field):
        weights = [self.weight_residents.data, self.weight_self.data, self.weight_subdistrict.data, field.data]
        if all(w is not None for w in weights) and sum(weights) != 100:
            raise ValidationError(_("四方权重合计应为 100（现为 %(n)s）", n=sum(weights)))

    def weights(self) -> dict[str, int]:
        return dict(zip(SIDES, (self.weight_residents.data, self.weight_self.data, self.weight_subdistrict.data,
                                self.weight_panel.data)))


class ConfirmForm(FlaskForm):
    """A button's form (closing a vote): its CSRF token and nothing else."""


def mark_field_name(side: str, index: int) -> str:
    return f"{side}_{index}"


def marks_form(items: list[str], formdata=None, **kwargs) -> FlaskForm:
    """A form with a points field (0–100, may be left blank) per marked side and item."""

    class MarksForm(FlaskForm):
        daily = TextAreaField(_l("日常考核（各月情况）"), validators=[
            Optional(), Length(max=NOTE_MAX, message=_l("不能超过%(n)s字", n=NOTE_MAX))])
        extra = TextAreaField(_l("附加评价（荣誉、比赛、重大任务）"), validators=[
            Optional(), Length(max=NOTE_MAX, message=_l("不能超过%(n)s字", n=NOTE_MAX))])
        bonus = FloatField(_l("附加评价加分"), default=0, validators=[
            Optional(), finite, NumberRange(0, 20, message=_l("加分应在 0 到 20 之间"))])

    for side in MARKED_SIDES:
        for i, item in enumerate(items):
            setattr(MarksForm, mark_field_name(side, i), FloatField(item, validators=[
                Optional(), finite, NumberRange(0, 100, message=_l("分数应在 0 到 100 之间"))]))
    form = MarksForm(formdata=formdata, **kwargs) if formdata is not None else MarksForm(**kwargs)
    form.items_ = items
    return form


def marks_from(form) -> dict[str, dict[str, float | None]]:
    return {side: {item: form[mark_field_name(side, i)].data for i, item in enumerate(form.items_)}
            for side in MARKED_SIDES}


def ballot_form(people, formdata=None) -> FlaskForm:
    """A rating (满意 / 基本满意 / 不满意) and an optional comment per worker of the community."""

    class BallotForm(FlaskForm):
        pass

    for person in people:
        setattr(BallotForm, f"rating_{person.id}", RadioField(
            person.name, choices=list(RATING_LABELS.items()), validate_choice=False, validators=[Optional()]))
        setattr(BallotForm, f"comment_{person.id}", StringField(_l("意见建议（可不填）"), validators=[
            Optional(), Length(max=COMMENT_MAX, message=_l("意见建议不能超过%(n)s字", n=COMMENT_MAX))]))
    form = BallotForm(formdata=formdata) if formdata is not None else BallotForm()
    form.people_ = list(people)
    return form


def ballot_errors(form) -> bool:
    """The ballot's own rules after the fields': a rating is one offered; at least one given."""
    given = 0
    for person in form.people_:
        field = form[f"rating_{person.id}"]
        if field.data in (None, "", "None"):
            continue
        if field.data not in RATING_LABELS:
            field.errors = list(field.errors) + [_("请选择满意、基本满意或不满意")]
        else:
            given += 1
    if not given and not any(form[f"rating_{p.id}"].errors for p in form.people_):
        form.form_errors.append(_("请至少评价一位工作人员"))
    return bool(form.form_errors or any(f.errors for f in form))


def ratings_from(form) -> dict[int, tuple[str, str | None]]:
    return {p.id: (form[f"rating_{p.id}"].data, form[f"comment_{p.id}"].data) for p in form.people_
            if form[f"rating_{p.id}"].data in RATING_LABELS}
