"""The domain model, one module per area; importing this package registers every table."""

from app.models.audit import AuditEvent
from app.models.codes import CodeRelease, IcdCode
from app.models.cohort_exceptions import AttemptGrant, DueDate, Excusal
from app.models.compliance import (
    Assignment,
    Certificate,
    EmailMessage,
    HireTraining,
    ReminderSent,
)
from app.models.content import (
    ContentVersion,
    GlossaryTerm,
    Lesson,
    Module,
    Question,
    Quiz,
)
from app.models.employers import (
    Attestation,
    Invitation,
    Membership,
    Organisation,
    PolicyVersion,
)
from app.models.organisations import Cohort, Enrolment
from app.models.people import ROLES, Throttle, User
from app.models.progress import CourseStanding, LessonProgress, QuizAttempt, QuizStanding, ReviewItem
from app.models.stamps import DataStamp
from app.models.xapi import XapiStatement

__all__ = [
    "Assignment",
    "Attestation",
    "AttemptGrant",
    "Certificate",
    "DataStamp",
    "EmailMessage",
    "Excusal",
    "HireTraining",
    "IcdCode",
    "Invitation",
    "Membership",
    "Organisation",
    "PolicyVersion",
    "ReminderSent",
    "ROLES",
    "AuditEvent",
    "Cohort",
    "CodeRelease",
    "ContentVersion",
    "DueDate",
    "Enrolment",
    "GlossaryTerm",
    "Lesson",
    "LessonProgress",
    "Module",
    "Question",
    "Quiz",
    "QuizAttempt",
    "QuizStanding",
    "CourseStanding",
    "ReviewItem",
    "Throttle",
    "User",
    "XapiStatement",
]
