"""The versioned JSON API (``/api/v1``) for staff devices and integrations, and its tokens (issue #7).

``bp`` holds the token pages of the staff UI and the ``flask api …`` commands; when it is registered
it also sets up the flask-smorest ``Api`` whose resource blueprints serve ``/api/v1`` (``rest.py``).
"""

from flask import Blueprint

bp = Blueprint("api", __name__)
