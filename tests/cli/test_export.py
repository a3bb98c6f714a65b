"""`ucap export datapackage|sqlite` through the real CLI (issue 17).

The package is checked by the real Frictionless validator, the database through a real SQLite
connection: the bundled records, a generated collection, records with errors, filters,
hostile text, the configuration's metadata, and the safety of replacing an earlier export.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    REPO,
    VALID_RECORD,
    Run,
    edited,
    generate_records,
    write_collection,
    write_record,
)

from ucap_cli.views.tables import tables

RECORDS = str(REPO / "records")
TABLES = [t.name for t in tables()]


def validate_package(folder: Path) -> list[str]:
    """The errors the Frictionless validator finds in the package (none: valid)."""
    import frictionless

    report = frictionless.validate(str(folder / "datapackage.json"))
    found = [f"{e.type}: {e.note}" for e in report.errors]
    found += [f"{task.name}: {e.type}: {e.note}" for task in report.tasks for e in task.errors]
    assert found or report.valid
    return found


def csv_rows(folder: Path, table: str) -> list[dict[str, str]]:
    with open(folder / f"{table}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def database() -> Iterator[Any]:
    """Opens an exported database; closes what it opened."""
    opened: list[sqlite3.Connection] = []

    def connect(path: Path) -> sqlite3.Connection:
        connection = sqlite3.connect(path)
        connection.row_factory = sqlite3.Row
        opened.append(connection)
        return connection

    yield connect
    for connection in opened:
        connection.close()


# --------------------------------------------------------------------------- the bundled records


def test_the_bundled_records_as_a_data_package(run: Run, tmp_path: Path) -> None:
    result = run("export", "datapackage", "open-data", "--records", RECORDS)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"exported 1 record (8 activities, 8 agreements) to open-data: {len(TABLES)} tables"
    ]
    folder = tmp_path / "open-data"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["datapackage.json", *(f"{t}.csv" for t in TABLES)]
    )
    assert validate_package(folder) == []
    activities = csv_rows(folder, "activities")
    assert len(activities) == 8
    assert {a["record_id"] for a in activities} == {"zhengzhou"}
    assert [int(a["activity"]) for a in activities] == list(range(1, 9))
    agreements = csv_rows(folder, "agreements")
    assert sum(int(a["count"]) for a in agreements) == 8
    assert sorted(a["kind"] for a in agreements) == ["cooperation-agreement", "mou", "mou", "mou"]
    (record,) = csv_rows(folder, "records")
    assert record["id"] == "zhengzhou"
    assert record["file"] == "zhengzhou.toml"
    assert record["city_country_code"] == "CN"
    assert [p["name"] for p in csv_rows(folder, "partners")] == [
        "Agii Anargiri-Kamatero",
        "Málaga",
        "Rome",
        "Nice",
    ]
    assert [p["country_code"] for p in csv_rows(folder, "partners")] == ["GR", "ES", "IT", "FR"]
    assert csv_rows(folder, "problems") == []
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert package["name"] == "ucap-records"
    assert package["x-ucap"]["records"] == 1
    assert [r["name"] for r in package["resources"]] == TABLES
    for resource in package["resources"]:
        assert resource["bytes"] == (folder / resource["path"]).stat().st_size


def test_the_bundled_records_as_a_database(run: Run, tmp_path: Path, database: Any) -> None:
    result = run("export", "sqlite", "ucap.db", "--records", RECORDS)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"exported 1 record (8 activities, 8 agreements) to ucap.db: {len(TABLES)} tables"
    ]
    db = database(tmp_path / "ucap.db")
    assert db.execute("SELECT count(*) FROM activities").fetchone()[0] == 8
    assert db.execute("SELECT sum(count) FROM agreements").fetchone()[0] == 8
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert set(TABLES) <= names
    # Each table's primary key is as defined, and foreign keys point at records / activities.
    for table in tables():
        info = db.execute(f'PRAGMA table_info("{table.name}")').fetchall()
        keyed = sorted((r["pk"], r["name"]) for r in info if r["pk"])
        assert [name for _, name in keyed] == list(table.primary_key)
        foreign = db.execute(f'PRAGMA foreign_key_list("{table.name}")').fetchall()
        assert {(f["table"], f["from"], f["to"]) for f in foreign} == {
            (fk.table, column, to)
            for fk in table.foreign_keys
            for column, to in zip(fk.columns, fk.references, strict=True)
        }
    # Searchable without accents or case, as `--search` is.
    found = db.execute(
        "SELECT a.title FROM activities_fts JOIN activities AS a ON a.rowid = activities_fts.rowid"
        " WHERE activities_fts MATCH 'malaga' ORDER BY a.activity"
    ).fetchall()
    assert [r[0] for r in found] == [
        "Zhengzhou Municipal People's Government delegation visits Málaga",
        "Visit of Zhengzhou to Málaga and Andalucía \u2013 China Business Conference",
    ]
    results = db.execute(
        "SELECT count(*) FROM expected_results_fts WHERE expected_results_fts MATCH 'yutong'"
    ).fetchone()[0]
    assert results == 1


# Datasette finds the full-text index of a table with this query (datasette/utils detect_fts).
DATASETTE_DETECT_FTS = """
select name from sqlite_master
    where rootpage = 0
    and (
        sql like '%VIRTUAL TABLE%USING FTS%content="{table}"%'
        or sql like '%VIRTUAL TABLE%USING FTS%content=[{table}]%'
        or (tbl_name = "{table}" and sql like '%VIRTUAL TABLE%USING FTS%')
    )
