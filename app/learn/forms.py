"""Learner forms; they carry the CSRF token, the answers are read by the question types."""

from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.forms import Form


class AnswerForm(Form):
    """A quiz attempt being handed in; each question type parses its own fields."""


class JoinForm(Form):
    """A cohort join code, as the instructor shared it."""

    code = StringField("Join code", validators=[DataRequired(), Length(max=20)], description="For example K7QX-M3TP.")
