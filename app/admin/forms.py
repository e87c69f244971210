"""Admin forms."""

from wtforms import EmailField, HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Email, Length

from app.forms import ConfirmForm, Form
from app.models import ROLES

ROLE_CHOICES = [(role, role.capitalize()) for role in ROLES]


class RoleForm(Form):
    """A new role for an account (the page offers the roles as a select list)."""

    role = StringField("Role", validators=[DataRequired(), AnyOf(ROLES)])
    choices = ROLE_CHOICES


class DemoteForm(ConfirmForm):
    """The confirmation of an admin giving up their own admin role: carries the role they chose."""

    role = HiddenField(validators=[DataRequired(), AnyOf([role for role in ROLES if role != "admin"])])


class CreateUserForm(Form):
    """A new account made by an admin; its owner chooses the password through the e-mailed link."""

    display_name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    # The address is checked as sign-up checks it, then normalised by the account service.
    email = EmailField("E-mail address", filters=[lambda text: text.strip() if isinstance(text, str) else text],
                       validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    role = SelectField("Role", choices=[SelectChoice(value, text) for value, text in ROLE_CHOICES], default="student")
