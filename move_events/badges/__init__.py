"""Badges: QR tokens and printable badge PDFs (WeasyPrint)."""

from flask import Blueprint

bp = Blueprint("badges", __name__)
