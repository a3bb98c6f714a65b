"""docs/export.md tells the truth: its tables, its configuration and its SQL queries."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from conftest import REPO, VALID_RECORD, Run, write_record

from ucap_cli.views.tables import tables

DOC = (REPO / "docs" / "export.md").read_text(encoding="utf-8")
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks() -> list[tuple[str, str]]:
    return [(language, body) for language, body in _FENCE.findall(DOC)]


def test_the_table_of_tables_is_the_definition() -> None:
    rows = re.findall(r"^\| `(\w+)` \| [^|]+ \| ([^|]+) \|$", DOC, re.MULTILINE)
    documented = {name: tuple(re.findall(r"`(\w+)`", keys)) for name, keys in rows}
    assert documented == {t.name: t.primary_key for t in tables()}
    assert list(documented) == [t.name for t in tables()]


def test_the_sql_examples_give_the_outputs_shown(run: Run, tmp_path: Path) -> None:
    assert run("export", "sqlite", "ucap.db", "--records", str(REPO / "records")).exit_code == 0
    found = blocks()
    queries = [
        (body, found[i + 1][1]) for i, (language, body) in enumerate(found) if language == "sql"
    ]
    assert len(queries) == 3
    outputs = [i for i, (language, _) in enumerate(found) if language == "text"]
    assert [found[i - 1][0] for i in outputs] == ["sql"] * 3  # each text block: a query's output
    db = sqlite3.connect(tmp_path / "ucap.db")
    try:
        for query, output in queries:
            rows = db.execute(query).fetchall()
            shown = "".join(
                "|".join("" if v is None else str(v) for v in row) + "\n" for row in rows
            )
            assert shown == output, query
    finally:
        db.close()


def test_the_configuration_example_is_read_as_documented(run: Run, tmp_path: Path) -> None:
    (config,) = [body for language, body in blocks() if language == "toml"]
    (tmp_path / "ucap.toml").write_text(config, encoding="utf-8")
    write_record(tmp_path / "records", "demo", VALID_RECORD)
    result = run("export", "datapackage", "open-data")
    assert result.exit_code == 0, result.output
    package = json.loads((tmp_path / "open-data" / "datapackage.json").read_text("utf-8"))
    assert package["name"] == "iuc-asia-plans"
    assert package["licenses"] == [{"name": "CC-BY-4.0"}]
    assert package["contributors"][1] == {"title": "IUC Asia office", "role": "publisher"}


def test_the_transcripts_are_what_the_commands_say(run: Run) -> None:
    console = next(body for language, body in blocks() if language == "console")
    shown = re.findall(r"^\$ (ucap .*)\n([^$].*)$", console, re.MULTILINE)
    assert len(shown) == 2
    for command, said in shown:
        args = [*command.split()[1:], "--records", str(REPO / "records")]
        result = run(*args)
        assert result.exit_code == 0
        assert result.stderr.strip() == said
