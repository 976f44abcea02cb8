"""A side's page after a meeting, through the personal link: rate it (which may mark it held or not
held when no organiser did, see outcomes.py) and later add a follow-up. Only the two sides may open it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from move_events.extensions import db
from move_events.meetings import bp
from move_events.meetings.models import Meeting, MeetingFollowUp, MeetingStatus
from move_events.meetings.outcome_forms import FollowUpForm, RatingForm
from move_events.meetings.outcomes import OutcomeError, can_rate, rate_meeting, record_follow_up, side_of
from move_events.registration.links import LinkError, LinkExpired, load_personal_token


@bp.route("/r/<token>/meetings/<int:meeting_id>/outcome", methods=["GET", "POST"])
def outcome(token: str, meeting_id: int):
    try:
        registration = load_personal_token(token)
    except LinkExpired:
        return render_template("registration/registration_link_error.html", problem="expired"), 404
    except LinkError:
        return render_template("registration/registration_link_error.html", problem="invalid"), 404
    meeting = db.get_or_404(Meeting, meeting_id)
    side = side_of(meeting, registration)
    if side is None:
        abort(404)  # not one of theirs: as if it did not exist
    rating_form = RatingForm(data={"outcome": getattr(meeting, f"{side}_outcome")})
    own_note = meeting.follow_up_note if meeting.follow_up_by_id == registration.id else ""
    follow_up_form = FollowUpForm(
        data={"follow_up": meeting.follow_up or MeetingFollowUp.NONE, "note": own_note}
    )
    if request.method == "POST":
        form = follow_up_form if request.form.get("form") == "follow_up" else rating_form
        if form.validate_on_submit():
            try:
                if form is follow_up_form:
                    record_follow_up(
                        meeting,
                        registration=registration,
                        follow_up=form.follow_up.data,
                        note=form.note.data or "",
                    )
                else:
                    rate_meeting(meeting, registration=registration, outcome=form.outcome.data)
            except OutcomeError as error:
                db.session.rollback()
                flash(str(error), "warning")
            else:
                db.session.commit()
                flash(_("Thank you: your answer is saved."), "success")
            return redirect(url_for("meetings.outcome", token=token, meeting_id=meeting.id))
    other = meeting.counterpart if side == "requester" else meeting.requester
    return render_template(
        "meetings/outcome_form.html",
        token=token,
        registration=registration,
        event=meeting.event,
        meeting=meeting,
        other=other,
        can_rate=can_rate(meeting),
        can_follow_up=meeting.status == MeetingStatus.COMPLETED,
        rating_form=rating_form,
        follow_up_form=follow_up_form,
    )
