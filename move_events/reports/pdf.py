"""The report as an A4 PDF (WeasyPrint), from templates/pdf/report.html: the filters it was made with,
the generation date, both partnership tables with their charts, attendance and meeting outcomes.

The charts are the page's own SVG strings: WeasyPrint draws inline SVG, so page and PDF cannot differ.
"""

from __future__ import annotations

from flask import render_template
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _

from move_events.checkin.sheets import css_string, page_counter_css
from move_events.pdf import render_pdf
from move_events.reports.report import (
    OUTCOME_HEADINGS,
    TABLE_A_HEADINGS,
    TABLE_B_HEADINGS,
    Report,
    filter_summary,
    percent,
    row_label,
)


def render_report_html(report: Report) -> str:
    generated = format_datetime(report.generated_at, "medium")
    return render_template(
        "pdf/report.html",
        report=report,
        filters=filter_summary(report.report_filter),
        generated=generated,
        table_a_headings=TABLE_A_HEADINGS,
        table_b_headings=TABLE_B_HEADINGS,
        outcome_headings=OUTCOME_HEADINGS,
        row_label=row_label,
        percent=percent,
        page_counter=page_counter_css(),
        css_footer=css_string(f"{_('KPI report')} · {generated} (UTC)"),
        lang=str(get_locale() or "en"),
    )


def render_report_pdf(report: Report) -> bytes:
    """The report as PDF bytes, labels in the current locale, times in the user's (Babel) time zone."""
    return render_pdf(render_report_html(report))
