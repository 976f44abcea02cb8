"""URL converters and request guards."""

from flask import abort, request
from werkzeug.routing import IntegerConverter


class BoundedIntConverter(IntegerConverter):
    """``<int:id>`` limited to what the ids' INTEGER columns hold (PostgreSQL: 32 bits): a larger number is
    a 404, not a "value out of int32 range" error (a 500) from the database."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def refuse_nul_bytes() -> None:
    """A NUL character is never meaningful input, and PostgreSQL refuses it in text (a 500): a 400."""
    for values in (request.args, request.form):
        if any("\x00" in value for value in values.values() if isinstance(value, str)):
            abort(400)
        if any("\x00" in key for key in values):
            abort(400)
