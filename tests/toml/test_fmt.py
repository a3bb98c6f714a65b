"""`ucap fmt`: the canonical layout, kept comments, --check/--diff, and round-trip properties."""

from __future__ import annotations

import math
import random
import re
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from conftest import REPO, VALID_RECORD, Run, write_record
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from record_strategies import RECORDS, Commented, places

from ucap_cli.toml.layout import (
    CannotKeepComments,
    FormatError,
    activity_order,
    canonical_data,
    check_formatted,
    format_text,
    place_comments,
    scan,
)

ZHENGZHOU = REPO / "records" / "zhengzhou.toml"


def comments(text: str) -> Counter[str]:
    """The comments of `text`; trailing comments that fmt joined on one line count apart."""
    return Counter(part for c in scan(text).comments for part in re.split(r"\s+(?=#)", c.text))


# --------------------------------------------------------------------------- examples

MESSY = """\
# Header comment, kept on top.

[city]   # the lead
  country = 'CN'
name="Zhengzhou"

[[activities]]
title = "Later"
kind = "visit"
date = "2018-05"   # month only

# Above the earlier activity: moves with it.
[[activities]]
kind = "meeting"
date = 2017-06-15
title = "Earlier"
cities = ["Zhengzhou",
   # a comment inside an array
   "Rome",
]

[period]
end = "2018"
start = "2017"

[[partners]]
name = "Rome"
country = "Italy"
schema = 1
"""


def test_messy_record_gets_the_canonical_layout_with_comments_in_place() -> None:
    text = "schema_version = 1\nthemes = ['Mobility']\nid = \"x\"\n" + MESSY
    out = format_text(text)
    assert out == (
        "schema_version = 1\n"
        'id = "x"\n'
        'themes = ["Mobility"]\n'
        "# Header comment, kept on top.\n"  # under the last top-level key: it closes them
        "\n"
        "[period]\n"
        'start = "2017"\n'
        'end = "2018"\n'
        "\n"
        "[city]  # the lead\n"
        'name = "Zhengzhou"\n'
        'country = "CN"\n'
        "\n"
        "[[partners]]\n"
        'name = "Rome"\n'
        'country = "Italy"\n'
        "schema = 1\n"
        "\n"
        "# Above the earlier activity: moves with it.\n"
        "[[activities]]\n"
        "date = 2017-06-15\n"
        'kind = "meeting"\n'
        'title = "Earlier"\n'
        "cities = [\n"
        '    "Zhengzhou",\n'
        "    # a comment inside an array\n"
        '    "Rome",\n'
        "]\n"
        "\n"
        "[[activities]]\n"
        'date = "2018-05"  # month only\n'
        'kind = "visit"\n'
        'title = "Later"\n'
    )
    assert format_text(out) == out
    assert comments(out) == comments(text)
    assert tomllib.loads(out) == canonical_data(tomllib.loads(text))


def test_the_bundled_record_is_canonical_and_keeps_every_comment() -> None:
    text = ZHENGZHOU.read_text(encoding="utf-8")
    assert format_text(text) == text
    assert len(scan(text).comments) > 20


def test_a_suppression_comment_stays_on_its_line_and_still_suppresses(run: Run) -> None:
    long_names = ", ".join(f'"Partner city number {n}"' for n in range(6))
    text = VALID_RECORD.replace(
        'cities = ["Lyon", "GRZ"]', f'cities = ["Lyon", "GRZ", {long_names}]  # ucap: ignore[W303]'
    )
    write_record(Path("records"), "demo", text)
    assert run("validate", "--strict").exit_code == 0
    assert run("fmt").exit_code == 0
    out = Path("records/demo.toml").read_text(encoding="utf-8")
    assert f'"Lyon", "GRZ", {long_names}]  # ucap: ignore[W303]\n' in out
    assert run("validate", "--strict").exit_code == 0


def test_line_endings_and_bom_are_kept() -> None:
    text = "\ufeffid = 'x'\r\nschema_version = 1\r\n"
    assert format_text(text) == '\ufeffschema_version = 1\r\nid = "x"\r\n'


