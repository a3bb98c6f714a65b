"""The tests mirror the package: a folder per room of ucap_cli (and bench/, docs/), test
modules with names unique across the folders, no packages.

Test modules are imported by their file name (pytest's default import mode, with conftest.py's
folder on sys.path, and mypy alike): two test files with one name in two folders would clash,
and an `__init__.py` would rename every module below it.
"""

from __future__ import annotations

from collections import Counter

from conftest import REPO

TESTS = REPO / "tests"
ROOMS = {p.name for p in (REPO / "ucap_cli").iterdir() if (p / "__init__.py").is_file()}
OTHER_FOLDERS = {"bench", "docs", "data"}  # the benchmark suite, the documentation, test data


def test_every_folder_is_a_room_of_the_package() -> None:
    folders = {p.name for p in TESTS.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))}
    assert folders - OTHER_FOLDERS <= ROOMS, sorted(folders - OTHER_FOLDERS - ROOMS)


def test_test_module_names_are_unique_and_nothing_is_a_package() -> None:
    modules = [p for p in TESTS.rglob("*.py") if "data" not in p.relative_to(TESTS).parts]
    clashes = [name for name, n in Counter(p.name for p in modules).items() if n > 1]
    assert clashes == [], [str(p.relative_to(TESTS)) for p in modules if p.name in clashes]
    assert [p for p in modules if p.name == "__init__.py"] == []
