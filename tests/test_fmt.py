"""`ucap fmt`: the canonical layout, kept comments, --check/--diff, and round-trip properties."""

from __future__ import annotations

import datetime as dt
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

from ucap_cli.fmt import CannotKeepComments, FormatError, canonical_data, format_text, scan

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
        "\n"
        "[period]\n"
        'start = "2017"\n'
        'end = "2018"\n'
        "\n"
        "# Header comment, kept on top.\n"
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


# --------------------------------------------------------------------------- properties

_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=30
)
_WORD = st.text(alphabet="abcdefghij -_.\"'#[]=", min_size=1, max_size=8)
_DATE = st.one_of(
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)),
    st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(2000, 2030), st.integers(1, 12)),
    st.integers(2000, 2030).map(str),
)
_SCALAR = st.one_of(_TEXT, st.integers(-(10**6), 10**6), st.booleans(), _DATE)
_CITY = st.fixed_dictionaries(
    {"name": _TEXT, "country": st.sampled_from(["China", "ES", "Italy"])},
    optional={"short": _TEXT, "population": st.integers(1, 10**8), "area_km2": st.floats(1, 1e4)},
)
_ACTIVITY = st.fixed_dictionaries(
    {"date": _DATE, "kind": st.sampled_from(["visit", "meeting"]), "title": _TEXT},
    optional={
        "cities": st.lists(_TEXT, max_size=4),
        "summary": _TEXT,
        "agreements": st.lists(
            st.fixed_dictionaries(
                {"kind": st.just("mou"), "parties": st.lists(_TEXT, min_size=1, max_size=3)}
            ),
            max_size=2,
        ),
    },
)
_EXTRA = st.recursive(
    st.dictionaries(_WORD, _SCALAR | st.lists(_SCALAR, max_size=4), max_size=3),
    lambda inner: st.dictionaries(
        _WORD, inner | st.lists(inner, min_size=1, max_size=2), min_size=1, max_size=3
    ),
    max_leaves=8,
)
RECORDS = st.fixed_dictionaries(
    {
        "schema_version": st.just(1),
        "id": st.from_regex(r"[a-z]{1,8}", fullmatch=True),
        "period": st.fixed_dictionaries({"start": _DATE}, optional={"end": _DATE}),
        "themes": st.lists(_TEXT, min_size=1, max_size=3),
        "city": _CITY,
        "partners": st.lists(_CITY, min_size=1, max_size=3),
    },
    optional={
        "title": _TEXT,
        "sdgs": st.lists(st.integers(1, 17), max_size=4),
        "activities": st.lists(_ACTIVITY, max_size=5),
        "expected_results": st.lists(st.fixed_dictionaries({"text": _TEXT}), max_size=2),
        "extra": _EXTRA,
    },
)


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
