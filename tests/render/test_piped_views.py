"""Terminal views sent to a pipe end no line with a space; a terminal still gets the padded
table."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import LYON_GRAZ, PUNE, REPO, Run, on_terminal, write_record


@pytest.mark.parametrize(
    "command",
    [
        ("show", "zhengzhou"),
        ("show", "lyon-graz"),
        ("list",),
        ("timeline",),
        ("summary",),
        ("validate",),
        ("validate", "--format", "concise"),
    ],
)
def test_piped_terminal_views_end_no_line_with_a_space(
    run: Run, tmp_path: Path, command: tuple[str, ...]
) -> None:
    records = tmp_path / "records"
    write_record(records, "zhengzhou", (REPO / "records" / "zhengzhou.toml").read_text("utf-8"))
    write_record(records, "lyon-graz", LYON_GRAZ)
    write_record(records, "pune", PUNE.replace('country = "IN"', 'country = "Inida"'))
    result = run(*command)
    lines = result.stdout.splitlines()
    assert len(lines) > 1
    assert [line for line in lines if line.endswith(" ")] == []


def test_a_terminal_still_gets_the_padded_table(tmp_path: Path) -> None:
    write_record(tmp_path / "records", "lyon-graz", LYON_GRAZ)
    status, output = on_terminal("show", "lyon-graz", cwd=tmp_path)
    assert status == 0
    assert any(line.endswith(" ") for line in output.splitlines())
