import time

import pytest

from move_events.registration.links import LinkExpired, LinkInvalid, load_personal_token, make_personal_token
from tests.factories import make_event, register


def test_personal_token_round_trip(app, db):
    registration = register(make_event(published=True))
    with app.test_request_context():
        assert load_personal_token(make_personal_token(registration)).id == registration.id


@pytest.mark.parametrize(
    "mangle",
    [
        # signature altered (not its last character: in base64 that may only change padding bits)
        lambda t: t[:-5] + ("A" if t[-5] != "A" else "B") + t[-4:],
        lambda t: t[: len(t) // 2],  # truncated
        lambda t: "x" + t,  # payload altered
        lambda t: "",
        lambda t: "not-a-token",
    ],
)
def test_personal_token_tampered_is_invalid(app, db, mangle):
    registration = register(make_event(published=True))
    with app.test_request_context(), pytest.raises(LinkInvalid):
        load_personal_token(mangle(make_personal_token(registration)))


def test_personal_token_from_another_secret_is_invalid(app, db):
    registration = register(make_event(published=True))
    with app.test_request_context():
        app.config["SECRET_KEY"], original = "another-secret", app.config["SECRET_KEY"]
        try:
            token = make_personal_token(registration)
        finally:
            app.config["SECRET_KEY"] = original
        with pytest.raises(LinkInvalid):
            load_personal_token(token)


def test_personal_token_expires(app, db, monkeypatch):
    registration = register(make_event(published=True))
    with app.test_request_context():
        token = make_personal_token(registration)
        days = app.config["PERSONAL_LINK_MAX_AGE_DAYS"]
        later = time.time() + days * 86400 + 60
        monkeypatch.setattr(time, "time", lambda: later)
        with pytest.raises(LinkExpired):
            load_personal_token(token)


def test_personal_link_page_expired_or_invalid_says_how_to_get_a_new_one(client, db):
    response = client.get("/r/forged-token")
    assert response.status_code == 404
    assert "Get your personal link again" in response.get_data(as_text=True)
