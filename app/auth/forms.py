"""Forms for registering and signing in."""

from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from app.forms import Form
from app.services.passwords import MAX_LENGTH as PASSWORD_MAX
from app.services.passwords import MIN_LENGTH as PASSWORD_MIN
from app.services.passwords import password_problem


class StrongPassword:
    """A validator applying the password rules, with the form's name and e-mail as personal words."""

    def __call__(self, form, field) -> None:
        personal = [getattr(form, name).data for name in ("display_name", "email") if hasattr(form, name)]
        problem = password_problem(field.data or "", *[p or "" for p in personal])
        if problem:
            raise ValidationError(problem)


def new_password_field(label: str = "Password") -> PasswordField:
    """A field for choosing a password, with the rules and a hint."""
    return PasswordField(label, validators=[DataRequired(), StrongPassword()],
                         description=f"At least {PASSWORD_MIN} characters. A few unrelated words make a strong password.")


class RegisterForm(Form):
    """A new learner's account."""

    display_name = StringField("Your name", validators=[DataRequired(), Length(max=80)])
    email = EmailField("E-mail address", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    password = new_password_field()
    confirm = PasswordField("Repeat the password", validators=[DataRequired(), EqualTo("password", "The passwords do not match.")])
    next = HiddenField()


class LoginForm(Form):
    """E-mail and password."""

    email = EmailField("E-mail address", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    next = HiddenField()


class LogoutForm(Form):
    """Signing out is a POST, so another site cannot sign a learner out with a link."""


class ResetRequestForm(Form):
    """The e-mail address to send a reset link to."""

    email = EmailField("E-mail address", validators=[DataRequired(), Length(max=254)])


class NewPasswordForm(Form):
    """A new password, twice."""

    password = new_password_field("New password")
    confirm = PasswordField("Repeat the new password", validators=[DataRequired(), EqualTo("password", "The passwords do not match.")])


class ChangePasswordForm(Form):
    """The current password, then a new one twice."""

    current = PasswordField("Current password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    password = new_password_field("New password")
    confirm = PasswordField("Repeat the new password", validators=[DataRequired(), EqualTo("password", "The passwords do not match.")])
