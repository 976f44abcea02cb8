"""/api/v1/reports: the KPI report's two tables (``reports.queries``), with the filters of the report
page and /reports/events.csv (date_from, date_to, partner_cluster, target_country), for organisers."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _

from move_events.api.auth import requires
from move_events.api.errors import api_abort, resource_blueprint
from move_events.api.models import ApiScope
from move_events.api.schemas import ReportArgs, TableAOut, TableBOut
from move_events.auth.models import Role
from move_events.directory.models import Organisation
from move_events.extensions import db
from move_events.reports.queries import ReportFilter, events_and_meetings, stakeholders

blp = resource_blueprint("api_reports", __name__, "/reports", "The KPI report (DESIGN.md §5)")


def _filter(args: dict) -> ReportFilter:
    """The report's filter; a partner cluster must be one (as the page's choice list)."""
    cluster_id = args.get("partner_cluster")
    if cluster_id is not None:
        cluster = db.session.get(Organisation, cluster_id)
        if cluster is None or not cluster.is_partner:
            api_abort(
                404,
                _("No such partner cluster."),
                errors={"query": {"partner_cluster": ["Not a partner cluster."]}},
            )
    return ReportFilter(
        date_from=args.get("date_from"),
        date_to=args.get("date_to"),
        partner_cluster_id=cluster_id,
        target_country=args.get("target_country"),
    )


@blp.route("/events", methods=["GET"])
@requires(ApiScope.READ, Role.ORGANISER)
@blp.arguments(ReportArgs, location="query", as_kwargs=False, unknown=ma.RAISE)
@blp.response(200, TableAOut)
def table_a(args: dict):
    """Table A: events that took place and completed meetings, per target country, then Total."""
    return {"rows": events_and_meetings(_filter(args))}


@blp.route("/stakeholders", methods=["GET"])
@requires(ApiScope.READ, Role.ORGANISER)
@blp.arguments(ReportArgs, location="query", as_kwargs=False, unknown=ma.RAISE)
@blp.response(200, TableBOut)
def table_b(args: dict):
    """Table B: distinct organisations involved, per target country, by EU status and kind."""
    return {"rows": stakeholders(_filter(args))}
