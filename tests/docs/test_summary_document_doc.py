"""docs/summary-document.md tells the truth: its text example is `ucap show zhengzhou --format
summary` of the bundled record, line for line, but for the activities and results it says it
leaves out (`[... six activities ...]`). Its console session is replayed by test_readme."""

from __future__ import annotations

import re

from conftest import REPO, Run

PAGE = (REPO / "docs" / "summary-document.md").read_text(encoding="utf-8")
_GAP = re.compile(r"^\[\.\.\. (\w+) (activities|results) \.\.\.\]$")
NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
# How the summary starts each item a gap stands for.
STARTS = {"activities": "→ ", "results": "- "}


def runs(example: str) -> tuple[list[list[str]], list[tuple[int, str]]]:
    """The runs of lines the example shows, and between each two, the items it leaves out."""
    shown: list[list[str]] = [[]]
    gaps: list[tuple[int, str]] = []
    for line in example.splitlines():
        match = _GAP.match(line)
        if match:
            gaps.append((NUMBERS[match.group(1)], match.group(2)))
            shown.append([])
        else:
            shown[-1].append(line)
    return shown, gaps


def test_the_summary_document_example_is_the_real_output(run: Run) -> None:
    (example,) = re.findall(r"^```text\n(.*?)^```$", PAGE, re.MULTILINE | re.DOTALL)
    result = run("show", "zhengzhou", "--format", "summary", "--records", str(REPO / "records"))
    assert result.exit_code == 0, result.output
    real = result.stdout.splitlines()
    shown, gaps = runs(example)
    assert len(gaps) == 2
    assert real[: len(shown[0])] == shown[0]  # from the first line
    at = len(shown[0])
    for lines, (count, kind) in zip(shown[1:], gaps, strict=True):
        found = next(i for i in range(at, len(real)) if real[i : i + len(lines)] == lines)
        skipped = real[at:found]
        assert sum(text.startswith(STARTS[kind]) for text in skipped) == count, skipped
        at = found + len(lines)
    assert at == len(real)  # to the last line
