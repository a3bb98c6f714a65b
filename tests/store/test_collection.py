"""ucap_cli/store/collection.py called directly: the records of a folder reduced or folded by
a view's function, with each file's status (`reduce_records`, `fold_records`), one record by
id or path (`read_record`), and `validate`'s run.

(Worker processes and the caches under these functions: test_parsed_cache.py and
tests/views/test_reduce.py, which compare them with loading every file in one process.)
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import LYON_GRAZ, PUNE, VALID_RECORD, edited, write_collection, write_record

from ucap_cli.check.loader import RecordFile
from ucap_cli.check.result import FileStatus, Selection
from ucap_cli.config import Config, load_config
from ucap_cli.errors import UsageError
from ucap_cli.record.model import ValidRecord
from ucap_cli.store.collection import (
    fold_records,
    read_record,
    reduce_records,
    validate,
)
from ucap_cli.store.scratch import FOLDER

PAST = 1_500_000_000


def activity_titles(file: RecordFile) -> list[str] | None:
    """A reduce function (module-level: picklable): the titles of the record's activities, or
    None (nothing kept) for a record without any."""
    assert file.record is not None  # only files with a record are reduced
    titles = [a.title for a in file.record.activities]
    return titles or None


def merged(products: list[list[str]]) -> list[str]:
    """A merge that does not depend on the order of the products."""
    return sorted(title for titles in products for title in titles)


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    """A project in `tmp_path` (the current folder) with four record files: two valid, one
    with an error (read as far as it can be), one that is not TOML."""
    monkeypatch.chdir(tmp_path)
    write_collection(
        tmp_path / "records",
        {
            "lyon-graz": LYON_GRAZ,
            "pune": PUNE,
            "sub/demo": edited(VALID_RECORD, ('country = "France"', 'country = "Frnace"')),
            "broken": 'id = "broken"\ntitle = [\n',
        },
    )
    write_record(tmp_path / "records", "notes.txt", "not a record file")
    for path in (tmp_path / "records").rglob("*"):
        os.utime(path, (PAST, PAST))  # old enough for the caches to keep what they read
    return load_config(tmp_path, environ={})


def statuses(files: list[FileStatus]) -> list[tuple[str, str | None, str | None, bool]]:
    return [(f.display, f.id, f.error.code if f.error else None, f.readable) for f in files]


EXPECTED = [
    ("records/broken.toml", None, "E002", False),
    ("records/lyon-graz.toml", "lyon-graz", None, True),
    ("records/pune.toml", "pune", None, True),
    ("records/sub/demo.toml", "demo", "E109", True),
]


@pytest.mark.parametrize("use_cache", [True, False])
def test_reduce_gives_each_files_product_and_status_in_path_order(
    config: Config, tmp_path: Path, use_cache: bool
) -> None:
    found = reduce_records(config, activity_titles, use_cache=use_cache)
    assert statuses(found.files) == EXPECTED
    assert [(status.display, titles) for status, titles in found.items] == [
        ("records/lyon-graz.toml", [a["title"] for a in _activities(LYON_GRAZ)]),
        ("records/pune.toml", ["Pune mission to Lyon", "Training"]),
        ("records/sub/demo.toml", ["Graz delegation visits Lyon"]),  # an error, still read
    ]
    assert found.products == [titles for _, titles in found.items]
    assert found.cache_warning is None
    assert (tmp_path / FOLDER).exists() == use_cache


def _activities(text: str) -> list[dict[str, str]]:
    from ucap_cli.toml.parser import loads

    activities: list[dict[str, str]] = loads(text)["activities"]
    return activities


def test_a_file_with_nothing_kept_still_has_its_status(config: Config, tmp_path: Path) -> None:
    write_record(
        tmp_path / "records",
        "quiet",
        edited(VALID_RECORD, ('id = "demo"', 'id = "quiet"')).split("[[activities]]")[0]
        + '[[expected_results]]\ntext = "x"\n',
    )
    found = reduce_records(config, activity_titles)
    assert "records/quiet.toml" in [f.display for f in found.files]
    assert "records/quiet.toml" not in [s.display for s, _ in found.items]


def test_a_duplicate_id_is_the_first_error_of_both_files(config: Config, tmp_path: Path) -> None:
    write_record(tmp_path / "records", "again", LYON_GRAZ)
    found = reduce_records(config, activity_titles)
    errors = {f.display: (f.error.code, f.error.message) for f in found.files if f.error}
    assert errors["records/again.toml"] == (
        "E201",
        "id 'lyon-graz' is also used by records/lyon-graz.toml",
    )
    assert errors["records/lyon-graz.toml"] == (
        "E201",
        "id 'lyon-graz' is also used by records/again.toml",
    )
    assert len(found.items) == 4  # both are still in the view


def test_fold_merges_every_product(config: Config) -> None:
    folded = fold_records(config, activity_titles, merged)
    everything = sorted(
        [a["title"] for a in _activities(LYON_GRAZ)]
        + ["Pune mission to Lyon", "Training", "Graz delegation visits Lyon"]
    )
    assert folded.product == everything
    assert statuses(folded.files) == EXPECTED
    nothing = fold_records(config, _nothing, merged)
    assert (nothing.product, len(nothing.files)) == (None, 4)


def _nothing(file: RecordFile) -> list[str] | None:
    return None


def test_read_record_by_id_or_path(config: Config, tmp_path: Path) -> None:
    by_id = read_record(config, "lyon-graz")
    by_path = read_record(config, str(tmp_path / "records" / "lyon-graz.toml"))
    assert by_id.path.resolve() == by_path.path.resolve()
    assert isinstance(by_id.record, ValidRecord) and by_id.problems == []
    demo = read_record(config, "demo")  # the declared id, in a sub-folder
    assert demo.record is not None and demo.record.id == "demo"
    assert [p.code for p in demo.problems] == ["E109"]
    with pytest.raises(UsageError):
        read_record(config, "nowhere")


def test_read_record_finds_a_duplicate_id_among_the_other_files(
    config: Config, tmp_path: Path
) -> None:
    write_record(tmp_path / "records", "copy", LYON_GRAZ)
    [problem] = read_record(config, "records/lyon-graz.toml").problems
    assert (problem.code, problem.line, problem.column, problem.message) == (
        "E201",
        2,
        6,
        "id 'lyon-graz' is also used by records/copy.toml",
    )


def test_validate_the_folder_or_given_files(config: Config) -> None:
    result = validate(config, use_cache=False)
    assert result.files_checked == 4
    assert [(p.path, p.code) for p in result.problems] == [
        ("records/broken.toml", "E002"),
        ("records/pune.toml", "W306"),
        ("records/sub/demo.toml", "E109"),
    ]
    assert (result.errors, result.warnings) == (2, 1)
    assert set(result.sources) == {
        "records/broken.toml",
        "records/pune.toml",
        "records/sub/demo.toml",
    }
    given = validate(config, [Path("records/pune.toml")], Selection(ignore=frozenset({"W"})))
    assert (given.files_checked, given.problems) == (1, [])


def test_validate_answers_alike_from_the_cache(config: Config, tmp_path: Path) -> None:
    cold = validate(config)
    assert (tmp_path / FOLDER / "verdicts.json").is_file()
    warm = validate(config)
    assert warm.problems == cold.problems and warm.files_checked == cold.files_checked