"""


def test_datasette_finds_the_search_indexes(run: Run, tmp_path: Path, database: Any) -> None:
    assert run("export", "sqlite", "ucap.db", "--records", RECORDS).exit_code == 0
    db = database(tmp_path / "ucap.db")
    for table in tables():
        found = db.execute(DATASETTE_DETECT_FTS.format(table=table.name)).fetchall()
        assert [r[0] for r in found] == ([f"{table.name}_fts"] if table.search else [])


# --------------------------------------------------------------------------- generated collections


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 records of bench/generate.py (valid under --strict: CJK, accents, long texts)."""
    folder = tmp_path_factory.mktemp("generated") / "records"
    generate_records(folder, 40, seed=17)
    return folder


def test_a_generated_collection_is_a_valid_package(
    run: Run, tmp_path: Path, generated: Path
) -> None:
    result = run("export", "datapackage", "out", "--records", str(generated))
    assert result.exit_code == 0, result.output
    assert validate_package(tmp_path / "out") == []
    assert len(csv_rows(tmp_path / "out", "records")) == 40


def test_the_package_and_the_database_hold_the_same_rows(
    run: Run, tmp_path: Path, generated: Path, database: Any
) -> None:
    assert run("export", "datapackage", "out", "--records", str(generated)).exit_code == 0
    assert run("export", "sqlite", "out.db", "--records", str(generated)).exit_code == 0
    db = database(tmp_path / "out.db")
    listed = json.loads(run("list", "-f", "json", "--records", str(generated)).stdout)
    assert sorted(r[0] for r in db.execute("SELECT id FROM records")) == sorted(
        r["id"] for r in listed
    )
    for table in tables():
        rows = csv_rows(tmp_path / "out", table.name)
        keys = ", ".join(f'"{k}"' for k in table.primary_key)
        count = db.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0]
        assert len(rows) == count, table.name
        first = db.execute(f'SELECT * FROM "{table.name}" ORDER BY {keys} LIMIT 1').fetchone()
        if first is not None:
            key = tuple(str(first[k]) for k in table.primary_key)
            (row,) = [r for r in rows if tuple(r[k] for k in table.primary_key) == key]
            assert list(row) == list(table.names)


# --------------------------------------------------------------------------- records with errors


BROKEN = {
    "good": edited(VALID_RECORD, ('id = "demo"', 'id = "good"')),
    # readable, with errors: an unknown country and a status outside the list
    "odd": edited(
        VALID_RECORD,
        ('id = "demo"', 'id = "odd"'),
        ('country = "AT"', 'country = "Narnia"'),
        ('kind = "visit"', 'kind = "visit"\nstatus = "finished"'),
    ),
    # not TOML
    "bad": edited(VALID_RECORD, ('id = "demo"', 'id = "bad')),
    # the same id as `good`: keyed by its path
    "sub/again": edited(VALID_RECORD, ('id = "demo"', 'id = "good"')),
}


