"""`ucap export sqlite FILE`: the collection as one SQLite database.

The tables of `views/tables.py`, with their primary and foreign keys, an index on each column
the filters ask about, and a full-text index (FTS5, accents and case ignored) on the titles,
summaries and result texts: `<table>_fts`, made as Datasette looks for one, so `datasette
FILE` browses and searches it without configuration. Text is kept exactly as the records
hold it; lists of values are JSON arrays (SQLite's `json_each` reads them).

The standard library's `sqlite3` is enough: the DDL comes from the one definition of the
tables, and rows go in with `executemany` in one transaction. (sqlite-utils would add a
dependency to infer what the definition already says.) The database is built in a temporary
file beside FILE, then renamed over it (`replacing_file`): a reader sees the old database or
the new one. FILE may be new, empty, or a database that ucap exported (its header's
application id says so); anything else is refused.
"""

from __future__ import annotations

import contextlib
import marshal
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

from ucap_cli.errors import UsageError, WriteError
from ucap_cli.views.export import Export, Keyed
from ucap_cli.views.report import Report
from ucap_cli.views.tables import Row, Table, tables

APPLICATION_ID = 0x55434150  # "UCAP", in the database header: ucap wrote this file
SCHEMA_VERSION = 1  # PRAGMA user_version: the version of these tables
HEADER = b"SQLite format 3\x00"
BATCH = 500  # records whose rows go in together
_SQL_TYPES = {
    "string": "TEXT",
    "integer": "INTEGER",
    "number": "REAL",
    "boolean": "INTEGER",
    "array": "TEXT",
    "object": "TEXT",
}
TOKENIZER = "unicode61 remove_diacritics 2"


def encode_record(key: str, rows: dict[str, list[Row]]) -> bytes:
    """A record's rows keyed by `key`, compact (marshal), in the order of `tables()`
    (`problems` aside). Runs where the record is loaded."""
    return marshal.dumps(
        tuple([(key, *row) for row in rows[t.name]] for t in tables() if t.name in rows)
    )


def quote(name: str) -> str:
    """An SQL identifier, quoted (`where`, `end` and `column` are SQL words)."""
    return '"' + name.replace('"', '""') + '"'


def _names(names: Sequence[str]) -> str:
    return ", ".join(quote(n) for n in names)


def create_table(table: Table) -> str:
    """The `CREATE TABLE` statement of a table."""
    lines = [
        f"  {quote(c.name)} {_SQL_TYPES[c.type]}"
        + (" NOT NULL" if c.name in table.primary_key else "")
        for c in table.columns
    ]
    lines.append(f"  PRIMARY KEY ({_names(table.primary_key)})")
    lines += [
        f"  FOREIGN KEY ({_names(fk.columns)}) "
        f"REFERENCES {quote(fk.table)} ({_names(fk.references)})"
        for fk in table.foreign_keys
    ]
    return f"CREATE TABLE {quote(table.name)} (\n" + ",\n".join(lines) + "\n)"


def create_indexes(table: Table) -> list[str]:
    """The `CREATE INDEX` statements of a table: one per column the filters ask about."""
    return [
        f"CREATE INDEX {quote(f'{table.name}_{column}')} ON {quote(table.name)} ({quote(column)})"
        for column in table.indexes
    ]


def create_search(table: Table) -> list[str]:
    """The full-text index of a table (none when it has no text to search), filled."""
    if not table.search:
        return []
    name = quote(f"{table.name}_fts")
    return [
        # content="<table>": Datasette finds the index of a table by this text.
        f"CREATE VIRTUAL TABLE {name} USING fts5({_names(table.search)}, "
        f"content=\"{table.name}\", tokenize='{TOKENIZER}')",
        f"INSERT INTO {name} ({name}) VALUES ('rebuild')",
    ]


def schema_sql(chosen: Sequence[Table]) -> list[str]:
    """Every statement that makes the database's tables (before their rows go in)."""
    return [create_table(t) for t in chosen]


def _insert(table: Table) -> str:
    marks = ", ".join("?" for _ in table.columns)
    return f"INSERT INTO {quote(table.name)} ({_names(table.names)}) VALUES ({marks})"


def check_target(path: Path) -> None:
    """A UsageError unless `path` may be replaced: absent, empty, or a database ucap wrote
    (a WriteError when it cannot be read)."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except FileNotFoundError:
        return
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder; nothing was written") from None
    except OSError as error:
        raise WriteError(f"cannot read {path}: {error.strerror or error}") from None
    if not header:
        return
    ours = header.startswith(HEADER) and int.from_bytes(header[68:72], "big") == APPLICATION_ID
    if not ours:
        raise UsageError(
            f"{path} exists and is not a database that ucap exported; nothing was written",
            hint="choose another file name, or remove that file first",
        )


class SqliteWriter:
    """Puts the records' rows into a new database as they come, a batch at a time; then the
    problems, the indexes and the full-text indexes (`finish`)."""

    def __init__(self, connection: sqlite3.Connection, chosen: Sequence[Table]) -> None:
        self.connection = connection
        self.chosen = chosen
        self.inserts = [_insert(t) for t in chosen if t.name != "problems"]
        self.batch: list[tuple[list[Row], ...]] = []
        self.finished = False

    def add(self, record: Keyed[bytes]) -> None:
        """A record's rows (from `encode_record`)."""
        rows: tuple[list[Row], ...] = marshal.loads(record.rows)
        if record.key != record.id:
            rows = tuple([(record.key, *row[1:]) for row in table] for table in rows)
        self.batch.append(rows)
        if len(self.batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        batch, self.batch = self.batch, []
        for index, insert in enumerate(self.inserts):
            self.connection.executemany(insert, [row for rows in batch for row in rows[index]])

    def finish(self, report: Report[Export]) -> None:
        """The last rows, the problems table, the indexes; the transaction committed."""
        self._flush()
        problems = next(t for t in self.chosen if t.name == "problems")
        self.connection.executemany(_insert(problems), report.data.problems)
        for table in self.chosen:
            for statement in [*create_indexes(table), *create_search(table)]:
                self.connection.execute(statement)
        self.connection.execute("COMMIT")
        self.finished = True


@contextlib.contextmanager
def sqlite_writer(path: Path, activity_kinds: tuple[str, ...] = ()) -> Iterator[SqliteWriter]:
    """A writer of a new database that replaces `path` when the block ends without an error
    and `finish` was called (see the module's docstring); on an error, `path` is untouched."""
    from ucap_cli.toml.write import replacing_file

    check_target(path)
    chosen = tables(activity_kinds)
    with replacing_file(path) as temp:
        connection = sqlite3.connect(temp, isolation_level=None)
        try:
            _start(connection, chosen)
            writer = SqliteWriter(connection, chosen)
            yield writer
            if not writer.finished:
                raise AssertionError("the database was not finished; nothing was written")
        finally:
            connection.close()


def _start(connection: sqlite3.Connection, chosen: Sequence[Table]) -> None:
    # A new file, renamed into place only once complete: no journal, no waiting for the disk
    # (the file is flushed once, before the rename).
    for pragma in ("journal_mode = OFF", "synchronous = OFF", "temp_store = MEMORY"):
        connection.execute(f"PRAGMA {pragma}")
    connection.execute("PRAGMA cache_size = -8192")  # KiB
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    connection.execute("BEGIN")
    for statement in schema_sql(chosen):
        connection.execute(statement)
