"""Entry point for gunicorn: gunicorn --workers 4 wsgi:app"""

from move_events import create_app

app = create_app()
