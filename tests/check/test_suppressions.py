"""Suppression comments (`# ucap: ignore[CODE]`, ucap_cli/check/suppressions.py) through the real
CLI: one that suppresses nothing is W308, reported at the comment, alike with and without the
caches. (That a comment suppresses on its own TOML line only: tests/toml/test_lines.py.)"""

from __future__ import annotations

import datetime as dt
import json
import os
import types
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, VALID_RECORD, Run, edited, write_record

import ucap_cli.check.rules
import ucap_cli.store.cache

PAST = 1_500_000_000  # an mtime old enough for the caches to store the file


def report(run: Run, *args: str) -> tuple[int, list[tuple[int, int, str]], list[dict[str, Any]]]:
    """Exit status, (line, column, code) of each problem, and the problems of a JSON report."""
    result = run("validate", "--format", "json", *args)
    problems = json.loads(result.stdout)["problems"]
    return result.exit_code, [(p["line"], p["column"], p["code"]) for p in problems], problems


def test_an_unused_suppression_is_reported_at_the_comment(run: Run, tmp_path: Path) -> None:
    text = edited(VALID_RECORD, ('programme = "IUC"', 'programme = "IUC"  # ucap: ignore[W303]'))
    write_record(tmp_path, "demo", text)
    status, located, problems = report(run, "demo.toml")
    assert (status, located) == (0, [(4, 20, "W308")])
    assert problems[0]["message"] == "# ucap: ignore[W303] suppresses nothing on this line"
    assert problems[0]["hint"] == "remove the comment"
    result = run("validate", "--strict", "demo.toml")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "demo.toml:4:20: warning W308 # ucap: ignore[W303] suppresses nothing on this line",
        "0 errors, 1 warning in 1 file",
    ]


def test_the_city_became_a_partner(run: Run, tmp_path: Path) -> None:
    """The issue's case: a suppression kept after the city became a partner."""
    text = edited(
        VALID_RECORD,
        ('cities = ["Lyon", "GRZ"]', 'cities = ["Lyon", "GRZ", "Bonn"]  # ucap: ignore[W303]'),
    )
    write_record(tmp_path, "demo", text)
    assert run("validate", "--strict", "demo.toml").exit_code == 0
    partner = '[[partners]]\nname = "Bonn"\ncountry = "DE"\n\n[[activities]]'
    write_record(tmp_path, "demo", text.replace("[[activities]]", partner, 1))
    status, located, _ = report(run, "demo.toml")
    assert (status, located) == (0, [(33, 35, "W308")])


def test_only_the_unused_codes_of_a_comment_are_reported(run: Run, tmp_path: Path) -> None:
    text = edited(
        VALID_RECORD,
        (
            'cities = ["Lyon", "GRZ"]',
            'cities = ["Lyon", "GRZ", "Gratz"]  # ucap: ignore[W303, w304,E999]',
        ),
    )
    write_record(tmp_path, "demo", text)
    status, located, problems = report(run, "demo.toml")
    assert (status, located) == (0, [(29, 36, "W308")])
    assert problems[0]["message"] == (
        "# ucap: ignore[W304, E999] suppresses nothing on this line (E999 is not a problem code)"
    )
    assert problems[0]["hint"] == "remove W304, E999 from the comment"


def test_only_real_comments_suppress_and_are_reported(run: Run, tmp_path: Path) -> None:
    # The same words inside strings (of each kind) are data: they neither suppress nor count.
    text = edited(
        VALID_RECORD,
        ('cities = ["Lyon", "GRZ"]', "cities = ['Lyon', \"GRZ\", 'Gratz # ucap: ignore[W303]']"),
        ('title = "Lyon \u2013 Graz"', 'title = """Lyon\n# ucap: ignore[W301]"""'),
        ("anything = {", "\"# ucap: ignore[W307]\" = 1\n'# ucap: ignore[W302]' = 2\nanything = {"),
    )
    write_record(tmp_path, "demo", text)
    status, located, problems = report(run, "demo.toml")
    assert (status, located) == (0, [(30, 26, "W303")])
    assert "'Gratz # ucap: ignore[W303]'" in problems[0]["message"]


def test_a_used_suppression_is_not_reported(run: Run, tmp_path: Path) -> None:
    text = edited(
        VALID_RECORD,
        ('cities = ["Lyon", "GRZ"]', 'cities = ["Lyon", "GRZ", "Gratz"]  # ucap: ignore[W303]'),
    )
    write_record(tmp_path, "demo", text)
    result = run("validate", "--strict", "demo.toml")
    assert (result.exit_code, result.stdout) == (0, "0 errors, 0 warnings in 1 file\n")


def test_w308_is_not_suppressed_by_a_comment(run: Run, tmp_path: Path) -> None:
    text = edited(VALID_RECORD, ('programme = "IUC"', 'programme = "IUC"  # ucap: ignore[W308]'))
    write_record(tmp_path, "demo", text)
    status, located, problems = report(run, "demo.toml")
    assert (status, located) == (0, [(4, 20, "W308")])
    assert problems[0]["message"] == (
        "# ucap: ignore[W308] suppresses nothing on this line "
        "(W308 itself cannot be suppressed by a comment)"
    )


UNUSED_AND_USED = edited(
    VALID_RECORD,
    ('programme = "IUC"', 'programme = "IUC"  # ucap: ignore[W307]'),
    ('cities = ["Lyon", "GRZ"]', 'cities = ["Lyon", "GRZ", "Gratz"]  # ucap: ignore[W303]'),
)


