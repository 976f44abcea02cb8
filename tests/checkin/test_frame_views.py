"""Camera frames posted by browsers without BarcodeDetector: the same check-in as a typed scan."""

from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image
from sqlalchemy import func, select

from move_events.auth.models import Role
from move_events.badges.qr import qr_png
from move_events.badges.tokens import make_badge_token
from move_events.checkin.models import CheckIn, ScanResult
from move_events.extensions import db as _db
from tests.factories import make_event, register


@pytest.fixture
def event(db):
    return make_event(published=True, title="Smart Ports Brokerage Tanger")


@pytest.fixture
def staff(auth):
    return auth.login(Role.STAFF)


def frame_of(token: str, *, angle: float = 3) -> bytes:
    """A camera-like JPEG of the badge's QR code: smaller, crooked, on a grey background."""
    code = Image.open(io.BytesIO(qr_png(token))).convert("L").resize((240, 240), Image.Resampling.BILINEAR)
    code = code.rotate(angle, expand=True, fillcolor=255)
    picture = Image.new("L", (800, 600), 150)
    picture.paste(code, (280, 170))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=65)
    return buffer.getvalue()


def blank_frame() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 110, 120)).save(buffer, format="JPEG")
    return buffer.getvalue()


def post_frame(client, event, data: bytes, *, nonce=None, door="North", content_type="image/jpeg", **query):
    query = {"nonce": nonce or uuid.uuid4().hex, "door": door, **query}
    return client.post(f"/checkin/{event.id}/frame", query_string=query, data=data, content_type=content_type)


def log() -> list[CheckIn]:
    return list(_db.session.scalars(select(CheckIn).order_by(CheckIn.id)))


def forge(token: str) -> str:
    i = len(token) - 5  # inside the MAC; the last character also holds padding bits
    return token[:i] + ("B" if token[i] == "A" else "A") + token[i + 1 :]


def test_a_frame_with_a_badge_checks_in_then_a_second_says_already(client, event, staff):
    registration = register(event, given_name="Salma", family_name="Tazi")
    token = make_badge_token(registration)

    data = post_frame(client, event, frame_of(token)).get_json()
    assert data["result"] == "welcome" and data["title"] == "Welcome, Salma Tazi!"
    assert (data["arrived"], data["expected"]) == (1, 1)
    _db.session.refresh(registration)
    assert registration.checked_in_at is not None
    [entry] = log()
    assert entry.raw_token == token and entry.result is ScanResult.WELCOME and entry.door == "North"

    again = post_frame(client, event, frame_of(token, angle=-6), door="South").get_json()
    assert again["result"] == "already_checked_in"
    expected = f"already checked in at {data['checked_in_at']}. Checked in by Staff at door North."
    assert expected in again["detail"]
    assert [e.result for e in log()] == [ScanResult.WELCOME, ScanResult.ALREADY_CHECKED_IN]


def test_a_frame_answers_exactly_like_a_typed_scan(client, event, staff):
    token = make_badge_token(register(event))
    from_frame = post_frame(client, event, frame_of(token)).get_json()
    typed = client.post(f"/checkin/{event.id}/scan", json={"token": token, "nonce": "typed-1"}).get_json()
    assert set(from_frame) == set(typed)
    assert typed["result"] == "already_checked_in"


def test_a_forged_badge_in_a_frame_is_refused_and_logged(client, event, staff):
    registration = register(event)
    forged = forge(make_badge_token(registration))
    data = post_frame(client, event, frame_of(forged)).get_json()
    assert data["result"] == "invalid" and not data["ok"] and "not a valid badge" in data["detail"]
    assert data["name"] == ""
    [entry] = log()
    assert entry.result is ScanResult.INVALID and entry.raw_token == forged
    _db.session.refresh(registration)
    assert registration.checked_in_at is None


def test_a_frame_without_a_code_answers_nothing_and_logs_nothing(client, event, staff):
    response = post_frame(client, event, blank_frame())
    assert response.status_code == 200 and response.get_json()["result"] == "nothing"
    assert log() == []


def test_a_retried_frame_with_the_same_nonce_counts_once(client, event, staff):
    token = make_badge_token(register(event))
    first = post_frame(client, event, frame_of(token), nonce="frame-1").get_json()
    second = post_frame(client, event, frame_of(token), nonce="frame-1").get_json()
    assert first["result"] == second["result"] == "welcome"
    assert _db.session.scalar(select(func.count(CheckIn.id))) == 1


def test_frames_too_large_are_413_in_json(client, event, staff):
    response = post_frame(client, event, b"\xff\xd8" + b"\x00" * 1_600_000)
    assert response.status_code == 413 and "too large" in response.get_json()["error"]
    assert log() == []


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"this is not a picture", "image/jpeg"),
        (b"", "image/jpeg"),
        (b"GIF89a" + b"\x00" * 40, "image/gif"),
        (b"token=abc", "application/x-www-form-urlencoded"),
    ],
    ids=["text-as-jpeg", "empty", "gif", "form"],
)
def test_non_images_are_400_in_json(client, event, staff, data, content_type):
    response = post_frame(client, event, data, content_type=content_type)
    assert response.status_code == 400 and response.get_json()["error"]
    assert log() == []


def test_a_frame_of_another_events_list_is_404(client, event, staff):
    from move_events.checkin.lists import create_checkin_list

    other = create_checkin_list(event=make_event(published=True), name="Day 1", day=None)
    _db.session.commit()
    token = make_badge_token(register(event))
    assert post_frame(client, event, frame_of(token), checkin_list=str(other.id)).status_code == 404
    assert log() == []


def test_frames_need_the_staff_role_and_the_csrf_header(app, client, auth, event):
    token = make_badge_token(register(event))
    response = post_frame(client, event, frame_of(token))
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    auth.login(Role.STAFF)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert post_frame(client, event, frame_of(token)).status_code == 400
        page = client.get(f"/checkin/{event.id}").get_data(as_text=True)
        csrf = page.split('"csrfToken": "')[1].split('"')[0]
        response = client.post(
            f"/checkin/{event.id}/frame",
            query_string={"nonce": "c-1"},
            data=frame_of(token),
            content_type="image/jpeg",
            headers={"X-CSRFToken": csrf},
        )
        assert response.get_json()["result"] == "welcome"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
