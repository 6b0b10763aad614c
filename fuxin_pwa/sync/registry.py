"""The record types the sync endpoint accepts, each with the same form class and service
function the HTML door uses. A later record type is one more entry here."""
from dataclasses import dataclass
from typing import Callable

from ..care.forms import CareVisitForm
from ..care.models import CareVisit
from ..care.services import save_care_visit
from ..dispatch.forms import AckForm
from ..dispatch.models import IncidentAck
from ..dispatch.services import acknowledge
from ..field.forms import CheckInForm, TaskLogForm
from ..field.models import CheckIn, TaskLog
from ..field.services import save_checkin, save_task_log
from ..requests.forms import RequestForm, RequestUpdateForm
from ..requests.models import RequestEvent, ResidentRequest
from ..requests.services import raise_request, save_request_update
from ..service_days.forms import ServiceTallyForm
from ..service_days.models import ServiceTally
from ..service_days.services import save_tally


@dataclass(frozen=True)
class RecordType:
    form: type
    save: Callable
    model: type


RECORD_TYPES: dict[str, RecordType] = {
    "checkin": RecordType(CheckInForm, save_checkin, CheckIn),
    "task_log": RecordType(TaskLogForm, save_task_log, TaskLog),
    "request": RecordType(RequestForm, raise_request, ResidentRequest),
    "request_update": RecordType(RequestUpdateForm, save_request_update, RequestEvent),
    "incident_ack": RecordType(AckForm, acknowledge, IncidentAck),
    "care_visit": RecordType(CareVisitForm, save_care_visit, CareVisit),
    "service_tally": RecordType(ServiceTallyForm, save_tally, ServiceTally),
}
