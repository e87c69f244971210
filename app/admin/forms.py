"""Admin forms."""

from flask_wtf import FlaskForm
from wtforms import SelectField

from app.models import ROLES


class RoleForm(FlaskForm):
    """A new role for an account."""

    role = SelectField("Role", choices=[(role, role.capitalize()) for role in ROLES])


class ConfirmForm(FlaskForm):
    """A confirmation button."""
