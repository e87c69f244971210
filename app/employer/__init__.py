"""Employer blueprint: hires, required training, compliance, certificates, policy and evidence."""

from flask import Blueprint

bp = Blueprint("employer", __name__)

from app.employer import hiring, public, routes, training  # noqa: E402,F401  (routes attach themselves to bp)