def test_not_toml_is_an_error_and_uncheckable_comments_keep_the_file() -> None:
    with pytest.raises(FormatError, match="not valid TOML"):
        format_text("a = [")
    # Comments inside an array inside an inline table, in a mixed array: fmt cannot place
    # them all (elsewhere the inline table becomes a [table] and keeps them). Records are
    # TOML 1.0: a multi-line inline table is not even valid.
    with pytest.raises(CannotKeepComments):
        format_text("schema_version = 1\nmixed = [{ b = [3, # c1\n 4] }, [2, # c2\n 5]]\n")


def test_long_arrays_go_one_element_per_line_short_ones_stay_inline() -> None:
    items = [f"item number {n}" for n in range(8)]
    out = format_text(tomli_w.dumps({"sources": items, "sdgs": [9, 11]}))
    assert out.startswith('sdgs = [9, 11]\nsources = [\n    "item number 0",\n')
    assert out.endswith('    "item number 7",\n]\n')


# --------------------------------------------------------------------------- the command


def test_check_diff_and_write(run: Run) -> None:
    canonical = format_text(VALID_RECORD)
    write_record(Path("records"), "good", canonical)
    messy = canonical.replace('id = "demo"\n', "").replace(
        "schema_version = 1\n", "schema_version = 1\nid   =   'demo'\n"
    )
    path = write_record(Path("records"), "demo", messy)
    before = path.read_bytes()

    result = run("fmt", "--check")
    assert result.exit_code == 1
    assert result.stdout == "would reformat records/demo.toml\n"
    assert "1 file would change, 1 file left unchanged" in result.stderr
    assert path.read_bytes() == before

    result = run("fmt", "--diff", "records/demo.toml")
    assert result.exit_code == 0
    assert "-id   =   'demo'\n+id = \"demo\"\n" in result.stdout
    assert result.stdout.startswith("--- records/demo.toml\n+++ records/demo.toml (formatted)\n")
    assert path.read_bytes() == before

    result = run("fmt")
    assert result.exit_code == 0
    assert "1 file reformatted, 1 file left unchanged" in result.stderr
    assert path.read_text(encoding="utf-8") == canonical
    assert run("fmt", "--check").exit_code == 0
    assert not list(Path("records").glob(".*"))  # no temporary or lock file left


def test_a_file_whose_comments_cannot_be_kept_is_reported_not_failed(run: Run) -> None:
    text = "schema_version = 1\nmixed = [{ b = [3, # c1\n 4] }, [2, # c2\n 5]]\n"
    path = write_record(Path("records"), "odd", text)
    result = run("fmt", "--check")
    assert result.exit_code == 0
    assert "records/odd.toml: left unchanged: some comments cannot be kept" in result.stderr
    assert run("fmt").exit_code == 0
    assert path.read_text(encoding="utf-8") == text


def test_a_file_that_is_not_toml_fails(run: Run) -> None:
    write_record(Path("records"), "bad", "a = [")
    result = run("fmt", "--check")
    assert result.exit_code == 1
    assert "ucap: error: records/bad.toml: not valid TOML" in result.stderr


def test_check_passes_on_the_bundled_records(run: Run) -> None:
    result = run("fmt", "--check", str(REPO / "records"))
    assert result.exit_code == 0, result.output


