"""Learner forms; they carry the CSRF token, the answers are read by the question types."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class AnswerForm(FlaskForm):
    """A quiz attempt being handed in; each question type parses its own fields."""


class JoinForm(FlaskForm):
    """A cohort join code, as the instructor shared it."""

    code = StringField("Join code", validators=[DataRequired(), Length(max=20)], description="For example K7QX-M3TP.")
