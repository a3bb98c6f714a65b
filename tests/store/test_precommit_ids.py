"""Pre-commit runs (`ucap validate FILE`) check the given files against the ids of the files they
were not given: the store scans those ids (store/files.scan_id), remembers them in the verdict
cache, notices when one of those files changes, and knows a file by any of its names."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import VALID_RECORD, Run, edited, write_record

import ucap_cli.store.collection
import ucap_cli.store.files
from ucap_cli.config import DEFAULT_MAX_FILE_SIZE
from ucap_cli.store.scratch import FOLDER

PAST = time.time() - 3 * 24 * 3600  # old enough for every cache to keep what it read


def test_precommit_runs_remember_the_other_files_ids_and_see_them_change(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "records"
    others = [f"r{n:02d}" for n in range(1, 31)]
    for name in others:
        write_record(folder, name, edited(VALID_RECORD, ('id = "demo"', f'id = "{name}"')))
    write_record(folder, "x", edited(VALID_RECORD, ('id = "demo"', 'id = "r05"')))
    for path in folder.iterdir():
        os.utime(path, (PAST, PAST))

    scanned: list[str] = []
    scan_id = ucap_cli.store.files.scan_id  # what the store's collection module calls

    def counting(path: Path, max_size: int = DEFAULT_MAX_FILE_SIZE) -> str | None:
        scanned.append(path.name)
        return scan_id(path, max_size)

    monkeypatch.setattr(ucap_cli.store.collection, "scan_id", counting)

    def duplicates(*options: str) -> list[dict[str, Any]]:
        scanned.clear()
        result = run(
            "validate", "--format", "json", *options, "--records", "records", "records/x.toml"
        )
        assert result.exit_code == 1, result.output
        report = json.loads(result.stdout)
        assert report["files_checked"] == 1
        return [p for p in report["problems"] if p["code"] == "E201"]

    def problem(*users: str) -> list[dict[str, Any]]:
        return [
            {
                "path": "records/x.toml",
                "line": 2,
                "column": 6,
                "severity": "error",
                "code": "E201",
                "message": "id 'r05' is also used by " + ", ".join(users),
                "hint": "ids must be unique in the collection; rename one of the records",
            }
        ]

    assert duplicates() == problem("records/r05.toml")
    assert sorted(scanned) == [f"{name}.toml" for name in others]
    remembered = json.loads((tmp_path / FOLDER / "verdicts.json").read_text(encoding="utf-8"))
    assert len(remembered["ids"]) == len(others)

    assert duplicates() == problem("records/r05.toml")
    assert scanned == []  # every other id remembered

    # Another file takes the given file's id: its remembered id is stale.
    r17 = folder / "r17.toml"
    r17.write_text(r17.read_text(encoding="utf-8").replace('"r17"', '"r05"'), encoding="utf-8")
    os.utime(r17, (PAST + 60, PAST + 60))
    assert duplicates() == problem("records/r05.toml", "records/r17.toml")
    assert scanned == ["r17.toml"]

    # And the first one gives it up: same size, and the very mtime it had before.
    r05 = folder / "r05.toml"
    r05.write_text(r05.read_text(encoding="utf-8").replace('"r05"', '"r99"'), encoding="utf-8")
    os.utime(r05, (PAST, PAST))
    assert duplicates() == problem("records/r17.toml")
    assert scanned == ["r05.toml"]
    assert duplicates() == problem("records/r17.toml")
    assert scanned == []

    assert duplicates("--no-cache") == problem("records/r17.toml")
    assert sorted(scanned) == [f"{name}.toml" for name in others]


def test_a_broken_file_outside_the_run_has_one_id_whether_cached_or_not(
    run: Run, tmp_path: Path
) -> None:
    # f.toml declares x's id on its `id` line, but a TOML error further down leaves it without
    # data: a scan reads the id line, a verdict (cached by a full run) has no id. Whether x's
    # duplicate is reported must not depend on what the cache happens to hold.
    folder = tmp_path / "records"
    write_record(folder, "x", edited(VALID_RECORD, ('id = "demo"', 'id = "x"')))
    broken = edited(VALID_RECORD, ('id = "demo"', 'id = "x"')) + 'note = "unterminated\n'
    write_record(folder, "f", broken)
    for path in folder.iterdir():
        os.utime(path, (PAST, PAST))

    def problems(*options: str) -> list[dict[str, Any]]:
        given = ("--records", "records", "records/x.toml")
        result = run("validate", "--format", "json", *options, *given)
        return list(json.loads(result.stdout)["problems"])

    scanned = problems("--no-cache")
    assert [(p["code"], p["message"]) for p in scanned] == [
        ("E201", "id 'x' is also used by records/f.toml")
    ]
    whole = json.loads(run("validate", "--format", "json", "--records", "records").stdout)
    assert [(p["path"], p["code"]) for p in whole["problems"]] == [("records/f.toml", "E002")]
    assert problems() == scanned  # the same, whatever the cache holds


def test_a_given_file_is_not_its_own_duplicate_through_another_name(
    run: Run, tmp_path: Path
) -> None:
    # `a.toml` given through a link outside the folder, or as a hard link inside it: the
    # folder's own `a.toml` is the same file, not another record with the same id.
    folder = tmp_path / "records"
    original = write_record(folder, "a", edited(VALID_RECORD, ('id = "demo"', 'id = "a"')))
    write_record(folder, "b", edited(VALID_RECORD, ('id = "demo"', 'id = "b"')))
    (tmp_path / "linked").mkdir()
    link = tmp_path / "linked" / "a.toml"
    link.symlink_to(original)
    os.link(original, tmp_path / "a.toml")
    for name in (link, tmp_path / "a.toml"):
        result = run("validate", "--format", "json", "--records", "records", str(name))
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["problems"] == []
    # A real other file with the id is still one.
    write_record(folder, "c", edited(VALID_RECORD, ('id = "demo"', 'id = "a"')))
    result = run("validate", "--format", "json", "--records", "records", str(link))
    assert result.exit_code == 1
    assert [p["code"] for p in json.loads(result.stdout)["problems"]] == ["E201"]
