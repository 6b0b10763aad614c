"""The record types the sync endpoint accepts, each with the same form class and service
function the HTML door uses. A later record type is one more entry here."""
from dataclasses import dataclass
from typing import Callable

from ..field.forms import CheckInForm, TaskLogForm
from ..field.models import CheckIn, TaskLog
from ..field.services import save_checkin, save_task_log


@dataclass(frozen=True)
class RecordType:
    form: type
    save: Callable
    model: type


RECORD_TYPES: dict[str, RecordType] = {
    "checkin": RecordType(CheckInForm, save_checkin, CheckIn),
    "task_log": RecordType(TaskLogForm, save_task_log, TaskLog),
}
