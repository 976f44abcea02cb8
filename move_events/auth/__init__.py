"""Staff logins (admin, organiser, staff) with Flask-Login; participants use personal links instead."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth", cli_group=None)
