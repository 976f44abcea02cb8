"""What the KPI report is made of: its filter and its rows, as plain frozen dataclasses.

They hold numbers only and know nothing of the database, so that pages, charts and exports can be
built and tested on them alone. ``queries`` fills them (DESIGN.md §5).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from move_events.events.models import EventCategory

TABLE_A_COLUMNS = ("preparatory_events", "c2c_events", "c2c_meetings", "b2b_events", "b2b_meetings")
STAKEHOLDER_COLUMNS = ("eu_clusters", "eu_smes", "third_country_clusters", "third_country_smes", "other")
NO_TARGET_LABEL = "No target country"
TOTAL_LABEL = "Total"


@dataclass(frozen=True, kw_only=True)
class ReportFilter:
    """Which events the report covers; ``None`` leaves a criterion open."""

    date_from: date | None = None
    date_to: date | None = None
    partner_cluster_id: int | None = None
    target_country: str | None = None

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_to < self.date_from:
            raise ValueError("date_to is before date_from")
        object.__setattr__(self, "target_country", (self.target_country or "").upper() or None)


@dataclass(frozen=True, kw_only=True)
class TableARow:
    """Events and meetings of one target country (``country`` None: events without one)."""

    country: str | None
    label: str
    is_total: bool = False
    preparatory_events: int = 0
    c2c_events: int = 0
    c2c_meetings: int = 0
    b2b_events: int = 0
    b2b_meetings: int = 0


@dataclass(frozen=True, kw_only=True)
class TableBRow:
    """Distinct organisations involved in one target country's events, by EU status and kind."""

    country: str | None
    label: str
    is_total: bool = False
    eu_clusters: int = 0
    eu_smes: int = 0
    third_country_clusters: int = 0  # clusters and intermediary organisations
    third_country_smes: int = 0  # SMEs and businesses (large companies too)
    other: int = 0

    @property
    def total(self) -> int:
        return sum(getattr(self, name) for name in STAKEHOLDER_COLUMNS)


@dataclass(frozen=True, kw_only=True)
class EventAttendance:
    """Turnout of one event that has taken place."""

    event_id: int
    title: str
    category: EventCategory
    target_country: str | None
    starts_at: datetime
    confirmed: int
    attended: int
    completed_meetings: int
    no_show_meetings: int

    @property
    def attendance_rate(self) -> float | None:
        """Attended / confirmed registrations; None when nobody was confirmed."""
        return self.attended / self.confirmed if self.confirmed else None

    @property
    def no_show_rate(self) -> float | None:
        """No-show / (completed + no-show) meetings; None when no meeting reached its slot."""
        held = self.completed_meetings + self.no_show_meetings
        return self.no_show_meetings / held if held else None


@dataclass(frozen=True, kw_only=True)
class MeetingOutcomes:
    """What came of the completed meetings of the events that have taken place."""

    completed: int
    cooperation_possible: int  # either side rated it "cooperation possible"
    negotiation_started: int
    agreement_reached: int
