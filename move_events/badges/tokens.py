"""Badge tokens: what a badge's QR code holds.

A token is ``ME1`` followed by 23 base32 characters: the registration id (4 bytes) and the first
10 bytes of an HMAC-SHA256 over (registration id, the registration's badge secret), keyed by a key
derived from the app's SECRET_KEY. So it is

- short and alphanumeric-uppercase: QR "alphanumeric" mode, version 2 at error correction M, which
  scans quickly from 30 cm on a phone;
- opaque, holding no personal data (a number means nothing without the database);
- unguessable and unforgeable without the server's key (80-bit MAC);
- revocable: reissuing a badge gives the registration a new secret, and the old token's MAC no
  longer matches.

Changing SECRET_KEY invalidates every printed badge: keep it stable across deployments.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app

from move_events.extensions import db
from move_events.registration.models import Registration, new_badge_secret

PREFIX = "ME1"
_ID_BYTES = 4
_MAC_BYTES = 10
TOKEN_LENGTH = len(PREFIX) + 23
_MAX_ID = 2**31 - 1  # the registrations.id column is a 32-bit INTEGER


class BadgeTokenInvalid(Exception):
    """Not a badge of ours: malformed, forged, truncated, or revoked by a reissue."""


def _key() -> bytes:
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else secret.encode()
    return hmac.new(secret, b"move-events badge token v1", hashlib.sha256).digest()


def _mac(registration_id: int, badge_secret: str) -> bytes:
    message = registration_id.to_bytes(_ID_BYTES, "big") + badge_secret.encode()
    return hmac.new(_key(), message, hashlib.sha256).digest()[:_MAC_BYTES]


def make_badge_token(registration: Registration) -> str:
    raw = registration.id.to_bytes(_ID_BYTES, "big") + _mac(registration.id, registration.badge_secret)
    return PREFIX + base64.b32encode(raw).decode().rstrip("=")


@dataclass(frozen=True)
class ParsedToken:
    registration_id: int
    mac: bytes


def parse_badge_token(token: str) -> ParsedToken:
    """The token's parts, or BadgeTokenInvalid. Scanners may add spaces or lower-case letters."""
    token = "".join(token.split()).upper()
    if len(token) != TOKEN_LENGTH or not token.startswith(PREFIX):
        raise BadgeTokenInvalid("not a badge token")
    body = token[len(PREFIX) :]
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except (binascii.Error, ValueError) as error:
        raise BadgeTokenInvalid("not a badge token") from error
    if base64.b32encode(raw).decode().rstrip("=") != body:
        # The last character carries 3 unused bits: only the one canonical spelling is a badge.
        raise BadgeTokenInvalid("not a badge token")
    registration_id = int.from_bytes(raw[:_ID_BYTES], "big")
    if not 0 < registration_id <= _MAX_ID:
        raise BadgeTokenInvalid("not a badge token")
    return ParsedToken(registration_id, raw[_ID_BYTES:])


def verify_badge_token(token: str) -> Registration:
    """The registration a genuine, current badge token belongs to; BadgeTokenInvalid otherwise.

    The caller decides what the registration's status means at the door (cancelled, wrong event …).
    """
    parsed = parse_badge_token(token)
    registration = db.session.get(Registration, parsed.registration_id)
    if registration is None or not hmac.compare_digest(
        parsed.mac, _mac(registration.id, registration.badge_secret)
    ):
        raise BadgeTokenInvalid("forged or revoked badge")
    return registration


def reissue_badge(registration: Registration) -> str:
    """Revoke the registration's current badge and return the new token. Flushes."""
    registration.badge_secret = new_badge_secret()
    registration.badge_printed_at = None
    db.session.flush()
    return make_badge_token(registration)
