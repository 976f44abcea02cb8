"""The event as an iCalendar file (.ics), attached to confirmations so it lands in people's calendars."""

from __future__ import annotations

from flask import url_for
from icalendar import Calendar
from icalendar import Event as VEvent

from move_events.countries import country_name
from move_events.db_types import utcnow
from move_events.events.models import Event, EventFormat
from move_events.outbox.services import email_url_context


def event_ics(event: Event) -> bytes:
    """The event's .ics; its link is on ``BASE_URL`` (never the address of the request that made it)."""
    calendar = Calendar()
    calendar.add("prodid", "-//MOVE Events//move-events//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    entry = VEvent()
    entry.add("uid", f"event-{event.id}@move-events")
    entry.add("dtstamp", utcnow())
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", event.title)
    if event.format != EventFormat.ONLINE:
        place = [event.venue, event.city, country_name(event.country, "en") if event.country else ""]
        entry.add("location", ", ".join(part for part in place if part))
    with email_url_context():
        url = url_for("events.public_detail", slug=event.slug, _external=True)
    entry.add("url", url)
    entry.add("description", f"{event.description}\n\n{url}".strip())
    calendar.add_component(entry)
    return calendar.to_ical()
