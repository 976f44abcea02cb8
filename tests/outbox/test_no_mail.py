"""outbox.no_mail(): bulk work (the demo's past events) registers people without mailing them."""

from sqlalchemy import func, select

from move_events.extensions import db as _db
from move_events.outbox.models import OutboxMessage
from move_events.outbox.services import mail_suppressed, no_mail
from tests.factories import make_event, register


def _queued() -> int:
    return _db.session.scalar(select(func.count()).select_from(OutboxMessage))


def test_no_mail_queues_nothing_inside_and_everything_after(app, db):
    event = make_event(published=True)
    with app.test_request_context():
        with no_mail():
            assert mail_suppressed()
            register(event)
        assert not mail_suppressed()
        assert _queued() == 0
        register(event)
    assert _queued() == 1
