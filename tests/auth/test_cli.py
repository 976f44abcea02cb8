import pytest

from move_events.auth.models import Role
from move_events.auth.services import find_user


def test_create_user_command_creates_login(runner, db):
    result = runner.invoke(
        args=["create-user", "Lucia@Example.org", "--role", "organiser", "--password", "a-long-password"]
    )
    assert result.exit_code == 0, result.output
    user = find_user("lucia@example.org")
    assert user.role == Role.ORGANISER
    assert user.check_password("a-long-password")


def test_create_user_command_prompts_for_password(runner, db):
    result = runner.invoke(
        args=["create-user", "door@example.org", "--role", "staff"], input="a-long-password\n" * 2
    )
    assert result.exit_code == 0, result.output
    assert find_user("door@example.org").check_password("a-long-password")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "organiser", "--password", "short"], "at least 10 characters"),
        (["--role", "superuser", "--password", "a-long-password"], "Invalid value for '--role'"),
    ],
)
def test_create_user_command_rejects_bad_input(runner, db, args, message):
    result = runner.invoke(args=["create-user", "x@example.org", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert find_user("x@example.org") is None


def test_create_user_command_refuses_duplicate_email(runner, db):
    runner.invoke(args=["create-user", "a@example.org", "--role", "admin", "--password", "a-long-password"])
    result = runner.invoke(
        args=["create-user", "A@EXAMPLE.ORG", "--role", "staff", "--password", "a-long-password"]
    )
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert find_user("a@example.org").role == Role.ADMIN
