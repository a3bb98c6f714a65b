"""ucap_cli/config.py: the configuration (ucap.toml, [tool.ucap] in pyproject.toml), where it is
found (the project root), what it accepts, and its errors, located."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import VALID_RECORD, Run, write_record

from ucap_cli.config import DEFAULT_MAX_FILE_SIZE, Config, find_project, load_config
from ucap_cli.errors import ConfigError, ExitCode


def report(run: Run, *args: str) -> tuple[int, dict[str, Any]]:
    """Exit status and the parsed JSON report of `ucap validate --format json ARGS`."""
    result = run("validate", "--format", "json", *args)
    return result.exit_code, json.loads(result.stdout)


def located(problems: list[dict[str, Any]]) -> list[tuple[str, int, int, str]]:
    return [(p["path"], p["line"], p["column"], p["code"]) for p in problems]


# --------------------------------------------------------------------------- configuration errors


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (
            '# ucap.toml\nrecords = "records"\nignor = ["W301"]\n',
            "ucap.toml:3:1: unknown configuration key 'ignor' (did you mean 'ignore'?)",
        ),
        ("strict = false\n\nstrict_mode = true\n", "ucap.toml:3:1: unknown configuration key "),
        (
            '\nstrict = "yes"\n',
            "ucap.toml:2:10: strict must be a bool (true or false), got a string",
        ),
        ("records = 3\n", "ucap.toml:1:11: records must be a string, got an integer"),
        (
            "max_file_size = true\n",
            "ucap.toml:1:17: max_file_size must be a positive integer, got a bool",
        ),
        ("max_file_size = 0\n", "ucap.toml:1:17: max_file_size must be a positive integer, got 0"),
        ("themes = 'x'\n", "ucap.toml:1:10: themes must be an array of strings, got a string"),
        ("themes = ['x', 2]\n", "ucap.toml:1:16: themes must be an array of strings"),
        (
            'ignore = [\n  "W301",\n  "W3O1",\n]\n',
            "ucap.toml:3:3: ignore lists unknown problem code 'W3O1' (did you mean 'W301'?)",
        ),
        ("strict = \n", "ucap.toml:1:10: cannot read configuration: Invalid value"),
    ],
)
def test_a_configuration_error_names_its_line_and_column(
    run: Run, tmp_path: Path, config: str, message: str
) -> None:
    (tmp_path / "ucap.toml").write_text(config, encoding="utf-8")
    write_record(tmp_path, "records/demo", VALID_RECORD)
    result = run("validate")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"ucap: error: {message}"), result.stderr


def test_a_configuration_error_in_pyproject_names_its_line(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.ucap]\nrecords = "data"\nignor = ["W301"]\n'
        "strict = false\n",
        encoding="utf-8",
    )
    (tmp_path / "data").mkdir()
    monkeypatch.chdir(tmp_path / "data")
    result = run("list")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"ucap: error: {tmp_path / 'pyproject.toml'}:6:1: unknown configuration key 'ignor' "
        "(did you mean 'ignore'?)",
        "  hint: keys: records, activity_kinds, themes, ignore, strict, max_file_size, export",
    ]


# --------------------------------------------------------------------------- the project root


@pytest.mark.parametrize("where", ["records", "records/sub/deeper", "notes"])
def test_every_command_works_from_a_subfolder_of_the_project(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    write_record(tmp_path, "records/demo", VALID_RECORD)
    (tmp_path / where).mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(tmp_path / where)
    listed = run("list", "--format", "csv", "--fields", "id")
    assert (listed.exit_code, listed.stdout) == (0, "id\ndemo\n"), listed.output
    assert run("validate").stdout == "0 errors, 0 warnings in 1 file\n"
    assert run("show", "demo", "--format", "json", "--fields", "id").stdout == (
        '{\n  "id": "demo"\n}\n'
    )
    assert run("timeline", "--format", "csv").stdout.count("\n") == 2
    assert run("summary", "--format", "json").exit_code == 0
    new = ("--city", "Nice", "--country", "FR", "--partner", "Graz:AT", "--start", "2019")
    assert run("new", "nice", *new, "--theme", "Mobility").exit_code == 0
    assert (tmp_path / "records" / "nice.toml").is_file()  # in the project's records folder
    assert run("add", "result", "nice", "--text", "More").exit_code == 0
    assert run("fmt").exit_code == 0
    assert run("fmt", "--check").stderr == "2 files unchanged\n"


def test_the_configuration_above_the_records_folder_is_found(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ucap.toml").write_text('records = "data"\nignore = ["W301"]\n', encoding="utf-8")
    write_record(tmp_path, "data/demo", VALID_RECORD.replace('end = "2018-11"\n', ""))
    (tmp_path / "data" / "drafts").mkdir()
    monkeypatch.chdir(tmp_path / "data" / "drafts")
    result = run("validate", "--strict")  # W301 (no end) is ignored by the configuration
    assert (result.exit_code, result.stdout) == (0, "0 errors, 0 warnings in 1 file\n")


def test_the_nearest_project_is_the_root_and_overrides_still_win(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_record(tmp_path, "records/demo", VALID_RECORD)
    inner = tmp_path / "archive"
    write_record(inner, "records/old", VALID_RECORD.replace('id = "demo"', 'id = "old"'))
    monkeypatch.chdir(inner / "records")
    assert run("list", "-f", "csv", "--fields", "id").stdout == "id\nold\n"
    outer = str(tmp_path / "records")
    assert run("list", "-f", "csv", "--fields", "id", "--records", outer).stdout == "id\ndemo\n"
    env = {"UCAP_RECORDS": outer}
    assert run("list", "-f", "csv", "--fields", "id", env=env).stdout == "id\ndemo\n"
    relative = "../../records"  # relative to the current folder, not to the root
    assert run("list", "-f", "csv", "--fields", "id", "--records", relative).stdout == (
        "id\ndemo\n"
    )
    env = {"UCAP_RECORDS": relative}
    assert run("list", "-f", "csv", "--fields", "id", env=env).stdout == "id\ndemo\n"


def test_outside_any_project_the_records_folder_is_not_found(run: Run) -> None:
    result = run("list")
    assert result.exit_code == 2
    assert result.stderr.startswith("ucap: error: records folder not found: records\n")


# --------------------------------------------------------------------------- through validate


def test_config_ignore_strict_kinds_and_themes(run: Run, tmp_path: Path) -> None:
    text = VALID_RECORD.replace('kind = "visit"', 'kind = "study-tour"').replace(
        'cities = ["Lyon", "GRZ"]', 'cities = ["Lyon", "GRZ", "Gratz"]'
    )
    write_record(tmp_path, "demo", text)
    status, data = report(run, "demo.toml")
    assert (status, [p["code"] for p in data["problems"]]) == (1, ["E112"])

    config = tmp_path / "ucap.toml"
    config.write_text('activity_kinds = ["study-tour"]\n', encoding="utf-8")
    status, data = report(run, "demo.toml")
    assert (status, [p["code"] for p in data["problems"]]) == (0, ["W303"])

    config.write_text('activity_kinds = ["study-tour"]\nstrict = true\n', encoding="utf-8")
    assert run("validate", "demo.toml").exit_code == 1

    config.write_text(
        'activity_kinds = ["study-tour"]\nstrict = true\nignore = ["w303"]\n', encoding="utf-8"
    )
    result = run("validate", "demo.toml")
    assert (result.exit_code, result.stdout) == (0, "0 errors, 0 warnings in 1 file\n")

    config.write_text(
        'activity_kinds = ["study-tour"]\nignore = ["W303"]\nthemes = ["mobility", "LOGISTICS"]\n',
        encoding="utf-8",
    )
    status, data = report(run, "demo.toml")
    assert (status, data["problems"]) == (0, [])  # themes match case-insensitively
    config.write_text('themes = ["Logistics", "Trade"]\n', encoding="utf-8")
    status, data = report(run, "--ignore", "E112,W3", "demo.toml")
    assert located(data["problems"]) == [("demo.toml", 5, 11, "E114")]
    assert data["problems"][0]["message"] == (
        "themes[1]: theme 'Mobility' is not in the configured themes"
    )


def test_config_in_pyproject_found_upward(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.ucap]\nrecords = "data"\nignore = ["W301"]\n',
        encoding="utf-8",
    )
    write_record(tmp_path, "data/other", VALID_RECORD)
    sub = tmp_path / "deep" / "er"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    result = run("validate", "--strict")
    assert (result.exit_code, result.stdout) == (0, "0 errors, 0 warnings in 1 file\n")
    result = run("validate", "--select", "W301")
    assert result.stdout == "0 errors, 0 warnings in 1 file\n"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("colour = 1\n", "unknown configuration key 'colour'"),
        ("strict = 1\n", "strict must be a bool"),
        ('ignore = ["X1"]\n', "ignore lists unknown problem code 'X1'"),
        ("themes = 'x'\n", "themes must be an array of strings"),
        ("strict = \n", "cannot read configuration"),
    ],
)
def test_bad_configuration_is_a_usage_error(
    run: Run, tmp_path: Path, config: str, message: str
) -> None:
    (tmp_path / "ucap.toml").write_text(config, encoding="utf-8")
    write_record(tmp_path, "records/demo", VALID_RECORD)
    result = run("validate")
    assert result.exit_code == 2
    assert result.stderr.startswith("ucap: error: ")
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_records_folder_from_option_environment_and_default(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path, "records/demo", VALID_RECORD)
    write_record(tmp_path, "elsewhere/x", VALID_RECORD.replace('id = "demo"', 'id = "x"'))
    write_record(tmp_path, "third/y", "broken =")
    assert run("validate").stdout == "0 errors, 0 warnings in 1 file\n"
    assert run("validate", "--records", "third").exit_code == 1
    env = {"UCAP_RECORDS": "elsewhere"}
    assert run("validate", "--strict", env=env).stdout == "0 errors, 0 warnings in 1 file\n"
    assert run("validate", "--records", "third", env=env).exit_code == 1


def test_missing_records_folder_is_a_usage_error(run: Run) -> None:
    result = run("validate")
    assert result.exit_code == 2
    assert result.stderr.startswith("ucap: error: records folder not found: records\n")


# --------------------------------------------------------------------------- load_config


def test_without_a_configuration_the_defaults_hold(tmp_path: Path) -> None:
    config = load_config(tmp_path, environ={})
    root = tmp_path.resolve()
    assert config == Config(root=root, records=root / "records")
    assert (config.strict, config.max_file_size, config.source, config.ignore) == (
        False,
        DEFAULT_MAX_FILE_SIZE,
        None,
        frozenset(),
    )
    assert config.validation_context() == {"activity_kinds": (), "themes": ()}


def test_every_key_is_read(tmp_path: Path) -> None:
    (tmp_path / "ucap.toml").write_text(
        'records = "data"\nactivity_kinds = ["study-tour"]\nthemes = ["Mobility"]\n'
        'ignore = ["w301", "E109"]\nstrict = true\nmax_file_size = 1000\n',
        encoding="utf-8",
    )
    root = tmp_path.resolve()
    assert load_config(tmp_path / "sub" / "..", environ={}) == Config(
        root=root,
        records=root / "data",
        activity_kinds=("study-tour",),
        themes=("Mobility",),
        ignore=frozenset({"W301", "E109"}),  # codes as typed by people, upper-cased
        strict=True,
        max_file_size=1000,
        source=root / "ucap.toml",
    )
    context = load_config(tmp_path, environ={}).validation_context()
    assert context == {"activity_kinds": ("study-tour",), "themes": ("Mobility",)}


def test_the_records_folder_by_priority(tmp_path: Path) -> None:
    (tmp_path / "ucap.toml").write_text('records = "data"\n', encoding="utf-8")
    option, env = Path("chosen"), {"UCAP_RECORDS": "from-env"}
    assert load_config(tmp_path, option, env).records == option
    assert load_config(tmp_path, None, env).records == Path("from-env")
    assert load_config(tmp_path, None, {"UCAP_RECORDS": ""}).records == tmp_path.resolve() / "data"


def test_find_project_stops_at_the_nearest_project(tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_project(deep) == (deep, None)  # no project: where it started
    (tmp_path / "records").mkdir()
    assert find_project(deep) == (tmp_path, None)
    (tmp_path / "a" / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert find_project(deep) == (tmp_path, None)  # a pyproject.toml without [tool.ucap]
    (tmp_path / "a" / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.ucap]\nstrict = true\n', encoding="utf-8"
    )
    root, found = find_project(deep)
    assert root == tmp_path / "a" and found is not None
    assert (found.path.name, found.table, found.base) == (
        "pyproject.toml",
        {"strict": True},
        ("tool", "ucap"),
    )
    (tmp_path / "a" / "ucap.toml").write_text("strict = false\n", encoding="utf-8")
    root, found = find_project(deep)  # ucap.toml comes before pyproject.toml
    assert found is not None and (found.path.name, found.table, found.base) == (
        "ucap.toml",
        {"strict": False},
        (),
    )


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        (
            "strict = true\ncolour = 1\n",
            "ucap.toml:2:1: unknown configuration key 'colour'",
            "keys: records, activity_kinds, themes, ignore, strict, max_file_size, export",
        ),
        (
            "ignore = ['W3O1']\n",
            "ucap.toml:1:11: ignore lists unknown problem code 'W3O1' (did you mean 'W301'?)",
            "the README's table of problem codes lists them",
        ),
        (
            "max_file_size = 0\n",
            "ucap.toml:1:17: max_file_size must be a positive integer, got 0",
            None,
        ),
        (
            "strict = 'yes'\n",
            "ucap.toml:1:10: strict must be a bool (true or false), got a string",
            None,
        ),
        (
            "themes = ['a', 1]\n",
            "ucap.toml:1:16: themes must be an array of strings, got an integer in it",
            None,
        ),
        ("records = \n", "ucap.toml:1:11: cannot read configuration: Invalid value", None),
    ],
)
def test_a_configuration_error_is_located_with_a_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str, hint: str | None
) -> None:
    monkeypatch.chdir(tmp_path)  # paths in messages are shown relative to the current folder
    (tmp_path / "ucap.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, environ={})
    assert (str(caught.value), caught.value.hint) == (message, hint)
    assert caught.value.exit_code == ExitCode.USAGE