def test_records_with_errors_are_exported_and_listed_as_problems(
    run: Run, tmp_path: Path, database: Any
) -> None:
    records = write_collection(tmp_path / "records", BROKEN)
    result = run("export", "datapackage", "out", "--records", str(records))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[:2] == [
        f"exported 3 records (3 activities, 3 agreements) to out: {len(TABLES)} tables",
        "4 files with errors: see the problems table",
    ]
    assert lines[2].startswith("ucap: skipped ")
    assert "bad.toml" in lines[2] and "E002" in lines[2]
    assert lines[-1] == "! 3 records with validation errors: run `ucap validate`"
    folder = tmp_path / "out"
    problems = {p["file"]: p for p in csv_rows(folder, "problems")}
    assert set(problems) == {"bad.toml", "good.toml", "odd.toml", "sub/again.toml"}
    assert problems["bad.toml"]["left_out"] == "true"
    assert problems["bad.toml"]["record_id"] == ""
    assert problems["bad.toml"]["code"] == "E002"
    assert (problems["odd.toml"]["left_out"], problems["odd.toml"]["record_id"]) == ("false", "odd")
    # Both files of a duplicate id have an error (E201): the first keeps the id as its key.
    assert problems["good.toml"]["code"] == problems["sub/again.toml"]["code"] == "E201"
    assert problems["good.toml"]["record_id"] == "good"
    assert problems["sub/again.toml"]["record_id"] == "sub/again.toml"
    ids = [r["id"] for r in csv_rows(folder, "records")]
    assert sorted(ids) == ["good", "odd", "sub/again.toml"]
    # The record with errors is there as far as it was read: its odd values as written.
    partners = {
        (p["record_id"], p["country"], p["country_code"]) for p in csv_rows(folder, "partners")
    }
    assert ("odd", "Narnia", "") in partners
    statuses = {(a["record_id"], a["status"]) for a in csv_rows(folder, "activities")}
    assert ("odd", "finished") in statuses
    # The validator finds exactly the values the record with errors breaks the schema with.
    errors = validate_package(folder)
    assert errors and all("finished" in e or "constraint" in e for e in errors), errors
    assert run("export", "sqlite", "out.db", "--records", str(records)).exit_code == 1
    db = database(tmp_path / "out.db")
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    rows = db.execute("SELECT file, record_id, left_out, code FROM problems ORDER BY file")
    assert [tuple(r) for r in rows] == [
        ("bad.toml", None, 1, "E002"),
        ("good.toml", "good", 0, "E201"),
        ("odd.toml", "odd", 0, "E109"),
        ("sub/again.toml", "sub/again.toml", 0, "E201"),
    ]


def test_a_record_without_an_id_is_keyed_by_its_name_or_else_its_path(
    run: Run, tmp_path: Path
) -> None:
    without = VALID_RECORD.replace('id = "demo"\n', "")
    records = write_collection(tmp_path / "records", {"a/demo": VALID_RECORD, "b/demo": without})
    assert run("export", "datapackage", "out", "--records", str(records)).exit_code == 1
    assert [r["id"] for r in csv_rows(tmp_path / "out", "records")] == ["demo", "b/demo.toml"]
    activities = csv_rows(tmp_path / "out", "activities")
    assert [r["record_id"] for r in activities] == ["demo", "b/demo.toml"]
    assert validate_package(tmp_path / "out") == []  # keys unique, every reference found


# --------------------------------------------------------------------------- filters


