"""Who may see what: a route decorator for roles, and query filters used by every list.

Instructors see the current members of their own cohorts and admins see everyone; a learner sees
only their own attempts. Views build their
queries through these filters, so a list can never include someone the viewer may not see.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, g, redirect, url_for
from flask_login import current_user, login_required
from sqlalchemy import Select, false, select

from app.extensions import db
from app.models import Assignment, Certificate, Cohort, Enrolment, HireTraining, Membership, Organisation, QuizAttempt, User

STAFF = ("instructor", "admin")


# Every view declares who may open it with one of these decorators; a test fails on a view that does not.


def public(view: Callable) -> Callable:
    """Anyone may open the view, signed in or not."""
    view.access = "public"
    return view


def signed_in(view: Callable) -> Callable:
    """Any signed-in account may open the view (which then shows only the account's own data)."""
    wrapped = login_required(view)
    wrapped.access = "signed-in"
    return wrapped


def roles_required(*roles: str) -> Callable:
    """Allow the view to signed-in users with one of `roles`; others get 403 (anonymous: the sign-in page)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.access = roles
        return wrapped

    return decorator


def visible_attempts(query: Select, viewer: User) -> Select:
    """Restrict a query over QuizAttempt to the attempts `viewer` may see: their own."""
    return query.where(QuizAttempt.user_id == viewer.id)


def visible_cohorts(query: Select, viewer: User) -> Select:
    """Restrict a query over Cohort to the cohorts `viewer` runs (every cohort for an admin)."""
    if viewer.role == "admin":
        return query
    if viewer.role != "instructor":
        return query.where(false())
    return query.where(Cohort.instructor_id == viewer.id)


def visible_learner_ids(viewer: User, cohort_id: int | None = None) -> Select:
    """A subquery of the user ids whose results `viewer` may see (optionally within one cohort)."""
    members = select(Enrolment.user_id).join(Cohort, Cohort.id == Enrolment.cohort_id).where(Enrolment.removed_at.is_(None))
    members = visible_cohorts(members, viewer)
    if cohort_id is not None:
        members = members.where(Enrolment.cohort_id == cohort_id)
    return members


def managed_organisation_ids(viewer: User) -> Select:
    """A subquery of the organisations `viewer` manages (none unless they are an employer)."""
    query = select(Membership.organisation_id).where(
        Membership.user_id == viewer.id, Membership.kind == "manager", Membership.removed_at.is_(None))
    return query if viewer.role == "employer" else query.where(false())


def visible_hire_ids(viewer: User, organisation_id: int, include_removed: bool = False) -> Select:
    """A subquery of the hires of this organisation whose records `viewer` may see (only if they manage it)."""
    query = select(Membership.user_id).where(
        Membership.organisation_id == organisation_id, Membership.kind == "hire",
        Membership.organisation_id.in_(managed_organisation_ids(viewer)))
    return query if include_removed else query.where(Membership.removed_at.is_(None))


def managed_organisation(viewer: User) -> Organisation | None:
    """The organisation `viewer` manages, if any."""
    return db.session.scalar(select(Organisation).where(Organisation.id.in_(managed_organisation_ids(viewer))))


def manager_required(view: Callable) -> Callable:
    """An employer who manages an organisation (available as g.organisation); others are sent to set one up."""

    @wraps(view)
    @roles_required("employer")
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        g.organisation = managed_organisation(current_user)
        if g.organisation is None:
            return redirect(url_for("employer.setup"))
        return view(*args, **kwargs)

    return wrapped


def hire_or_404(user_id: int, include_removed: bool = False) -> User:
    """A hire of the manager's organisation (g.organisation), found only through the permission filter."""
    query = select(User).where(User.id == user_id, User.id.in_(visible_hire_ids(current_user, g.organisation.id, include_removed)))
    return db.session.scalar(query) or abort(404)


def current_hires(viewer: User, organisation_id: int) -> list[tuple[int, str]]:
    """(id, name) of the current hires of the organisation that `viewer` may see, by name."""
    return db.session.execute(select(User.id, User.display_name).where(User.id.in_(visible_hire_ids(viewer, organisation_id)))
                              .order_by(User.display_name)).all()


def managed_certificate_ids(viewer: User) -> Select:
    """Certificates of required training that `viewer` manages: its organisation's, held by its hires (or former hires)."""
    hires = select(Membership.user_id).where(Membership.organisation_id == Assignment.organisation_id, Membership.kind == "hire")
    return (select(Certificate.id).join(HireTraining, HireTraining.id == Certificate.hire_training_id)
            .join(Assignment, Assignment.id == HireTraining.assignment_id)
            .where(Assignment.organisation_id.in_(managed_organisation_ids(viewer)), Certificate.user_id.in_(hires)))


def certificate_or_404(certificate_id: int, viewer: User, own: bool = True) -> Certificate:
    """A certificate `viewer` may see: their own (when `own`), or required training they manage; else 404.

    A course-completion certificate is its holder's alone: employers see only the training they required.
    """
    visible = Certificate.id.in_(managed_certificate_ids(viewer))
    if own:
        visible = visible | (Certificate.user_id == viewer.id)
    return db.session.scalar(select(Certificate).where(Certificate.id == certificate_id, visible)) or abort(404)
