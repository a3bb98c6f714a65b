"""The cache of parsed TOML data (ucap_cli/store/cache.py) and the loading and views that use it.

- `ParsedCache`: round trips of TOML data, entries invalidated by the file's stamp and by the
  code fingerprint, damaged and planted entries refused (no code runs), the racy-file rule, and
  `put` never raising.
- The views' loader (`store.collection._Loader`): on a miss, what `load_file` gives; on a hit,
  the same record, data and first error, without parsing the file again.
- The verdict an entry holds (valid, or the first error, located) under the run's settings (code
  and configuration, not the day): a file with an error is not located again under the same
  settings, a change of settings validates again, and a valid file's data is validated on every
  run (never stale).
- `ucap list`: the same output, byte for byte, on a cold run, a warm run and with `--no-cache`,
  in one process and in worker processes (>= 200 files).

Record files are given an mtime in the past (`aged`): a file changed in the last
`RACY_SECONDS` is never stored.
"""

from __future__ import annotations

import builtins
import datetime as dt
import hashlib
import json
import os
import pickle
import re
import subprocess
import sys
import time
import types
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    LYON_GRAZ,
    PUNE,
    VALID_RECORD,
    Run,
    edited,
    generate_records,
    write_collection,
    write_record,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import error_hint

import ucap_cli.check.loader
import ucap_cli.check.rules
import ucap_cli.store.cache
from ucap_cli.check.loader import RecordFile, load_file
from ucap_cli.check.problems import Problem
from ucap_cli.config import DEFAULT_MAX_FILE_SIZE
from ucap_cli.record.model import ValidRecord
from ucap_cli.store.cache import Cached, ParsedCache
from ucap_cli.store.collection import _Loader
from ucap_cli.store.scratch import FOLDER, RACY_SECONDS
from ucap_cli.store.workers import MIN_FILES
from ucap_cli.toml.files import display_path
from ucap_cli.toml.parser import loads, read_document

PAST = 1_500_000_000.0  # an mtime in 2017, far outside the racy window

# Every kind of TOML value, nested tables and arrays, and each date and time form.
SAMPLE = """\
title = "Lyon \u2013 Graz \u90d1\u5dde"
count = 3
negative = -17
ratio = 0.25
huge = inf
on = true
off = false
day = 2017-06-15
local = 2017-06-15T10:30:00
utc = 2017-06-15T10:30:00Z
offset = 2017-06-15T10:30:00.123456+05:30
behind = 1979-05-27T00:32:00-07:00
clock = 07:32:00.5
mixed = ["a", 1, 2.5, [true, false], { x = 1979-05-27 }]
empty = []

[period]
start = "2017-03"
end = 2018-11-30

[[activities]]
date = 2018-01-02
nested = { deeper = { deepest = [1979-05-27T07:32:00Z, 23:59:59] } }

[[activities]]
title = "second"
"""


def aged(path: Path, mtime: float = PAST) -> os.stat_result:
    """Set the file's mtime to `mtime` (in the past, so the cache stores it); its new stat."""
    os.utime(path, (mtime, mtime))
    return path.stat()


def entry_path(root: Path, path: Path, records: Path) -> Path:
    """Where the cache keeps the entry of `path`, a file of the folder `records`, as
    store/cache.py documents it."""
    folder = hashlib.sha256(os.path.abspath(records).encode("utf-8")).hexdigest()[:16]
    name = hashlib.sha256(os.fsencode(os.path.abspath(path))).hexdigest()
    return root / FOLDER / "parsed" / folder / name[:2] / name[2:]


def entries(root: Path) -> set[Path]:
    """Every entry in the cache of the project at `root` (not the files naming the folders)."""
    return {p for p in (root / FOLDER / "parsed").glob("*/??/*") if p.is_file()}


def header_of(entry: Path) -> bytes:
    """The header line of an entry (its verdict included), newline included."""
    content = entry.read_bytes()
    return content[: content.index(b"\n") + 1]


def get(cache: ParsedCache, path: Path, stat: os.stat_result) -> dict[str, Any] | None:
    """The data the cache holds for this version of the file, if any."""
    found = cache.lookup(path, stat, display_path(path))
    return None if found is None else found.data


def cached_sample(tmp_path: Path) -> tuple[ParsedCache, Path, os.stat_result, dict[str, Any]]:
    """A cache holding the entry of `sample.toml` (SAMPLE)."""
    path = write_record(tmp_path, "sample.toml", SAMPLE)
    stat = aged(path)
    data = loads(SAMPLE)
    cache = ParsedCache(tmp_path, tmp_path)
    cache.put(path, stat, data, None)
    assert entry_path(tmp_path, path, tmp_path).is_file()
    return cache, path, stat, data


# --- ParsedCache ----------------------------------------------------------------------------


def test_put_then_get_gives_back_the_data_with_its_types_and_key_order(tmp_path: Path) -> None:
    _, path, stat, data = cached_sample(tmp_path)

    got = get(ParsedCache(tmp_path, tmp_path), path, stat)  # a new instance: from the disk

    assert got == data
    assert repr(got) == repr(data)  # bool stays bool, float stays float, keys stay in order
    assert got is not None
    assert list(got) == list(data)
    assert got["offset"] == dt.datetime(
        2017, 6, 15, 10, 30, 0, 123456, dt.timezone(dt.timedelta(hours=5, minutes=30))
    )
    assert got["offset"].utcoffset() == dt.timedelta(hours=5, minutes=30)
    assert got["behind"].utcoffset() == dt.timedelta(hours=-7)
    assert got["utc"].tzinfo is dt.UTC
    assert got["local"].tzinfo is None
    assert type(got["day"]) is dt.date
    assert got["clock"] == dt.time(7, 32, 0, 500000)
    assert got["huge"] == float("inf")
    assert got["mixed"] == ["a", 1, 2.5, [True, False], {"x": dt.date(1979, 5, 27)}]
    assert got["activities"][0]["nested"] == {
        "deeper": {
            "deepest": [
                dt.datetime(1979, 5, 27, 7, 32, tzinfo=dt.UTC),
                dt.time(23, 59, 59),
            ]
        }
    }
    assert got["activities"][1] == {"title": "second"}


