import datetime as dt
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def books():
    from chuangye_rules import load_rulebooks

    return load_rulebooks()


@pytest.fixture
def as_of():
    return dt.date(2024, 6, 1)
