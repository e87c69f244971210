"""Forms shared by several blueprints, and the base every form of the app uses."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import ValidationError


def no_nul(form, field) -> None:
    """Refuse NUL characters: no text needs them, and PostgreSQL cannot store them."""
    if isinstance(field.data, str) and "\x00" in field.data:
        raise ValidationError("Remove the invisible control character from this field.")


class Form(FlaskForm):
    """A FlaskForm whose visible text fields all refuse NUL characters."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            # Hidden fields are not shown, so an error there would be invisible; their views check them.
            if issubclass(unbound_field.field_class, StringField) and not issubclass(unbound_field.field_class, HiddenField):
                options["validators"] = [*(unbound_field.kwargs.get("validators") or []), no_nul]
            return unbound_field.bind(form=form, **options)


class ConfirmForm(Form):
    """A button that changes something (confirm, mark complete, start): it carries only the CSRF token."""
