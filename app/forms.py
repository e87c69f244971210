"""Forms shared by several blueprints, and the base every form of the app uses."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import ValidationError

from app.plain_text import SINGLE_LINE_MESSAGE, has_control_characters


def no_nul(form, field) -> None:
    """Refuse NUL characters: no text needs them, and PostgreSQL cannot store them."""
    if isinstance(field.data, str) and "\x00" in field.data:
        raise ValidationError("Remove the invisible control character from this field.")


def single_line(form, field) -> None:
    """Refuse line breaks and other control characters in a one-line field (they would end up in e-mail headers)."""
    if isinstance(field.data, str) and has_control_characters(field.data):
        raise ValidationError(SINGLE_LINE_MESSAGE)


class Form(FlaskForm):
    """A FlaskForm whose visible text fields all refuse NUL, and whose one-line fields refuse every control character."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            # Hidden fields are not shown, so an error there would be invisible; their views check them.
            kind = unbound_field.field_class
            if issubclass(kind, StringField) and not issubclass(kind, HiddenField):
                # Text areas may hold line breaks, and a tab in a password harms no one: those keep only the NUL rule.
                one_line = not issubclass(kind, (TextAreaField, PasswordField))
                options["validators"] = [*(unbound_field.kwargs.get("validators") or []), single_line if one_line else no_nul]
            return unbound_field.bind(form=form, **options)


class ConfirmForm(Form):
    """A button that changes something (confirm, mark complete, start): it carries only the CSRF token."""
