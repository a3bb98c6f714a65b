"""The command line's rough edges, smoothed: escapes in paths, Ctrl-C at start-up, record
references, dotted `--fields`, hints and the bare `ucap` (completion: tests/cli/test_completion.py;
the project root and configuration errors: tests/test_config.py)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import LYON_GRAZ, REPO, VALID_RECORD, Run, edited, write_record

# --------------------------------------------------------------------------- escapes in paths

# A records folder whose name holds an OSC 8 hyperlink and a clear-screen sequence.
HOSTILE_FOLDER = "recs\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\\x1b[2J\x9b1m\x07"
# C0 controls but tab and newline, DEL, C1: none may reach the terminal raw.
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
SUMMARY = """\
IUC Urban Cooperation Action Plan (U-CAP) Summary
City:    Lyon    Graz
Country:    France    Austria
Period of cooperation    March 2017 until November 2018
Cooperation Themes:    Mobility
"""


def _toml_string(text: str) -> str:
    """`text` as a TOML basic string, every control character escaped."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = re.sub(r"[\x00-\x1f\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", escaped)
    return f'"{escaped}"'


def _every_command(folder: str) -> list[tuple[str, ...]]:
    hostile = f"{folder}/demo.toml"
    add = ("add", "activity", "demo", "--date", "2018-01", "--kind", "visit", "--title", "T")
    new = ("--city", "Lyon", "--country", "FR", "--partner", "Graz:AT", "--start", "2017")
    return [
        ("validate",),
        ("validate", hostile),
        ("validate", f"{folder}/bad.toml"),
        ("validate", "--format", "concise"),
        ("validate", "--format", "github"),
        ("list",),
        ("list", "--format", "csv"),
        ("show", "demo"),
        ("show", hostile),
        ("show", "nope"),
        ("timeline",),
        ("timeline", "--export", f"{folder}/timeline.txt"),
        ("summary",),
        ("summary", "--export", f"{folder}/summary.svg"),
        ("new", "fresh", *new, "--theme", "Mobility"),
        ("new", "demo", *new, "--theme", "Mobility"),
        add,
        ("add", "activity", hostile, "--date", "2018-13", "--kind", "visit", "--title", "T"),
        ("add", "result", "demo", "--text", "More"),
        ("add", "partner", "demo", "--name", "Nice", "--country", "FR"),
        ("fmt", "--check"),
        ("fmt", "--diff"),
        ("fmt",),
        ("import", "summary.txt"),
        ("import", "summary.txt", "-o", f"{folder}/imported.toml"),
        ("import", "summary.txt", "-o", f"{folder}/imported.toml"),
        ("schema",),
    ]


def _hostile_project(tmp_path: Path, folder: str) -> None:
    records = tmp_path / folder
    write_record(records, "demo", VALID_RECORD.replace("sdgs = [9, 11]", "sdgs = [ 9,11 ]"))
    write_record(records, "bad", VALID_RECORD.replace('id = "demo"', 'id = "bad"\nfoo = 1'))
    write_record(records, "twin", LYON_GRAZ.replace('id = "lyon-graz"', 'id = "demo"'))
    write_record(records, "lyon", VALID_RECORD.replace('id = "demo"', 'id = "lyon"'))  # import's id
    (tmp_path / "summary.txt").write_text(SUMMARY, encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("how", ["ucap.toml", "--records", "UCAP_RECORDS"])
def test_no_command_prints_a_path_raw(run: Run, tmp_path: Path, how: str) -> None:
    _hostile_project(tmp_path, HOSTILE_FOLDER)
    env: dict[str, str] = {}
    if how == "ucap.toml":
        (tmp_path / "ucap.toml").write_text(
            f"records = {_toml_string(HOSTILE_FOLDER)}\n", encoding="utf-8"
        )
    elif how == "UCAP_RECORDS":
        env["UCAP_RECORDS"] = HOSTILE_FOLDER
    printed = []
    for arguments in _every_command(HOSTILE_FOLDER):
        if how == "--records" and arguments[0] != "schema":
            arguments = (*arguments, "--records", HOSTILE_FOLDER)
        result = run(*arguments, env=env)
        assert result.exit_code in (0, 1, 2), (arguments, result.output)
        for stream in (result.stdout, result.stderr):
            assert not UNSAFE.search(stream), (arguments, stream)
        printed.append(result.output)
    assert r"recs\x1b]8;;http:" in "".join(printed)  # the path is shown, escaped


def test_a_rejected_answer_on_the_terminal_is_shown_as_typed(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ucap_cli.cli.new._interactive", lambda: True)
    answers = ["[bold]Fr\x1b[2J", "France", "Graz:AT", "", "2017-03", "Mobility"]
    result = run("new", "lyon", "--city", "Lyon", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "unknown country '[bold]Fr\\x1b[2J'" in result.stdout  # not markup, not an escape
    assert not UNSAFE.search(result.stdout)


# --------------------------------------------------------------------------- Ctrl-C at start-up


def _start_ucap(folder: Path, arguments: list[str], setup: str = "") -> subprocess.Popen[str]:
    """`ucap ARGUMENTS` in a Python process that is running ucap's `main` once this returns
    (the interpreter's own start-up, before any ucap code runs, is not ucap's to handle).

    `setup` is Python run in that process first.
    """
    ready, told = os.pipe()
    script = (
        f"import os, sys\n{setup}\nsys.argv = ['ucap', *{arguments!r}]\n"
        f"from ucap_cli.__main__ import main\nos.write({told}, b'.')\nmain()\n"
    )
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("UCAP_RECORDS", None)
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        pass_fds=(told,),
    )
    os.close(told)
    os.read(ready, 1)
    os.close(ready)
    return process


def _copy_of_the_bundled_records(tmp_path: Path) -> Path:
    for path in (REPO / "records").glob("*.toml"):
        write_record(tmp_path / "records", path.name, path.read_bytes())
    return tmp_path


@pytest.mark.slow
@pytest.mark.parametrize(("command", "runs"), [("list", 14), ("validate", 8)])
def test_ctrl_c_at_any_moment_of_start_up(tmp_path: Path, command: str, runs: int) -> None:
    """Ctrl-C at any moment, from the first import on: exit 130 and one line, or done."""
    folder = _copy_of_the_bundled_records(tmp_path)
    outcomes = []
    for run_number in range(runs):
        process = _start_ucap(folder, [command])
        time.sleep(0.5 * run_number / runs)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
        outcomes.append((process.returncode, stderr))
    assert set(outcomes) <= {(130, "ucap: interrupted\n"), (0, "")}, outcomes


def test_ctrl_c_after_the_command_finished_changes_nothing(tmp_path: Path) -> None:
    """Ctrl-C while the interpreter exits (as late as Python code runs): status and output
    are the command's; no word of an interruption, no traceback."""
    late = "import atexit, signal\natexit.register(os.kill, os.getpid(), signal.SIGINT)"
    folder = _copy_of_the_bundled_records(tmp_path)
    process = _start_ucap(folder, ["list", "-f", "csv", "--fields", "id"], late)
    stdout, stderr = process.communicate(timeout=30)
    assert (process.returncode, stdout, stderr) == (0, "id\nzhengzhou\n", "")


@pytest.mark.parametrize(
    "setup",
    [
        # while Typer is imported
        "import builtins\n"
        "real = builtins.__import__\n"
        "def imports(name, *args, **kwargs):\n"
        "    if name == 'typer':\n"
        "        raise KeyboardInterrupt\n"
        "    return real(name, *args, **kwargs)\n"
        "builtins.__import__ = imports",
        # while Typer parses the command line (which it would end silently with status 130)
        "from typer.core import TyperGroup\n"
        "def parse(*args, **kwargs):\n"
        "    raise KeyboardInterrupt\n"
        "TyperGroup.parse_args = parse",
        # in a weak reference's callback, as importlib's module locks have: Python cannot
        # raise it there, and would print "Exception ignored" and go on (seen once in CI)
        "import builtins, weakref\n"
        "class Lock: pass\n"
        "def callback(_):\n"
        "    raise KeyboardInterrupt\n"
        "lock = Lock()\n"
        "reference = weakref.ref(lock, callback)\n"
        "real = builtins.__import__\n"
        "def imports(name, *args, **kwargs):\n"
        "    global lock\n"
        "    if name == 'typer':\n"
        "        lock = None\n"
        "    return real(name, *args, **kwargs)\n"
        "builtins.__import__ = imports",
    ],
    ids=["importing", "parsing", "in-a-callback"],
)
def test_ctrl_c_before_the_command_runs(tmp_path: Path, setup: str) -> None:
    process = _start_ucap(_copy_of_the_bundled_records(tmp_path), ["list"], setup)
    _, stderr = process.communicate(timeout=30)
    assert (process.returncode, stderr) == (130, "ucap: interrupted\n")


# --------------------------------------------------------------------------- a bare `ucap`


@pytest.mark.parametrize("group", [[], ["add"]])
def test_a_group_without_a_command_prints_its_help(run: Run, group: list[str]) -> None:
    result = run(*group)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == run(*group, "--help").stdout
    assert result.stdout.startswith(f"Usage: ucap {' '.join([*group, ''])}[OPTIONS] COMMAND")


def test_a_bare_ucap_process_prints_help_to_stdout(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ucap_cli"], cwd=tmp_path, capture_output=True, text=True
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith("Usage: ")
    assert "Commands:" in done.stdout


# --------------------------------------------------------------------------- hints


@pytest.mark.parametrize("value", ["19", "0", "100", "x", "SDG18"])
def test_an_sdg_out_of_range_is_answered_with_the_range(run: Run, value: str) -> None:
    write_record(Path("records"), "demo", VALID_RECORD)
    result = run("list", "--sdg", value)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"ucap: error: --sdg: expected a Sustainable Development Goal number 1-17, got {value!r}",
        "  hint: SDGs are numbered 1 to 17 (`ucap show` lists the names of a record's SDGs)",
    ]


@pytest.mark.parametrize(
    ("change", "message", "hint"),
    [
        (
            ('contact = "', 'notes = 1\ncontact = "'),
            "unknown key 'notes' in the top level",
            "custom fields belong in the [extra] table",
        ),
        (
            (
                "[[activities.agreements]]",
                '[activities.extra]\nnote = "x"\n\n[[activities.agreements]]',
            ),
            "unknown key 'extra' in [activities[1]]",
            "custom fields belong in the record's top-level [extra] table, not in [activities[1]]",
        ),
        (
            ('themes = ["Mobility"]\n\n', 'themes = ["Mobility"]\nfoo = 1\n\n'),
            "unknown key 'foo' in [activities[1]]",
            "custom fields belong in the record's top-level [extra] table, not in [activities[1]]",
        ),
        (
            ('themes = ["Mobility"]\n\n', 'themes = ["Mobility"]\ndat = 1\n\n'),
            "unknown key 'dat' in [activities[1]] (did you mean 'date'?)",
            "rename 'dat' to 'date'",
        ),
        (
            ('short = "GRZ"', 'shrot = "GRZ"'),
            "unknown key 'shrot' in [partners[1]] (did you mean 'short'?)",
            "rename 'shrot' to 'short'",
        ),
        (
            ('short = "GRZ"', 'mayor = "X"'),
            "unknown key 'mayor' in [partners[1]]",
            "custom fields belong in the record's top-level [extra] table, not in [partners[1]]",
        ),
    ],
    ids=["top-level", "activity-extra", "activity-key", "activity-typo", "partner-typo", "partner"],
)
def test_unknown_keys_are_sent_to_the_top_level_extra(
    run: Run, change: tuple[str, str], message: str, hint: str
) -> None:
    write_record(Path("records"), "demo", edited(VALID_RECORD, change))
    result = run("validate", "--format", "json")
    assert result.exit_code == 1
    [problem] = json.loads(result.stdout)["problems"]
    assert (problem["code"], problem["message"], problem["hint"]) == ("E102", message, hint)


# --------------------------------------------------------------------------- id or path


def _references(tmp_path: Path) -> list[str]:
    return [
        "zhengzhou",
        "records/zhengzhou.toml",
        "zhengzhou.toml",
        str(tmp_path / "records" / "zhengzhou.toml"),
        "./records/zhengzhou.toml",
    ]


def test_show_and_add_take_an_id_or_a_path(run: Run, tmp_path: Path) -> None:
    _copy_of_the_bundled_records(tmp_path)
    for ref in _references(tmp_path):
        shown = run("show", ref, "--format", "json", "--fields", "id")
        assert (shown.exit_code, shown.stdout) == (0, '{\n  "id": "zhengzhou"\n}\n'), ref
        added = run("add", "result", ref, "--text", f"Result via {ref}")
        assert added.exit_code == 0, added.output
        assert added.stdout == "records/zhengzhou.toml: added a [[expected_results]] table\n"
    text = (tmp_path / "records" / "zhengzhou.toml").read_text(encoding="utf-8")
    assert all(f"Result via {ref}" in text for ref in _references(tmp_path))


def test_a_file_name_is_read_in_the_records_folder_from_anywhere(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _copy_of_the_bundled_records(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    for folder in ("records", "elsewhere"):
        monkeypatch.chdir(tmp_path / folder)
        shown = run("show", "zhengzhou.toml", "--format", "json", "--fields", "id")
        assert (shown.exit_code, shown.stdout) == (0, '{\n  "id": "zhengzhou"\n}\n')


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("zhengzou", "no record with id 'zhengzou' in records (did you mean 'zhengzhou'?)"),
        ("zhengzou.toml", "no record file 'zhengzou.toml' in records (did you mean 'zhengzhou'?)"),
        ("records/nope.toml", "no record file 'records/nope.toml' in records"),
    ],
)
def test_an_unknown_reference_is_a_usage_error(
    run: Run, tmp_path: Path, ref: str, message: str
) -> None:
    _copy_of_the_bundled_records(tmp_path)
    for command in (("show", ref), ("add", "result", ref, "--text", "T")):
        result = run(*command)
        assert result.exit_code == 2
        assert result.stderr.splitlines()[0] == f"ucap: error: {message}"


# --------------------------------------------------------------------------- dotted --fields


def test_a_key_of_a_table_can_be_chosen(run: Run) -> None:
    write_record(Path("records"), "demo", VALID_RECORD)
    listed = run("list", "--format", "json", "--fields", "id,period.start")
    assert (listed.exit_code, listed.stdout) == (
        0,
        '[\n  {"id": "demo", "period": {"start": "2017-03"}}\n]\n',
    )
    shown = run("show", "demo", "--format", "json", "--fields", "period.start,city.name")
    assert json.loads(shown.stdout) == {"period": {"start": "2017-03"}, "city": {"name": "Lyon"}}
    csv = run("list", "--format", "csv", "--fields", "period.start,id,extra.anything")
    assert (
        csv.stdout == 'period.start,id,extra.anything\n2017-03,demo,"{""goes"": [1, ""here""]}"\n'
    )
    markdown = run("list", "--format", "markdown", "--fields", "id,city.country")
    assert markdown.stdout.splitlines()[::2] == ["| id | city.country |", "| demo | France |"]
    both = run("list", "--format", "csv", "--fields", "period")  # a table: all of its keys
    assert both.stdout == "period.start,period.end\n2017-03,2018-11\n"
    whole = run("list", "--format", "json", "--fields", "period.end,period")
    assert json.loads(whole.stdout) == [{"period": {"start": "2017-03", "end": "2018-11"}}]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("period.strat", "unknown field 'period.strat' (did you mean 'period.start'?)"),
        ("perod.start", "unknown field 'perod.start' (did you mean 'period.start'?)"),
        ("city.nmae", "unknown field 'city.nmae' (did you mean 'city.name'?)"),
        ("id.x", "unknown field 'id.x'"),
        ("extra.", "unknown field 'extra.'"),
    ],
)
def test_an_unknown_key_of_a_table_is_a_usage_error(run: Run, fields: str, message: str) -> None:
    write_record(Path("records"), "demo", VALID_RECORD)
    result = run("list", "--format", "json", "--fields", fields)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"ucap: error: --fields: {message}")
    assert "period.start, period.end, city.name" in result.stderr  # the hint lists them


