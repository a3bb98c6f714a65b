"""`ucap new`: a new record that validates; never overwrites; asks only on a terminal."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from conftest import REPO, VALID_RECORD, Run, write_record

from ucap_cli.toml.layout import format_text

LYON = (
    "new", "lyon-graz", "--city", "Lyon", "--country", "France", "--region",
    "Auvergne-Rhône-Alpes", "--partner", "Graz:AT", "--partner", "Málaga:Spain",
    "--start", "2017-03", "--end", "2018-11", "--theme", "Mobility", "--theme", "Logistics",
    "--programme", "IUC", "--contact", "team@example.org",
)  # fmt: skip

EXPECTED = """\
schema_version = 1
id = "lyon-graz"
programme = "IUC"
themes = ["Mobility", "Logistics"]
contact = "team@example.org"

[period]
start = "2017-03"
end = "2018-11"

[city]
name = "Lyon"
region = "Auvergne-Rhône-Alpes"
country = "France"

[[partners]]
name = "Graz"
country = "AT"

[[partners]]
name = "Málaga"
country = "Spain"
"""


def test_new_writes_a_canonical_record_that_validates(run: Run) -> None:
    result = run(*LYON)
    assert result.exit_code == 0, result.output
    assert result.stdout == "records/lyon-graz.toml: new record 'lyon-graz'\n"
    text = Path("records/lyon-graz.toml").read_text(encoding="utf-8")
    assert text == EXPECTED
    assert format_text(text) == text
    assert run("validate", "--strict").exit_code == 0


def test_new_refuses_an_existing_file_and_a_used_id(run: Run) -> None:
    assert run(*LYON).exit_code == 0
    result = run(*LYON)
    assert result.exit_code == 1
    assert "ucap: error: records/lyon-graz.toml already exists; nothing was written" in (
        result.stderr
    )
    write_record(Path("records/asia"), "other-name", VALID_RECORD)  # declares id "demo"
    result = run("new", "demo", *LYON[2:])
    assert result.exit_code == 1
    assert "id 'demo' is already used by records/asia/other-name.toml" in result.stderr
    assert not Path("records/demo.toml").exists()


def test_new_refuses_invalid_values_and_writes_nothing(run: Run) -> None:
    args = [a.replace("France", "Frnace").replace("2017-03", "2017-13") for a in LYON]
    result = run(*args)
    assert result.exit_code == 1
    assert "would have 2 errors" in result.stderr
    assert "error E109 city.country: unknown country 'Frnace'" in result.stderr
    assert "(did you mean 'France'?)" in result.stderr
    assert "error E105 period.start" in result.stderr
    assert not Path("records").exists() or not list(Path("records").iterdir())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("new", "../evil", "--city", "X"), "id '../evil' is not a slug"),
        (("new", "x", "--partner", "Graz"), "--partner 'Graz': expected NAME:COUNTRY"),
    ],
)
def test_bad_ids_and_partners_are_usage_errors(
    run: Run, args: tuple[str, ...], message: str
) -> None:
    full = (*args, *LYON[2:]) if args[1] == "../evil" else args
    result = run(*full)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not Path("evil.toml").exists()


def test_without_a_terminal_missing_options_are_a_usage_error(run: Run) -> None:
    result = run("new", "lyon", "--city", "Lyon", input="")
    assert result.exit_code == 2
    assert "ucap: error: missing --country, --partner, --start, --theme" in result.stderr
    assert "run on a terminal to be asked" in result.stderr
    assert not Path("records/lyon.toml").exists()


def test_on_a_terminal_missing_answers_are_asked_and_checked(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ucap_cli.cli.new._interactive", lambda: True)
    answers = [
        "Frnace",  # not a country: asked again
        "France",
        "Graz",  # not NAME:COUNTRY
        "Graz:AT",
        "Porto:Portgal",  # not a country
        "Porto:PT",
        "",  # no more partners
        "March 2017",  # not a partial date
        "2017-03",
        " , ",  # no theme
        "Mobility, Logistics",
    ]
    result = run("new", "lyon", "--city", "Lyon", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "unknown country 'Frnace' (did you mean 'France'?)" in result.stdout
    assert "expected NAME:COUNTRY" in result.stdout
    assert "unknown country 'Portgal'" in result.stdout
    assert 'expected "YYYY", "YYYY-MM" or "YYYY-MM-DD", got \'March 2017\'' in result.stdout
    assert "at least one theme is needed" in result.stdout
    text = Path("records/lyon.toml").read_text(encoding="utf-8")
    assert 'themes = ["Mobility", "Logistics"]' in text
    assert '[city]\nname = "Lyon"\ncountry = "France"\n' in text
    assert '[[partners]]\nname = "Porto"\ncountry = "PT"\n' in text
    assert 'start = "2017-03"' in text


def test_the_readme_transcript_of_writing_records_is_real(run: Run) -> None:
    """The session of docs/writing.md (it was the README's until the README was shortened)."""
    page = (REPO / "docs" / "writing.md").read_text(encoding="utf-8")
    section = page.split("## A session\n")[1]
    transcript = section.split("```text\n", 1)[1].split("```", 1)[0]
    steps = [step.split("\n", 1) for step in transcript.split("$ ")[1:]]
    assert len(steps) == 4
    Path("records").mkdir()
    for command, shown in steps:
        result = run(*shlex.split(command)[1:])
        assert result.output == shown, command
