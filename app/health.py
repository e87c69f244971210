"""Operational endpoints and static-file caching."""

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Flask, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.permissions import public

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@public
def healthz():
    """200 when the app can reach its database, 503 when it cannot (for load balancers and monitors)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database=False), 503
    return jsonify(status="ok", database=True)


def version_static_urls(app: Flask) -> None:
    """Add a content hash to every static URL, so browsers may cache the files for a year."""
    folder = Path(app.static_folder)

    @lru_cache(maxsize=256)
    def fingerprint(filename: str) -> str:
        path = folder / filename
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else ""

    @app.url_defaults
    def add_version(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            values["v"] = fingerprint(values["filename"])