def test_an_entry_is_found_by_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_record(tmp_path, "a.toml", 'id = "a"\n')
    stat = aged(path)
    ParsedCache(Path(), Path()).put(Path("a.toml"), stat, {"id": "a"}, None)

    assert get(ParsedCache(tmp_path, tmp_path), tmp_path / "a.toml", stat) == {"id": "a"}
    assert get(ParsedCache(tmp_path, tmp_path), tmp_path / "b.toml", stat) is None


def test_the_cache_folder_is_kept_out_of_git(tmp_path: Path) -> None:
    cached_sample(tmp_path)

    assert (tmp_path / FOLDER / ".gitignore").read_text(encoding="utf-8") == "*\n"


@pytest.mark.parametrize(
    "change",
    ["longer", "same size, later mtime", "same size and mtime, another inode"],
)
def test_another_version_of_the_file_misses(tmp_path: Path, change: str) -> None:
    cache, path, stat, _ = cached_sample(tmp_path)
    if change == "longer":
        path.write_text(SAMPLE + "more = 1\n", encoding="utf-8")
        new = aged(path)
        assert new.st_size != stat.st_size and new.st_mtime_ns == stat.st_mtime_ns
    elif change == "same size, later mtime":
        new = aged(path, PAST + 1)
        assert new.st_size == stat.st_size and new.st_ino == stat.st_ino
    else:
        twin = write_record(tmp_path, "twin.toml", SAMPLE.replace("second", "SECOND"))
        aged(twin)
        twin.replace(path)
        new = path.stat()
        assert new.st_size == stat.st_size and new.st_mtime_ns == stat.st_mtime_ns
        assert new.st_ino != stat.st_ino

    assert get(cache, path, new) is None
    assert get(cache, path, stat) is not None  # the entry is there, for the version it describes


def test_a_changed_fingerprint_misses(tmp_path: Path) -> None:
    cache, path, stat, data = cached_sample(tmp_path)
    other = ParsedCache(tmp_path, tmp_path)
    other._fingerprint = "0" * 16  # as after an upgrade of ucap or of its TOML parser

    assert get(cache, path, stat) == data
    assert get(other, path, stat) is None
    other.put(path, stat, {"by": "other"}, None)
    assert get(other, path, stat) == {"by": "other"}
    assert get(cache, path, stat) is None


DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda content: b"",
    "truncated in the header": lambda content: content[:20],
    "header only": lambda content: content[: content.index(b"\n") + 1],
    "truncated in the data": lambda content: content[: len(content) // 2],
    "last byte dropped": lambda content: content[:-1],
    "garbage after the header": lambda content: (
        content[: content.index(b"\n") + 1] + b"\x80\x05garbage\xff\x00"
    ),
    "garbage": lambda content: os.urandom(300),
    "other format tag": lambda content: content.replace(b"ucap-parsed-2", b"ucap-parsed-9", 1),
    "not a dict": lambda content: (
        content[: content.index(b"\n") + 1] + pickle.dumps([1, 2, 3], protocol=5)
    ),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_entry_misses(tmp_path: Path, damage: str) -> None:
    cache, path, stat, _ = cached_sample(tmp_path)
    entry = entry_path(tmp_path, path, tmp_path)
    entry.write_bytes(DAMAGE[damage](entry.read_bytes()))

    assert get(cache, path, stat) is None


class Planted:
    """An object that unpickles as `call(*args)`: what an attacker would plant."""

    def __init__(self, call: Callable[..., Any], *args: Any) -> None:
        self.call = call
        self.args = args

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return self.call, self.args


def planted_payloads(marker: Path) -> dict[str, bytes]:
    """Pickles that create `marker` when loaded by an ordinary unpickler."""
    touch = f"open({str(marker)!r}, 'w').close()"
    return {
        "os.system": pickle.dumps({"title": Planted(os.system, f"touch '{marker}'")}),
        "builtins.exec, nested": pickle.dumps({"a": [{"b": Planted(builtins.exec, touch)}]}),
        "builtins.eval, protocol 0": pickle.dumps(Planted(builtins.eval, touch), protocol=0),
        "subprocess.call": pickle.dumps({"x": Planted(subprocess.call, ["touch", str(marker)])}),
    }


@pytest.mark.parametrize("payload", list(planted_payloads(Path("m"))))
def test_a_planted_entry_runs_no_code(tmp_path: Path, payload: str) -> None:
    cache, path, stat, _ = cached_sample(tmp_path)
    entry = entry_path(tmp_path, path, tmp_path)
    marker = tmp_path / "marker"
    body = planted_payloads(marker)[payload]
    entry.write_bytes(header_of(entry) + body)

    assert get(cache, path, stat) is None
    assert not marker.exists()
    pickle.loads(body)  # the payload is real: an ordinary unpickler runs it
    assert marker.exists()


def test_a_file_changed_just_now_is_not_stored(tmp_path: Path) -> None:
    path = write_record(tmp_path, "fresh.toml", 'id = "fresh"\n')
    cache = ParsedCache(tmp_path, tmp_path)

    cache.put(path, path.stat(), {"id": "fresh"}, None)
    recent = aged(path, time.time() - RACY_SECONDS / 2)
    cache.put(path, recent, {"id": "fresh"}, None)
    future = aged(path, time.time() + 3600)  # a clock set wrong: not trusted either
    cache.put(path, future, {"id": "fresh"}, None)

    assert not (tmp_path / FOLDER).exists()
    assert get(cache, path, recent) is None

    settled = aged(path, time.time() - RACY_SECONDS - 1)
    cache.put(path, settled, {"id": "fresh"}, None)
    assert get(cache, path, settled) == {"id": "fresh"}


def test_put_never_raises(tmp_path: Path) -> None:
    path = write_record(tmp_path, "a.toml", 'id = "a"\n')
    stat = aged(path)
    a_file = tmp_path / "plain-file"
    a_file.write_text("x", encoding="utf-8")
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / FOLDER).write_text("not a folder", encoding="utf-8")
    occupied = tmp_path / "occupied"
    entry = entry_path(occupied, path, tmp_path)
    entry.mkdir(parents=True)  # a folder where the entry goes: os.replace fails
    roots = [a_file, tmp_path / "missing" / "deeper", blocked, occupied, Path("/proc/ucap-test")]

    for root in roots:
        cache = ParsedCache(root, tmp_path)
        cache.put(path, stat, {"id": "a"}, None)
        assert get(cache, path, stat) is None
    ParsedCache(tmp_path, tmp_path).put(path, stat, {"not": lambda: None}, None)  # no pickle

    assert get(ParsedCache(tmp_path, tmp_path), path, stat) is None
    assert entry.is_dir()
    assert [p.name for p in entry.parent.iterdir()] == [entry.name]  # no temporary left
    assert not list((tmp_path / FOLDER).rglob("*.tmp"))


