"""`-o/--output FILE` on every view, through the real CLI: the format from the extension,
`--format` over it, nothing on stdout, atomic writes, links, and views added later."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import types
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
from conftest import REPO, Run, generate_records, write_collection
from typer.testing import CliRunner

from ucap_cli.cli import app as app_module
from ucap_cli.render import registry
from ucap_cli.render.registry import Options, Screen

RECORDS = str(REPO / "records")
VIEWS = {
    "list": ["list"],
    "show": ["show", "zhengzhou"],
    "timeline": ["timeline"],
    "summary": ["summary"],
    "agreements": ["agreements"],
    "results": ["results"],
}
DATA = {".md": "markdown", ".markdown": "markdown", ".json": "json", ".csv": "csv"}
SCREENS = (".txt", ".svg", ".html", ".htm")


def view_args(view: str) -> list[str]:
    return [*VIEWS[view], "--records", RECORDS]


def temporaries(folder: Path) -> list[str]:
    """What a write left beside its file (`.NAME.XXXXXXXX.tmp`)."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def written(folder: Path) -> list[str]:
    """The files in `folder`, but the cache folder that views keep at the project root."""
    return sorted(p.name for p in folder.iterdir() if p.name != ".ucap_cache")


def terminal_glyphs(text: str) -> str:
    """A saved terminal view draws as a terminal does; off a terminal the view uses ASCII."""
    for fancy, plain in (("\u2500", "-"), ("\u2501", "="), ("\u25cf", "o"), ("\u2588", "#")):
        text = text.replace(fancy, plain)
    return text


# ------------------------------------------------------------- every view, every extension


@pytest.mark.parametrize("suffix", list(DATA))
@pytest.mark.parametrize("view", list(VIEWS))
def test_data_formats_from_the_extension(run: Run, tmp_path: Path, view: str, suffix: str) -> None:
    printed = run(*view_args(view), "--format", DATA[suffix])
    result = run(*view_args(view), "-o", f"out{suffix}")
    assert result.exit_code == printed.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == f"saved out{suffix}\n"
    assert (tmp_path / f"out{suffix}").read_bytes() == printed.stdout_bytes
    assert temporaries(tmp_path) == []
    if suffix == ".json":
        json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("suffix", SCREENS)
@pytest.mark.parametrize("view", list(VIEWS))
def test_terminal_view_from_the_extension(run: Run, tmp_path: Path, view: str, suffix: str) -> None:
    result = run(*view_args(view), "--output", f"out{suffix}")
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and result.stderr == f"saved out{suffix}\n"
    document = (tmp_path / f"out{suffix}").read_text(encoding="utf-8")
    if suffix == ".txt":
        # The terminal view as the terminal shows it: the same lines as printed (the
        # summary's bars end in eighths of a block on a terminal).
        saved, shown = terminal_glyphs(document), terminal_glyphs(run(*view_args(view)).stdout)
        if view == "summary":
            assert saved.splitlines()[:9] == shown.splitlines()[:9]
            assert len(saved.splitlines()) == len(shown.splitlines())
        else:
            assert saved == shown
    elif suffix == ".svg":
        root = ElementTree.fromstring(document)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert f"ucap&#160;{view}" in document  # the picture's title
    else:
        assert document.lstrip().lower().startswith("<!doctype html>")
        assert "Zhengzhou" in document or "zhengzhou" in document


@pytest.mark.parametrize("view", ["timeline", "summary"])
@pytest.mark.parametrize("suffix", [".txt", ".svg", ".html"])
def test_export_is_an_alias(run: Run, tmp_path: Path, view: str, suffix: str) -> None:
    assert run(*view_args(view), "--export", f"e{suffix}").stderr == f"saved e{suffix}\n"
    assert run(*view_args(view), "-o", f"o{suffix}").exit_code == 0
    assert (tmp_path / f"e{suffix}").read_bytes() == (tmp_path / f"o{suffix}").read_bytes()


@pytest.mark.parametrize("suffix", [".json", ".sarif"])
def test_validate_writes_its_reports(run: Run, tmp_path: Path, suffix: str) -> None:
    printed = run("validate", RECORDS, "--format", suffix[1:])
    result = run("validate", RECORDS, "-o", f"report{suffix}")
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == f"saved report{suffix}\n"
    assert (tmp_path / f"report{suffix}").read_bytes() == printed.stdout_bytes


# --------------------------------------------------------------------------- format and extension


