# ruff: noqa: RUF001 - the views write en dashes and minus signs
"""`ucap changes REV [REV2]` through the real CLI, in a scratch git repository with several
commits: records added, removed, moved; activities retitled, re-dated, their status changed;
agreements added; results achieved; uncommitted edits and new files; errors at either
revision; the filters; every format; and the one-line errors of a bad command line."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import LYON_GRAZ, PUNE, VALID_RECORD, Run, edited, write_record

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

GIT_CONFIG = (
    "-c",
    "user.name=ucap-test",
    "-c",
    "user.email=test@ucap.invalid",
    "-c",
    "commit.gpgsign=false",
    "-c",
    "tag.gpgsign=false",
    "-c",
    "init.defaultBranch=main",
)


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *GIT_CONFIG, *args], cwd=root, capture_output=True, text=True, check=True
    )
    return done.stdout


def commit(root: Path, tag: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", tag)
    git(root, "tag", tag)


NICE = edited(
    PUNE,
    ('id = "pune"', 'id = "nice-rome"'),
    ('name = "Pune"', 'name = "Nice"'),
    ('country = "IN"', 'country = "FR"'),
)
LYON_GRAZ_V2 = edited(
    LYON_GRAZ,
    # retitled
    ('title = "Workshop in Graz"', 'title = "Workshop in Graz on e-buses"'),
    # re-dated
    ('date = "2017"\nkind = "other"', 'date = "2017-09"\nkind = "other"'),
    # period
    ('end = "2018-11"', 'end = "2019-06"'),
    # status
    ('title = "Signing in Málaga"', 'title = "Signing in Málaga"\nstatus = "cancelled"'),
    # an agreement added to an existing activity
    (
        'parties = ["Lyon", "Graz"]\ncount = 2\n',
        'parties = ["Lyon", "Graz"]\ncount = 2\n\n[[activities.agreements]]\n'
        'kind = "cooperation-agreement"\nparties = ["Lyon", "Graz"]\n',
    ),
    # a result achieved
    ('status = "in-progress"', 'status = "achieved"'),
    # a partner added
    (
        '[[partners]]\nname = "Málaga"',
        '[[partners]]\nname = "Nice"\ncountry = "FR"\n\n[[partners]]\nname = "Málaga"',
    ),
)
TWO_ON_ONE_DAY = """
[[activities]]
date = "2018-02-01"
kind = "workshop"
title = "Tram workshop"

