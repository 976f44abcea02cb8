"""URL converters."""

from werkzeug.routing import IntegerConverter


class BoundedIntConverter(IntegerConverter):
    """``<int:id>`` limited to what a database integer holds: a larger number is a 404, not an
    OverflowError (a 500) from the database driver."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)
