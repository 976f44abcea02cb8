"""Countries: ISO 3166 alpha-2 codes, their names in the user's language, and EU membership.

EU membership decides whether an organisation counts as "EU" or "third-country" in the KPI report
(DESIGN.md §5); it lives here and nowhere else.
"""

from __future__ import annotations

from babel import Locale
from flask_babel import get_locale

EU_MEMBER_STATES: frozenset[str] = frozenset(
    {
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
        "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    }
)  # fmt: skip

# Babel's territory list holds regions and pseudo-codes too; these two-letter ones are not countries.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}


def _english() -> Locale:
    return Locale("en")


COUNTRY_CODES: frozenset[str] = frozenset(
    code
    for code in _english().territories
    if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
)


def is_country(code: str | None) -> bool:
    return bool(code) and code.upper() in COUNTRY_CODES


def is_eu(code: str | None) -> bool:
    return bool(code) and code.upper() in EU_MEMBER_STATES


def country_name(code: str | None, locale: str | Locale | None = None) -> str:
    """The country's name in ``locale`` (default: the request's locale), or the code if unknown."""
    if not code:
        return ""
    loc = Locale.parse(locale) if locale is not None else _current_locale()
    return loc.territories.get(code.upper(), code.upper())


def country_choices(locale: str | Locale | None = None) -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name in the user's language, for select fields."""
    loc = Locale.parse(locale) if locale is not None else _current_locale()
    names = loc.territories
    return sorted(((code, names.get(code, code)) for code in COUNTRY_CODES), key=lambda item: item[1])


def _current_locale() -> Locale:
    try:
        return get_locale() or _english()
    except RuntimeError:  # outside a request or app context
        return _english()
