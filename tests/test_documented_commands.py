"""Every ``flask --app move_events …`` command the README and docs/ show exists, with the options shown.

docs/production.md once told admins to run ``auth create-user``, a command that never existed.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from tests.support import make_test_app

ROOT = Path(__file__).resolve().parent.parent
COMMAND = re.compile(r"flask --app move_events ([^`#|>&;\n]+)")


def documented_commands() -> list[tuple[str, str]]:
    found = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in COMMAND.finditer(line):
                words = match.group(1).replace("…", "").strip()
                if words:
                    found.append((f"{path.name}:{number}", words))
    return found


@pytest.fixture(scope="module")
def cli() -> click.Group:
    return make_test_app("sqlite://").cli


def test_the_docs_show_commands():
    assert len(documented_commands()) >= 10  # the pattern still finds them


@pytest.mark.parametrize(("where", "words"), documented_commands(), ids=lambda value: str(value))
def test_documented_command_exists_with_its_options(cli, where, words):
    command: click.Command = cli
    tokens = shlex.split(words)
    while isinstance(command, click.Group):
        assert tokens, f"{where}: `{words}` names a group, not a command"
        name = tokens.pop(0)
        sub = command.get_command(click.Context(command), name)
        assert sub is not None, f"{where}: no command {name!r} in `flask --app move_events {words}`"
        command = sub
    options = {opt for param in command.params for opt in param.opts if opt.startswith("-")}
    for token in tokens:
        if token.startswith("--"):
            assert token.split("=")[0] in options, f"{where}: `{words}`: no option {token}"
