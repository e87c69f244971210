"""Forms shared by several blueprints."""

from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """A button that changes something (confirm, mark complete, start): it carries only the CSRF token."""
