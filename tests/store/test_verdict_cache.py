"""ucap_cli/store/cache.py, the verdict cache of `validate` (`VerdictCache`, `Verdict`,
`stamp`, `fingerprint`) used directly. (The parsed-data cache: test_parsed_cache.py.)

A verdict is trusted only for the version of the file it was made for (its stamp), under the
same fingerprint (ucap's code, the settings, the day); a cache is optional: nothing here ever
raises, a damaged file is an empty cache.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import types
from pathlib import Path

import pytest

from ucap_cli.check.problems import Problem
from ucap_cli.store import cache
from ucap_cli.store.cache import Verdict, VerdictCache, fingerprint, stamp
from ucap_cli.store.scratch import FOLDER, VERDICTS

PAST = 1_500_000_000  # an mtime old enough to be trusted (not changed "just now")
SETTINGS = [{"activity_kinds": (), "themes": ()}, 1000]
PROBLEM = Problem("records/a.toml", 17, 11, "E109", "city.country: unknown country", None)


def old_file(folder: Path, name: str, text: str = "x") -> tuple[str, os.stat_result]:
    """A file changed long ago: its absolute path and its stat."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    os.utime(path, (PAST, PAST))
    return os.path.abspath(path), path.stat()


def test_stamp_is_size_mtime_inode_and_change_time(tmp_path: Path) -> None:
    _, stat = old_file(tmp_path, "a.toml", "four")
    assert stamp(stat) == [4, PAST * 10**9, stat.st_ino, stat.st_ctime_ns]


def test_a_verdict_comes_back_shown_at_the_path_asked_for(tmp_path: Path) -> None:
    path, stat = old_file(tmp_path, "a.toml")
    verdicts = VerdictCache(tmp_path, SETTINGS).load()
    assert verdicts.get(path, stat, "a.toml") is None
    verdicts.put(path, stat, Verdict("a", (PROBLEM,)))
    verdicts.save()
    again = VerdictCache(tmp_path, SETTINGS).load()
    found = again.get(path, stat, "elsewhere/a.toml")
    shown = Problem("elsewhere/a.toml", 17, 11, "E109", "city.country: unknown country", None)
    assert found == Verdict("a", (shown,))
    assert again.warning is None


def test_another_version_of_the_file_misses(tmp_path: Path) -> None:
    path, stat = old_file(tmp_path, "a.toml")
    verdicts = VerdictCache(tmp_path, SETTINGS)
    verdicts.put(path, stat, Verdict("a", ()))
    os.utime(path, (PAST + 1, PAST + 1))
    assert verdicts.get(path, os.stat(path), "a.toml") is None
    assert verdicts.get(path, stat, "a.toml") == Verdict("a", ())


def test_a_file_changed_just_now_is_not_remembered(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_text("x", encoding="utf-8")  # its mtime is now
    verdicts = VerdictCache(tmp_path, SETTINGS)
    verdicts.put(str(path), path.stat(), Verdict("a", ()))
    verdicts.put_id(str(path), path.stat(), "a")
    assert verdicts.get(str(path), path.stat(), "a.toml") is None
    assert verdicts.scanned_id(str(path), path.stat()) == (False, None)
    verdicts.save()
    assert not (tmp_path / FOLDER / VERDICTS).exists()  # nothing changed: nothing written


def test_another_fingerprint_starts_empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, stat = old_file(tmp_path, "a.toml")
    verdicts = VerdictCache(tmp_path, SETTINGS)
    verdicts.put(path, stat, Verdict("a", ()))
    verdicts.save()
    other_settings = VerdictCache(tmp_path, [SETTINGS[0], 2000]).load()
    assert other_settings.get(path, stat, "a.toml") is None
    assert fingerprint(SETTINGS) != fingerprint([SETTINGS[0], 2000])
    # The day is part of it too: W305 and W306 depend on today.
    tomorrow = dt.date.today() + dt.timedelta(days=1)

    class Date(dt.date):
        @classmethod
        def today(cls) -> Date:
            return cls(tomorrow.year, tomorrow.month, tomorrow.day)

    monkeypatch.setattr(cache, "dt", types.SimpleNamespace(**{**vars(dt), "date": Date}))
    assert VerdictCache(tmp_path, SETTINGS).load().get(path, stat, "a.toml") is None
    monkeypatch.undo()
    assert VerdictCache(tmp_path, SETTINGS).load().get(path, stat, "a.toml") == Verdict("a", ())


def test_ids_of_files_outside_the_run_are_remembered_apart(tmp_path: Path) -> None:
    path, stat = old_file(tmp_path, "b.toml")
    verdicts = VerdictCache(tmp_path, SETTINGS)
    assert verdicts.scanned_id(path, stat) == (False, None)
    verdicts.put_id(path, stat, None)  # a file that declares no readable id
    assert verdicts.scanned_id(path, stat) == (True, None)
    verdicts.put_id(path, stat, "b")
    verdicts.save()
    again = VerdictCache(tmp_path, SETTINGS).load()
    assert again.scanned_id(path, stat) == (True, "b")
    assert again.get(path, stat, "b.toml") is None  # an id scanned is not a verdict


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        '{"fingerprint": 1}',
        '{"fingerprint": "%s", "entries": []}',
        '{"fingerprint": "%s", "entries": {"%s": "garbage"}}',
        '{"fingerprint": "%s", "entries": {"%s": [[1], "a", []]}}',
        '{"fingerprint": "%s", "entries": {"%s": [%s, "a", [[1, 1, "X999", "m", null]]]}}',
    ],
)
def test_a_damaged_cache_file_is_a_miss_never_an_error(tmp_path: Path, content: str) -> None:
    path, stat = old_file(tmp_path, "a.toml")
    verdicts = VerdictCache(tmp_path, SETTINGS)
    values = (json.dumps(verdicts.fingerprint)[1:-1], path, json.dumps(stamp(stat)))
    text = content % values[: content.count("%s")]
    (tmp_path / FOLDER).mkdir()
    (tmp_path / FOLDER / VERDICTS).write_text(text, encoding="utf-8")
    assert verdicts.load().get(path, stat, "a.toml") is None
    assert verdicts.warning is None


def test_a_cache_file_that_is_a_link_is_not_used_and_says_so(tmp_path: Path) -> None:
    path, stat = old_file(tmp_path, "a.toml")
    (tmp_path / FOLDER).mkdir()
    (tmp_path / "elsewhere.json").write_text("{}", encoding="utf-8")
    (tmp_path / FOLDER / VERDICTS).symlink_to(tmp_path / "elsewhere.json")
    verdicts = VerdictCache(tmp_path, SETTINGS).load()
    assert verdicts.warning is not None and "symbolic link" in verdicts.warning
    verdicts.put(path, stat, Verdict("a", ()))
    verdicts.save()  # nothing is written through it
    assert (tmp_path / "elsewhere.json").read_text(encoding="utf-8") == "{}"
