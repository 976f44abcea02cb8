"""Template filters and globals: dates in an event's time zone, country names, enum labels."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel import Locale
from flask import Flask, current_app, request, url_for
from flask_babel import format_date, format_datetime, format_time, get_locale

from move_events.auth.decorators import user_has_role
from move_events.auth.models import Role
from move_events.countries import country_name
from move_events.labels import label


def local_datetime(value: datetime | None, tz: str = "UTC", fmt: str = "medium") -> str:
    """Format an aware datetime in the time zone ``tz`` (an event's), in the user's locale."""
    if value is None:
        return ""
    return format_datetime(value.astimezone(ZoneInfo(tz)), fmt, rebase=False)


def local_range(start: datetime | None, end: datetime | None, tz: str = "UTC") -> str:
    """An event's time span in its own time zone: "Jan 4, 2027, 9:00 AM – 5:30 PM" on one day,
    "Jan 4, 2027, 9:00 AM – Jan 5, 2027, 1:00 PM" across days."""
    if start is None or end is None:
        return ""
    zone = ZoneInfo(tz)
    start, end = start.astimezone(zone), end.astimezone(zone)
    first = f"{format_date(start, 'medium', rebase=False)}, {format_time(start, 'short', rebase=False)}"
    if start.date() == end.date():
        return f"{first} – {format_time(end, 'short', rebase=False)}"
    return f"{first} – {format_date(end, 'medium', rebase=False)}, {format_time(end, 'short', rebase=False)}"


def language_choices() -> list[tuple[str, str]]:
    """The interface languages, each named in itself (a French speaker looks for "Français")."""
    return [
        (code, Locale.parse(code).get_display_name(code).capitalize())
        for code in current_app.config["LANGUAGES"]
    ]


def page_url(number: int) -> str:
    """The current list at page ``number``: same endpoint and path arguments (an event's id, a personal
    link's token), same query (search and filters, repeated keys too); only the page changes. The query
    is appended as is rather than passed to ``url_for``, where a key such as ``_external`` would mean
    something else."""
    query = [(key, value) for key, value in request.args.items(multi=True) if key != "page"]
    if number > 1:
        query.append(("page", str(number)))
    path = url_for(request.endpoint, **(request.view_args or {}))
    return f"{path}?{urlencode(query)}" if query else path


def init_templating(app: Flask) -> None:
    app.add_template_filter(local_datetime, "local_datetime")
    app.add_template_global(local_range, "local_range")
    app.add_template_filter(country_name, "country_name")
    app.add_template_filter(label, "label")
    app.add_template_global(user_has_role, "user_has_role")
    app.add_template_global(Role, "Role")
    app.add_template_global(language_choices, "language_choices")
    app.add_template_global(get_locale, "get_locale")
    app.add_template_global(page_url, "page_url")