def test_the_filters_choose_the_records_exported_whole(
    run: Run, tmp_path: Path, database: Any
) -> None:
    records = write_collection(
        tmp_path / "records",
        {
            "lyon": VALID_RECORD.replace('id = "demo"', 'id = "lyon"'),
            "pune": edited(
                VALID_RECORD,
                ('id = "demo"', 'id = "pune"'),
                ("sdgs = [9, 11]", "sdgs = [6]"),
                ('name = "Lyon"', 'name = "Pune"'),
                ('country = "France"', 'country = "IN"'),
            ),
        },
    )
    result = run("export", "sqlite", "chosen.db", "--records", str(records), "--sdg", "6")
    assert result.exit_code == 0, result.output
    db = database(tmp_path / "chosen.db")
    assert [r[0] for r in db.execute("SELECT id FROM records")] == ["pune"]
    assert {r[0] for r in db.execute("SELECT record_id FROM sdgs")} == {"pune"}
    # An activity filter chooses records as `list` does; a chosen record comes whole.
    result = run("export", "datapackage", "out", "--records", str(records), "--kind", "visit")
    assert result.exit_code == 0
    assert len(csv_rows(tmp_path / "out", "records")) == 2
    result = run("export", "datapackage", "out", "--records", str(records), "--country", "India")
    assert [r["id"] for r in csv_rows(tmp_path / "out", "records")] == ["pune"]
    result = run("export", "sqlite", "x.db", "--records", str(records), "--sdg", "99")
    assert result.exit_code == 2
    assert not (tmp_path / "x.db").exists()


# --------------------------------------------------------------------------- hostile text


HOSTILE = {
    "title": '=HYPERLINK("http://evil.example","x")',
    "summary": 'line one\nline two with "quotes", commas, \\u0000 a NUL and \\u202e bidi',
    "programme": "@SUM(A1:A9)",
    "long": "x" * 200_000,
}


def hostile_record() -> str:
    return edited(
        VALID_RECORD,
        ('title = "Lyon \u2013 Graz"', f"title = '{HOSTILE['title']}'"),
        ('programme = "IUC"', f'programme = "{HOSTILE["programme"]}"'),
        ('contact = "team@example.org"', 'contact = "team@example.org"\nsummary = """'
         + HOSTILE["summary"] + '"""'),
        ('text = "A joint e-bus pilot"', f'text = "{HOSTILE["long"]}"'),
        ('title = "Graz delegation visits Lyon"', 'title = "-1+2 \\"visit\\" \\u0000"'),
    )  # fmt: skip


def test_hostile_text_is_neutralised_in_csv_and_exact_in_sqlite(
    run: Run, tmp_path: Path, database: Any
) -> None:
    records = write_collection(tmp_path / "records", {"demo": hostile_record()})
    assert run("validate", str(records / "demo.toml")).exit_code == 0
    assert run("export", "datapackage", "out", "--records", str(records)).exit_code == 0
    assert run("export", "sqlite", "out.db", "--records", str(records)).exit_code == 0
    folder = tmp_path / "out"
    assert validate_package(folder) == []
    (record,) = csv_rows(folder, "records")
    assert record["title"] == "'" + HOSTILE["title"]
    assert record["programme"] == "'" + HOSTILE["programme"]
    assert record["summary"] == (
        'line one line two with "quotes", commas, \\x00 a NUL and \\u202e bidi'
    )
    (activity,) = csv_rows(folder, "activities")
    assert activity["title"] == '\'-1+2 "visit" \\x00'
    (result,) = csv_rows(folder, "expected_results")
    assert result["text"] == HOSTILE["long"]  # never cut
    raw = b"".join(p.read_bytes() for p in folder.glob("*.csv"))
    assert b"\x00" not in raw and "\u202e".encode() not in raw
    # Every line of every CSV is one row: no cell holds a line break.
    for table in TABLES:
        text = (folder / f"{table}.csv").read_text(encoding="utf-8")
        assert len(text.splitlines()) == len(csv_rows(folder, table)) + 1
    db = database(tmp_path / "out.db")
    title, summary, programme = db.execute(
        "SELECT title, summary, programme FROM records"
    ).fetchone()
    assert title == HOSTILE["title"]
    assert programme == HOSTILE["programme"]
    assert summary == HOSTILE["summary"].replace("\\u0000", "\x00").replace("\\u202e", "\u202e")
    (activity_title,) = db.execute("SELECT title FROM activities").fetchone()
    assert activity_title == '-1+2 "visit" \x00'
    assert db.execute("SELECT length(text) FROM expected_results").fetchone()[0] == 200_000


