"""The staff page for API tokens: everyone sees and revokes their own, admins everybody's.

A new token's secret is shown once, on the page answering the POST: it is never stored, flashed (the
flash would travel in the session cookie) or shown again.
"""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from move_events.api import bp
from move_events.api.errors import URL_PREFIX
from move_events.api.forms import SCOPE_LABELS, ApiTokenForm
from move_events.api.models import ApiScope, ApiToken
from move_events.api.rest import init_rest_api
from move_events.api.tokens import (
    ApiTokenError,
    can_revoke,
    create_api_token,
    revoke_api_token,
    visible_tokens,
)
from move_events.auth.decorators import role_required
from move_events.auth.models import Role
from move_events.extensions import db

bp.record_once(init_rest_api)


def _render(form: ApiTokenForm, secret: str = "", status: int = 200):
    tokens = db.session.scalars(visible_tokens(current_user)).all()
    page = render_template(
        "api/tokens.html",
        form=form,
        tokens=tokens,
        secret=secret,
        scope_labels=SCOPE_LABELS,
        api_url=URL_PREFIX,
        is_admin=current_user.role == Role.ADMIN,
    )
    return page, status


@bp.route("/account/api-tokens/", methods=["GET", "POST"])
@role_required(Role.STAFF)
def tokens():
    form = ApiTokenForm()
    if not form.validate_on_submit():
        return _render(form, status=400 if form.is_submitted() else 200)
    try:
        _token, secret = create_api_token(
            user=current_user, name=form.name.data, scope=ApiScope(form.scope.data)
        )
    except ApiTokenError as error:
        db.session.rollback()
        form.name.errors.append(str(error))
        return _render(form, status=400)
    db.session.commit()
    page, status = _render(ApiTokenForm(formdata=None), secret=secret, status=201)
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"  # the secret must not linger in a cache
    return response


@bp.route("/account/api-tokens/<int:api_token_id>/revoke", methods=["POST"])
@role_required(Role.STAFF)
def token_revoke(api_token_id: int):
    token = db.get_or_404(ApiToken, api_token_id)
    if not can_revoke(current_user, token):
        abort(403)
    try:
        revoke_api_token(token=token)
    except ApiTokenError as error:
        db.session.rollback()
        flash(str(error), "warning")
    else:
        db.session.commit()
        flash(_("The token %(name)s is revoked.", name=token.name), "success")
    return redirect(url_for("api.tokens"))
