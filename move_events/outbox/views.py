"""Admin pages of the outbox: read every e-mail (the demo sends none), retry failed ones, send now."""

from __future__ import annotations

from io import BytesIO

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from move_events.auth.decorators import role_required
from move_events.auth.models import Role
from move_events.extensions import db
from move_events.outbox import bp
from move_events.outbox.deferred import DeferredRenderError, final_content_type, is_deferred, rendered_file
from move_events.outbox.delivery import deliver_pending, delivery_configured
from move_events.outbox.models import OutboxAttachment, OutboxMessage, OutboxStatus
from move_events.outbox.services import OutboxError, count_by_status, requeue, search_messages


@bp.route("/")
@role_required(Role.ADMIN)
def message_list():
    status = _status_filter(request.args.get("status", ""))
    q = request.args.get("q", "").strip()
    page = db.paginate(
        search_messages(status=status, q=q), per_page=current_app.config["PER_PAGE"], error_out=False
    )
    return render_template(
        "outbox/message_list.html",
        page=page,
        status=status,
        q=q,
        counts=count_by_status(),
        delivery_configured=delivery_configured(),
    )


def _status_filter(value: str) -> OutboxStatus | None:
    """An unknown status in the address shows every message rather than an error page."""
    try:
        return OutboxStatus(value)
    except ValueError:
        return None


@bp.route("/<int:message_id>")
@role_required(Role.ADMIN)
def message_detail(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    # A badge is rendered when it is sent or first downloaded: until then it has a type but no size.
    placeholders = {a.id: final_content_type(a) for a in message.attachments if is_deferred(a)}
    return render_template(
        "outbox/message_detail.html",
        message=message,
        placeholders=placeholders,
        delivery_configured=delivery_configured(),
    )


@bp.route("/<int:message_id>/attachments/<int:attachment_id>")
@role_required(Role.ADMIN)
def attachment_download(message_id: int, attachment_id: int):
    attachment = db.get_or_404(OutboxAttachment, attachment_id)
    if attachment.message_id != message_id:
        abort(404)
    if is_deferred(attachment):
        try:
            rendered_file(db.session, attachment)
        except DeferredRenderError as error:
            db.session.rollback()
            current_app.logger.warning("%s", error)
            flash(
                _("This attachment could not be made: %(error)s", error=str(error.__cause__ or error)),
                "danger",
            )
            return redirect(url_for(".message_detail", message_id=message_id))
        db.session.commit()  # kept: the delivery sends this very file
    response = send_file(
        BytesIO(attachment.data),
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"  # never render an HTML attachment here
    return response


@bp.route("/<int:message_id>/requeue", methods=["POST"])
@role_required(Role.ADMIN)
def message_requeue(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    try:
        requeue(message)
    except OutboxError as error:
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("The message is queued again; it goes out at the next delivery."), "success")
    return redirect(url_for(".message_detail", message_id=message_id))


@bp.route("/send", methods=["POST"])
@role_required(Role.ADMIN)
def send_now():
    if not delivery_configured():
        flash(_("No SMTP server is configured (MAIL_SERVER): e-mails stay in the outbox."), "warning")
    else:
        report = deliver_pending()
        flash(
            _(
                "Sent: %(sent)d. Failed attempts: %(failed)d. Still queued: %(remaining)d.",
                sent=report.sent,
                failed=report.failed,
                remaining=report.remaining,
            ),
            "warning" if report.failed else "success",
        )
    return redirect(url_for(".message_list"))
