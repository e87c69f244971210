"""Employer forms (lists of modules and audiences are read from the posted form by the services)."""

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    NumberRange,
    Optional,
)

from app.auth.forms import new_password_field
from app.forms import Form


class OrganisationForm(Form):
    """The organisation an employer account manages."""

    name = StringField("Organisation name", validators=[DataRequired(), Length(max=160)])
    time_zone = SelectField("Time zone", description="Where your hires work: a due date ends at midnight there.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from app.services.local_time import zone_names

        self.time_zone.choices = list(zone_names())


class InviteForm(Form):
    """One new hire."""

    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    email = EmailField("E-mail address", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    job_role = StringField("Job role", validators=[Optional(), Length(max=80)], description="For example: coder, biller, front desk.")
    hire_date = DateField("Hire date", validators=[Optional()])


class UploadForm(Form):
    """A CSV of new hires."""

    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to upload.")],
                     description="Columns: name,email,job_role,hire_date (YYYY-MM-DD). Good rows are invited; bad rows are listed by line.")


class AssignmentForm(Form):
    """Required training; its modules, audience and kind of due date come as plain form fields."""

    title = StringField("Training name", validators=[DataRequired(), Length(max=160)], description="For example: Annual HIPAA training.")
    job_role = StringField("Job role", validators=[Optional(), Length(max=80)])
    due_date = DateField("Fixed due date", validators=[Optional()])
    due_days = IntegerField("Days after the hire date", validators=[Optional(), NumberRange(min=0, max=3650)])
    yearly = BooleanField("Repeat every year (a new cycle starts when the certificate expires)")


class AssignmentChangeForm(Form):
    """What an assignment requires and when; its modules and kind of due date come as plain form fields."""

    title = StringField("Training name", validators=[DataRequired(), Length(max=160)])
    due_date = DateField("Fixed due date", validators=[Optional()])
    due_days = IntegerField("Days after the hire date", validators=[Optional(), NumberRange(min=0, max=3650)])
    yearly = BooleanField("Repeat every year (a new cycle starts when the certificate expires)")


class PolicyForm(Form):
    """The organisation's confidentiality policy text."""

    text = TextAreaField("Confidentiality policy", validators=[DataRequired(), Length(max=20000)])


class RevokeForm(Form):
    """Why a certificate is revoked."""

    reason = TextAreaField("Reason", validators=[DataRequired(), Length(max=500)])


class EvidenceForm(Form):
    """The dates an evidence pack covers."""

    class Meta:
        csrf = False  # a GET download that changes nothing

    start = DateField("From", validators=[Optional()])
    end = DateField("To", validators=[Optional()])


class AcceptForm(Form):
    """A new account created from an invitation."""

    display_name = StringField("Your name", validators=[DataRequired(), Length(max=80)])
    password = new_password_field()
    confirm = PasswordField("Repeat the password", validators=[DataRequired(), EqualTo("password", "The passwords do not match.")])


class AttestForm(Form):
    """A hire's acknowledgement of the policy."""

    agree = BooleanField("I have read this policy and I will follow it.", validators=[DataRequired("Tick the box to acknowledge the policy.")])
