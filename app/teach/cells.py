"""The gradebook's rows as markup: a page holds hundreds of cells, and a Jinja loop per cell was half the page's time."""

from collections.abc import Iterable

from flask import url_for
from markupsafe import Markup, escape

from app.services.gradebook import Gradebook, Row
from app.services.structure import QuizInfo

PASSED = ' <span class="tick" aria-label="passed">✓</span>'


def quiz_cells(row: Row, quizzes: Iterable[QuizInfo]) -> Markup:
    """One <td> per quiz: best score, attempts and a tick when passed, "Excused" (with any best score) when the
    learner was excused, or a dash when never submitted."""
    cells = []
    for quiz in quizzes:
        result = row.results.get(quiz.id)
        if quiz.id in row.excused:
            best = f' <span class="meta">{int(result.best)}%</span>' if result else ""
            cells.append(f'<td><span class="excused">Excused</span>{best}</td>')
        elif result is None:
            cells.append("<td>—</td>")
        else:  # only integers and fixed text: nothing to escape
            cells.append(f'<td>{int(result.best)}% <span class="meta">×{int(result.attempts)}</span>'
                         f'{PASSED if result.passed else ""}</td>')
    return Markup("".join(cells))  # nosec B704 - built from integers and constants only


def _address(endpoint: str, cohort_id: int) -> tuple[str, str]:
    """The learner address of `endpoint` split around the user id, built once for the whole page."""
    marker = 987654321987
    before, _, after = url_for(endpoint, cohort_id=cohort_id, user_id=marker).partition(str(marker))
    return before, after


def learner_rows(rows: Iterable[Row], book: Gradebook) -> Markup:
    """One <tr> per learner: name (linked to their page), lessons, course completion, last activity, quiz cells, remove link."""
    page_before, page_after = _address("teach.learner_page", book.cohort.id)
    remove_before, remove_after = _address("teach.remove_learner", book.cohort.id)
    lines = []
    for row in rows:
        user_id = int(row.user.id)
        active = row.last_activity.strftime("%d %b %Y") if row.last_activity else "never"
        lines.append(
            f'<tr><th scope="row" class="pinned"><a href="{page_before}{user_id}{page_after}">{escape(row.user.display_name)}</a></th>'
            f"<td>{int(row.lessons_done)} / {int(book.lessons_total)}</td><td>{int(row.completion)}%</td><td>{active}</td>"
            f'{quiz_cells(row, book.quizzes)}<td><a href="{remove_before}{user_id}{remove_after}">Remove…</a></td></tr>')
    return Markup("\n".join(lines))  # nosec B704 - the name is escaped; the rest is integers, dates and constants
