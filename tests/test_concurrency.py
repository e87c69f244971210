"""2,000 quiz submissions, each sent twice, from 4 processes with 4 threads each, against a real gunicorn server."""

from tests.conftest import sqlite_only
from tests.stress import run


@sqlite_only
def test_concurrent_double_submissions_lose_nothing_and_duplicate_nothing(template_db):
    report = run(template_db, submissions=2000, processes=4)
    print(f"concurrency: {report}")
    assert report["requests"] == 4000
    assert set(report["statuses"]) == {302}, report["statuses"]
    assert report["lost"] == 0 and report["duplicates"] == 0
    assert report["locked_errors"] == 0 and report["server_errors"] == 0
    assert report["attempts_in_progress"] == 2000
    assert report["review_items"] == report["review_items_expected"]