def test_pre_commit_hook_is_declared() -> None:
    hooks = (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "- id: ucap-fmt\n" in hooks
    assert "entry: ucap fmt --check" in hooks


# --------------------------------------------------------------------------- attachment


def formatted(run: Run, text: str) -> str:
    """`text` after `ucap fmt` on it as records/demo.toml (the command must succeed)."""
    path = write_record(Path("records"), "demo", text)
    result = run("fmt", str(path))
    assert result.exit_code == 0, result.output
    assert "left unchanged:" not in result.stderr, result.stderr
    return path.read_text(encoding="utf-8")


def test_a_comment_line_before_the_closing_bracket_stays_in_the_array(run: Run) -> None:
    out = formatted(run, 'schema_version = 1\nthemes = [\n  "A",\n  "B",\n  # more to come\n]\n')
    assert out == 'schema_version = 1\nthemes = [\n    "A",\n    "B",\n    # more to come\n]\n'


def test_a_trailing_comment_after_the_closing_bracket_stays_after_it(run: Run) -> None:
    text = 'schema_version = 1\nthemes = [\n    "A",\n    "B",\n]  # both checked\nid = "x"\n'
    out = formatted(run, text)
    assert out == 'schema_version = 1\nid = "x"\nthemes = ["A", "B"]  # both checked\n'
    long = [f'"a long theme name number {n}"' for n in range(4)]
    text = "themes = [\n" + "".join(f"  {t},\n" for t in long) + "]  # all four\n"
    assert formatted(run, text).endswith(f"    {long[-1]},\n]  # all four\n")


def test_a_comment_after_an_element_stays_after_that_element(run: Run) -> None:
    out = formatted(run, "schema_version = 1\nsdgs = [9, 11, # sustainable cities\n  17]\n")
    assert (
        out == "schema_version = 1\nsdgs = [\n    9,\n    11,  # sustainable cities\n    17,\n]\n"
    )
    out = formatted(run, "sdgs = [\n  9, 11,  # sustainable cities\n  17,\n]\n")
    assert "    11,  # sustainable cities\n" in out


ACTIVITIES = """\
schema_version = 1

[[activities]]
date = "2018-05"
kind = "visit"
title = "Later"

[[activities]]
date = "2017-06"
kind = "meeting"
title = "Earlier"
# Minutes of the earlier meeting: to be found.
"""


def test_a_comment_closing_the_last_activity_moves_with_it(run: Run) -> None:
    out = formatted(run, ACTIVITIES)
    assert out == (
        "schema_version = 1\n\n"
        '[[activities]]\ndate = "2017-06"\nkind = "meeting"\ntitle = "Earlier"\n'
        "# Minutes of the earlier meeting: to be found.\n\n"
        '[[activities]]\ndate = "2018-05"\nkind = "visit"\ntitle = "Later"\n'
    )
    # The same before the next table, with a comment of that table's own above it.
    text = ACTIVITIES + '\n# The results.\n[[expected_results]]\ntext = "R"\n'
    out = formatted(run, text)
    assert "# Minutes of the earlier meeting: to be found.\n\n[[activities]]\n" in out
    assert out.endswith('title = "Later"\n\n# The results.\n[[expected_results]]\ntext = "R"\n')
    # Lines touching both the last key and the next header describe that header.
    text = ACTIVITIES.replace(
        '\n\n[[activities]]\ndate = "2017-06"',
        '\n# Above Earlier.\n[[activities]]\ndate = "2017-06"',
    )
    out = formatted(run, text)
    assert out.startswith(
        'schema_version = 1\n\n# Above Earlier.\n[[activities]]\ndate = "2017-06"\n'
    )


def test_a_comment_after_a_blank_line_at_the_end_is_the_file_footer(run: Run) -> None:
    text = ACTIVITIES.replace("# Minutes", "\n# Footer: end of the record.\n# Minutes")
    text = text.replace("# Minutes of the earlier meeting: to be found.\n", "")
    out = formatted(run, text)
    assert out.endswith('title = "Later"\n\n# Footer: end of the record.\n')
    assert format_text(out) == out


def test_a_comment_in_an_array_of_inline_tables_stays_with_its_table(run: Run) -> None:
    # The array becomes [[x]] tables: the comment on an element's line goes on its header.
    # (A comment inside an inline table is TOML 1.1, which records are not.)
    out = formatted(run, "x = [ { a = 1 }, # the first\n  { a = 2, b = 3 } ]\n")
    assert out == "[[x]]  # the first\na = 1\n\n[[x]]\na = 2\nb = 3\n"
    # A comment about the array as a whole has no place among [[x]] tables: it stays inline.
    out = formatted(run, "x = [{a = 1}, {a = 2}]  # both\n")
    assert out == "x = [{ a = 1 }, { a = 2 }]  # both\n"


def test_a_comment_fmt_cannot_place_leaves_the_file_unchanged_and_is_named(run: Run) -> None:
    text = "schema_version = 1\nmixed = [{ b = [3, # inside\n 4] }, [2, 5]]\n"
    path = write_record(Path("records"), "demo", text)
    result = run("fmt", str(path))
    assert result.exit_code == 0
    assert result.stderr.startswith(
        "records/demo.toml: left unchanged: some comments cannot be kept in the canonical "
        "layout: '# inside' (line 2, after mixed[1].b[1]); file left as it is\n"
    )
    assert path.read_text(encoding="utf-8") == text


def test_nan_keeps_its_sign(run: Run) -> None:
    text = "[extra]\nminus = -nan\nplus = +nan\nplain = nan\nin_array = [-nan, 1.0]\n"
    out = formatted(run, text)
    assert out == ("[extra]\nminus = -nan\nplus = nan\nplain = nan\nin_array = [-nan, 1.0]\n")
    data = tomllib.loads(out)["extra"]
    assert [math.copysign(1, data[k]) for k in ("minus", "plus", "plain")] == [-1, 1, 1]


def test_leading_comments_and_the_schema_directive_stay_on_top(run: Run) -> None:
    text = "#:schema ./ucap.schema.json\n# Kept by the Lyon team.\n\n" + VALID_RECORD.replace(
        'id = "demo"\n', ""
    ).replace("schema_version = 1\n", 'id = "demo"\n# The format version.\nschema_version = 1\n')
    out = formatted(run, text)
    assert out.startswith(
        "#:schema ./ucap.schema.json\n# Kept by the Lyon team.\n\n"
        '# The format version.\nschema_version = 1\nid = "demo"\n'
    )
    assert format_text(out) == out


def test_the_check_compares_where_each_comment_belongs_not_only_its_text() -> None:
    text = "schema_version = 1\nsdgs = [\n    9,\n    11,  # eleven\n]\n"
    moved = "schema_version = 1\nsdgs = [\n    9,  # eleven\n    11,\n]\n"
    _, placements = place_comments(text)
    with pytest.raises(CannotKeepComments, match=r"'# eleven' \(line 4, after sdgs\[2\]\)"):
        check_formatted(tomllib.loads(text), placements, moved, None)
    check_formatted(tomllib.loads(text), placements, text, None)  # in place: no complaint


# --------------------------------------------------------------------------- properties


def messy_text(data: dict[str, Any], rng: random.Random) -> str:
    """`data` as TOML in a shuffled, oddly spaced layout with comments here and there."""

    def shuffled(value: Any) -> Any:
        if isinstance(value, dict):
            items = list(value.items())
            rng.shuffle(items)
            return {k: shuffled(v) for k, v in items}
        if isinstance(value, list):
            return [shuffled(v) for v in value]
        return value

    lines = tomli_w.dumps(shuffled(data)).split("\n")[:-1]
    out: list[str] = []
    for number, line in enumerate(lines):
        roll = rng.random()
        if roll < 0.15:
            out.append("")
        elif roll < 0.35:
            out.append(f"# above {number} [x] = 'y' \"z\"")
        out.append(
            " " * rng.choice([0, 0, 2]) + line + (f"  # after {number}" if roll > 0.8 else "")
        )
    return "\n".join(out) + "\n"


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(RECORDS, st.randoms(use_true_random=False))
def test_fmt_is_idempotent_and_keeps_data_and_comments(
    data: dict[str, Any], rng: random.Random
) -> None:
    text = messy_text(data, rng)
    out = format_text(text)
    assert tomllib.loads(out) == canonical_data(tomllib.loads(text))
    assert comments(out) == comments(text)
    assert format_text(out) == out
    dates = [re.sub(r"\D", "", str(a["date"])) for a in tomllib.loads(out).get("activities", [])]
    assert [(d[:4], d[4:6], d[6:]) for d in dates] == sorted((d[:4], d[4:6], d[6:]) for d in dates)


@settings(max_examples=100, deadline=None)
@given(RECORDS)
def test_canonical_text_of_plain_data_is_a_fixed_point(data: dict[str, Any]) -> None:
    out = format_text(tomli_w.dumps(data))
    assert format_text(out) == out
    assert not re.search(r"\n\n\n", out)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(RECORDS, st.randoms(use_true_random=False))
def test_every_comment_stays_attached_to_its_key_path(
    data: dict[str, Any], rng: random.Random
) -> None:
    commented = Commented(rng)
    text = commented.text(data)
    assert tomllib.loads(text) == data
    assert places(text) == commented.truth  # the rule, as the README states it
    out = format_text(text)
    order = activity_order(data.get("activities", []))
    moved = {index: position for position, index in enumerate(order)}

    def after_fmt(path: tuple[str | int, ...], slot: str) -> tuple[tuple[str | int, ...], str]:
        if slot == "above" and path == ("schema_version",):
            return (), "head"  # schema_version comes first: nothing is above it but the head
        if path[:1] == ("activities",) and len(path) > 1:
            return ("activities", moved[int(path[1])], *path[2:]), slot
        return path, slot

    assert places(out) == {text: after_fmt(*where) for text, where in commented.truth.items()}
    assert format_text(out) == out
