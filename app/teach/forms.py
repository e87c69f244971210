"""Instructor forms."""

from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.forms import Form
from app.services import structure
from app.services.cohort_exceptions import MAX_GRANT


class CohortForm(Form):
    """A new cohort."""

    name = StringField("Cohort name", validators=[DataRequired(), Length(max=120)],
                       description="For example: Evening class, spring term.")
    starts_on = DateField("Start date (optional)", validators=[Optional()])
    ends_on = DateField("End date (optional)", validators=[Optional()],
                        description="After this date the join code stops working.")

    def validate_ends_on(self, field) -> None:
        """The cohort cannot end before it starts."""
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError("The end date must be on or after the start date.")


class GrantForm(Form):
    """Extra attempts at one quiz for one learner."""

    grant_quiz = SelectField("Quiz with an attempt limit", coerce=int, validate_choice=True)
    extra = IntegerField("Extra attempts", default=1, validators=[InputRequired(message="Enter how many attempts to add."),
                                                                 NumberRange(min=1, max=MAX_GRANT)],
                         description=f"From 1 to {MAX_GRANT}. Added to the quiz's limit for this learner while they are in the cohort.")


class ExcuseForm(Form):
    """Excuse one learner from one quiz."""

    excuse_quiz = SelectField("Quiz to excuse", coerce=int, validate_choice=True,
                       description="The gradebook shows “Excused” instead of a missing result. It does not pass the quiz "
                                   "or complete any training.")


class DueDateForm(Form):
    """A due date for one quiz, for the whole cohort."""

    due_quiz = SelectField("Quiz", coerce=int, validate_choice=True)
    due_on = DateField("Due date", validators=[InputRequired(message="Enter a date, for example 2027-01-12.")],
                       description="Today or later. Setting a date for a quiz that has one moves it.")


def due_form(form: DueDateForm | None = None) -> DueDateForm:
    """The due date form, offering every graded quiz in course order."""
    form = form or DueDateForm(formdata=None)
    form.due_quiz.choices = [(quiz.id, quiz.title) for quiz in structure.graded_quizzes(structure.current())]
    return form
