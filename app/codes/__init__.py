"""The code browser: the ICD-10-CM chapters, a page per entry, and search; open to everyone."""

from flask import Blueprint

bp = Blueprint("codes", __name__, url_prefix="/codes")

from app.codes import routes  # noqa: E402,F401  (routes attach themselves to bp)
