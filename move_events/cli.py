"""Application-wide commands. Blueprint commands live in each blueprint's cli.py."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from move_events.demo import seed_demo_command

    app.cli.add_command(seed_demo_command)
