"""Count the SQL statements a block of code sends, to hold pages to a query budget.

    with count_queries() as queries:
        client.get(url)
    assert queries.count <= 12, queries.report()

Counts SQLAlchemy's ``before_cursor_execute`` events on ``db.engine`` (every statement, the ORM's
lazy loads included; an ``executemany`` counts once). SAVEPOINT/RELEASE and the dialect's own
bookkeeping go through the same hook and are counted too: the budget is for what a page costs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.engine import Engine

from move_events.extensions import db


@dataclass
class QueryLog:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def report(self) -> str:
        """The statements, numbered and shortened: the assertion message when a budget is broken."""
        lines = [f"{self.count} statements:"]
        lines += [f"{n:3}. {_short(statement)}" for n, statement in enumerate(self.statements, 1)]
        return "\n".join(lines)


def _short(statement: str) -> str:
    """One line; a SELECT's column list left out (what it reads from is what tells statements apart)."""
    text = " ".join(statement.split())
    head, sep, rest = text.partition(" FROM ")
    if head.startswith("SELECT ") and sep and len(head) > 60:
        text = f"{head[:60]} … FROM {rest}"
    return text[:240]


@contextmanager
def count_queries(engine: Engine | None = None) -> Iterator[QueryLog]:
    """Log every statement sent through ``engine`` (the app's, by default) inside the block."""
    engine = engine or db.engine
    log = QueryLog()

    def record(conn, cursor, statement, parameters, context, executemany):
        log.statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", record)
