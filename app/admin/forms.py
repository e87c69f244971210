"""Admin forms."""

from wtforms import StringField
from wtforms.validators import AnyOf, DataRequired

from app.forms import Form
from app.models import ROLES


class RoleForm(Form):
    """A new role for an account (the page offers the roles as a select list)."""

    role = StringField("Role", validators=[DataRequired(), AnyOf(ROLES)])
    choices = [(role, role.capitalize()) for role in ROLES]
