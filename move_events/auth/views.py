from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from move_events.auth import bp
from move_events.auth.forms import LoginForm
from move_events.auth.models import Role, User
from move_events.auth.services import authenticate
from move_events.extensions import db


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths: an open redirect after login is a phishing tool."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _home_for(user: User) -> str:
    """Where a login lands: door staff at the check-in pages, organisers and admins at their events."""
    return url_for("events.manage_list" if user.has_role(Role.ORGANISER) else "checkin.event_list")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(email=form.email.data, password=form.password.data)
        if user is None:
            form.password.errors.append(_("Wrong e-mail or password."))
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(_("Welcome, %(name)s.", name=user.name or user.email), "success")
            return redirect(_safe_next(request.args.get("next")) or _home_for(user))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("events.public_list"))
