"""What is audited: one line per model. Work that adds a model adds its line here.

Each line names the model, a short key (the object type in the log), its label, the page
that shows one object, and what must not be logged as it is: `masked` fields are logged
through their mask (138****5678), `secret` fields only as having changed.

Records made in the field (check-ins, task logs, request events, acknowledgements) are not
here: they are facts, never edited, and their row is their own audit. A resident request is
such a record too, so its creation is not logged, but every later change to it is."""
from dataclasses import dataclass, field
from typing import Callable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from ..records import FieldRecordMixin
from ..web import mask_id_number, mask_phone


@dataclass
class Audited:
    model: type
    key: str
    label: object
    fields: tuple[str, ...]
    masked: dict[str, Callable] = field(default_factory=dict)
    secret: tuple[str, ...] = ()
    page: tuple[str, str] | None = None      # (endpoint, the id's argument name)
    parent: tuple[str, str] | None = None    # (parent's key, the column holding its id)
    creates: bool = True                     # False: its own row records its creation

    @property
    def table(self) -> str:
        return self.model.__table__.name


BY_MODEL: dict[type, Audited] = {}
BY_KEY: dict[str, Audited] = {}
BY_TABLE: dict[str, Audited] = {}

# Bookkeeping columns of device records and optimistic-lock versions: not a person's change.
_NEVER = {"id", "version", "uuid", "occurred_at", "device_occurred_at", "clock_corrected", "received_at",
          "source", "device_id", "content_hash"}


def audited(model, key: str, label, fields: tuple[str, ...] | None = None, skip: tuple[str, ...] = (),
            masked: dict[str, Callable] | None = None, secret: tuple[str, ...] = (),
            page: tuple[str, str] | None = None, parent: tuple[str, str] | None = None) -> Audited:
    """Register `model`: every column but the id (or only `fields`), less `skip`."""
    if fields is None:
        fields = tuple(k for k in sa.inspect(model).column_attrs.keys() if k not in _NEVER and k not in skip)
    spec = Audited(model, key, label, fields, dict(masked or {}), tuple(secret), page, parent,
                   creates=not issubclass(model, FieldRecordMixin))
    BY_MODEL[model], BY_KEY[key], BY_TABLE[spec.table] = spec, spec, spec
    return spec


def spec_for(obj) -> Audited | None:
    return BY_MODEL.get(type(obj))