[[activities]]
date = "2018-02-01"
kind = "visit"
title = "Depot visit"
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository in the current folder (`run`'s), tagged v1, v2 and v3:

    v1: lyon-graz, pune, demo, old.
    v2: lyon-graz edited (see LYON_GRAZ_V2), pune moved to india/, old removed, nice-rome
        added.
    v3: demo gets two activities on one day.
    """
    git(tmp_path, "init", "-q")
    records = tmp_path / "records"
    write_record(records, "lyon-graz", LYON_GRAZ)
    write_record(records, "pune", PUNE)
    write_record(records, "demo", VALID_RECORD)
    write_record(records, "old", edited(PUNE, ('id = "pune"', 'id = "old"')))
    commit(tmp_path, "v1")
    write_record(records, "lyon-graz", LYON_GRAZ_V2)
    (records / "india").mkdir()
    git(tmp_path, "mv", "records/pune.toml", "records/india/pune.toml")
    git(tmp_path, "rm", "-q", "records/old.toml")
    write_record(records, "nice-rome", NICE)
    commit(tmp_path, "v2")
    write_record(records, "demo", VALID_RECORD + TWO_ON_ONE_DAY)
    commit(tmp_path, "v3")
    return tmp_path


def as_json(run: Run, *args: str, status: int = 0) -> dict[str, Any]:
    result = run("changes", *args, "--format", "json")
    assert result.exit_code == status, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in document["records"]}


# --------------------------------------------------------------------------- two commits


def test_between_two_commits(run: Run, repo: Path) -> None:
    document = as_json(run, "v1", "v2")
    assert document["from"]["revision"] == "v1"
    assert document["from"]["commit"] == git(repo, "rev-parse", "v1").strip()
    assert document["to"]["revision"] == "v2"
    assert document["records_folder"] == "records"
    assert document["files_changed"] == 5  # lyon-graz, pune twice (moved), old, nice-rome
    records = by_id(document)
    assert {k: v["change"] for k, v in records.items()} == {
        "lyon-graz": "changed",
        "nice-rome": "added",
        "old": "removed",
        "pune": "changed",
    }
    pune = records["pune"]
    assert pune["moved"] is True
    assert (pune["old_path"], pune["path"]) == ("records/pune.toml", "records/india/pune.toml")
    assert pune["fields"] == [] and pune["activities"]["changed"] == []

    lyon = records["lyon-graz"]
    assert lyon["fields"] == [
        {
            "field": "period",
            "old": {"start": "2017-03", "end": "2018-11"},
            "new": {"start": "2017-03", "end": "2019-06"},
        }
    ]
    assert [p["name"] for p in lyon["partners"]["added"]] == ["Nice"]
    changed = {
        c["old"]["title"]: (c["how"], [(f["field"], f["old"], f["new"]) for f in c["fields"]])
        for c in lyon["activities"]["changed"]
    }
    assert changed == {
        "Workshop in Graz": (
            "retitled",
            [("title", "Workshop in Graz", "Workshop in Graz on e-buses")],
        ),
        "Year-only thing": ("re-dated", [("date", "2017", "2017-09")]),
        "Signing in Málaga": ("same", [("status", "done", "cancelled")]),
        "Graz delegation visits Lyon": ("same", []),
    }
    (visit,) = [c for c in lyon["activities"]["changed"] if c["old"]["kind"] == "visit"]
    assert visit["agreements_added"] == [
        {
            "kind": "cooperation-agreement",
            "parties": ["Lyon", "Graz"],
            "count": 1,
            "fields": [],
            "title": None,
        }
    ]
    assert lyon["activities"]["added"] == [] and lyon["activities"]["removed"] == []
    (result,) = lyon["expected_results"]["changed"]
    assert (result["old"]["status"], result["new"]["status"]) == ("in-progress", "achieved")
    assert document["totals"] == {
        "records_added": 1,
        "records_removed": 1,
        "records_changed": 2,
        "records_moved": 1,
        "records_unreadable": 0,
        "activities_added": 2,  # those of the record added
        "activities_removed": 2,  # those of the record removed
        "activities_changed": 4,
        "agreements_added": 1,
        "agreements_removed": 0,
        "results_status_changed": 1,
    }
    assert document["problems"] == []


def test_two_activities_on_one_day_one_retitled(run: Run, repo: Path) -> None:
    records = repo / "records"
    text = (records / "demo.toml").read_text(encoding="utf-8")
    write_record(records, "demo", text.replace("Tram workshop", "Tram workshop with TCL"))
    commit(repo, "v4")
    demo = by_id(as_json(run, "v3", "v4"))["demo"]
    (change,) = demo["activities"]["changed"]
    assert change["how"] == "retitled"
    assert change["fields"] == [
        {"field": "title", "old": "Tram workshop", "new": "Tram workshop with TCL"}
    ]
    assert demo["activities"]["added"] == demo["activities"]["removed"] == []


def test_terminal_view(run: Run, repo: Path) -> None:
    result = run("changes", "v1", "v2")
    assert result.exit_code == 0, result.output
    short = git(repo, "rev-parse", "--short=7", "v1").strip()
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Changes in records from v1 ({short}) to v2 (")
    text = result.stdout
    for expected in (
        "-- Added records --",
        "+ nice-rome  Nice – Lyon",
        "records/nice-rome.toml · Feb 2019 – ongoing · with Lyon · 2 activities",
        "− old  Pune – Lyon",
        "~ lyon-graz  Lyon – Graz, Nice, Málaga",
        "    ~ period end: Nov 2018 → Jun 2019",
        "    ~ partners: + Nice",
        "        ~ Jun 2017, visit: Graz delegation visits Lyon",
        "            + agreement: cooperation agreement: Lyon, Graz",
        "              title: Workshop in Graz → Workshop in Graz on e-buses",
        "              date: 2017 → Sep 2017",
        "              status: done → cancelled",
        "        ~ in-progress → achieved: Another",
        "    ~ moved: records/pune.toml → records/india/pune.toml",
    ):
        assert expected in text, expected
    assert result.stderr == ""


def test_markdown_pastes_into_a_report(run: Run, repo: Path) -> None:
    records = repo / "records"
    hostile = edited(
        NICE, ('themes = ["Water"]', 'title = "<b>Nice</b> | *Rome* [x](y)"\nthemes = ["Water"]')
    )
    write_record(records, "nice-rome", hostile)
    commit(repo, "v4")
    result = run("changes", "v1", "v4", "--format", "markdown")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("# Changes in records from v1 (")
    assert "## Added records" in text and "## Removed records" in text
    assert "### lyon-graz: Lyon – Graz, Nice, Málaga" in text
    assert "  - Workshop in Graz on e-buses" not in text  # the old title heads the change
    assert "    - title: Workshop in Graz → Workshop in Graz on e-buses" in text
    assert "    - agreement added: cooperation agreement: Lyon, Graz" in text
    assert "- **nice-rome** \\<b\\>Nice\\</b\\> \\| \\*Rome\\* \\[x\\](y)" in text
    assert "<b>" not in text


def test_csv_has_one_row_per_change(run: Run, repo: Path) -> None:
    result = run("changes", "v1", "v2", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    kinds = [(r["record"], r["change"], r["field"]) for r in rows]
    assert ("lyon-graz", "field changed", "period") in kinds
    assert ("lyon-graz", "partner added", "") in kinds
    assert ("lyon-graz", "activity changed", "status") in kinds
    assert ("lyon-graz", "agreement added", "") in kinds
    assert ("lyon-graz", "result changed", "status") in kinds
    assert ("pune", "record moved", "path") in kinds
    assert ("old", "record removed", "") in kinds
    assert ("nice-rome", "record added", "") in kinds
    status = next(r for r in rows if r["change"] == "activity changed" and r["field"] == "status")
    assert (status["old"], status["new"]) == ("done", "cancelled")
    assert status["subject"] == "2018-01-02, signing: Signing in Málaga"
    redated = next(r for r in rows if r["field"] == "date")
    assert (redated["old"], redated["new"]) == ("2017", "2017-09")
    period = next(r for r in rows if r["field"] == "period")
    assert (period["old"], period["new"]) == ("2017-03 – 2018-11", "2017-03 – 2019-06")


# --------------------------------------------------------------------------- working tree


def test_working_tree_by_default(run: Run, repo: Path) -> None:
    records = repo / "records"
    demo = (records / "demo.toml").read_text(encoding="utf-8")
    write_record(
        records,
        "demo",
        demo.replace(
            'title = "Graz delegation visits Lyon"',
            'title = "Graz delegation visits Lyon"\nstatus = "planned"',
        ),
    )  # an uncommitted edit
    write_record(records, "new one ü", edited(PUNE, ('id = "pune"', 'id = "new-one"')))
    write_record(records, "broken", "id = [\n")  # new, and not TOML
    (records / "nice-rome.toml").unlink()  # removed, not staged
    write_record(records, ".hidden", NICE)  # not a record: hidden
    (repo / ".gitignore").write_text("records/ignored.toml\n", encoding="utf-8")
    write_record(records, "ignored", NICE)  # ignored by git
    result = run("changes", "v3", "--format", "json")
    assert result.exit_code == 1, result.output  # a file with errors
    document = json.loads(result.stdout)
    assert document["to"] == {"revision": None, "commit": None}
    records_by_id = by_id(document)
    assert {k: v["change"] for k, v in records_by_id.items()} == {
        "broken": "unreadable",
        "demo": "changed",
        "new-one": "added",
        "nice-rome": "removed",
    }
    assert records_by_id["new-one"]["path"] == "records/new one ü.toml"
    broken = records_by_id["broken"]
    assert broken["problems"]["old"] is None
    assert broken["problems"]["new"]["code"] == "E002"
    assert document["problems"][0]["path"] == "records/broken.toml"
    assert document["problems"][0]["left_out"] is True
    assert "ucap: skipped records/broken.toml:2:1: E002" in result.stderr
    (change,) = records_by_id["demo"]["activities"]["changed"]
    assert change["fields"] == [{"field": "status", "old": "done", "new": "planned"}]


def test_reads_only_the_files_git_says_changed(run: Run, repo: Path) -> None:
    records = repo / "records"
    write_record(records, "zz-broken", "not = [toml\n")  # broken at v4 and v5, unchanged
    commit(repo, "v4")
    write_record(records, "demo", VALID_RECORD)
    commit(repo, "v5")
    result = run("changes", "v4", "v5")
    assert result.exit_code == 0, result.output
    assert "zz-broken" not in result.output


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_an_unchanged_file_of_the_working_tree_is_not_read(run: Run, repo: Path) -> None:
    unreadable = repo / "records" / "india" / "pune.toml"
    unreadable.chmod(0)
    try:
        result = run("changes", "v2")
        assert result.exit_code == 0, result.output
        assert "pune" not in result.output
        assert "demo" in result.stdout
    finally:
        unreadable.chmod(0o644)


def test_no_changes(run: Run, repo: Path) -> None:
    result = run("changes", "v3")
    assert result.exit_code == 0
    assert result.stdout == ""
    short = git(repo, "rev-parse", "--short=7", "v3").strip()
    assert result.stderr == f"No records changed from v3 ({short}) to the working tree.\n"
    markdown = run("changes", "v3", "HEAD", "--format", "markdown")
    assert "No records changed." in markdown.stdout


def test_no_changes_among_the_records_a_filter_chooses(run: Run, repo: Path) -> None:
    """Records changed from v1 to v2, none of them in Japan: the message says the filter
    chose none, not that nothing changed (a user's trial)."""
    result = run("changes", "v1", "v2", "--country", "Japan")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr.startswith("No records matching the filters changed from v1 (")
    markdown = run("changes", "v1", "v2", "--country", "Japan", "--format", "markdown")
    assert "\nNo records matching the filters changed.\n" in markdown.stdout
    assert run("changes", "v1", "v2").stdout != ""


def test_a_comment_only_change_is_counted_not_shown(run: Run, repo: Path) -> None:
    records = repo / "records"
    path = records / "demo.toml"
    path.write_text("# a comment\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    document = as_json(run, "v3")
    assert document["records"] == []
    assert (document["files_changed"], document["records_unchanged"]) == (1, 1)


def test_a_moved_and_edited_record_and_an_id_changed_in_place(run: Run, repo: Path) -> None:
    records = repo / "records"
    (records / "2017").mkdir()
    git(repo, "mv", "records/lyon-graz.toml", "records/2017/lyon-graz.toml")
    moved = records / "2017" / "lyon-graz.toml"
    moved.write_text(
        moved.read_text(encoding="utf-8").replace("Year-only thing", "Year thing"), "utf-8"
    )
    write_record(records, "demo", VALID_RECORD.replace('id = "demo"', 'id = "demo-two"'))
    records_by_id = by_id(as_json(run, "v3"))
    lyon = records_by_id["lyon-graz"]
    assert (lyon["change"], lyon["moved"], lyon["path"]) == (
        "changed",
        True,
        "records/2017/lyon-graz.toml",
    )
    (retitled,) = lyon["activities"]["changed"]
    assert retitled["how"] == "retitled"
    demo = records_by_id["demo-two"]
    assert demo["change"] == "changed"
    assert demo["fields"][0] == {"field": "id", "old": "demo", "new": "demo-two"}


# --------------------------------------------------------------------------- errors in records


def test_errors_at_the_old_revision_are_reported(run: Run, tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    records = tmp_path / "records"
    write_record(records, "demo", VALID_RECORD.replace('country = "AT"', 'country = "Atlantis"'))
    write_record(records, "pune", "schema_version = 1\nid = [\n")
    commit(tmp_path, "v1")
    write_record(records, "demo", VALID_RECORD)
    write_record(records, "pune", PUNE)
    commit(tmp_path, "v2")
    result = run("changes", "v1", "v2", "--format", "json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    records_by_id = by_id(document)
    demo = records_by_id["demo"]
    assert demo["change"] == "changed"
    assert demo["problems"]["old"]["code"] == "E109"
    assert demo["problems"]["old"]["path"] == "v1:records/demo.toml"
    assert demo["problems"]["new"] is None
    assert [p["name"] for p in demo["partners"]["changed"]] == ["Graz"]
    pune = records_by_id["pune"]
    assert pune["change"] == "unreadable"
    assert pune["problems"]["old"]["code"] == "E002"
    assert {(p["path"], p["code"], p["left_out"]) for p in document["problems"]} == {
        ("v1:records/demo.toml", "E109", False),
        ("v1:records/pune.toml", "E002", True),
    }
    terminal = run("changes", "v1", "v2")
    assert terminal.exit_code == 1
    assert "~ demo !  Lyon – Graz" in terminal.stdout
    assert "ucap: skipped v1:records/pune.toml:3:1: E002" in terminal.stderr
    assert "v1:records/demo.toml" in terminal.stdout


def test_a_record_too_large_at_a_revision(run: Run, tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "ucap.toml").write_text("max_file_size = 1000\n", encoding="utf-8")
    records = tmp_path / "records"
    write_record(records, "demo", VALID_RECORD + "# " + "x" * 2000 + "\n")
    commit(tmp_path, "v1")
    write_record(records, "demo", VALID_RECORD)
    commit(tmp_path, "v2")
    document = as_json(run, "v1", "v2", status=1)
    (problem,) = [p for p in document["problems"] if p["path"].startswith("v1:")]
    assert problem["code"] == "E001"
    assert "larger than the limit of 1,000 bytes" in problem["message"]


# --------------------------------------------------------------------------- filters


def test_filters_choose_records_at_either_revision(run: Run, repo: Path) -> None:
    # Nice became a partner of lyon-graz in v2; nice-rome is led by Nice.
    assert set(by_id(as_json(run, "v1", "v2", "--city", "nice"))) == {"lyon-graz", "nice-rome"}
    # pune's record was moved; old was removed; nice-rome's activities name Pune.
    assert set(by_id(as_json(run, "v1", "v2", "--city", "Pune"))) == {"nice-rome", "old", "pune"}
    assert set(by_id(as_json(run, "v1", "v2", "--country", "AT"))) == {"lyon-graz"}
    assert set(by_id(as_json(run, "v1", "v2", "--status", "achieved"))) == {"lyon-graz"}


def test_activity_filters_choose_the_activity_changes(run: Run, repo: Path) -> None:
    document = as_json(run, "v1", "v2", "--kind", "signing")
    (lyon,) = document["records"]
    assert [c["old"]["title"] for c in lyon["activities"]["changed"]] == ["Signing in Málaga"]
    assert document["totals"]["activities_changed"] == 1
    (lyon,) = as_json(run, "v1", "v2", "--during", "2017-06", "--kind", "visit")["records"]
    assert [c["old"]["title"] for c in lyon["activities"]["changed"]] == [
        "Graz delegation visits Lyon"
    ]


# --------------------------------------------------------------------------- bad input


def test_a_folder_outside_git_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path / "records", "demo", VALID_RECORD)
    result = run("changes", "HEAD", env={"GIT_CEILING_DIRECTORIES": str(tmp_path.parent)})
    assert result.exit_code == 2
    assert result.stderr.startswith("ucap: error: the records folder records is not in a git")
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope",), "ucap: error: unknown git revision 'nope'"),
        (("v1", "nope"), "ucap: error: unknown git revision 'nope'"),
        (("--", "-x"), "ucap: error: not a git revision: '-x'"),
        (("--", "--output=/tmp/x"), "ucap: error: not a git revision: '--output=/tmp/x'"),
        (("v1..v2",), "ucap: error: unknown git revision 'v1..v2'"),
        (("v1:records",), "ucap: error: unknown git revision 'v1:records'"),
    ],
)
def test_bad_revisions(run: Run, repo: Path, args: tuple[str, ...], message: str) -> None:
    result = run("changes", *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[0] == message


def test_git_missing(run: Run, repo: Path, tmp_path: Path) -> None:
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    result = run("changes", "v1", env={"PATH": str(empty)})
    assert result.exit_code == 2
    assert result.stderr.startswith("ucap: error: git is not installed")


def test_records_folder_missing(run: Run, repo: Path) -> None:
    result = run("changes", "v1", "--records", "nowhere")
    assert result.exit_code == 2
    assert result.stderr.startswith("ucap: error: records folder not found: nowhere")


def test_a_folder_name_is_not_a_pattern(run: Run, tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    folder, sibling = tmp_path / "rec [1]*", tmp_path / "rec 1 other"
    write_record(folder, "demo", VALID_RECORD)
    write_record(sibling, "pune", PUNE)
    commit(tmp_path, "v1")
    write_record(folder, "demo", VALID_RECORD.replace("2018-11", "2019-01"))
    write_record(sibling, "pune", PUNE.replace("2019-02", "2019-03"))
    commit(tmp_path, "v2")
    records = by_id(as_json(run, "v1", "v2", "--records", "rec [1]*"))
    assert set(records) == {"demo"}
    assert records["demo"]["path"] == "rec [1]*/demo.toml"


def test_the_blob_cache_gives_the_same_answer(run: Run, repo: Path) -> None:
    first = run("changes", "v1", "v2", "--format", "json").stdout
    assert (repo / ".ucap_cache").is_dir()
    again = run("changes", "v1", "v2", "--format", "json").stdout
    uncached = run("changes", "v1", "v2", "--format", "json", "--no-cache").stdout
    assert first == again == uncached


def test_long_list_items_one_a_line(run: Run, repo: Path) -> None:
    records = repo / "records"
    text = (records / "demo.toml").read_text(encoding="utf-8")
    long = "A report on the e-bus pilot, shared with both city councils"
    write_record(
        records,
        "demo",
        text.replace(
            'themes = ["Mobility"]\n\n[[activities.agreements]]',
            f'themes = ["Mobility"]\noutputs = ["{long}", "Photos"]\n\n[[activities.agreements]]',
        ),
    )
    result = run("changes", "v3")
    assert result.exit_code == 0, result.output
    assert (
        "              outputs:\n"
        "                + A report on the e-bus pilot, shared with both city councils\n"
        "                + Photos\n"
    ) in result.stdout
    markdown = run("changes", "v3", "--format", "markdown").stdout
    assert "    - outputs:\n      - added: A report on the e-bus pilot" in markdown
