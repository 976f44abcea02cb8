"""The participant's meeting pages (personal link): marketplace, profiles, requests, availability.

Also the staff's read-only view of an event's marketplace. The personal link token is the key: a
registration sees the marketplace of its own event only, and only its own meetings.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from move_events.auth.decorators import role_required
from move_events.auth.models import Role
from move_events.db_types import utcnow
from move_events.events.models import Event
from move_events.extensions import db
from move_events.meetings import bp
from move_events.meetings.booking import MeetingError, common_free_slots_of, event_slots
from move_events.meetings.marketplace import filter_options, profile_of, search_profiles
from move_events.meetings.models import Meeting
from move_events.meetings.participant_pages import (
    ParticipantPage,
    load_participant,
    local_time,
    meetings_overview,
    slots_by_session,
    unavailable_starts,
)
from move_events.meetings.request_forms import (
    AcceptForm,
    ActionForm,
    AvailabilityForm,
    RequestForm,
    SearchForm,
)
from move_events.meetings.requests import (
    accept_meeting,
    cancel_meeting,
    decline_meeting,
    expire_requests,
    live_meeting_between,
    request_meeting,
    set_unavailability,
)


def _paginate(stmt):
    return db.paginate(stmt, per_page=current_app.config["PER_PAGE"], error_out=False)


@bp.route("/r/<token>/marketplace")
def marketplace(token: str):
    page = load_participant(token)
    if page.response is not None:
        return page.response
    event = page.event
    expire_requests(event=event)
    db.session.commit()
    form = SearchForm(request.args, options=filter_options(event))
    stmt = search_profiles(event=event, filters=form.filters(), viewer=page.registration)
    return render_template(
        "meetings/participant_marketplace.html", page=page, event=event, form=form, results=_paginate(stmt)
    )


@bp.route("/r/<token>/marketplace/<int:other_registration_id>")
def profile(token: str, other_registration_id: int):
    page = load_participant(token)
    if page.response is not None:
        return page.response
    other = _other_or_404(page, other_registration_id)
    return render_template(
        "meetings/participant_profile.html",
        page=page,
        event=page.event,
        other=other,
        form=RequestForm(),
        existing=live_meeting_between(page.registration, other),
    )


@bp.route(
    "/r/<token>/marketplace/<int:other_registration_id>/request", endpoint="request_meeting", methods=["POST"]
)
def request_meeting_view(token: str, other_registration_id: int):
    page = load_participant(token)
    if page.response is not None:
        return page.response
    other = _other_or_404(page, other_registration_id)
    form = RequestForm()
    if form.validate_on_submit():
        try:
            request_meeting(requester=page.registration, counterpart=other, message=form.message.data or "")
        except MeetingError as error:
            db.session.rollback()
            form.message.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Your request is sent to %(name)s.", name=other.person.full_name), "success")
            return redirect(url_for("meetings.my_meetings", token=token))
    return render_template(
        "meetings/participant_profile.html",
        page=page,
        event=page.event,
        other=other,
        form=form,
        existing=live_meeting_between(page.registration, other),
    ), 422


def _other_or_404(page: ParticipantPage, other_registration_id: int):
    other = profile_of(page.event, other_registration_id)
    if other is None or other.id == page.registration.id:
        abort(404)
    return other


@bp.route("/r/<token>/meetings")
def my_meetings(token: str):
    page = load_participant(token, allow_ended=True)
    if page.response is not None:
        return page.response
    expire_requests(event=page.event)
    db.session.commit()
    overview = meetings_overview(page.registration)
    free = common_free_slots_of(overview.incoming)
    accept_forms = {
        meeting.id: AcceptForm(prefix=f"m{meeting.id}", slots=free[meeting.id], timezone=page.event.timezone)
        for meeting in overview.incoming
    }
    return render_template(
        "meetings/participant_meetings.html",
        page=page,
        event=page.event,
        overview=overview,
        accept_forms=accept_forms,
        action_form=ActionForm(),
        now=utcnow(),
    )


def _own_meeting_or_404(page: ParticipantPage, meeting_id: int) -> Meeting:
    """One of the participant's own meetings: anyone else's, or another event's, is 404."""
    meeting = db.session.get(Meeting, meeting_id)
    me = page.registration.id
    if (
        meeting is None
        or meeting.event_id != page.event.id
        or me not in (meeting.requester_id, meeting.counterpart_id)
    ):
        abort(404)
    return meeting


@bp.route("/r/<token>/meetings/<int:meeting_id>/accept", methods=["POST"])
def accept(token: str, meeting_id: int):
    page = load_participant(token)
    if page.response is not None:
        return page.response
    meeting = _own_meeting_or_404(page, meeting_id)
    form = AcceptForm(prefix=f"m{meeting.id}", slots=[], timezone=page.event.timezone)
    if not form.validate_on_submit():
        flash(" ".join(form.slot.errors) or _("Please try again."), "danger")
        return redirect(url_for("meetings.my_meetings", token=token))
    try:
        accept_meeting(meeting=meeting, by=page.registration, slot_start=form.slot_start())
    except MeetingError as error:  # SlotTaken included: nothing of the acceptance is kept
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        flash(_("Meeting accepted."), "success")
    return redirect(url_for("meetings.my_meetings", token=token))


@bp.route("/r/<token>/meetings/<int:meeting_id>/decline", methods=["POST"])
def decline(token: str, meeting_id: int):
    return _act(token, meeting_id, decline_meeting, _("Request declined."))


@bp.route("/r/<token>/meetings/<int:meeting_id>/cancel", methods=["POST"])
def cancel(token: str, meeting_id: int):
    return _act(token, meeting_id, cancel_meeting, _("Meeting cancelled."))


def _act(token: str, meeting_id: int, service, done: str):
    """Decline or cancel: the same steps, one service each."""
    page = load_participant(token)
    if page.response is not None:
        return page.response
    meeting = _own_meeting_or_404(page, meeting_id)
    if ActionForm().validate_on_submit():
        try:
            service(meeting=meeting, by=page.registration)
        except MeetingError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(done, "success")
    return redirect(url_for("meetings.my_meetings", token=token))


@bp.route("/r/<token>/availability", methods=["GET", "POST"])
def availability(token: str):
    page = load_participant(token)
    if page.response is not None:
        return page.response
    registration, event = page.registration, page.event
    slots = event_slots(event)
    form = AvailabilityForm(
        slots=slots,
        timezone=event.timezone,
        data={"unavailable": [start.isoformat() for start in sorted(unavailable_starts(registration))]},
    )
    if form.validate_on_submit():
        try:
            set_unavailability(registration=registration, slot_starts=form.slot_starts())
        except MeetingError as error:
            db.session.rollback()
            form.unavailable.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Your availability is saved."), "success")
            return redirect(url_for("meetings.availability", token=token))
    return render_template(
        "meetings/participant_availability.html",
        page=page,
        event=event,
        form=form,
        sessions=slots_by_session(registration, slots),
        local_time=local_time,
    )


@bp.route("/manage/events/<int:event_id>/marketplace")
@role_required(Role.STAFF)
def staff_marketplace(event_id: int):
    """Read-only: staff help participants find each other at the venue; they request nothing."""
    event = db.get_or_404(Event, event_id)
    if not event.has_meetings:
        abort(404)
    form = SearchForm(request.args, options=filter_options(event))
    stmt = search_profiles(event=event, filters=form.filters())
    return render_template(
        "meetings/participant_marketplace.html", page=None, event=event, form=form, results=_paginate(stmt)
    )
