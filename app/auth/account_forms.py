"""Forms of the account page: the name, the e-mail address, and closing the account."""

from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length

from app.forms import Form
from app.services.passwords import MAX_LENGTH as PASSWORD_MAX


def password_field(label: str = "Your password") -> PasswordField:
    """The current password, proving the person at the keyboard owns the account."""
    return PasswordField(label, validators=[DataRequired(), Length(max=PASSWORD_MAX)])


class NameForm(Form):
    """The display name, validated as at registration."""

    display_name = StringField("Your name", validators=[DataRequired(), Length(max=80)],
                               description="Shown to your instructor and on your certificates.")


class EmailChangeForm(Form):
    """A new address; the password is asked again because the address is how the account is recovered."""

    email = EmailField("New e-mail address", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    password = password_field()


class CloseForm(Form):
    """Closing the account is confirmed with the password."""

    password = password_field()
