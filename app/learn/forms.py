"""Learner forms; they carry the CSRF token, the answers are read by the question types."""

from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """A button that changes something: mark a lesson complete, start a quiz."""


class AnswerForm(FlaskForm):
    """A quiz attempt being handed in; each question type parses its own fields."""