def test_the_schema_says_how_text_is_neutralised(run: Run, tmp_path: Path) -> None:
    assert run("export", "datapackage", "out", "--records", RECORDS).exit_code == 0
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8"))
    assert "no spreadsheet runs it as a formula" in package["description"]
    resources = {r["name"]: r["schema"] for r in package["resources"]}
    fields = {f["name"]: f for f in resources["records"]["fields"]}
    assert "Neutralised for spreadsheets" in fields["summary"]["description"]
    assert "Neutralised" not in fields["schema_version"].get("description", "")
    activities = {f["name"]: f for f in resources["activities"]["fields"]}
    assert activities["status"]["constraints"]["enum"] == ["done", "planned", "cancelled"]
    assert activities["date"]["constraints"] == {
        "required": True,
        "pattern": "[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?",
    }
    assert activities["organisations"]["type"] == "array"
    sdgs = {f["name"]: f for f in resources["sdgs"]["fields"]}
    assert sdgs["sdg"]["constraints"] == {"required": True, "minimum": 1, "maximum": 17}
    assert resources["agreements"]["foreignKeys"] == [
        {"fields": ["record_id"], "reference": {"resource": "records", "fields": ["id"]}},
        {
            "fields": ["record_id", "activity"],
            "reference": {"resource": "activities", "fields": ["record_id", "activity"]},
        },
    ]
    assert resources["agreements"]["primaryKey"] == ["record_id", "activity", "position"]


# --------------------------------------------------------------------------- metadata


def test_package_metadata_comes_from_the_configuration(run: Run, tmp_path: Path) -> None:
    write_record(tmp_path / "records", "demo", VALID_RECORD)
    (tmp_path / "ucap.toml").write_text(
        'records = "records"\n\n[export]\nname = "iuc-plans"\ntitle = "IUC plans"\n'
        'licence = "CC-BY-4.0"\nhomepage = "https://example.org/plans"\n'
        'contributors = ["Ada Lovelace <ada@example.org>", '
        '{ title = "IUC office", role = "publisher" }]\nkeywords = ["IUC"]\n',
        encoding="utf-8",
    )
    assert run("export", "datapackage", "out").exit_code == 0
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["name"] == "iuc-plans"
    assert package["title"] == "IUC plans"
    assert package["licenses"] == [{"name": "CC-BY-4.0"}]
    assert package["homepage"] == "https://example.org/plans"
    assert package["contributors"] == [
        {"title": "Ada Lovelace", "email": "ada@example.org"},
        {"title": "IUC office", "role": "publisher"},
    ]
    assert package["keywords"] == ["IUC"]
    assert validate_package(tmp_path / "out") == []


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('license = "MIT"', "unknown key 'license' in [export] (did you mean 'licence'?)"),
        ('name = "Not A Slug"', "export.name must be lower-case letters"),
        ("contributors = [1]", "export.contributors must be an array"),
        ('title = ""', "export.title must be text, got an empty string"),
    ],
)
def test_a_wrong_export_table_is_a_usage_error(
    run: Run, tmp_path: Path, table: str, message: str
) -> None:
    write_record(tmp_path / "records", "demo", VALID_RECORD)
    (tmp_path / "ucap.toml").write_text(f"[export]\n{table}\n", encoding="utf-8")
    result = run("export", "datapackage", "out")
    assert result.exit_code == 2
    assert result.stderr.startswith("ucap: error: ucap.toml:2:"), result.stderr
    assert message in result.stderr
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- replacing safely


