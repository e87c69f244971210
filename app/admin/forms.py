"""Admin forms."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import AnyOf, DataRequired

from app.models import ROLES


class RoleForm(FlaskForm):
    """A new role for an account (the page offers the roles as a select list)."""

    role = StringField("Role", validators=[DataRequired(), AnyOf(ROLES)])
    choices = [(role, role.capitalize()) for role in ROLES]
