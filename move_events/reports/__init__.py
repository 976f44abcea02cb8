"""The KPI report (DESIGN.md §5): events, meetings and stakeholders per target country.

``queries`` holds the counting rules as plain database queries, with no request needed; pages, charts
and exports are built on them.
"""

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")
