"""Imports every model so Alembic and create_all() see all tables."""
from .auth.models import User  # noqa: F401
from .cases.models import Case  # noqa: F401
from .field.models import CheckIn, TaskKind, TaskLog  # noqa: F401
from .photos.models import Photo  # noqa: F401
from .places.models import Assignment, Household, Place  # noqa: F401
from .dispatch.models import Deployment, Incident, IncidentAck, IncidentGroup, Post  # noqa: F401
from .requests.models import RequestCategory, RequestEvent, ResidentRequest  # noqa: F401
from .directives.models import Directive, DirectiveAttachment, DirectiveTarget  # noqa: F401
from .rounds.models import CareTag, VisitRule  # noqa: F401
from .duty.models import Roster, Shift, ShiftPerson, StandbyGroup, StandbyMember, SwapRequest  # noqa: F401
from .care.models import CareTrigger, CareVisit  # noqa: F401
from .people.models import PersonPhoto  # noqa: F401
from .training.models import Credential, TrainingAttendance, TrainingSession  # noqa: F401
from .honours.models import Contest, ContestEntry, Honour, InterestTeam, InterestTeamMember, TeamEvent  # noqa: F401
from .evaluations.models import (Ballot, BallotRating, EvaluationMark, EvaluationNote, EvaluationRound,  # noqa: F401
                                 VoteLink)
from .service_days.models import ServiceDay, ServiceKind, ServiceTally  # noqa: F401
from .grades.models import GradeChange, GradePost  # noqa: F401
from .reserve.models import ReserveCandidate, ReserveNote, ReserveStatusChange  # noqa: F401
