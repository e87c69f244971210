"""CSV exports that open right in spreadsheets: UTF-8 with a BOM, stable unique headers, no cell read as a formula."""

import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a CSV without a byte order mark in the machine's legacy code page ("Zoë" becomes "ZoÃ«").
BOM = "\ufeff"


def safe_cell(value: Any) -> str:
    """The value as text, with a leading apostrophe when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """A CSV document piece by piece (the BOM and header, then a line per row), every cell made safe: a long export streams."""
    if len(set(header)) != len(header):
        # csv.DictReader keeps only the last of two equal names, so a duplicate would silently lose a column.
        raise ValueError(f"CSV header names repeat: {[name for name in header if header.count(name) > 1]}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for index, row in enumerate(itertools.chain([header], rows)):
        writer.writerow([safe_cell(cell) for cell in row])
        line = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        yield BOM + line if index == 0 else line


def to_csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    """A CSV document of the header and rows, every cell made safe, starting with a UTF-8 BOM."""
    return "".join(csv_lines(header, rows))


def compliance_csv(assignments: list[Any], rows: list[Any]) -> str:
    """The compliance matrix: per hire, each training's title, status, due date, completion date and expiry.

    Columns are named by the assignment's id, which never changes, rather than by its title, which may repeat
    and be edited; the title is a column of its own.
    """
    fields = ("title", "status", "due", "completed on", "valid until")
    header = ["Hire", "E-mail", "Job role", "Hire date"] + [f"Training {a.id}: {name}" for a in assignments for name in fields]
    body = []
    for row in rows:
        line = [row.user.display_name, row.user.email, row.membership.job_role, row.membership.hire_date or ""]
        for assignment in assignments:
            cell = row.cells.get(assignment.id)
            if cell is None:
                line += [assignment.title, "not required", "", "", ""]
                continue
            training = cell.training
            line += [assignment.title, cell.status, training.due_on,
                     training.completed_at.date() if training.completed_at else "", training.expires_on or ""]
        body.append(line)
    return to_csv(header, body)


def gradebook_csv(quizzes: Iterable[Any], rows: Iterable[Any]) -> Iterator[str]:
    """The gradebook, line by line: per learner, lessons, completion, last activity, and each quiz's best score, attempts
    and pass.

    Quiz columns are named by the quiz's slug, the stable identifier of the content files.
    """
    header = ["Learner", "E-mail", "Lessons completed", "Course completion %", "Last activity (UTC)"]
    for quiz in quizzes:
        header += [f"{quiz.slug}: best %", f"{quiz.slug}: attempts", f"{quiz.slug}: passed"]

    def lines() -> Iterator[list[Any]]:
        for row in rows:
            line = [row.user.display_name, row.user.email, row.lessons_done, row.completion,
                    row.last_activity.strftime("%Y-%m-%d %H:%M") if row.last_activity else ""]
            for quiz in quizzes:
                result = row.results.get(quiz.id)
                passed = "yes" if result and result.passed else ("excused" if quiz.id in row.excused else "no")
                line += [result.best, result.attempts, passed] if result else ["", 0, passed]
            yield line

    return csv_lines(header, lines())
