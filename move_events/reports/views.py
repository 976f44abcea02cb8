"""The KPI report page and its downloads, for organisers and admins.

Every route reads the same filters from the query string (``forms.ReportFilterForm``). The page shows
a wrong filter next to its field; a download cannot, so it answers 400 with the problem in plain text
(``date_from: Not a valid date value.``) rather than a file of wrong numbers.
"""

from __future__ import annotations

from flask import Response, render_template, request
from flask_babel import gettext as _

from move_events.auth.decorators import role_required
from move_events.auth.models import Role
from move_events.reports import bp
from move_events.reports.exports import events_csv, report_xlsx, stakeholders_csv
from move_events.reports.forms import ReportFilterForm
from move_events.reports.pdf import render_report_pdf
from move_events.reports.report import (
    OUTCOME_HEADINGS,
    TABLE_A_HEADINGS,
    TABLE_B_HEADINGS,
    Report,
    build_report,
    filter_summary,
    percent,
    row_label,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/")
@role_required(Role.ORGANISER)
def report():
    form = ReportFilterForm(request.args)
    if not form.validate():
        return render_template("reports/report.html", form=form, report=None, filters=[]), 400
    result = build_report(form.to_filter())
    return render_template(
        "reports/report.html",
        form=form,
        report=result,
        filters=filter_summary(result.report_filter),
        applied=form.applied(),
        table_a_headings=TABLE_A_HEADINGS,
        table_b_headings=TABLE_B_HEADINGS,
        outcome_headings=OUTCOME_HEADINGS,
        row_label=row_label,
        percent=percent,
    )


def _report_or_400() -> tuple[Report | None, ReportFilterForm, Response | None]:
    form = ReportFilterForm(request.args)
    if not form.validate():
        message = _("Invalid report filter: %(problems)s", problems=form.problems()) + "\n"
        return None, form, Response(message, status=400, mimetype="text/plain")
    return build_report(form.to_filter()), form, None


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    return Response(
        data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@bp.route("/events.csv")
@role_required(Role.ORGANISER)
def events_export():
    """Table A as CSV (the partnership's header, English country names)."""
    result, _unused, error = _report_or_400()
    return error or _download(events_csv(result), "text/csv", "events.csv")


@bp.route("/stakeholders.csv")
@role_required(Role.ORGANISER)
def stakeholders_export():
    """Table B as CSV (the partnership's header, English country names)."""
    result, _unused, error = _report_or_400()
    return error or _download(stakeholders_csv(result), "text/csv", "stakeholders.csv")


@bp.route("/report.xlsx")
@role_required(Role.ORGANISER)
def xlsx_export():
    """Both tables, attendance, outcomes and the filters, a sheet each."""
    result, form, error = _report_or_400()
    return error or _download(report_xlsx(result, applied=form.applied()), XLSX, "kpi-report.xlsx")


@bp.route("/report.pdf")
@role_required(Role.ORGANISER)
def pdf_export():
    """The printable report: A4, the same charts, the filters and the generation date."""
    result, _unused, error = _report_or_400()
    return error or _download(render_report_pdf(result), "application/pdf", "kpi-report.pdf")
