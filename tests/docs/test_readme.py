"""The README and the pages of docs/ tell the truth: commands, problem codes, example outputs.

Every fenced block of README.md, docs/*.md and bench/README.md is checked by some test
(`test_every_example_block_is_checked` names which):

- the `console` blocks of a document are one session, replayed in order in a scratch project
  (a copy of the bundled `records/` and of `tests/data/`), at 80 columns and without colour:
  each `$ ` line is run in turn (a `ucap` command through the CLI, anything else through a
  shell, as a user would type it), and what it prints, stdout and stderr together, must be
  the lines shown under it;
- the other blocks by the tests named in CHECKED.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from ucap_cli.check.problems import CODES
from ucap_cli.cli.app import app

REPO = Path(__file__).resolve().parents[2]
README_PATH = REPO / "README.md"
README = README_PATH.read_text(encoding="utf-8")
DOCUMENTS = [README_PATH, *sorted((REPO / "docs").glob("*.md")), REPO / "bench" / "README.md"]
ENV = {"NO_COLOR": "1", "COLUMNS": "80"}
# A session's `git commit` as on a user's machine, whatever this one's git configuration.
GIT_IDENTITY = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "A. Officer",
    "GIT_AUTHOR_EMAIL": "officer@example.org",
    "GIT_COMMITTER_NAME": "A. Officer",
    "GIT_COMMITTER_EMAIL": "officer@example.org",
}
_FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```$", re.MULTILINE | re.DOTALL)
_SHELL = re.compile(r"[|<>;&`$()*?'\"\\]")


@dataclass(frozen=True)
class Block:
    """A fenced block of a document: its language, its text (dedented: blocks may sit in list
    items), the line of its opening fence and the heading it is under."""

    document: Path
    line: int
    language: str
    body: str
    heading: str

    @property
    def name(self) -> str:
        return f"{self.document.relative_to(REPO).as_posix()}:{self.line}"


def blocks(document: Path) -> list[Block]:
    text = document.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        before = text[: match.start()]
        headings = re.findall(r"^#+ (.+)$", before, re.MULTILINE)
        found.append(
            Block(
                document,
                before.count("\n") + 1,
                match.group(2),
                textwrap.dedent(match.group(3)),
                headings[-1] if headings else "",
            )
        )
    return found


def fenced(language: str, document: Path = README_PATH) -> list[str]:
    """The code blocks of `document` in `language`."""
    return [block.body for block in blocks(document) if block.language == language]


def commands() -> list[tuple[str, object]]:
    """(`ucap NAME [SUB]`, click command) for every registered command, sub-commands too."""
    found: list[tuple[str, object]] = []

    def walk(prefix: str, command: object) -> None:
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            found.append((f"{prefix} {name}", sub))
            walk(f"{prefix} {name}", sub)

    walk("ucap", typer.main.get_command(app))
    return found


def test_commands_are_found() -> None:
    names = [name for name, _ in commands()]
    assert "ucap validate" in names and "ucap schema" in names


@pytest.mark.parametrize(("name", "command"), commands(), ids=[n for n, _ in commands()])
def test_every_command_has_help_and_is_in_the_readme(name: str, command: object) -> None:
    help_text = getattr(command, "help", None) or getattr(command, "short_help", None)
    assert help_text and help_text.strip(), f"{name} has no help text"
    assert re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", README), f"{name} not in README"


def test_every_command_answers_help() -> None:
    runner = CliRunner()
    for name, _ in commands():
        result = runner.invoke(app, [*name.split()[1:], "--help"], env=ENV, catch_exceptions=False)
        assert result.exit_code == 0, name
        assert result.stdout.startswith(f"Usage: {name}"), result.stdout[:200]


def test_problem_code_table_matches_the_codes() -> None:
    table = README.split("<!-- codes:start -->", 1)[1].split("<!-- codes:end -->", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| (\w+) \| (.+?) \|$", table, re.MULTILINE)
    assert rows == [(c.id, str(c.severity), c.summary) for c in CODES.values()]


def test_the_readme_stays_short() -> None:
    """Issue 14: the README fits a newcomer; the rest is in docs/ and bench/README.md.
    Issues 15-17 added seven commands, each toured in a few lines, the rest in docs/."""
    assert len(README.splitlines()) < 320


def test_every_page_the_readme_points_to_exists() -> None:
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#:]+?\.md)(?:#[^)]*)?\)", text):
            assert (document.parent / target).is_file(), f"{document.name}: {target}"
    linked = set(re.findall(r"\]\((docs/[\w-]+\.md)\)", README))
    assert linked == {f"docs/{page.name}" for page in (REPO / "docs").glob("*.md")}


# --------------------------------------------------------------------------- console sessions


@dataclass(frozen=True)
class Step:
    """One `$ ...` line of a console block and the output the document shows for it."""

    command: str
    output: str


def steps(block: Block) -> list[Step]:
    found = []
    command: str | None = None
    output: list[str] = []
    for line in [*block.body.splitlines(), "$ end"]:
        if line.startswith("$ "):
            if command is not None:
                found.append(Step(command, "\n".join(output)))
            command, output = line[2:], []
        else:
            output.append(line)
    return found


def sessions() -> list[Path]:
    """The documents with console blocks: each is one session, its blocks replayed in order."""
    return [d for d in DOCUMENTS if any(b.language == "console" for b in blocks(d))]


def scratch_project(folder: Path) -> Path:
    """A project as a user has one after cloning: the bundled records and the seed summary."""
    shutil.copytree(REPO / "records", folder / "records")
    shutil.copytree(REPO / "tests" / "data", folder / "tests" / "data")
    return folder


def replay(step: Step, folder: Path) -> str:
    """What `step.command` prints in `folder` (the current folder), stdout and stderr together
    in the order a terminal shows them: through a shell whose `ucap` is this environment's, in
    a process of its own (in-process, Click's runner buffers stdout apart from stderr, and
    the lines of the two came out in another order than a user sees)."""
    bin_folder = str(Path(sys.executable).parent)
    env = {**os.environ, **ENV, "PATH": bin_folder + os.pathsep + os.environ["PATH"]}
    for name in ("UCAP_RECORDS", "GITHUB_ACTIONS", "FORCE_COLOR"):
        env.pop(name, None)
    env.update(GIT_IDENTITY)
    done = subprocess.run(
        step.command,
        shell=True,
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=120,
    )
    return done.stdout


def normalised(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.rstrip().splitlines())


def test_the_readme_has_console_sessions() -> None:
    readme = [s.command for b in blocks(README_PATH) if b.language == "console" for s in steps(b)]
    assert "ucap validate" in readme
    for document in sessions():
        assert all(steps(b) for b in blocks(document) if b.language == "console"), document


@pytest.mark.parametrize(
    "document", sessions(), ids=[d.relative_to(REPO).as_posix() for d in sessions()]
)
def test_console_sessions_are_real(
    document: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document's console blocks, in order, in one scratch project (a tour builds on what
    its earlier steps made)."""
    folder = scratch_project(tmp_path / "project")
    monkeypatch.chdir(folder)
    for name in ("UCAP_RECORDS", "GITHUB_ACTIONS", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for block in blocks(document):
        if block.language == "console":
            for step in steps(block):
                shown = normalised(replay(step, folder))
                assert shown == normalised(step.output), f"{block.name}: $ {step.command}"


# --------------------------------------------------------------------------- the other blocks


def test_error_example_is_the_real_output_for_a_misspelt_country(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The text and JSON examples of a problem: the bundled record with 'Chnia' for 'China'."""
    from ucap_cli.config import load_config
    from ucap_cli.render.problems import text_lines
    from ucap_cli.store.collection import validate

    original = (REPO / "records" / "zhengzhou.toml").read_text(encoding="utf-8")
    assert original.count('country = "China"') == 1
    (tmp_path / "records").mkdir()
    (tmp_path / "records" / "zhengzhou.toml").write_text(
        original.replace('country = "China"', 'country = "Chnia"'), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("UCAP_RECORDS", raising=False)

    page = REPO / "docs" / "validate.md"
    (text_example,) = [b for b in fenced("text", page) if "Chnia" in b]
    result = validate(load_config(tmp_path))
    shown = "\n".join(line.plain for line in text_lines(result, detailed=True))
    assert shown.startswith(text_example.rstrip("\n"))

    (json_example,) = [b for b in fenced("json", page) if "Chnia" in b]
    runner = CliRunner()
    output = runner.invoke(app, ["validate", "--format", "json"], env=ENV, catch_exceptions=False)
    assert json.loads(output.stdout) == json.loads(json_example)


def test_the_set_up_commands_are_what_ci_runs() -> None:
    """The README's first two commands: CI (.ci/run) runs them, after making the venv."""
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    setup = fenced("sh")[0]
    venv = "python -m venv .venv && . .venv/bin/activate && "
    assert setup.splitlines() == [
        venv + "pip install . && ucap validate --strict records",
        venv + "pip install '.[test]' && pytest && ruff check . && mypy",
    ]
    for command in setup.splitlines():
        assert command.removeprefix(venv) in ci
    assert README.index(setup) < README.index("\n## ")  # first, before any section


def test_the_development_commands_are_real() -> None:
    """`pytest -m "not slow"` skips the slow tests: the marker is registered and used."""
    (block,) = [b for b in blocks(README_PATH) if b.heading == "Development"]
    import tomllib

    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    markers = pyproject["tool"]["pytest"]["ini_options"]["markers"]
    assert any(marker.startswith("slow:") for marker in markers)
    assert 'pytest -m "not slow"' in block.body
    used = [p for p in (REPO / "tests").rglob("test_*.py") if "mark.slow" in p.read_text("utf-8")]
    assert used
    for line in block.body.splitlines():
        command = line.split("#")[0].strip()
        assert command.split()[0] in {"pip", "pytest", "ruff", "mypy"}, line


def test_the_configuration_example_is_accepted(tmp_path: Path) -> None:
    """The README's `ucap.toml` is a valid configuration that means what its comments say."""
    from ucap_cli.config import load_config

    (example,) = [b for b in fenced("toml") if b.startswith("# ucap.toml\n")]
    (tmp_path / "ucap.toml").write_text(example, encoding="utf-8")
    config = load_config(tmp_path, environ={})
    assert config.root == tmp_path.resolve() and config.records == config.root / "records"
    assert config.activity_kinds == ("study-tour",)
    assert "Logistics" in config.themes and config.ignore == {"W307"}
    assert config.strict is False and config.max_file_size == 10 * 1024 * 1024


def test_the_bench_readme_lists_every_budget() -> None:
    """bench/README.md's table of budgets is bench/run.py's BUDGETS (and the memory budget)."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import run as bench  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(REPO / "bench"))
    text = (REPO / "bench" / "README.md").read_text(encoding="utf-8")
    table = text.split("<!-- budgets:start -->", 1)[1].split("<!-- budgets:end -->", 1)[0]
    rows = re.findall(r"^\| `([\w-]+)` \| `([\w-]+)` \| (.+?) \|", table, re.MULTILINE)
    expected = [
        (b.case, b.peer, "none" if b.limit is None else f"≤ {b.limit:g} x") for b in bench.BUDGETS
    ]
    assert [(case, peer, limit.strip()) for case, peer, limit in rows] == expected
    assert f"≤ {bench.MEMORY_BUDGET:g} x the files' size" in table


def test_the_summary_json_table_names_every_key() -> None:
    """docs/views.md's table of `summary --format json`: every top-level key, in order, and the
    keys of `overview` and its `names`."""
    page = (REPO / "docs" / "views.md").read_text(encoding="utf-8")
    table = page.split("<!-- summary-json:start -->", 1)[1].split("<!-- summary-json:end -->")[0]
    rows = dict(re.findall(r"^\| `(\w+)` \| (.+) \|$", table, re.MULTILINE))
    records = str(REPO / "records")
    result = CliRunner().invoke(
        app, ["summary", "--format", "json", "--records", records], env=ENV, catch_exceptions=False
    )
    data = json.loads(result.stdout)
    assert list(rows) == list(data)
    for key in [*data["overview"], *data["overview"]["names"]]:
        assert f"`{key}`" in rows["overview"], key


def test_the_limits_are_the_code_s() -> None:
    """The numbers the README and docs/limits-and-safety.md give are the code's constants (the
    tests of each limit are in test_hardening, test_reading_hostile and test_robustness)."""
    from ucap_cli.check.loader import MAX_PROBLEMS
    from ucap_cli.config import DEFAULT_MAX_FILE_SIZE
    from ucap_cli.toml.parser import MAX_DEPTH
    from ucap_cli.toml.write import LOCK_TIMEOUT

    page = " ".join((REPO / "docs" / "limits-and-safety.md").read_text(encoding="utf-8").split())
    readme = " ".join(README.split())
    for text in (readme, page):
        [nesting] = [b for b in text.split(" - ") if b.startswith("**Nesting.**")]
        assert f"more than {MAX_DEPTH} levels deep" in nesting
        assert "400" not in nesting.split("E004")[0]  # the parser's own limit is not the limit
    assert DEFAULT_MAX_FILE_SIZE == 10 * 1024 * 1024 and "10 MiB" in readme
    assert f"default {DEFAULT_MAX_FILE_SIZE:,}, 10 MiB" in page
    assert f"At most {MAX_PROBLEMS} problems are reported for one file" in page
    assert f"one that has waited {LOCK_TIMEOUT:g} s gives up" in page


def test_the_dependencies_are_pyproject_s() -> None:
    """The README's table of dependencies: every dependency of pyproject.toml, with the pins it
    explains; and pycountry's data is read without importing it (the README says why)."""
    import tomllib

    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    dependencies = pyproject["project"]["dependencies"]
    required = {re.split(r"[<>=]", d, maxsplit=1)[0]: d for d in dependencies}
    section = README.split("## Dependencies\n", 1)[1].split("\n## ", 1)[0]
    named = re.findall(r"^\| \[([\w-]+)\]\(", section, re.MULTILINE)
    assert sorted(named) == sorted(required)
    assert "<0.29" in required["typer"] and "`<0.29`" in section
    assert required["tomli"] == "tomli>=2.2.1,<2.4" and "`>=2.2.1,<2.4`" in section
    script = (
        "import sys\n"
        "from ucap_cli.record import countries as c\n"
        "assert c.find_country('Deutschland') and c.suggest_country('Rusia') == 'Russia'\n"
        "assert 'pycountry' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_progress_bar_shows_on_a_terminal_from_200_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """docs/validate.md: on a terminal, a progress bar on stderr for runs of 200 files or more."""
    import io

    from ucap_cli.render import progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    shown = {}
    for total in (199, 200):
        terminal = Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        with progress.progress_on_stderr() as advance:
            assert advance is not None
            for done in range(1, total + 1):
                advance(done, total)
        shown[total] = terminal.getvalue()
    assert shown[199] == "" and "checking" in shown[200]
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # not a terminal: no bar
    with progress.progress_on_stderr() as advance:
        assert advance is None


def test_the_terminal_summary_shows_the_30_most_active_pairs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/views.md: the city network shows, in the terminal, the 30 most active pairs when
    there are more (and says how many more); JSON lists them all."""
    from conftest import VALID_RECORD, write_record

    partners = "".join(f'[[partners]]\nname = "Town {n:02}"\ncountry = "AT"\n\n' for n in range(30))
    text = VALID_RECORD.replace("[[activities]]\n", partners + "[[activities]]\n", 1)
    write_record(tmp_path / "records", "demo", text)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    shown = runner.invoke(app, ["summary"], env=ENV, catch_exceptions=False).stdout
    pairs = [line for line in shown.splitlines() if line.startswith("Lyon \N{EN DASH} ")]
    assert len(pairs) == 30 and pairs[0].startswith("Lyon \N{EN DASH} Graz ")  # the active one
    assert "+ 1 more pairs (--format csv lists them all)" in shown
    data = runner.invoke(app, ["summary", "--format", "json"], env=ENV, catch_exceptions=False)
    assert len(json.loads(data.stdout)["city_network"]) == 31


# Which test checks each block that is not a console session: (document, language, what the
# block holds or the heading it is under) -> the name of the test (in any file under tests/).
CHECKED: list[tuple[str, str, Callable[[Block], bool], str]] = [
    ("README.md", "sh", lambda b: "python -m venv" in b.body,
     "test_the_set_up_commands_are_what_ci_runs"),
    ("README.md", "sh", lambda b: b.heading == "Development",
     "test_the_development_commands_are_real"),
    ("docs/validate.md", "text", lambda b: "Chnia" in b.body,
     "test_error_example_is_the_real_output_for_a_misspelt_country"),
    ("docs/validate.md", "json", lambda b: "Chnia" in b.body,
     "test_error_example_is_the_real_output_for_a_misspelt_country"),
    ("docs/writing.md", "text", lambda b: b.heading == "A session",
     "test_the_readme_transcript_of_writing_records_is_real"),
    ("README.md", "toml", lambda b: b.body.startswith("# ucap.toml\n"),
     "test_the_configuration_example_is_accepted"),
    ("README.md", "yaml", lambda b: b.body.startswith("# .pre-commit-config.yaml\n"),
     "test_a_clean_commit_passes_and_says_what_was_checked"),
    ("docs/record-format.md", "toml", lambda b: b.heading == "An example record",
     "test_the_example_record_is_valid_under_strict"),
    ("bench/README.md", "sh", lambda b: "bench/run.py --quick" in b.body,
     "test_quick_run_prints_a_figure_for_every_existing_command"),
    # docs/changes.md's transcripts need a git repository: test_changes_doc builds the page's.
    ("docs/changes.md", "sh", lambda b: b.body.startswith("ucap changes REV [REV2] "),
     "test_the_synopsis_names_real_options"),
    ("docs/changes.md", "text", lambda b: b.body.startswith("$ ucap changes "),
     "test_the_page_s_transcripts_are_real"),
    ("docs/summary-document.md", "text",
     lambda b: b.body.startswith("IUC Urban Cooperation Action Plan (U-CAP) Summary\n"),
     "test_the_summary_document_example_is_the_real_output"),
    ("docs/validate-fix.md", "text", lambda b: b.body.startswith("$ ucap validate --statistics\n"),
     "test_the_docs_example_is_the_real_output"),
    ("docs/validate-fix.md", "yaml", lambda b: b.body.startswith("# .pre-commit-config.yaml\n"),
     "test_the_pre_commit_example_uses_the_hooks_the_page_describes"),
    ("docs/export.md", "toml", lambda b: b.body.startswith("[export]\n"),
     "test_the_configuration_example_is_read_as_documented"),
    ("docs/export.md", "sql", lambda b: b.body.startswith("SELECT "),
     "test_the_sql_examples_give_the_outputs_shown"),
    ("docs/export.md", "text", lambda b: all("|" in line for line in b.body.splitlines()),
     "test_the_sql_examples_give_the_outputs_shown"),
    ("docs/reports.md", "markdown", lambda b: b.body.startswith("# Agreements\n"),
     "test_the_markdown_example_is_the_real_output"),
]  # fmt: skip


def checker(block: Block) -> str | None:
    """The name of the test that checks `block`, None when no test does."""
    if block.language == "console":
        return "test_console_sessions_are_real"
    where = block.document.relative_to(REPO).as_posix()
    for document, language, holds, test in CHECKED:
        if (document, language) == (where, block.language) and holds(block):
            return test
    return None


def test_every_example_block_is_checked() -> None:
    tests = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "tests").rglob("test_*.py"))
    for document in DOCUMENTS:
        for block in blocks(document):
            test = checker(block)
            assert test is not None, f"{block.name}: a {block.language} block no test checks"
            assert f"def {test}(" in tests, f"{block.name}: {test} is not a test"