# --------------------------------------------------------------------------- click's usage errors


@pytest.mark.parametrize(
    ("arguments", "message", "command"),
    [
        (["list", "--bogus"], "No such option: --bogus", "ucap list"),
        (["show"], "Missing argument 'ID'.", "ucap show"),
        (["add", "activity"], "Missing argument 'ID'.", "ucap add activity"),
        (["--color", "sometimes", "list"], "Invalid value for '--color': 'sometimes'", "ucap"),
        (
            ["validate", "--format", "xml"],
            "Invalid value for '--format' / '-f': 'xml'",
            "ucap validate",
        ),
        (["list", "--limit", "x"], "Invalid value for '--limit': 'x'", "ucap list"),
    ],
)
def test_a_bad_command_line_is_one_error_line_and_a_hint(
    run: Run, arguments: list[str], message: str, command: str
) -> None:
    """As ucap's own usage errors (a newcomer's finding: click printed four lines)."""
    result = run(*arguments)
    assert (result.exit_code, result.stdout) == (2, "")
    error, hint = result.stderr.splitlines()
    assert error.startswith(f"ucap: error: {message}"), error
    assert hint == f"  hint: `{command} --help` shows the usage"


def test_a_bad_option_in_a_real_process_is_one_error_line_and_a_hint(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ucap_cli", "list", "--bogus"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("ucap: error: No such option: --bogus")
    assert len(done.stderr.splitlines()) == 2