# --- loading for the views (store.collection._Loader) ----------------------------------------


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the loader parses from now on (ucap_cli.check.loader.read_document, counted)."""
    seen: list[str] = []

    def counting(text: str) -> dict[str, Any]:
        seen.append(text)
        return read_document(text)

    monkeypatch.setattr(ucap_cli.check.loader, "read_document", counting)
    return seen


class CountingCache(ParsedCache):
    """A ParsedCache that counts its hits, misses and stores."""

    def __init__(self, root: Path, settings: Any = None) -> None:
        super().__init__(root, root, settings)  # records: the files are in `root` itself
        self.hits = self.misses = self.puts = 0

    def lookup(self, path: Path, stat: os.stat_result, display: str) -> Cached | None:
        found = super().lookup(path, stat, display)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(
        self, path: Path, stat: os.stat_result, data: dict[str, Any], error: Problem | None
    ) -> None:
        self.puts += 1
        super().put(path, stat, data, error)


def summary(file: RecordFile) -> dict[str, Any]:
    """What a loaded file amounts to: its record, data and located problems."""
    return {
        "path": file.path,
        "display": file.display,
        "record": file.record,  # models compare field by field (and by class)
        "data": file.data,
        "problems": [(p.path, p.line, p.column, p.code, p.message, p.hint) for p in file.problems],
    }


def seen(file: RecordFile) -> dict[str, Any]:
    """What a view gets of a loaded file (its `FileStatus` and the record it reduces): the
    record, the data, the id it declares and its first error, located. Not its warnings: views
    show none (`validate` reports them)."""
    return {
        "path": file.path,
        "display": file.display,
        "record": file.record,
        "data": file.data,
        "id": file.declared_id,
        "first error": file.first_error,
    }


CONTEXT: dict[str, Any] = {"activity_kinds": (), "themes": ()}  # a default configuration


def load(
    path: Path, cache: ParsedCache | None, *, max_size: int = DEFAULT_MAX_FILE_SIZE
) -> RecordFile:
    """`path` loaded as the views load it, through `cache`."""
    return _Loader(CONTEXT, max_size, cache)(path)


def fresh(path: Path, *, max_size: int = DEFAULT_MAX_FILE_SIZE) -> RecordFile:
    """`path` loaded from the file, its record as far as it can be read: a view's reference."""
    return load_file(path, display_path(path), CONTEXT, max_size=max_size, readable=True)


