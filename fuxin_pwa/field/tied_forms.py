"""The field's task-log form tied to something: a visit on a case's page, a follow-up on a
request's page, a report from an incident's post. One builder for all three, so the rule is
the same everywhere: what the thing decides (its place, household, case, request or
incident) is fixed by the server, whatever was posted; links it does not make are cleared.
The form then validates and save_task_log stores it exactly as for the field form and sync."""
import uuid

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from ..records import REJECTED, web_meta
from .forms import TaskLogForm, kind_choices
from .services import active_task_kinds, save_task_log

LINKS = ("place_id", "household_id", "case_id", "request_id", "incident_id", "directive_id")


def tied_task_log_form(user, fixed: dict, formdata=None, default_kind: str = "", place_choices=None):
    """`fixed`: {field: value} the thing decides. `place_choices`: offered when the place is
    the person's to choose (a report from a post); otherwise the place must be in `fixed`.
    Without formdata, a fresh form: a new record id, the fixed values, the default kind."""
    if formdata is not None:
        formdata = MultiDict(formdata)
        for name in LINKS:
            if name in fixed:
                formdata.setlist(name, [str(fixed[name])])
            elif name != "place_id":
                formdata.setlist(name, [])
    form = TaskLogForm(formdata=formdata, user=user)
    kinds = active_task_kinds()
    form.kind.choices = kind_choices(kinds)
    for name in LINKS:
        form[name].choices = [(fixed[name], "")] if name in fixed else [("", _("不关联"))]
    if place_choices is not None:
        form.place_id.choices = place_choices
    if formdata is None:
        for name, value in fixed.items():
            form[name].data = value
        if place_choices and "place_id" not in fixed:
            form.place_id.data = place_choices[0][0]
        form.record_id.data = str(uuid.uuid4())
        form.kind.data = default_kind if any(k.code == default_kind for k in kinds) else ""
    form.fixed = fixed
    return form


def save_tied(user, form) -> bool:
    """Validate and store a tied task log as the field form would. False leaves the form with
    its errors to show again (an id taken, an incident over: on the field the server named)."""
    if not form.validate_on_submit():
        return False
    result = save_task_log(user, form, web_meta(form, "task_log"))
    if result.status != REJECTED:
        return True
    for name, messages in result.errors.items():
        form[name if name in form else "record_id"].errors = list(messages)
    return False
