"""Registration: people sign up for events; organisers manage the list; personal links, no passwords."""

from flask import Blueprint

bp = Blueprint("registration", __name__)
