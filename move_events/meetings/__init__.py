"""Meetings: the marketplace, requests, availability, the scheduler, agendas and outcomes (DESIGN.md §7)."""

from flask import Blueprint

bp = Blueprint("meetings", __name__)
