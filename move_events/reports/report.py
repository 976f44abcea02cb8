"""The whole KPI report for one filter, with translated headings and charts: what the page, the XLSX
and the PDF show, built once here so that the three cannot drift apart.

Headings are the partnership's own column names (DESIGN.md §5), in the user's language. Row labels are
translated for people; the CSV keeps the English labels of ``queries`` (its contract).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from move_events.countries import country_name
from move_events.db_types import utcnow
from move_events.directory.models import Organisation
from move_events.extensions import db
from move_events.reports.charts import Series, grouped_bar_chart, stacked_bar_chart
from move_events.reports.queries import (
    attendance_by_event,
    events_and_meetings,
    meeting_outcomes,
    stakeholders,
)
from move_events.reports.rows import (
    STAKEHOLDER_COLUMNS,
    TABLE_A_COLUMNS,
    EventAttendance,
    MeetingOutcomes,
    ReportFilter,
    TableARow,
    TableBRow,
)

TABLE_A_HEADINGS = {
    "preparatory_events": _l("Preparatory events"),
    "c2c_events": _l("C2C events"),
    "c2c_meetings": _l("C2C meetings"),
    "b2b_events": _l("B2B events"),
    "b2b_meetings": _l("B2B meetings"),
}
TABLE_B_HEADINGS = {
    "eu_clusters": _l("EU clusters"),
    "eu_smes": _l("EU SMEs"),
    "third_country_clusters": _l("Third-country clusters and intermediary organisations"),
    "third_country_smes": _l("Third-country SMEs and businesses"),
    "other": _l("Other"),
}
OUTCOME_HEADINGS = {
    "completed": _l("Completed meetings"),
    "cooperation_possible": _l("Cooperation possible"),
    "negotiation_started": _l("Negotiation started"),
    "agreement_reached": _l("Agreement reached"),
}
assert tuple(TABLE_A_HEADINGS) == TABLE_A_COLUMNS and tuple(TABLE_B_HEADINGS) == STAKEHOLDER_COLUMNS


@dataclass(frozen=True)
class ReportChart:
    """A chart and its title, shown above it as a caption (the SVG's own title is for screen readers)."""

    title: str
    svg: Markup


@dataclass(frozen=True)
class Report:
    report_filter: ReportFilter
    table_a: list[TableARow]
    table_b: list[TableBRow]
    attendance: list[EventAttendance]
    outcomes: MeetingOutcomes
    generated_at: datetime
    charts: dict[str, ReportChart] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """No event matching the filter has taken place: every number is zero."""
        return not self.attendance


def build_report(report_filter: ReportFilter, *, now: datetime | None = None) -> Report:
    """Every table of the report for ``report_filter``, events that ended before ``now``."""
    now = now or utcnow()
    report = Report(
        report_filter=report_filter,
        table_a=events_and_meetings(report_filter, now=now),
        table_b=stakeholders(report_filter, now=now),
        attendance=attendance_by_event(report_filter, now=now),
        outcomes=meeting_outcomes(report_filter, now=now),
        generated_at=now,
    )
    if not report.is_empty:
        report.charts.update(report_charts(report))
    return report


def row_label(row: TableARow | TableBRow) -> str:
    """A row's label in the user's language ("Maroc", "Sans pays cible", "Total")."""
    if row.is_total:
        return _("Total")
    return country_name(row.country) if row.country else _("No target country")


def _chart_rows(
    rows: Sequence[TableARow | TableBRow], columns: tuple[str, ...]
) -> list[TableARow | TableBRow]:
    """Country rows worth a bar: Total is left out (it would dwarf the rest), and so are empty rows."""
    return [row for row in rows if not row.is_total and any(getattr(row, name) for name in columns)]


def report_charts(report: Report) -> dict[str, ReportChart]:
    """Events per country (grouped), meetings per country and stakeholders per country (stacked)."""
    events = ("preparatory_events", "c2c_events", "b2b_events")
    meetings = ("c2c_meetings", "b2b_meetings")
    charts = {}
    for key, title, rows, columns, headings, draw in (
        ("events", _("Events per target country"), report.table_a, events, TABLE_A_HEADINGS,
         grouped_bar_chart),
        ("meetings", _("Completed meetings per target country"), report.table_a, meetings, TABLE_A_HEADINGS,
         stacked_bar_chart),
        ("stakeholders", _("Stakeholders involved per target country"), report.table_b, STAKEHOLDER_COLUMNS,
         TABLE_B_HEADINGS, stacked_bar_chart),
    ):  # fmt: skip
        shown = _chart_rows(rows, columns)
        if shown:
            svg = draw(
                chart_id=f"chart-{key}",
                title=title,
                categories=[row_label(row) for row in shown],
                series=[
                    Series(str(headings[name]), tuple(getattr(row, name) for row in shown))
                    for name in columns
                ],
            )
            charts[key] = ReportChart(title=title, svg=svg)
    return charts


def filter_summary(report_filter: ReportFilter) -> list[tuple[str, str]]:
    """The filters in words, for the PDF and the page's heading: (what, value) pairs."""
    start, end = report_filter.date_from, report_filter.date_to
    if start and end:
        dates = _("%(start)s to %(end)s", start=start.isoformat(), end=end.isoformat())
    elif start:
        dates = _("from %(start)s", start=start.isoformat())
    elif end:
        dates = _("until %(end)s", end=end.isoformat())
    else:
        dates = _("all dates")
    partner = (
        db.session.get(Organisation, report_filter.partner_cluster_id)
        if report_filter.partner_cluster_id
        else None
    )
    return [
        (_("Event dates"), dates),
        (_("Partner cluster"), partner.name if partner else _("all partner clusters")),
        (
            _("Target country"),
            country_name(report_filter.target_country)
            if report_filter.target_country
            else _("all countries"),
        ),
    ]


def percent(rate: float | None) -> str:
    """A rate as a whole percentage, or a dash when there was nothing to divide."""
    return "—" if rate is None else format_percent(rate)
