"""Admin blueprint: accounts and roles."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from app.admin import audit_views, routes  # noqa: E402,F401  (routes attach themselves to bp)
