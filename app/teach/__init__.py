"""Instructor blueprint: cohorts, the gradebook, learner drill-down, item analysis and exports."""

from flask import Blueprint

bp = Blueprint("teach", __name__, url_prefix="/teach")

from app.teach import analysis, due, learners, routes  # noqa: E402,F401  (routes attach themselves to bp)