@pytest.mark.parametrize(
    ("options", "config", "codes"),
    [
        ((), None, ["W308"]),
        (("--ignore", "W308"), None, []),
        (("--ignore", "W3"), None, []),
        ((), 'ignore = ["W308"]\n', []),
        (("--select", "W308"), None, ["W308"]),
        (("--select", "E"), None, []),
        # W303 hidden by the options is still used by the comment: no W308 for it.
        (("--ignore", "W303"), None, ["W308"]),
        ((), 'ignore = ["W303"]\n', ["W308"]),
        (("--select", "W303"), None, []),
    ],
)
def test_w308_and_the_code_options(
    run: Run, tmp_path: Path, options: tuple[str, ...], config: str | None, codes: list[str]
) -> None:
    write_record(tmp_path, "demo", UNUSED_AND_USED)
    if config:
        (tmp_path / "ucap.toml").write_text(config, encoding="utf-8")
    for _ in range(2):  # checked, then from the verdict cache
        status, located, _ = report(run, *options, "demo.toml")
        assert (status, [code for *_, code in located]) == (0, codes)
        assert all((line, column) == (4, 20) for line, column, _ in located)
        os.utime(tmp_path / "demo.toml", (PAST, PAST))


def test_the_verdict_cache_gives_the_same_answer(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path, "demo", UNUSED_AND_USED)
    os.utime(tmp_path / "demo.toml", (PAST, PAST))
    cold = run("validate", "demo.toml")
    assert (tmp_path / ".ucap_cache" / "verdicts.json").is_file()
    warm = run("validate", "demo.toml")
    fresh = run("validate", "--no-cache", "demo.toml")
    assert cold.stdout == warm.stdout == fresh.stdout
    assert " W308 " in cold.stdout


def test_no_w308_while_the_record_has_errors(run: Run, tmp_path: Path) -> None:
    # Its warnings are not checked yet: whether a W303 comment is used cannot be told.
    text = edited(
        UNUSED_AND_USED, ('country = "France"', 'country = "Frnace"  # ucap: ignore[W304]')
    )
    write_record(tmp_path, "demo", text)
    _, located, _ = report(run, "demo.toml")
    assert located == [(17, 11, "E109")]


def test_a_duplicate_id_suppression_is_never_reported_unused(run: Run, tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_record(
        records, "demo", VALID_RECORD.replace('id = "demo"', 'id = "demo"  # ucap: ignore[E201]')
    )
    result = run("validate", "--strict", "records/demo.toml")
    assert (result.exit_code, result.stdout) == (0, "0 errors, 0 warnings in 1 file\n")
    write_record(records, "copy", VALID_RECORD)  # now it suppresses E201 in demo.toml
    status, located, problems = report(run, "--select", "E", "records")
    assert (status, located) == (1, [(2, 6, "E201")])
    assert problems[0]["path"] == "records/copy.toml"


def test_an_unused_suppression_shows_the_day_it_comes_with_and_without_the_caches(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A done activity dated in the future is W305 until that day comes; the comment that
    # suppresses it then suppresses nothing. A verdict cached the day before must not hide the
    # W308; the views, which show no warnings, read the record alike with and without the cache.
    soon = dt.date.today() + dt.timedelta(days=30)
    text = edited(
        VALID_RECORD,
        ('date = "2017-06"', f'date = "{soon.isoformat()}"  # ucap: ignore[W305]'),
        ('end = "2018-11"', f'end = "{soon.year + 1}"'),
    )
    path = write_record(tmp_path / "records", "demo", text)
    os.utime(path, (PAST, PAST))

    def views() -> list[tuple[int, str, str]]:
        """`list` and `timeline` as JSON, with the cache (twice: cold, warm) and without."""
        results = []
        for view in ("list", "timeline"):
            for options in ((), (), ("--no-cache",)):
                result = run(view, "--format", "json", *options)
                results.append((result.exit_code, result.stdout, result.stderr))
        return results

    shown = views()
    assert [(status, stderr) for status, _, stderr in shown] == [(0, "")] * 6
    assert shown[0] == shown[1] == shown[2] and shown[3] == shown[4] == shown[5]
    assert "problems" not in json.loads(shown[0][1])[0]  # a record without errors
    assert json.loads(shown[3][1])["problems"] == []
    assert report(run, "records") == report(run, "records") == report(run, "--no-cache", "records")
    assert report(run, "records")[:2] == (0, [])
    assert (tmp_path / ".ucap_cache" / "verdicts.json").is_file()  # today's verdict, cached

    later = soon + dt.timedelta(days=1)
    monkeypatch.setattr(ucap_cli.check.rules, "today", lambda: later)
    monkeypatch.setattr(ucap_cli.store.cache, "dt", _Datetime(later))
    unused = (0, [(26, 22, "W308")])
    assert report(run, "--no-cache", "records")[:2] == unused
    assert report(run, "records")[:2] == report(run, "records")[:2] == unused  # cold, warm
    assert views() == shown


class _Datetime(types.SimpleNamespace):
    """A stand-in for the `datetime` module whose `date.today()` is a given day."""

    def __init__(self, day: dt.date) -> None:
        class Date(dt.date):
            @classmethod
            def today(cls) -> Date:
                return cls(day.year, day.month, day.day)

        super().__init__(**{**vars(dt), "date": Date})


def test_the_bundled_record_uses_its_suppression(run: Run) -> None:
    # records/zhengzhou.toml keeps the seed's theme of an expected result with a comment.
    text = (REPO / "records" / "zhengzhou.toml").read_text(encoding="utf-8")
    assert 'theme = "Innovation / Start-Ups"  # ucap: ignore[W304]' in text
    result = run("validate", "--strict", "--no-cache", str(REPO / "records"))
    assert (result.exit_code, result.stdout) == (0, "0 errors, 0 warnings in 1 file\n")
    result = run("fmt", "--check", str(REPO / "records"))
    assert result.exit_code == 0
