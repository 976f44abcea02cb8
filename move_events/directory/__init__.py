"""Directory: organisations (clusters, intermediaries, companies) and the people who work there."""

from flask import Blueprint

bp = Blueprint("directory", __name__, url_prefix="/directory")
