"""Instructor forms."""

from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.forms import Form


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
