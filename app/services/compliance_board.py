"""The compliance dashboard read from the training-cycle rows in SQL: statuses, counts, filters and one page of hires."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import Assignment, HireTraining, Membership, User
from app.pagination import page_count
from app.services.compliance import EXPIRING_DAYS, Cell, HireRow, Person, Placement, TrainingFacts

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    """What the manager narrowed the matrix to ("" or None: any)."""

    status: str = ""
    job_role: str = ""
    assignment_id: int | None = None


@dataclass
class BoardPage:
    """One page of the matrix, with what the page's summary and filters need."""

    assignments: list[Assignment]
    rows: list[HireRow]
    matching: int  # hires matching the filters, on every page
    hires: int  # current hires of the organisation
    counts: Counter
    job_roles: list[str]
    number: int  # the page shown


def status_column(today: date):
    """A cycle's status on the organisation's day, as SQL: the same rules as compliance.status_of."""
    done, expires = HireTraining.completed_at.is_not(None), HireTraining.expires_on
    return case(
        (and_(done, expires.is_not(None), expires < today), "Expired"),
        (and_(done, expires.is_not(None), expires <= today + timedelta(days=EXPIRING_DAYS)), "Expiring"),
        (done, "Completed"),
        (HireTraining.due_on < today, "Overdue"),
        (HireTraining.policy_pending, "Policy to acknowledge"),
        (HireTraining.started_at.is_not(None), "In progress"),
        else_="Assigned",
    )


def _current_hires(organisation_id: int):
    return (Membership.organisation_id == organisation_id, Membership.kind == "hire", Membership.removed_at.is_(None))


def _latest_cycles(organisation_id: int, today: date):
    """Each current hire's latest cycle of each of the organisation's assignments, with its status."""
    later = aliased(HireTraining)
    columns = [getattr(HireTraining, name) for name in TrainingFacts.__dataclass_fields__]
    return (select(*columns, status_column(today).label("status"))
            .join(Assignment, Assignment.id == HireTraining.assignment_id)
            .join(Membership, and_(Membership.user_id == HireTraining.user_id, *_current_hires(organisation_id)))
            .where(Assignment.organisation_id == organisation_id, Assignment.ended_at.is_(None),
                   ~exists().where(later.user_id == HireTraining.user_id, later.assignment_id == HireTraining.assignment_id,
                                   later.cycle > HireTraining.cycle))
            .subquery())


def _hires(organisation_id: int, cycles, filters: Filters):
    query = (select(User.id, User.display_name, User.email, Membership.job_role, Membership.hire_date)
             .join(Membership, Membership.user_id == User.id).where(*_current_hires(organisation_id)))
    if filters.job_role:
        query = query.where(Membership.job_role == filters.job_role)
    if filters.status or filters.assignment_id:
        cell = [cycles.c.user_id == User.id]
        if filters.status:
            cell.append(cycles.c.status == filters.status)
        if filters.assignment_id:
            cell.append(cycles.c.assignment_id == filters.assignment_id)
        query = query.where(exists().where(*cell))
    return query


def assignments_of(organisation_id: int) -> list[Assignment]:
    """The organisation's required trainings in force (not ended), the matrix's columns, in the order assigned."""
    return list(db.session.scalars(select(Assignment).where(Assignment.organisation_id == organisation_id,
                                                            Assignment.ended_at.is_(None)).order_by(Assignment.id)))


def hire_rows(organisation_id: int, today: date, filters: Filters, limit: int | None = None, offset: int = 0, cycles=None):
    """The matching hires' rows in name order (a slice of them when `limit` is given), with how many match.

    `cycles` is the latest-cycles subquery for the same organisation and day, when the caller has built it already.
    """
    cycles = _latest_cycles(organisation_id, today) if cycles is None else cycles
    listed = db.session.execute(_hires(organisation_id, cycles, filters).add_columns(func.count().over().label("matching"))
                                .order_by(User.display_name, User.id).limit(limit).offset(offset)).all()
    rows = {person_id: HireRow(Person(person_id, name, email), Placement(role, hired))
            for person_id, name, email, role, hired, _matching in listed}
    if rows:
        # Columns only, read through the connection: the cycles come as TrainingFacts' fields, then the status.
        for *values, status in db.session.connection().execute(select(cycles).where(cycles.c.user_id.in_(rows))):
            facts = TrainingFacts(*values)
            rows[facts.user_id].cells[facts.assignment_id] = Cell(facts, status)
    return list(rows.values()), (listed[0].matching if listed else 0)


def board_page(organisation_id: int, today: date, filters: Filters, number: int, size: int = PAGE_SIZE) -> BoardPage:
    """One page of hires (1-based `number`, clamped to the pages there are) and the whole organisation's counts."""
    cycles = _latest_cycles(organisation_id, today)
    counts = Counter(dict(db.session.execute(select(cycles.c.status, func.count()).group_by(cycles.c.status)).all()))
    hires = db.session.scalar(select(func.count()).select_from(Membership).where(*_current_hires(organisation_id)))
    roles = db.session.scalars(select(Membership.job_role).distinct().where(
        *_current_hires(organisation_id), Membership.job_role.is_not(None), Membership.job_role != "")
        .order_by(Membership.job_role)).all()
    assignments = assignments_of(organisation_id)
    number = max(1, number)
    rows, matching = hire_rows(organisation_id, today, filters, size, (number - 1) * size, cycles)
    if not rows and number > 1:  # past the end (the list shrank, or a hand-edited address): the last page
        matching = hire_rows(organisation_id, today, filters, 1, cycles=cycles)[1]
        number = page_count(matching, size)
        rows, matching = hire_rows(organisation_id, today, filters, size, (number - 1) * size, cycles)
    return BoardPage(assignments, rows, matching, hires, counts, roles, number)