def test_format_wins_over_the_extension(run: Run, tmp_path: Path) -> None:
    result = run(*view_args("agreements"), "--format", "json", "-o", "out.md")
    assert result.exit_code == 0
    assert json.loads((tmp_path / "out.md").read_text(encoding="utf-8"))["totals"]["entries"] == 4
    # The terminal view, asked for, in a file of any name: as text.
    assert run(*view_args("results"), "-f", "table", "-o", "out.csv").exit_code == 0
    saved = (tmp_path / "out.csv").read_text(encoding="utf-8")
    assert saved.startswith("7 expected results: 7 planned\n")
    assert run(*view_args("list"), "-f", "csv", "-o", "list").exit_code == 0  # no extension
    assert (tmp_path / "list").read_text(encoding="utf-8").startswith("id,title,")


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("name", ["out.pdf", "out", "out.sarif"])
def test_an_extension_no_format_has_is_a_usage_error(
    run: Run, tmp_path: Path, view: str, name: str
) -> None:
    result = run(*view_args(view), "-o", name)
    assert result.exit_code == 2
    assert result.stdout == ""
    what = f"'{Path(name).suffix}' files" if Path(name).suffix else "files without an extension"
    # `show` has an HTML document of its own (the U-CAP Summary): there .html means it.
    formats = (
        ".txt/.svg (the terminal view), .json (json), .csv (csv), .md/.markdown (markdown), "
        ".html/.htm (html)"
        if view == "show"
        else ".txt/.svg/.html/.htm (the terminal view), .json (json), .csv (csv), "
        ".md/.markdown (markdown)"
    )
    assert result.stderr.startswith(
        f"ucap: error: -o: ucap {view} cannot tell the format of {what}: it writes {formats}\n"
    )
    assert written(tmp_path) == []


def test_validate_names_its_own_formats(run: Run, tmp_path: Path) -> None:
    result = run("validate", RECORDS, "-o", "report.txt")
    assert result.exit_code == 2
    assert "it writes .json (json), .sarif (sarif)" in result.stderr
    assert not (tmp_path / "report.txt").exists()


def test_help_says_the_extensions_and_the_rule(run: Run) -> None:
    for view in VIEWS:
        out = " ".join(run(view, "--help", env={"COLUMNS": "200"}).stdout.split())
        assert "-o, --output FILE" in out
        assert ".md/.markdown (markdown)" in out
        assert "--format, when given, wins over the extension" in out
    out = " ".join(run("timeline", "--help", env={"COLUMNS": "200"}).stdout.split())
    assert "--export FILE Kept as an alias of -o FILE for the terminal view" in out


def test_output_and_export_together_is_a_usage_error(run: Run, tmp_path: Path) -> None:
    result = run(*view_args("timeline"), "-o", "a.md", "--export", "b.svg")
    assert result.exit_code == 2
    assert "-o and --export both name a file" in result.stderr
    assert written(tmp_path) == []


def test_export_keeps_its_own_rules(run: Run, tmp_path: Path) -> None:
    # --export is the terminal view only (as before -o existed): -o is the general one.
    result = run(*view_args("summary"), "--export", "s.json")
    assert result.exit_code == 2 and "--export: cannot tell the format" in result.stderr
    assert run(*view_args("summary"), "-o", "s.json").exit_code == 0


# ------------------------------------------------------------- what is said, exit status


def test_records_with_errors_still_saved_exit_1(run: Run, tmp_path: Path) -> None:
    text = (REPO / "records" / "zhengzhou.toml").read_text(encoding="utf-8")
    write_collection(
        tmp_path / "records", {"bad": text.replace('id = "zhengzhou"', 'id = "bad"\nfoo = 1')}
    )
    result = run("agreements", "--records", "records", "-o", "out.md")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "! 1 record with validation errors: run `ucap validate`",
        "saved out.md",
    ]
    saved = (tmp_path / "out.md").read_text(encoding="utf-8")
    assert "## Records with errors" in saved and "E102" in saved


def test_nothing_to_show_still_writes_the_file(run: Run, tmp_path: Path) -> None:
    result = run(*view_args("agreements"), "--during", "2030", "-o", "none.txt")
    assert result.exit_code == 0
    assert result.stderr == "no agreements match\nsaved none.txt\n"
    assert (tmp_path / "none.txt").read_text(encoding="utf-8") == "no agreements match\n"
    result = run(*view_args("agreements"), "--during", "2030", "-o", "none.json")
    assert json.loads((tmp_path / "none.json").read_text(encoding="utf-8"))["agreements"] == []


def test_a_file_name_is_shown_safely(run: Run, tmp_path: Path) -> None:
    name = "a\x1b[31mb.json"
    result = run(*view_args("results"), "-o", name)
    assert result.exit_code == 0
    assert result.stderr == "saved a\\x1b[31mb.json\n"
    assert (tmp_path / name).is_file()


def test_a_terminal_gets_every_row_in_the_file(tmp_path: Path) -> None:
    """`list` cuts a terminal table at 50 rows; the file named by -o gets them all."""
    generate_records(tmp_path / "records", 60, seed=2)
    master, slave = pty.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "ucap_cli", "list", "--records", "records", "-o", "all.txt"],
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=slave,
            stderr=subprocess.PIPE,
            env={**os.environ, "TERM": "xterm", "NO_COLOR": "1", "COLUMNS": "400"},
            timeout=60,
            check=False,
        )
    finally:
        os.close(slave)
        os.close(master)
    assert done.returncode == 0, done.stderr
    saved = (tmp_path / "all.txt").read_text(encoding="utf-8")
    assert "showing" not in saved
    rows = [line for line in saved.splitlines() if re.match(r"[a-z0-9-]+-\d{5} ", line)]
    assert len(rows) == 60


