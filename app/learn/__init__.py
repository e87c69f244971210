"""Learner blueprint: the dashboard, lessons, quizzes and results."""

from flask import Blueprint

bp = Blueprint("learn", __name__)

from app.learn import cohorts, practice, routes, source  # noqa: E402,F401  (routes attach themselves to bp)
