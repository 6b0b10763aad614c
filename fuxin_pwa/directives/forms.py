"""The directive a leader publishes or edits: what, by when, to which villages and
communities, with which files."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, MultipleFileField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ..field.forms import int_or_none, plausible_date
from .attachments import AttachmentRefused, check_count, read_upload
from .models import BODY_MAX, TITLE_MAX


class DirectiveForm(FlaskForm):
    title = StringField(_l("标题"), validators=[
        DataRequired(_l("请填写标题")), Length(max=TITLE_MAX, message=_l("标题不能超过%(n)s字", n=TITLE_MAX))])
    body = TextAreaField(_l("部署内容"), validators=[
        DataRequired(_l("请填写部署内容")), Length(max=BODY_MAX, message=_l("部署内容不能超过%(n)s字", n=BODY_MAX))])
    due_on = DateField(_l("传达期限"), validators=[DataRequired(_l("请选择传达期限")), plausible_date])
    all_places = BooleanField(_l("全部村居"))
    # Checkboxes of the villages and communities; the choices are set by the view.
    place_ids = SelectMultipleField(_l("传达到"), coerce=int_or_none, validate_choice=False)
    attachments = MultipleFileField(_l("附件"))
    # On an edit, the attachments ticked to go; the choices (the directive's own) set by the view.
    remove_attachment_ids = SelectMultipleField(coerce=int_or_none, validate_choice=False)

    def __init__(self, *args, kept_attachments: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept_attachments = kept_attachments  # how many the directive has now
        self.uploads = []  # the files read and checked, for the service

    def validate_place_ids(self, field):
        if self.all_places.data:
            return
        offered = {value for value, _label in field.choices}
        chosen = [pid for pid in field.data or [] if pid is not None]
        if not chosen:
            raise ValidationError(_("请选择要传达的村居，或勾选全部村居"))
        if any(pid not in offered for pid in chosen):
            raise ValidationError(_("所选地点不是村或社区"))

    def validate_attachments(self, field):
        """Every file read and checked here, so each one refused is named at once."""
        refused = []
        for file in field.data or []:
            if not getattr(file, "filename", None):
                continue  # the empty file input a browser sends when nothing was chosen
            try:
                self.uploads.append(read_upload(file))
            except AttachmentRefused as error:
                refused.append(error.message)
        if not refused:
            try:
                check_count(self.kept_attachments - len(self.removed_attachment_ids()), len(self.uploads))
            except AttachmentRefused as error:
                refused.append(error.message)
        if refused:
            self.uploads = []
            field.errors.extend(refused[:-1])
            raise ValidationError(refused[-1])

    def removed_attachment_ids(self) -> set[int]:
        offered = {value for value, _label in self.remove_attachment_ids.choices or []}
        return {aid for aid in self.remove_attachment_ids.data or [] if aid in offered}

    def chose_files(self) -> bool:
        """Files were sent: when the form comes back with errors they must be chosen again
        (no browser lets a page fill a file input in)."""
        return any(getattr(f, "filename", None) for f in self.attachments.data or [])


class ConfirmForm(FlaskForm):
    """A button that changes something after a confirmation page (withdrawing): CSRF only."""
