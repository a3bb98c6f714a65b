"""`ucap validate` through the real CLI: every problem code, locations, options, pre-commit mode.

Its output formats: tests/render/test_render_problems.py; its configuration: tests/test_config.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, VALID_RECORD, Run, write_record

from ucap_cli import __version__


def report(run: Run, *args: str) -> tuple[int, dict[str, Any]]:
    """Exit status and the parsed JSON report of `ucap validate --format json ARGS`."""
    result = run("validate", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def located(problems: list[dict[str, Any]]) -> list[tuple[str, int, int, str]]:
    return [(p["path"], p["line"], p["column"], p["code"]) for p in problems]


# --------------------------------------------------------------------------- every code


def test_e001_not_utf8_points_at_the_first_bad_byte(run: Run, tmp_path: Path) -> None:
    data = VALID_RECORD.encode().replace(b'name = "Lyon"', b'name = "Ly\xf6n"')
    write_record(tmp_path, "demo", data)
    result = run("validate", "demo.toml")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "demo.toml:15:11: error E001 not UTF-8 text: invalid start byte",
        "1 error, 0 warnings in 1 file",
    ]


def test_e201_duplicate_id_names_both_files(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path, "records/demo", VALID_RECORD)
    write_record(tmp_path, "records/sub/copy", VALID_RECORD)
    status, data = report(run)
    assert status == 1
    assert [
        (p["path"], p["line"], p["column"], p["code"], p["message"]) for p in data["problems"]
    ] == [
        ("records/demo.toml", 2, 6, "E201", "id 'demo' is also used by records/sub/copy.toml"),
        ("records/sub/copy.toml", 2, 6, "E201", "id 'demo' is also used by records/demo.toml"),
        ("records/sub/copy.toml", 2, 6, "W301", "id 'demo' differs from the file name 'copy.toml'"),
    ]


# --------------------------------------------------------------------------- locations


def test_missing_keys_point_at_the_table_that_lacks_them(run: Run, tmp_path: Path) -> None:
    text = (
        VALID_RECORD.replace('parties = ["Lyon", "Graz"]\n', "")
        .replace('text = "A joint e-bus pilot"\n', "")
        .replace('start = "2017-03"\n', "")
    )
    write_record(tmp_path, "demo", text)
    status, data = report(run, "demo.toml")
    assert (status, located(data["problems"])) == (
        1,
        [
            ("demo.toml", 10, 1, "E101"),  # [period]
            ("demo.toml", 31, 1, "E101"),  # [[activities.agreements]]
            ("demo.toml", 34, 1, "E101"),  # [[expected_results]]
        ],
    )
    assert [p["hint"] for p in data["problems"]][1] == (
        "add `parties = ...` to [activities[1].agreements[1]]"
    )


def test_dotted_keys_locate_their_table(run: Run, tmp_path: Path) -> None:
    text = VALID_RECORD.replace(
        '[city]\nname = "Lyon"\nregion = "Auvergne-Rhône-Alpes"\ncountry = "France"\n'
        "population = 513000\n",
        "",
    ).replace(
        'contact = "team@example.org"\n', 'contact = "team@example.org"\ncity.name = "Lyon"\n'
    )
    write_record(tmp_path, "demo", text)
    status, data = report(run, "demo.toml")
    assert (status, located(data["problems"])) == (1, [("demo.toml", 9, 1, "E101")])
    assert data["problems"][0]["message"] == "missing required key 'country' in [city]"


def test_unknown_keys_suggest_the_intended_key(run: Run, tmp_path: Path) -> None:
    text = (
        VALID_RECORD.replace("sdgs = [9, 11]", "sdg = [9, 11]")
        .replace('date = "2017-06"', 'dat = "2017-06"\ndate = "2017-06"')
        .replace('short = "GRZ"', 'shrot = "GRZ"')
        .replace("[extra]", "[extra]\nsdg = 1")  # never validated
        + "colour = 1\n"  # after [extra]: inside it, fine
    )
    text = text.replace("programme =", 'custom_field = "x"\nprogramme =')
    write_record(tmp_path, "demo", text)
    _, data = report(run, "demo.toml")
    got = [(p["line"], p["code"], p["message"], p["hint"]) for p in data["problems"]]
    assert got == [
        (
            4,
            "E102",
            "unknown key 'custom_field' in the top level",
            "custom fields belong in the [extra] table",
        ),
        (
            7,
            "E102",
            "unknown key 'sdg' in the top level (did you mean 'sdgs'?)",
            "rename 'sdg' to 'sdgs'",
        ),
        (
            23,
            "E102",
            "unknown key 'shrot' in [partners[1]] (did you mean 'short'?)",
            "rename 'shrot' to 'short'",
        ),
        (
            27,
            "E102",
            "unknown key 'dat' in [activities[1]] (did you mean 'date'?)",
            "rename 'dat' to 'date'",
        ),
    ]


def test_problems_in_several_files_are_sorted_by_path(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path, "records/b", VALID_RECORD.replace('id = "demo"', 'id = "b"'))
    write_record(tmp_path, "records/a", VALID_RECORD.replace('id = "demo"', 'id = "a!"'))
    write_record(tmp_path, "records/.hidden", "not toml at all")
    write_record(tmp_path, "records/.git/x", "not toml at all")
    write_record(tmp_path, "records/notes.txt", "not toml at all")
    status, data = report(run, "records")
    assert (status, located(data["problems"])) == (1, [("records/a.toml", 2, 6, "E108")])
    assert data["files_checked"] == 2


# --------------------------------------------------------------------------- options


def warning_record(tmp_path: Path) -> Path:
    """demo.toml with one W303 (line 29) and one W304 (line 30)."""
    text = VALID_RECORD.replace(
        'cities = ["Lyon", "GRZ"]', 'cities = ["Lyon", "GRZ", "Gratz"]'
    ).replace('themes = ["Mobility"]\n', 'themes = ["Mobilty"]\n')
    return write_record(tmp_path, "demo", text)


def test_strict_makes_warnings_fail(run: Run, tmp_path: Path) -> None:
    warning_record(tmp_path)
    plain = run("validate", "demo.toml")
    strict = run("validate", "--strict", "demo.toml")
    assert (plain.exit_code, strict.exit_code) == (0, 1)
    assert plain.stdout == strict.stdout
    assert plain.stdout.splitlines()[-1] == "0 errors, 2 warnings in 1 file"


@pytest.mark.parametrize(
    ("options", "codes"),
    [
        ((), ["W303", "W304"]),
        (("--select", "W303"), ["W303"]),
        (("--select", "w304"), ["W304"]),
        (("--select", "W3"), ["W303", "W304"]),
        (("--select", "E"), []),
        (("--select", "W303,W304"), ["W303", "W304"]),
        (("--select", "W303", "--select", "W304"), ["W303", "W304"]),
        (("--ignore", "W303"), ["W304"]),
        (("--ignore", "W303,W304"), []),
        (("--ignore", "W3"), []),
        (("--select", "W3", "--ignore", "W304"), ["W303"]),
    ],
)
def test_select_and_ignore(
    run: Run, tmp_path: Path, options: tuple[str, ...], codes: list[str]
) -> None:
    warning_record(tmp_path)
    status, data = report(run, *options, "demo.toml")
    assert (status, [p["code"] for p in data["problems"]]) == (0, codes)
    assert data["warnings"] == len(codes)
    assert run("validate", "--strict", *options, "demo.toml").exit_code == (1 if codes else 0)


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_unknown_codes_are_usage_errors(run: Run, tmp_path: Path, option: str) -> None:
    warning_record(tmp_path)
    result = run("validate", option, "X999", "demo.toml")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"ucap: error: {option}: unknown problem code 'X999'\n")
    assert result.stdout == ""


def test_suppression_comment(run: Run, tmp_path: Path) -> None:
    text = (
        VALID_RECORD.replace(
            'cities = ["Lyon", "GRZ"]',
            'cities = [\n  "Lyon",\n  "GRZ",\n  "Gratz",  # ucap: ignore[W303]\n  "Bonn",\n]',
        )
        .replace('themes = ["Mobility"]\n', 'themes = ["Mobilty"]  # ucap: ignore[w304, E999]\n')
        .replace("population = 513000", "population = 0  # ucap: ignore[W303]")
    )
    write_record(tmp_path, "demo", text)
    status, data = report(run, "demo.toml")
    # Bonn is still reported (its line has no comment); the E104 comment names another code.
    assert located(data["problems"]) == [("demo.toml", 18, 14, "E104")]
    fixed = text.replace("population = 0", "population = 1")
    write_record(tmp_path, "demo", fixed)
    status, data = report(run, "demo.toml")
    # Now that the record has no errors, the comments that suppress nothing are W308.
    assert (status, located(data["problems"])) == (
        0,
        [
            ("demo.toml", 18, 17, "W308"),
            ("demo.toml", 33, 3, "W303"),
            ("demo.toml", 35, 23, "W308"),
        ],
    )
    assert "'Bonn'" in data["problems"][1]["message"]
    assert data["problems"][2]["message"] == (
        "# ucap: ignore[E999] suppresses nothing on this line (E999 is not a problem code)"
    )


# --------------------------------------------------------------------------- pre-commit mode


def test_given_files_are_checked_against_the_whole_collection(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path, "records/demo", VALID_RECORD)
    write_record(tmp_path, "records/sub/twin", VALID_RECORD)  # same id, elsewhere
    write_record(tmp_path, "records/broken", "id = [")  # problems, but not given
    write_record(tmp_path, "records/good", VALID_RECORD.replace('id = "demo"', 'id = "good"'))

    status, data = report(run, "records/demo.toml", "records/good.toml")
    assert status == 1
    assert data["files_checked"] == 2
    assert [
        (p["path"], p["line"], p["column"], p["code"], p["message"]) for p in data["problems"]
    ] == [
        ("records/demo.toml", 2, 6, "E201", "id 'demo' is also used by records/sub/twin.toml"),
    ]
    status, data = report(run, "records/good.toml")
    assert (status, data["problems"], data["files_checked"]) == (0, [], 1)

    # The same file given twice (absolute, ./, through its folder) is checked once.
    again = (str(tmp_path / "records/good.toml"), "./records/good.toml", "records/../records")
    status, data = report(run, "records/good.toml", *again)
    assert data["files_checked"] == 4
    assert [p["path"] for p in data["problems"]] == [
        "records/broken.toml",
        "records/demo.toml",
        "records/sub/twin.toml",
        "records/sub/twin.toml",  # W301
    ]


def test_a_given_file_outside_the_records_folder(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path, "records/demo", VALID_RECORD)
    write_record(tmp_path, "drafts/demo", VALID_RECORD)
    status, data = report(run, "drafts/demo.toml")
    assert (status, located(data["problems"])) == (1, [("drafts/demo.toml", 2, 6, "E201")])
    assert data["problems"][0]["message"] == "id 'demo' is also used by records/demo.toml"


# --------------------------------------------------------------------------- usage errors


def test_missing_path_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path, "demo", VALID_RECORD)
    result = run("validate", "demo.toml", "nope.toml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "ucap: error: no such file or folder: nope.toml\n"


def test_unknown_option_is_a_usage_error(run: Run) -> None:
    result = run("validate", "--bogus")
    assert result.exit_code == 2
    assert "No such option: --bogus" in result.stderr


def test_no_arguments_prints_help_and_version(run: Run) -> None:
    result = run()
    assert "validate" in result.output and "Usage: ucap" in result.output
    assert run("--version").stdout == f"ucap {__version__}\n"


# --------------------------------------------------------------------------- bundled records


def test_bundled_records_pass_strict(run: Run) -> None:
    records = REPO / "records"
    count = len(list(records.rglob("*.toml")))
    result = run("validate", "--strict", str(records))
    expected = f"0 errors, 0 warnings in {count} file{'s' * (count != 1)}\n"
    assert (result.exit_code, result.stdout) == (0, expected)


def test_validate_never_changes_a_file(run: Run, tmp_path: Path) -> None:
    files = [
        write_record(tmp_path, "records/demo", VALID_RECORD),
        write_record(tmp_path, "records/bad", VALID_RECORD.replace("sdgs", "sdg")),
        write_record(tmp_path, "records/broken", b"\xff\xfe = [\n"),
        write_record(tmp_path, "records/bom", b"\xef\xbb\xbf" + VALID_RECORD.encode()),
    ]
    before = {f: (f.read_bytes(), os.stat(f).st_mtime_ns) for f in files}
    listing = sorted(tmp_path.rglob("*"))
    for fmt in ("text", "json", "github", "sarif", "concise"):
        run("validate", "--format", fmt)
        run("validate", "--format", fmt, *map(str, files))
    assert {f: (f.read_bytes(), os.stat(f).st_mtime_ns) for f in files} == before
    assert sorted(p for p in tmp_path.rglob("*") if ".hypothesis" not in p.parts) == listing
