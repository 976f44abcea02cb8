import pytest

from tests.directory.support import existing_rows


@pytest.fixture
def existing(db):
    return existing_rows()