# name: (file name, text, the (line, column, code) of each problem it has)
CASES: dict[str, tuple[str, str, list[tuple[int, int, str]]]] = {
    "valid": ("demo.toml", VALID_RECORD, []),
    "warning": ("other-name.toml", VALID_RECORD, [(2, 6, "W301")]),
    "byte order mark": ("demo.toml", "\ufeff" + VALID_RECORD, []),
    "suppressed warning": (
        "other-name.toml",
        VALID_RECORD.replace('id = "demo"', 'id = "demo"  # ucap: ignore[W301]'),
        [],
    ),
    "model error": (
        "demo.toml",
        edited(VALID_RECORD, ("sdgs = [9, 11]", "sdgs = [9, 99]")),
        [(6, 12, "E110")],
    ),
    "newer schema": (
        "demo.toml",
        VALID_RECORD.replace("schema_version = 1", "schema_version = 9"),
        [(1, 18, "E003")],
    ),
    "TOML syntax error": (
        "demo.toml",
        edited(VALID_RECORD, ("sdgs = [9, 11]", "sdgs = [9, 11")),
        [(7, 1, "E002")],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_the_loader_loads_as_load_file_does(tmp_path: Path, parses: list[str], case: str) -> None:
    name, text, expected = CASES[case]
    path = write_record(tmp_path, name, text)
    aged(path)
    cache = CountingCache(tmp_path)
    reference = fresh(path)
    assert [(p.line, p.column, p.code) for p in reference.problems] == expected
    parses.clear()

    first = load(path, cache)  # a miss: parsed, then stored with its verdict
    assert summary(first) == summary(reference)
    assert (cache.hits, cache.misses, len(parses)) == (0, 1, 1)
    parsed = case != "TOML syntax error"
    assert entry_path(tmp_path, path, tmp_path).is_file() is parsed

    second = load(path, cache)  # a hit (when it could be parsed)
    assert seen(second) == seen(reference)
    assert cache.puts == parsed
    if not parsed:
        assert summary(second) == summary(reference)
        assert (cache.hits, len(parses)) == (0, 2)
    else:
        # Valid or not, never parsed again under the same settings: the entry holds the first
        # error, located, which is all of the problems a view shows.
        assert (cache.hits, len(parses)) == (1, 1)
        assert second.text is None
        assert second.problems == [p for p in [reference.first_error] if p is not None]


@pytest.mark.parametrize(
    "change",
    [
        "longer title",
        "same size, later mtime",
        "same size and mtime, another inode",
        "same size and mtime, in place",
        "now with an error",
    ],
)
def test_the_loader_sees_a_file_edited_after_caching(
    tmp_path: Path, parses: list[str], change: str
) -> None:
    path = write_record(tmp_path, "demo.toml", VALID_RECORD)
    aged(path)
    cache = CountingCache(tmp_path)
    load(path, cache)
    assert isinstance(load(path, cache).record, ValidRecord)
    assert cache.hits == 1
    stat = path.stat()

    new_title = {"longer title": "Lyon \u2013 Graz, Wien", "now with an error": "Lyon \u2013 Graz"}
    title = new_title.get(change, "Lyon \u2013 Grac")  # one letter changed: same size
    text = VALID_RECORD.replace("Lyon \u2013 Graz", title, 1)
    if change == "now with an error":
        text = text.replace("sdgs = [9, 11]", "sdgs = [9, 18]")
    if change == "same size and mtime, in place":
        time.sleep(0.02)  # past the change time's granularity: only it tells the versions apart
        path.write_text(text, encoding="utf-8")
        aged(path)
        assert (path.stat().st_ino, path.stat().st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)
    elif change == "same size and mtime, another inode":
        twin = write_record(tmp_path, "twin.txt", text)
        aged(twin)
        twin.replace(path)
        assert path.stat().st_ino != stat.st_ino
    else:
        path.write_text(text, encoding="utf-8")
        aged(path, PAST if change == "longer title" else PAST + 60)
    if change.startswith("same size"):
        assert path.stat().st_size == stat.st_size

    edited_file = load(path, cache)
    assert summary(edited_file) == summary(fresh(path))
    assert edited_file.data is not None and edited_file.data["title"] == title
    assert edited_file.record is not None and edited_file.record.title == title
    if change == "now with an error":
        # Shown as far as it can be read, with its error (issue 13.1): not a valid record.
        assert not isinstance(edited_file.record, ValidRecord)
        assert [(p.line, p.code) for p in edited_file.problems] == [(6, "E110")]
    else:
        assert isinstance(edited_file.record, ValidRecord)
    parses.clear()
    again = load(path, cache)  # the new version is cached in turn, with its verdict
    assert summary(again) == summary(edited_file)
    assert parses == []


def test_the_loader_keeps_to_the_size_limit_on_a_hit(tmp_path: Path) -> None:
    path = write_record(tmp_path, "demo.toml", VALID_RECORD)
    aged(path)
    cache = CountingCache(tmp_path)
    load(path, cache)
    assert cache.puts == 1

    small = load(path, cache, max_size=100)

    assert summary(small) == summary(fresh(path, max_size=100))
    assert [p.code for p in small.problems] == ["E001"]


# --- ucap list through the CLI --------------------------------------------------------------

FORMATS = {
    "table": (),
    "json": ("--format", "json"),
    "csv": ("--format", "csv"),
    "markdown": ("--format", "markdown"),
}


def messy_collection(folder: Path) -> dict[str, str]:
    """Records with every outcome: clean, warnings, a duplicate id, a model and a TOML error."""
    texts = {
        "demo.toml": VALID_RECORD,
        "lyon-graz.toml": LYON_GRAZ,
        "pune.toml": PUNE,  # W306: a planned activity over a year ago
        "demo-copy.toml": VALID_RECORD + "# a copy\n",  # E201 with demo.toml, and W301
        "bad-model.toml": edited(
            VALID_RECORD, ('id = "demo"', 'id = "bad-model"'), ("sdgs = [9, 11]", "sdgs = [99]")
        ),
        "broken.toml": edited(VALID_RECORD, ("sdgs = [9, 11]", "sdgs = [9, 11")),
    }
    write_collection(folder, texts)
    for name in texts:
        aged(folder / name)
    return texts


def outcome(result: Any) -> tuple[int, str, str]:
    return result.exit_code, result.stdout, result.stderr


def first_errors(output_format: str, stdout: str) -> list[str]:
    """`PATH:LINE:COLUMN CODE` of each first error the listing gives in its own output: JSON's
    `problems` members, the other formats' closing note or `problem` column."""
    if output_format == "json":
        found = [p for entry in json.loads(stdout) for p in entry.get("problems", [])]
        return sorted(f"{p['path']}:{p['line']}:{p['column']} {p['code']}" for p in found)
    return sorted(re.findall(r"records/[\w.-]+:\d+:\d+ [EW]\d{3}", stdout))


@pytest.mark.parametrize("output_format", FORMATS)
def test_list_prints_the_same_cold_warm_and_without_cache(
    run: Run, tmp_path: Path, parses: list[str], output_format: str
) -> None:
    texts = messy_collection(tmp_path / "records")
    names = {text: name for name, text in texts.items()}
    options = FORMATS[output_format]

    cold = run("list", *options)
    cold_parsed = sorted(names[t] for t in parses)
    stored = entries(tmp_path)
    parses.clear()
    warm = run("list", *options)
    warm_parsed = sorted(names[t] for t in parses)
    parses.clear()
    uncached = run("list", "--no-cache", *options)

    assert outcome(warm) == outcome(cold) == outcome(uncached)
    assert cold.exit_code == 1
    assert "ucap: skipped records/broken.toml:7:1: E002 TOML: Unclosed array" in cold.stderr
    # A record with errors is listed as far as it can be read, its first error in the output
    # (issue 13.1); only the file that is not TOML is left out.
    assert "skipped records/bad-model.toml" not in cold.stderr
    assert first_errors(output_format, cold.stdout) == [
        "records/bad-model.toml:6:9 E110",
        "records/broken.toml:7:1 E002",
        "records/demo-copy.toml:2:6 E201",
        "records/demo.toml:2:6 E201",
    ]
    assert len(stored) == 5  # every file but the one that is not TOML
    assert cold_parsed == sorted(texts)  # each file once; duplicate ids located from the text
    # Warm: only the file that is not TOML is parsed; the others' errors come from the cache.
    assert warm_parsed == ["broken.toml"]
    assert sorted(names[t] for t in parses) == sorted(texts)  # --no-cache


def test_a_duplicate_id_is_marked_on_a_warm_run(run: Run, tmp_path: Path) -> None:
    messy_collection(tmp_path / "records")
    run("list")
    assert len(entries(tmp_path)) == 5  # the next run is warm

    table = run("list")
    as_json = run("list", "--format", "json")

    shown = table.stdout.split("\n\n")[0]  # the table, before its closing note
    rows = [line.split()[:2] for line in shown.splitlines()[1:] if line[:1].strip()]
    assert rows == [
        ["bad-model", "!"],  # listed with its error (issue 13.1), no longer skipped
        ["demo", "!"],
        ["demo", "!"],
        ["lyon-graz", "Lyon"],
        ["pune", "Pune"],
    ]
    assert error_hint(3) in table.stderr.splitlines()
    listed = json.loads(as_json.stdout)
    assert [(r.get("id"), [p["code"] for p in r.get("problems", [])]) for r in listed] == [
        ("bad-model", ["E110"]),
        ("demo", ["E201"]),
        ("demo", ["E201"]),
        ("lyon-graz", []),
        ("pune", []),
        (None, ["E002"]),  # broken.toml, left out
    ]
    assert error_hint(3) in as_json.stderr.splitlines()


def test_a_record_edited_between_runs_shows_its_new_values(run: Run, tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_collection(records, {"demo.toml": VALID_RECORD, "pune.toml": PUNE})
    for path in records.iterdir():
        aged(path)
    before = run("list", "--format", "json")
    assert run("list", "--format", "json").stdout == before.stdout  # warm
    assert [r["sdgs"] for r in json.loads(before.stdout)] == [[9, 11], [6]]

    # demo: same size, later mtime; pune: larger, same mtime.
    (records / "demo.toml").write_text(
        edited(VALID_RECORD, ("sdgs = [9, 11]", "sdgs = [9, 12]")), encoding="utf-8"
    )
    aged(records / "demo.toml", PAST + 5)
    (records / "pune.toml").write_text(
        edited(PUNE, ("sdgs = [6]", "sdgs = [6, 7]"), ('name = "Pune"', 'name = "Puna"')),
        encoding="utf-8",
    )
    aged(records / "pune.toml")

    after = run("list", "--format", "json")
    table = run("list")

    assert after.exit_code == 0
    assert [(r["id"], r["sdgs"], r["city"]["name"]) for r in json.loads(after.stdout)] == [
        ("demo", [9, 12], "Lyon"),
        ("pune", [6, 7], "Puna"),
    ]
    assert outcome(after) == outcome(run("list", "--format", "json", "--no-cache"))
    assert outcome(table) == outcome(run("list", "--no-cache"))
    assert "Puna (IN)" in table.stdout


def test_no_cache_neither_reads_nor_writes_the_cache(run: Run, tmp_path: Path) -> None:
    path = write_record(tmp_path / "records", "demo.toml", VALID_RECORD)
    aged(path)

    fresh = run("list", "--format", "json", "--no-cache")
    assert not (tmp_path / FOLDER).exists()
    assert run("list", "--format", "json").stdout == fresh.stdout  # cold: writes the entry
    entry = entry_path(tmp_path, path, tmp_path / "records")
    data = loads(VALID_RECORD) | {"title": "From the cache"}
    entry.write_bytes(header_of(entry) + pickle.dumps(data))

    assert json.loads(run("list", "--format", "json").stdout)[0]["title"] == "From the cache"
    assert run("list", "--format", "json", "--no-cache").stdout == fresh.stdout


@pytest.mark.parametrize("view", [("list",), ("timeline", "--format", "json"), ("summary",)])
def test_a_view_drops_the_entries_of_files_that_are_gone(
    run: Run, tmp_path: Path, view: tuple[str, ...]
) -> None:
    records, archive, gone = (tmp_path / name for name in ("records", "archive", "gone"))
    write_collection(records, {"demo.toml": VALID_RECORD, "pune.toml": PUNE, "lg.toml": LYON_GRAZ})
    write_record(archive, "lg", LYON_GRAZ)
    write_record(gone, "lg", LYON_GRAZ)
    for path in tmp_path.glob("*/*.toml"):
        aged(path)
    for folder in (records, archive, gone):
        assert run(*view, "--records", folder.name).exit_code == 0
    kept = {entry_path(tmp_path, archive / "lg.toml", archive)}
    assert entries(tmp_path) == kept | {
        entry_path(tmp_path, p, f) for f in (records, gone) for p in f.iterdir()
    }

    (records / "lg.toml").unlink()
    (records / "pune.toml").rename(records / "pune-2017.toml")
    (gone / "lg.toml").unlink()
    gone.rmdir()
    assert run(*view).exit_code == 0

    # This folder's entries are its current files'; another folder's stay while it exists.
    current = {entry_path(tmp_path, records / n, records) for n in ("demo.toml", "pune-2017.toml")}
    assert entries(tmp_path) == current | kept

    orphan = entry_path(tmp_path, records / "lg.toml", records)
    orphan.write_bytes(entry_path(tmp_path, records / "demo.toml", records).read_bytes())
    assert run("list", "--no-cache").exit_code == 0  # reads nothing, writes nothing
    assert entries(tmp_path) == current | kept | {orphan}


def test_pruning_spares_a_temporary_file_another_run_is_writing(tmp_path: Path) -> None:
    cache, path, _, _ = cached_sample(tmp_path)
    entry = entry_path(tmp_path, path, tmp_path)
    writing = entry.with_name(entry.name + ".4242.tmp")
    left = entry.with_name(entry.name + ".4243.tmp")
    writing.write_bytes(b"partial")
    left.write_bytes(b"partial")
    aged(left, time.time() - 2 * 3600)  # a run that stopped long ago

    assert cache.prune([path]) == 1
    assert entries(tmp_path) == {entry, writing}
    assert cache.prune([]) == 1  # the entry; the file being written stays
    assert entries(tmp_path) == {writing}
    assert ParsedCache(tmp_path / "nowhere", tmp_path).prune([path]) == 0


def test_pruning_removes_the_flat_layout_of_the_previous_version(tmp_path: Path) -> None:
    cache, path, _, _ = cached_sample(tmp_path)
    parsed = tmp_path / FOLDER / "parsed"
    old = parsed / "ab" / ("c" * 62)  # an entry of the layout without records folders
    old.parent.mkdir()
    old.write_bytes(b"ucap-parsed-1 ...")
    aged(old.parent, time.time() - 2 * 3600)
    fresh = parsed / "0123456789abcdef"  # another run's folder, named in a moment
    fresh.mkdir()

    cache.prune([path])

    assert sorted(p.name for p in parsed.iterdir()) == sorted([cache.folder.name, fresh.name])
    assert entries(tmp_path) == {entry_path(tmp_path, path, tmp_path)}


# --- worker processes -----------------------------------------------------------------------


def ucap_runs(
    commands: Mapping[str, tuple[Path, tuple[str, ...]]],
) -> dict[str, tuple[int, str, str]]:
    """`ucap list ARGS` in each folder, all at once; exit code, stdout, stderr by name."""
    env = {k: v for k, v in os.environ.items() if k not in ("UCAP_RECORDS", "GITHUB_ACTIONS")}
    # Wide enough for every id whole beside the other columns' words: the tests read the
    # marked ids off the table.
    env |= {"NO_COLOR": "1", "COLUMNS": "200"}
    started = {
        name: subprocess.Popen(
            [sys.executable, "-m", "ucap_cli", "list", *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        for name, (cwd, args) in commands.items()
    }
    results = {}
    for name, process in started.items():
        stdout, stderr = process.communicate(timeout=60)
        results[name] = (process.returncode, stdout, stderr)
    return results


@pytest.mark.slow
def test_worker_processes_read_and_write_the_cache(tmp_path: Path) -> None:
    # JSON rows come from the data, table rows from the record (CSV and Markdown are covered in
    # one process above); one project a format, so that each first run is cold.
    formats = {"json": FORMATS["json"], "table": FORMATS["table"]}
    roots = {name: tmp_path / name for name in formats}
    for root in roots.values():
        records = root / "records"
        generate_records(records, MIN_FILES, seed=11)
        paths = sorted(records.rglob("*.toml"))
        copy = paths[0].with_name("copy.toml")  # a duplicate id, loaded again with E201
        copy.write_bytes(paths[0].read_bytes())
        for path in [*paths, copy]:
            aged(path)

    def runs(*extra: str) -> dict[str, tuple[int, str, str]]:
        return ucap_runs({name: (roots[name], (*formats[name], *extra)) for name in formats})

    cold = runs()
    stored = {name: entries(root) for name, root in roots.items()}
    warm = runs()
    uncached = runs("--no-cache")

    for name in formats:
        assert len(stored[name]) == MIN_FILES + 1, name
        assert warm[name] == cold[name] == uncached[name], name
        assert warm[name][0] == 1  # a record has an error, E201 (issue 13.1: exit 1)
        assert error_hint(2) in warm[name][2].splitlines()  # the two files with one id
    listed = json.loads(warm["json"][1])
    assert len(listed) == MIN_FILES + 1
    marked = [row[0] for row in map(str.split, warm["table"][1].splitlines()) if row[1:2] == ["!"]]
    assert len(marked) == 2 and marked[0] == marked[1]  # the record and its copy
    assert [r["id"] for r in listed if "problems" in r] == marked  # JSON says so too (13.1)

    # The workers really read the cache: an entry with other data (and a valid header) shows;
    # and an edited record shows its new values.
    root = roots["json"]
    targets = sorted((root / "records").rglob("*.toml"))
    planted, changed = (loads(p.read_text(encoding="utf-8")) for p in targets[5:7])
    entry = entry_path(root, targets[5], root / "records")
    entry.write_bytes(header_of(entry) + pickle.dumps({**planted, "title": "From the cache"}))
    targets[6].write_text(
        targets[6].read_text(encoding="utf-8").replace(changed["title"], "Edited title", 1),
        encoding="utf-8",
    )
    aged(targets[6])
    after = ucap_runs(
        {"warm": (root, ("--format", "json")), "none": (root, ("--format", "json", "--no-cache"))}
    )

    rows = {name: json.loads(stdout) for name, (_, stdout, _) in after.items()}
    titles = {name: {r["id"]: r["title"] for r in rows[name]} for name in rows}
    assert titles["warm"][planted["id"]] == "From the cache"
    assert titles["none"][planted["id"]] == planted["title"]
    assert titles["warm"][changed["id"]] == titles["none"][changed["id"]] == "Edited title"
    for row in rows["warm"]:
        if row["id"] == planted["id"]:
            row["title"] = planted["title"]
    assert rows["warm"] == rows["none"]  # all else the same, in the same order


# --- round trips ----------------------------------------------------------------------------

OFFSETS = st.builds(dt.timezone, st.integers(-1439, 1439).map(lambda m: dt.timedelta(minutes=m)))
SCALARS = st.one_of(
    st.text(max_size=20),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False),
    st.booleans(),
    st.dates(),
    st.times(),
    st.datetimes(),
    st.datetimes(timezones=OFFSETS),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
TABLES = st.dictionaries(st.text(max_size=10), VALUES, max_size=6)


@pytest.mark.slow
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=TABLES)
def test_any_toml_data_round_trips(tmp_path: Path, data: dict[str, Any]) -> None:
    path = tmp_path / "record.toml"
    if not path.exists():
        path.write_text("", encoding="utf-8")
    stat = aged(path)
    cache = ParsedCache(tmp_path, tmp_path)

    cache.put(path, stat, data, None)
    got = get(cache, path, stat)

    assert got == data
    assert repr(got) == repr(data)  # the same types (True is not 1, -0.0 is not 0.0), same order


# --- the verdict: valid, or the first error, under the same settings (code, configuration) ----


class _Datetime(types.SimpleNamespace):
    """A stand-in for the `datetime` module of ucap_cli.store.cache where today is `day`."""

    def __init__(self, day: dt.date) -> None:
        class Date(dt.date):
            @classmethod
            def today(cls) -> Date:
                return cls(day.year, day.month, day.day)

        super().__init__(**{**vars(dt), "date": Date})


def some_day_later(monkeypatch: pytest.MonkeyPatch, days: int) -> dt.date:
    """Make it `days` days later for the checks and the caches; that day."""
    later = dt.date.today() + dt.timedelta(days=days)
    monkeypatch.setattr(ucap_cli.check.rules, "today", lambda: later)
    monkeypatch.setattr(ucap_cli.store.cache, "dt", _Datetime(later))
    return later


WRONG = edited(VALID_RECORD, ('id = "demo"', 'id = "wrong"'), ("sdgs = [9, 11]", "sdgs = [9, 99]"))


def test_the_verdict_holds_for_the_same_settings_on_any_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    valid = write_record(tmp_path, "demo.toml", VALID_RECORD)
    wrong = write_record(tmp_path, "wrong.toml", WRONG)
    for path in (valid, wrong):
        aged(path)
        load(path, ParsedCache(tmp_path, tmp_path, ["settings A"]))
    error = fresh(wrong).first_error
    assert error is not None and (error.line, error.column, error.code) == (6, 12, "E110")

    def verdicts(settings: Any) -> list[tuple[bool, Problem | None]]:
        cache = ParsedCache(tmp_path, tmp_path, settings)
        found = [cache.lookup(p, p.stat(), display_path(p)) for p in (valid, wrong)]
        assert [f.data if f else None for f in found] == [loads(VALID_RECORD), loads(WRONG)]
        return [(f.checked, f.error) for f in found if f is not None]

    assert verdicts(["settings A"]) == [(True, None), (True, error)]
    assert verdicts(["settings B"]) == [(False, None), (False, None)]  # the data still serves
    some_day_later(monkeypatch, 400)
    assert verdicts(["settings A"]) == [(True, None), (True, error)]  # errors keep to no day


@pytest.mark.parametrize(
    "verdict",
    [
        b'[6, 12, "Z999", "m", null]',
        b'[6.5, 12, "E110", "m", null]',
        b"[6]",
        b'"ok"',
        b"{",
        b"",
        b"no",
    ],
)
def test_a_damaged_verdict_is_validated_again(
    tmp_path: Path, parses: list[str], verdict: bytes
) -> None:
    path = write_record(tmp_path, "wrong.toml", WRONG)
    aged(path)
    load(path, ParsedCache(tmp_path, tmp_path))
    entry = entry_path(tmp_path, path, tmp_path)
    header, _, pickled = entry.read_bytes().partition(b"\n")
    fields = header.split(b" ", 7)  # format, fingerprint, 4 stamp fields, settings, verdict
    entry.write_bytes(b" ".join([*fields[:7], verdict]) + b"\n" + pickled)
    found = ParsedCache(tmp_path, tmp_path).lookup(path, path.stat(), display_path(path))
    assert found is not None and (found.checked, found.error) == (False, None)
    reference = fresh(path)
    parses.clear()

    again = load(path, ParsedCache(tmp_path, tmp_path))

    assert summary(again) == summary(reference)  # located in full again...
    assert len(parses) == 1
    assert header_of(entry) == header + b"\n"  # ... and stored again with its verdict


def test_a_cached_error_is_not_located_again_under_the_same_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]
) -> None:
    path = write_record(tmp_path, "wrong.toml", WRONG)
    aged(path)
    reference = fresh(path)
    parses.clear()
    assert summary(load(path, ParsedCache(tmp_path, tmp_path, CONTEXT))) == summary(reference)
    assert len(parses) == 1

    for day in (0, 1, 400):  # today, and on later days: an error does not depend on the day
        if day:
            some_day_later(monkeypatch, day)
        again = load(path, ParsedCache(tmp_path, tmp_path, CONTEXT))
        assert seen(again) == seen(reference)
        assert again.problems == [reference.first_error]
        assert not isinstance(again.record, ValidRecord)
    assert len(parses) == 1


def test_a_change_of_settings_validates_again(run: Run, tmp_path: Path, parses: list[str]) -> None:
    aged(write_record(tmp_path / "records", "demo", VALID_RECORD))
    settings = tmp_path / "ucap.toml"

    def listed(*options: str) -> tuple[int, list[dict[str, Any]]]:
        result = run("list", "--format", "json", *options)
        return result.exit_code, json.loads(result.stdout)

    valid = listed()
    assert valid[0] == 0 and "problems" not in valid[1][0]
    assert listed() == valid  # warm
    parses.clear()

    settings.write_text('themes = ["Logistics", "Trade"]\n', encoding="utf-8")
    status, rows = listed()
    assert status == 1
    assert [(p["line"], p["column"], p["code"]) for p in rows[0]["problems"]] == [(5, 11, "E114")]
    assert len(parses) == 1  # located under the new settings
    assert listed() == (status, rows)  # warm, under the new settings: not located again
    assert len(parses) == 1
    assert listed("--no-cache") == (status, rows)
    parses.clear()

    settings.write_text('themes = ["Logistics", "Mobility"]\n', encoding="utf-8")
    assert listed() == valid  # validated from the cached data: valid under these settings
    assert parses == []
    assert listed("--no-cache") == valid


def test_a_valid_cached_record_is_validated_never_stale(tmp_path: Path, parses: list[str]) -> None:
    path = write_record(tmp_path, "demo.toml", VALID_RECORD)
    aged(path)
    load(path, ParsedCache(tmp_path, tmp_path, CONTEXT))
    entry = entry_path(tmp_path, path, tmp_path)
    header = header_of(entry)
    assert header.endswith(b" ok\n")  # found valid under these settings
    # Data the model refuses, in an entry that says "valid": validated all the same.
    refused = loads(VALID_RECORD) | {"sdgs": [99]}
    entry.write_bytes(header + pickle.dumps(refused))
    parses.clear()

    again = load(path, ParsedCache(tmp_path, tmp_path, CONTEXT))

    assert summary(again) == summary(fresh(path))  # the file's own record, loaded in full
    assert isinstance(again.record, ValidRecord) and again.record.sdgs == [9, 11]
    assert len(parses) == 2
    assert get(ParsedCache(tmp_path, tmp_path, CONTEXT), path, path.stat()) == loads(VALID_RECORD)


def test_a_view_reads_a_record_alike_on_any_day_and_validate_warns_when_its_day_comes(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]
) -> None:
    # A planned activity dated 300 days ago is fine today, and W306 once 400 days have passed:
    # validate says so that day; views show no warnings, and read the cached record as before.
    day = dt.date.today() - dt.timedelta(days=300)
    text = edited(
        VALID_RECORD,
        ('date = "2017-06"', f'date = "{day.isoformat()}"\nstatus = "planned"'),
        ('end = "2018-11"', f'end = "{day.year + 1}"'),
    )
    aged(write_record(tmp_path / "records", "demo", text))
    views = [("list", "--format", "json"), ("timeline", "--format", "json"), ("summary",)]
    before = [outcome(run(*view)) for view in views]
    assert [status for status, _, _ in before] == [0, 0, 0]
    assert run("validate").stdout == "0 errors, 0 warnings in 1 file\n"

    some_day_later(monkeypatch, 100)
    parses.clear()
    assert [outcome(run(*view)) for view in views] == before
    assert parses == []  # the verdict does not depend on the day: nothing parsed
    for options in ((), ("--no-cache",)):
        result = run("validate", "--format", "concise", *options)
        found = [line.split()[1:3] for line in result.stdout.splitlines()[:-1]]
        assert (result.exit_code, found) == (0, [["warning", "W306"]])
        assert result.stdout.splitlines()[-1] == "0 errors, 1 warning in 1 file"
