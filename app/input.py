"""Guards against hostile input: ids too large for the database, non-ASCII digits, NUL characters.

Each turns input that would otherwise reach the database or the file system and fail there (a 500) into
a clear 4xx answer that changes nothing.
"""

from flask import Flask, request
from sqlalchemy.exc import DataError
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

# The largest id any table can hold on every supported database (PostgreSQL INTEGER; SQLite allows 2^63 - 1).
MAX_ID = 2**31 - 1


class InputError(BadRequest):
    """A 400 whose description is shown to the user as it is."""


class IdConverter(IntegerConverter):
    """`<int:...>` in routes: ASCII digits only and at most MAX_ID, so a larger id is simply not found (404)."""

    regex = r"[0-9]+"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_ID if max is None else max, signed=signed)


def ascii_int(text: str | None, maximum: int = MAX_ID) -> int | None:
    """The number written in ASCII digits (0 to `maximum`), or None: "²" passes str.isdigit() but not int()."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > len(str(maximum)):
        return None
    value = int(text)
    return value if value <= maximum else None


def refuse_nul() -> None:
    """Refuse a NUL character anywhere in the path, the query or the form (PostgreSQL cannot store or compare it)."""
    values = [request.path, *request.args.keys(), *request.args.values()]
    if request.method not in ("GET", "HEAD", "OPTIONS") and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values += [*request.form.keys(), *request.form.values()]
    if any("\x00" in value for value in values):
        raise InputError("The address or the form contains a NUL character, which this site does not accept.")


def _out_of_range(error: Exception) -> bool:
    return isinstance(error, OverflowError) or type(getattr(error, "orig", None)).__name__ == "NumericValueOutOfRange"


def register_input_guards(app: Flask) -> None:
    """The bounded `int` route converter, the NUL check before each request, and a 400 for numbers out of range."""
    from app.errors import page
    from app.extensions import db

    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_nul)

    @app.errorhandler(InputError)
    def input_error(error: InputError):
        """Bad input, with a message that says what was wrong."""
        return page(400, error.description)

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def number_out_of_range(error: Exception):
        """A number too large for the database (e.g. a form or query id): a 400, not a crash."""
        db.session.rollback()
        if not _out_of_range(error):
            app.logger.exception("Database refused a value")
            return page(500)
        return page(400, "A number in the request is out of range.")
