"""Events: organisers create, edit, publish and cancel them; the public sees published ones."""

from flask import Blueprint

bp = Blueprint("events", __name__)
