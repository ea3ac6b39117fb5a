"""The models of resolution and oversight, one module per mechanism."""

from xinfang.resolution.models.backlog import (
    BacklogCase,
    BacklogCriterion,
    BacklogMilestone,
    BacklogProgress,
    CaseStatus,
)
from xinfang.resolution.models.hearing import (
    Hearing,
    HearingParticipant,
    HearingStage,
    HearingStatus,
    ParticipantRole,
)
from xinfang.resolution.models.mediation import (
    Mediation,
    MediationKind,
    MediationSigner,
    MediationStatus,
    SignerSide,
    SignMethod,
)
from xinfang.resolution.models.relief import (
    EntryKind,
    FundEntry,
    ReliefApplication,
    ReliefDecision,
    ReliefFund,
    ReliefStatus,
)
from xinfang.resolution.models.suggestion import (
    ADOPTED,
    RecognitionKind,
    Suggestion,
    SuggestionRecognition,
    SuggestionStatus,
)
from xinfang.resolution.models.supervision import (
    Audience,
    Escalation,
    NoticeStatus,
    Reason,
    SupervisionNotice,
    SupervisionPetition,
)

__all__ = [
    "ADOPTED",
    "Mediation",
    "MediationKind",
    "MediationSigner",
    "MediationStatus",
    "RecognitionKind",
    "SignMethod",
    "SignerSide",
    "Suggestion",
    "SuggestionRecognition",
    "SuggestionStatus",
    "BacklogCase",
    "BacklogCriterion",
    "BacklogMilestone",
    "BacklogProgress",
    "CaseStatus",
    "Hearing",
    "HearingParticipant",
    "HearingStage",
    "HearingStatus",
    "ParticipantRole",
    "Audience",
    "EntryKind",
    "FundEntry",
    "ReliefApplication",
    "ReliefDecision",
    "ReliefFund",
    "ReliefStatus",
    "Escalation",
    "NoticeStatus",
    "Reason",
    "SupervisionNotice",
    "SupervisionPetition",
]
