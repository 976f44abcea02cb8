"""The e-mail outbox: every message is stored first, then delivered by SMTP, retried until it goes out.

Admins read it at /admin/outbox/; ``flask --app move_events outbox send|worker`` delivers it.
"""

from flask import Blueprint

bp = Blueprint("outbox", __name__, url_prefix="/admin/outbox", cli_group="outbox")
