"""The `agreements` and `results` tables at 80 columns: the date, the record's id (what `ucap
show` takes), the kind and the status are never broken, nor is any word of the texts (a
hyphen between letters may end a line), while the texts can still be folded to make room.

Through the CLI with the bundled record (4 agreements, 7 expected results, long names).
"""

from __future__ import annotations

import json

from conftest import REPO, Run
from rich.cells import cell_len

from ucap_cli.render.fitted import pieces

RECORDS = str(REPO / "records")


def kept(word: str, tokens: set[str]) -> bool:
    """`word` shows whole, or broken only after its hyphens (`Anargiri-` / `Kamatero`)."""
    word = word.rstrip(",")
    return word in tokens or all(piece in tokens for piece in pieces(word))


def test_agreements_keep_dates_ids_and_words_whole(run: Run) -> None:
    shown = run("agreements", "--records", RECORDS, env={"COLUMNS": "80"}).stdout
    data = json.loads(run("agreements", "--records", RECORDS, "--format", "json").stdout)
    lines = shown.splitlines()
    assert all(cell_len(line) <= 80 for line in lines)
    table = lines[lines.index(next(line for line in lines if line.startswith("date "))) :]
    table = table[1 : table.index("")]
    starts = [line.split()[:2] for line in table if not line.startswith(" ")]
    assert starts == [[a["date"], a["record"]] for a in data["agreements"]]
    tokens = {token.rstrip(",") for token in shown.split()}
    assert {"MoU", "cooperation"} <= tokens
    for agreement in data["agreements"]:
        text = " ".join([agreement["activity"], *agreement["parties"], agreement["title"] or ""])
        assert all(kept(word, tokens) for word in text.split()), text


def test_results_keep_ids_statuses_and_words_whole(run: Run) -> None:
    shown = run("results", "--records", RECORDS, env={"COLUMNS": "80"}).stdout
    data = json.loads(run("results", "--records", RECORDS, "--format", "json").stdout)
    lines = shown.splitlines()
    assert all(cell_len(line) <= 80 for line in lines)
    rows = [line.split() for line in lines if line.startswith("zhengzhou ")]
    assert len(rows) == len(data["expected_results"]) == 7
    assert all("planned" in row[1:4] for row in rows)  # the status, whole, on the id's line
    tokens = {token.rstrip(",") for token in shown.split()}
    for result in data["expected_results"]:
        text = " ".join([result["theme"] or "", result["text"], *result["organisations"]])
        assert all(kept(word, tokens) for word in text.split()), text
