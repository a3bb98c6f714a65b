"""docs/validate-fix.md's pre-commit example: a configuration of this repository's own hooks,
the one the page describes. (Its `text` example is checked by
tests/cli/test_validate_fix.py::test_the_docs_example_is_the_real_output; the real pre-commit
runs the hook in test_the_real_hook_fixes_and_fails_the_commit_then_the_fixed_commit_passes.)"""

from __future__ import annotations

import re

from conftest import REPO

PAGE = (REPO / "docs" / "validate-fix.md").read_text(encoding="utf-8")
HOOKS = (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")


def hooks() -> dict[str, str]:
    """This repository's hooks: id -> entry (the command pre-commit runs)."""
    found: dict[str, str] = {}
    for entry in re.split(r"^- ", HOOKS, flags=re.MULTILINE)[1:]:
        fields = dict(re.findall(r"^\s*(\w+): (.+)$", entry, re.MULTILINE))
        found[fields["id"]] = fields["entry"]
    return found


def test_the_pre_commit_example_uses_the_hooks_the_page_describes() -> None:
    (example,) = re.findall(r"^```yaml\n(.*?)^```$", PAGE, re.MULTILINE | re.DOTALL)
    assert example.startswith("# .pre-commit-config.yaml\nrepos:\n")
    # The placeholders the README's example has: the repository's URL and a commit to pin.
    assert re.search(r"^  - repo: https://example\.org/your/ucap$", example, re.MULTILINE)
    assert re.search(r"^    rev: COMMIT-SHA$", example, re.MULTILINE)
    ids = re.findall(r"^      - id: ([\w-]+)$", example, re.MULTILINE)
    assert ids == ["ucap-validate-fix", "ucap-fmt"]
    assert set(ids) <= set(hooks())
    assert "ucap-validate" not in ids  # "Use it instead of `ucap-validate`"
    # What the page says the hook runs is its entry.
    (said,) = re.findall(r"The `ucap-validate-fix` hook runs `([^`]+)`", " ".join(PAGE.split()))
    assert hooks()["ucap-validate-fix"] == said
