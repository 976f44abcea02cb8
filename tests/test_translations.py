"""The catalogues: every participant-facing string in every language of the partnership, organiser pages
at least in French, placeholders intact, and the template up to date with the code (docs/translations.md).

A string is participant-facing when it is used in one of PARTICIPANT_SOURCES (pages, e-mails and documents
that participants see). It must be translated (non-empty, not fuzzy) in every catalogue.
"""

from __future__ import annotations

from fnmatch import fnmatch
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
LANGUAGES = ("fr", "es", "pt", "bg", "it")
FULLY_TRANSLATED = ("fr",)  # organiser pages too
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "_nl": (1, 2), "lazy_ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "lazy_pgettext": ((1, "c"), 2)}  # fmt: skip
PARTICIPANT_SOURCES = (
    "templates/layout/*", "templates/errors/*", "templates/_macros/events.html",
    "templates/events/event_public_*", "templates/registration/registration_*",
    "templates/registration/_fields.html", "templates/meetings/participant_*",
    "templates/meetings/agenda_page.html", "templates/meetings/agenda_unavailable.html",
    "templates/meetings/_agenda_row.html", "templates/meetings/outcome_form.html",
    "templates/badges/badge_unavailable.html", "templates/email/*", "templates/pdf/badges.html",
    "templates/pdf/agenda.html",
    "move_events/labels.py", "move_events/templating.py", "move_events/events/views.py",
    "move_events/registration/forms.py", "move_events/registration/services.py",
    "move_events/registration/views.py", "move_events/registration/notifications.py",
    "move_events/registration/links.py", "move_events/badges/views.py",
    "move_events/meetings/request_forms.py", "move_events/meetings/requests.py",
    "move_events/meetings/request_mails.py", "move_events/meetings/schedule_mails.py",
    "move_events/meetings/marketplace.py",
    "move_events/meetings/participant_pages.py", "move_events/meetings/participant_views.py",
    "move_events/meetings/outcome_forms.py", "move_events/meetings/outcomes.py",
    "move_events/meetings/outcome_views.py", "move_events/meetings/booking.py",
    "move_events/meetings/agendas.py", "move_events/meetings/agenda_views.py",
)  # fmt: skip


def _scanned(path: str) -> bool:
    """Like `make translations` (--ignore-dirs): templates/_macros counts, caches do not."""
    name = Path(path).name
    return not name.startswith(".") and name != "__pycache__"


Key = tuple[str, str | None]  # (msgid, message context): "Cancelled" of an event is not of a meeting


@cache
def extracted() -> dict[Key, set[str]]:
    """(msgid, context) -> the files using it, extracted from the code as it is now (like
    `make translations`)."""
    found: dict[Key, set[str]] = {}
    method_map = [("**.py", "python"), ("**.html", "jinja2"), ("**.txt", "jinja2")]
    for folder in ("move_events", "templates"):
        for filename, _lineno, message, _comments, context in extract_from_dir(
            ROOT / folder, method_map, keywords=KEYWORDS, directory_filter=_scanned
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found.setdefault((msgid, context), set()).add(f"{folder}/{filename}")
    return found


def participant_msgids() -> set[Key]:
    return {
        msgid
        for msgid, files in extracted().items()
        if any(fnmatch(name, pattern) for name in files for pattern in PARTICIPANT_SOURCES)
    }


@cache
def catalogue(language: str) -> Catalog:
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as file:
        return read_po(file, locale=language)


def untranslated(language: str, msgids: set[Key]) -> list[Key]:
    found = catalogue(language)
    missing = []
    for msgid, context in sorted(msgids, key=lambda key: (key[0], key[1] or "")):
        message = found.get(msgid, context=context)
        strings = message.string if message is not None else ""
        values = strings if isinstance(strings, tuple) else (strings,)
        if message is None or message.fuzzy or not all(values):
            missing.append((msgid, context))
    return missing


def test_participant_sources_exist():
    """A renamed template must not silently drop out of the check."""
    for pattern in PARTICIPANT_SOURCES:
        assert list(ROOT.glob(pattern)), pattern


def test_the_template_holds_every_string_of_the_code():
    with open(TRANSLATIONS / "messages.pot", "rb") as file:
        template = {
            (message.id if isinstance(message.id, str) else message.id[0], message.context)
            for message in read_po(file)
        }
    missing = sorted(set(extracted()) - template)
    assert not missing, f"run `make translations`: {len(missing)} new strings, e.g. {missing[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_participant_string_is_translated(language):
    missing = untranslated(language, participant_msgids())
    assert not missing, f"{language}: {len(missing)} participant strings untranslated, e.g. {missing[:5]}"


@pytest.mark.parametrize("language", FULLY_TRANSLATED)
def test_organiser_pages_are_translated_too(language):
    missing = untranslated(language, set(extracted()))
    assert not missing, f"{language}: {len(missing)} strings untranslated, e.g. {missing[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_their_placeholders(language):
    problems = [
        (message.id, [str(error) for error in errors]) for message, errors in catalogue(language).check()
    ]
    assert not problems, problems[:5]