def test_an_export_replaces_the_last_one_and_nothing_else(run: Run, tmp_path: Path) -> None:
    records = write_collection(tmp_path / "records", {"demo": VALID_RECORD})
    assert run("export", "datapackage", "out", "--records", str(records)).exit_code == 0
    first = (tmp_path / "out" / "records.csv").read_bytes()
    write_record(records, "other", VALID_RECORD.replace('id = "demo"', 'id = "other"'))
    assert run("export", "datapackage", "out", "--records", str(records)).exit_code == 0
    assert (tmp_path / "out" / "records.csv").read_bytes() != first
    assert len(csv_rows(tmp_path / "out", "records")) == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    # A file ucap did not write: refused, and everything stays.
    (tmp_path / "out" / "notes.txt").write_text("mine", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    result = run("export", "datapackage", "out", "--records", str(records))
    assert result.exit_code == 2
    assert "holds 'notes.txt', which ucap did not write there; nothing was written" in result.stderr
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before


def test_exporting_unchanged_records_again_writes_the_same_bytes(run: Run, tmp_path: Path) -> None:
    assert run("export", "datapackage", "out", "--records", RECORDS).exit_code == 0
    first = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    assert run("export", "datapackage", "out", "--records", RECORDS, "--no-cache").exit_code == 0
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == first


def test_a_folder_that_is_not_an_export_is_refused(run: Run, tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "datapackage.json").write_text('{"resources": []}', encoding="utf-8")
    result = run("export", "datapackage", "mine", "--records", RECORDS)
    assert result.exit_code == 2
    assert "which ucap did not write there" in result.stderr
    assert (tmp_path / "mine" / "datapackage.json").read_text(encoding="utf-8") == (
        '{"resources": []}'
    )
    (tmp_path / "file").write_text("x", encoding="utf-8")
    result = run("export", "datapackage", "file", "--records", RECORDS)
    assert result.exit_code == 2
    assert "exists and is not a folder" in result.stderr
    (tmp_path / "empty").mkdir()
    assert run("export", "datapackage", "empty", "--records", RECORDS).exit_code == 0
    assert (tmp_path / "empty" / "datapackage.json").is_file()


def test_a_database_replaces_only_a_database_ucap_wrote(
    run: Run, tmp_path: Path, database: Any
) -> None:
    (tmp_path / "notes.db").write_text("my notes", encoding="utf-8")
    result = run("export", "sqlite", "notes.db", "--records", RECORDS)
    assert result.exit_code == 2
    assert "is not a database that ucap exported; nothing was written" in result.stderr
    assert (tmp_path / "notes.db").read_text(encoding="utf-8") == "my notes"
    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE t (x)")
    other.commit()
    other.close()
    assert run("export", "sqlite", "other.db", "--records", RECORDS).exit_code == 2
    (tmp_path / "empty.db").touch()
    assert run("export", "sqlite", "empty.db", "--records", RECORDS).exit_code == 0
    assert run("export", "sqlite", "empty.db", "--records", RECORDS).exit_code == 0
    db = database(tmp_path / "empty.db")
    assert db.execute("SELECT count(*) FROM records").fetchone()[0] == 1
    assert sorted(set(os.listdir(tmp_path)) - {".ucap_cache"}) == [
        "empty.db",
        "notes.db",
        "other.db",
    ]


def test_an_interrupted_export_leaves_the_last_one_as_it_was(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("export", "datapackage", "out", "--records", RECORDS).exit_code == 0
    assert run("export", "sqlite", "out.db", "--records", RECORDS).exit_code == 0
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    database_before = (tmp_path / "out.db").read_bytes()

    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    from ucap_cli.render import datapackage, sqlite

    monkeypatch.setattr(datapackage.PackageWriter, "finish", interrupted)
    monkeypatch.setattr(sqlite.SqliteWriter, "finish", interrupted)
    assert run("export", "datapackage", "out", "--records", RECORDS).exit_code == 130
    assert run("export", "sqlite", "out.db", "--records", RECORDS).exit_code == 130
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before
    assert (tmp_path / "out.db").read_bytes() == database_before
    assert sorted(set(os.listdir(tmp_path)) - {".ucap_cache"}) == ["out", "out.db"]  # no temporary


def test_an_export_writes_through_a_link_to_a_folder(run: Run, tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    assert run("export", "datapackage", "link", "--records", RECORDS).exit_code == 0
    assert (tmp_path / "link").is_symlink()
    assert (tmp_path / "real" / "records.csv").is_file()
    assert run("export", "datapackage", "link", "--records", RECORDS).exit_code == 0


def test_export_without_a_command_prints_its_help(run: Run) -> None:
    result = run("export")
    assert result.exit_code == 0
    assert "datapackage" in result.stdout and "sqlite" in result.stdout


def test_a_csv_reader_gets_the_rows_a_spreadsheet_would(run: Run, tmp_path: Path) -> None:
    assert run("export", "datapackage", "out", "--records", RECORDS).exit_code == 0
    text = (tmp_path / "out" / "activities.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(tables()[TABLES.index("activities")].names)
    assert json.loads(rows[1][rows[0].index("organisations")]) == [
        "Zhengzhou Municipal People's Government",
        "Andalusia Smart City Cluster",
    ]
