"""Forms for registering and signing in."""

from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

PASSWORD_MIN = 12
PASSWORD_MAX = 128


class RegisterForm(FlaskForm):
    """A new learner's account."""

    display_name = StringField("Your name", validators=[DataRequired(), Length(max=80)])
    email = EmailField("E-mail address", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(min=PASSWORD_MIN, max=PASSWORD_MAX,
                                           message=f"Use {PASSWORD_MIN} to {PASSWORD_MAX} characters.")],
        description=f"At least {PASSWORD_MIN} characters. A few unrelated words make a strong password.",
    )
    confirm = PasswordField("Repeat the password", validators=[DataRequired(), EqualTo("password", "The passwords do not match.")])


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField("E-mail address", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=PASSWORD_MAX)])
    next = HiddenField()


class LogoutForm(FlaskForm):
    """Signing out is a POST, so another site cannot sign a learner out with a link."""


class ResetRequestForm(FlaskForm):
    """The e-mail address to send a reset link to."""

    email = EmailField("E-mail address", validators=[DataRequired(), Length(max=254)])


class NewPasswordForm(FlaskForm):
    """A new password, twice."""

    password = PasswordField("New password", validators=[DataRequired(), Length(min=PASSWORD_MIN, max=PASSWORD_MAX,
                                                                                message=f"Use {PASSWORD_MIN} to {PASSWORD_MAX} characters.")])
    confirm = PasswordField("Repeat the new password", validators=[DataRequired(), EqualTo("password", "The passwords do not match.")])