# --------------------------------------------------------------------------- atomic, links, paths


def failing_json(report: Any, options: Options) -> Iterator[bytes]:
    yield b'{"half": '
    raise KeyboardInterrupt


@pytest.mark.parametrize("existing", [False, True])
def test_a_failed_write_leaves_no_partial_file(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    monkeypatch.setitem(registry.WRITERS["agreements"], "json", f"{__name__}:failing_json")
    if existing:
        (tmp_path / "out.json").write_text("old\n", encoding="utf-8")
    result = run(*view_args("agreements"), "-o", "out.json")
    assert result.exit_code == 130
    assert "ucap: interrupted" in result.stderr and "saved" not in result.stderr
    assert written(tmp_path) == (["out.json"] if existing else [])
    if existing:
        assert (tmp_path / "out.json").read_text(encoding="utf-8") == "old\n"


def test_a_missing_folder_or_a_folder(run: Run, tmp_path: Path) -> None:
    result = run(*view_args("results"), "-o", str(tmp_path / "no" / "out.md"))
    assert result.exit_code == 1
    assert "cannot write in" in result.stderr and result.stdout == ""
    (tmp_path / "folder.md").mkdir()
    result = run(*view_args("results"), "-o", "folder.md")
    assert result.exit_code == 2
    assert "is a directory" in result.stderr


@pytest.mark.parametrize("option", ["-o", "--export"])
def test_a_link_is_written_through_keeping_it(run: Run, tmp_path: Path, option: str) -> None:
    """-o follows --export's policy: a link is written through to the file it points at (as a
    shell's `>` does), and stays a link; a dangling link makes its file."""
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "view.txt"
    target.write_text("old\n", encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(target)
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "real" / "new.txt")
    assert run(*view_args("timeline"), option, "link.txt").exit_code == 0
    assert run(*view_args("timeline"), option, "dangling.txt").exit_code == 0
    assert (tmp_path / "link.txt").is_symlink() and (tmp_path / "dangling.txt").is_symlink()
    assert target.read_text(encoding="utf-8").startswith("Zhengzhou")
    assert (tmp_path / "real" / "new.txt").read_bytes() == target.read_bytes()
    assert temporaries(tmp_path / "real") == [] and temporaries(tmp_path) == []


# --------------------------------------------------------------------------- views added later


def fake_screen(report: Any, options: Options) -> Screen:
    from rich.text import Text

    return Screen(Text(f"fake {report.data} terminal={options.terminal}"))


def fake_json(report: Any, options: Options) -> str:
    return json.dumps({"fake": report.data}) + "\n"


def fake(
    output_format: Annotated[str, typer.Option("--format", "-f")] = "table",
    records: Annotated[str, typer.Option("--records")] = "records",
) -> None:
    """A view another helper adds: it knows nothing of -o."""
    from ucap_cli.cli.views import show_report
    from ucap_cli.views.report import Report

    show_report("fake", output_format, Report(f"{output_format} from {records}"))


def test_a_view_added_later_gets_it_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = types.ModuleType("ucap_fake_view")
    module.fake = fake  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ucap_fake_view", module)
    monkeypatch.setitem(app_module.COMMANDS, "fake", ("ucap_fake_view", "fake"))
    monkeypatch.setitem(
        registry.WRITERS,
        "fake",
        {"table": f"{__name__}:fake_screen", "json": f"{__name__}:fake_json"},
    )
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    application = app_module.build_app(only="fake")
    result = runner.invoke(application, ["fake", "-o", "f.json"], env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and result.stderr == "saved f.json\n"
    assert json.loads((tmp_path / "f.json").read_text(encoding="utf-8")) == {
        "fake": "json from records"
    }
    result = runner.invoke(application, ["fake", "-o", "f.txt", "--records", "x"])
    assert result.exit_code == 0
    assert (tmp_path / "f.txt").read_text(encoding="utf-8") == "fake table from x terminal=True\n"
    result = runner.invoke(application, ["fake", "-o", "f.csv"])
    assert result.exit_code == 2
    assert "it writes .txt/.svg/.html/.htm (the terminal view), .json (json)" in result.stderr
    assert runner.invoke(application, ["fake"]).stdout == "fake table from records terminal=False\n"


@pytest.mark.parametrize("view", ["list", "timeline", "agreements", "results"])
@pytest.mark.parametrize("suffix", [".txt", ".html"])
def test_a_view_with_nothing_to_show_says_so_in_the_file(
    run: Run, tmp_path: Path, view: str, suffix: str
) -> None:
    """On a terminal the "nothing matches" line goes to stderr (stdout stays empty for a
    script); a saved view holds it, or the file would be empty (a newcomer's finding)."""
    result = run(*view_args(view), "--city", "Nowhere", "-o", f"out{suffix}")
    assert result.exit_code == 0, result.output
    [said, saved] = result.stderr.splitlines()
    assert saved == f"saved out{suffix}"
    assert said in (tmp_path / f"out{suffix}").read_text(encoding="utf-8")
    assert said.lower().startswith("no ")
