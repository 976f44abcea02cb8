"""Check-in at the door: scans (scanner, camera, name search), the scan log, walk-ins, live counts."""

from flask import Blueprint

bp = Blueprint("checkin", __name__, url_prefix="/checkin")
