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


# The longest files first. xdist (--dist loadfile) hands whole files to its two workers in collection order, and a
# long file collected last (alphabetically, test_spark.py is) kept one worker busy ~30 s while the other had
# finished (bench/README.md, "Test time"). Their durations, summed over their tests, from `--junitxml`.
LONGEST_FIRST = [
    "test_spark.py", "robustness/test_faults.py", "robustness/test_properties.py", "test_batch_equivalence.py",
    "test_sql.py", "test_generated_rulebooks.py", "test_web_browser.py", "test_messages_cli.py",
    "robustness/test_streaming.py", "robustness/test_privacy.py", "robustness/test_interruptions.py",
    "test_sql_tables.py", "test_batch.py", "test_cli_words.py",
]


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.relative_to(here).as_posix(), len(rank)))  # stable: else as collected


def pytest_configure(config):
    # Python's cyclic garbage collector walks every object that survives, again and again: in a worker holding the
    # session's rulebooks, generated lists and cached answers it took a third of the equivalence tests' time.
    # Collect less often (the tests create few cycles; memory is not what they measure in this process).
    import gc

    gc.set_threshold(100_000, 50, 100)
