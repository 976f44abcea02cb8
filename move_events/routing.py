"""URL converters and request guards."""

from flask import abort, request
from werkzeug.routing import IntegerConverter

from move_events.api.errors import API_PATH_PREFIX


class BoundedIntConverter(IntegerConverter):
    """``<int:id>`` limited to what the ids' INTEGER columns hold (PostgreSQL: 32 bits): a larger number is
    a 404, not a "value out of int32 range" error (a 500) from the database."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def refuse_unusable_text() -> None:
    """Text no view can use is a 400, before any view sees it: a NUL character (never meaningful, and
    PostgreSQL refuses it in text: a 500) in the path, the query, a form or a JSON body, and an unpaired
    surrogate in a JSON body (a ``\\ud800`` escape: no database can encode it as UTF-8). Paths, queries
    and forms cannot hold surrogates: Werkzeug decodes them with replacement characters.

    JSON sent to the API (``/api/``) is left to the API's schemas, which name the field (a 422).
    """
    if "\x00" in request.path:
        abort(400)
    for values in (request.args, request.form):
        if any(not _usable(key) or not _usable(value) for key, value in values.items(multi=True)):
            abort(400)
    if request.is_json and not request.path.startswith(API_PATH_PREFIX):
        body = request.get_json(silent=True)  # invalid JSON is the view's to refuse, as before
        if body is not None and not _usable_json(body):
            abort(400)


def _usable(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # an unpaired surrogate
        return False
    return True


def _usable_json(body: object) -> bool:
    """Every key and string in ``body``, however deeply nested, is usable text (no recursion: a deep
    document cannot exhaust the stack)."""
    pending = [body]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            if not all(_usable(key) for key in item):
                return False
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif not _usable(item):
            return False
    return True