def register_models() -> None:
    """The registry itself. Called once the models are importable (from the app factory)."""
    if BY_MODEL:
        return
    from ..auth.models import User
    from ..care.models import CareTrigger
    from ..cases.models import Case
    from ..directives.models import Directive, DirectiveAttachment, DirectiveTarget
    from ..dispatch.models import Deployment, Incident, IncidentGroup, Post
    from ..duty.models import Holiday, Roster, Shift, ShiftPerson, StandbyGroup, StandbyMember, SwapRequest
    from ..evaluations.models import EvaluationMark, EvaluationNote, EvaluationRound, VoteLink
    from ..field.models import TaskKind
    from ..grades.models import GradeChange, GradePost
    from ..honours.models import Contest, ContestEntry, Honour, InterestTeam, InterestTeamMember, TeamEvent
    from ..people.models import PersonPhoto
    from ..places.models import Assignment, Household, Place
    from ..requests.models import RequestCategory, ResidentRequest
    from ..reserve.models import ReserveCandidate, ReserveNote, ReserveStatusChange
    from ..rounds.models import CareTag, VisitRule
    from ..service_days.models import ServiceDay, ServiceKind
    from ..training.models import Credential, TrainingAttendance, TrainingSession

    audited(User, "user", _l("人员"), masked={"phone": mask_phone}, secret=("password_hash", "session_token"),
            page=("admin.person", "user_id"))
    audited(Assignment, "assignment", _l("包片"), parent=("user", "user_id"))
    audited(Place, "place", _l("地点"), page=("admin.edit_place", "place_id"))
    audited(Household, "household", _l("户"), masked={"phone": mask_phone, "id_number": mask_id_number},
            page=("cases.household", "household_id"))
    audited(Case, "case", _l("一户一策"), parent=("household", "household_id"), page=("cases.show", "case_id"))
    audited(ResidentRequest, "request", _l("群众诉求"), masked={"resident_phone": mask_phone},
            page=("requests.show", "request_id"))
    audited(RequestCategory, "request_category", _l("诉求类别"), page=("requests.edit_category", "category_id"))
    audited(TaskKind, "task_kind", _l("工作类型"), page=("admin.edit_task_kind", "kind_id"))
    audited(ServiceKind, "service_kind", _l("便民服务项目"), page=("admin.edit_service_kind", "kind_id"))
    audited(ServiceDay, "service_day", _l("便民服务日"), page=("service_days.show", "day_id"))
    audited(Incident, "incident", _l("突发事件"), page=("dispatch.board", "incident_id"))
    audited(Post, "post", _l("岗位"), parent=("incident", "incident_id"))
    audited(IncidentGroup, "incident_group", _l("分组"), parent=("incident", "incident_id"))
    audited(Deployment, "deployment", _l("调派人员"), parent=("incident", "incident_id"))
    audited(Directive, "directive", _l("传达部署"), page=("directives.show", "directive_id"))
    audited(DirectiveTarget, "directive_target", _l("传达地点"), parent=("directive", "directive_id"))
    audited(DirectiveAttachment, "directive_attachment", _l("传达部署附件"), parent=("directive", "directive_id"),
            skip=("storage_path",))
    audited(CareTag, "care_tag", _l("重点人群"), parent=("household", "household_id"))
    audited(VisitRule, "visit_rule", _l("走访计划规则"))
    audited(Roster, "roster", _l("值守排班"), page=("duty.show", "roster_id"))
    audited(Shift, "duty_shift", _l("值守班次"), parent=("roster", "roster_id"))
    audited(ShiftPerson, "duty_shift_person", _l("班次人员"), parent=("duty_shift", "shift_id"))
    audited(StandbyGroup, "standby_group", _l("预备队小组"), parent=("roster", "roster_id"))
    audited(StandbyMember, "standby_member", _l("预备队组员"), parent=("standby_group", "group_id"))
    audited(SwapRequest, "duty_swap", _l("换班申请"), parent=("duty_shift", "shift_id"))
    audited(Holiday, "duty_holiday", _l("节假日"))
    # Personnel records (the entries are the admin's to read, like the records themselves).
    # A resident's ballot is not here: it is anonymous, cast once and never edited.
    audited(CareTrigger, "care_trigger", _l("三必访情形"), page=("care.show", "trigger_id"))
    audited(TrainingSession, "training_session", _l("培训"), page=("training.show", "session_id"))
    audited(TrainingAttendance, "training_attendance", _l("培训签到"), parent=("training_session", "session_id"))
    audited(Credential, "credential", _l("证书和学历"), parent=("user", "user_id"))
    audited(PersonPhoto, "person_photo", _l("个人照片"), parent=("user", "user_id"), skip=("storage_path",))
    audited(Contest, "contest", _l("比赛"), page=("honours.contest", "contest_id"))
    audited(ContestEntry, "contest_entry", _l("参赛"), parent=("contest", "contest_id"))
    audited(Honour, "honour", _l("荣誉"))
    audited(InterestTeam, "interest_team", _l("兴趣队伍"), page=("honours.team", "team_id"))
    audited(InterestTeamMember, "interest_team_member", _l("兴趣队伍成员"), parent=("interest_team", "team_id"))
    audited(TeamEvent, "interest_team_event", _l("活动"), parent=("interest_team", "team_id"))
    audited(EvaluationRound, "evaluation_round", _l("考核"), page=("evaluations.show", "round_id"))
    audited(EvaluationMark, "evaluation_mark", _l("评分"), parent=("evaluation_round", "round_id"))
    audited(EvaluationNote, "evaluation_note", _l("日常考核"), parent=("evaluation_round", "round_id"))
    audited(VoteLink, "vote_link", _l("群众评议投票页"), parent=("evaluation_round", "round_id"))
    audited(GradePost, "grade_post", _l("岗位和工龄"), parent=("user", "user_id"), skip=("updated_at",))
    audited(GradeChange, "grade_change", _l("薪级调整"), parent=("user", "user_id"))
    audited(ReserveCandidate, "reserve_candidate", _l("后备干部"), page=("reserve.show", "candidate_id"))
    audited(ReserveNote, "reserve_note", _l("后备干部考察记录"), parent=("reserve_candidate", "candidate_id"))
    audited(ReserveStatusChange, "reserve_status_change", _l("后备干部状态变更"),
            parent=("reserve_candidate", "candidate_id"))
