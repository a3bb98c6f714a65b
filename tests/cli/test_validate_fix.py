"""`ucap validate --fix`, `--diff` and `--statistics` through the real CLI, and the
`ucap-validate-fix` pre-commit hook."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, VALID_RECORD, Run, edited, write_record

RECORD = Path("records/demo.toml")


def fixed(run: Run, text: str, *args: str) -> tuple[str, str, int]:
    """`ucap validate --fix ARGS` on `text` as records/demo.toml: the file after, the fixes
    reported (stderr) and the exit status."""
    write_record(Path("records"), "demo", text)
    result = run("validate", "--fix", *args)
    return RECORD.read_text(encoding="utf-8"), result.stderr, result.exit_code


# Each kind of fix: the text of the valid record, what it is changed to, and the fix reported.
# A name that is right but not written as the official one is not a problem: `validate`
# passes it, `--fix` writes the official name.
KINDS = [
    ("sdgs = [9, 11]", "sdg = [9, 11]", "E102 sdg: renamed 'sdg' to 'sdgs'"),
    (
        "[[organisations]]",
        "[[organizations]]",
        "E102 organizations: renamed 'organizations' to 'organisations'",
    ),
    ('kind = "mou"', 'kind = "MoU"', "E112 activities[1].agreements[1].kind: 'MoU' -> 'mou'"),
    ('kind = "visit"', 'kind = "Visit"', "E112 activities[1].kind: 'Visit' -> 'visit'"),
    (
        'status = "in-progress"',
        'status = "in progress"',
        "E112 expected_results[1].status: 'in progress' -> 'in-progress'",
    ),
    ('kind = "company"', 'kind = "Company"', "E112 organisations[1].kind: 'Company' -> 'company'"),
    (
        '"Jobs and Skills in the Local Economy"',
        '"Jobs & Skills in Local Economy"',
        "E111 urban_agenda[2]: 'Jobs & Skills in Local Economy' -> "
        "'Jobs and Skills in the Local Economy'",
    ),
    ('["Urban Mobility",', '["urban mobility",', "E111 urban_agenda[1]: 'urban mobility' ->"),
    ('["Urban Mobility",', '["Urban Mobilty",', "E111 urban_agenda[1]: 'Urban Mobilty' ->"),
    ('start = "2017-03"', 'start = "2017-3"', "E105 period.start: '2017-3' -> '2017-03'"),
    ('date = "2017-06"', 'date = "2017-6"', "E105 activities[1].date: '2017-6' -> '2017-06'"),
    (
        'themes = ["Mobility", "Logistics"]',
        'themes = ["Mobility", "Logistics", "mobility"]',
        "E107 themes[3]: removed the duplicate 'mobility'",
    ),
    ("sdgs = [9, 11]", "sdgs = [9, 11, 9]", "E107 sdgs[3]: removed the duplicate 9"),
    (
        '"Jobs and Skills in the Local Economy"]',
        '"Jobs and Skills in the Local Economy", "Urban Mobility"]',
        "E107 urban_agenda[3]: removed the duplicate 'Urban Mobility'",
    ),
]
# The valid record with a little more to misspell: an organisation, a result's status, a topic.
FULL = edited(
    VALID_RECORD,
    (
        'urban_agenda = ["Urban Mobility"]',
        'urban_agenda = ["Urban Mobility", "Jobs and Skills in the Local Economy"]',
    ),
    ('theme = "Mobility"\n', 'theme = "Mobility"\nstatus = "in-progress"\n'),
    ("\n[extra]", '\n[[organisations]]\nname = "TCL"\nkind = "company"\n\n[extra]'),
)


@pytest.mark.parametrize(("old", "new", "reported"), KINDS)
def test_each_kind_of_fix_gives_back_the_valid_record(
    run: Run, old: str, new: str, reported: str
) -> None:
    before = edited(FULL, (old, new))
    write_record(Path("records"), "demo", FULL)
    assert run("validate", "--strict").exit_code == 0
    check = run("validate", str(write_record(Path("records"), "demo", before)))
    assert check.exit_code == (0 if "E111" in reported and "Mobilty" not in new else 1)
    assert before == RECORD.read_text(encoding="utf-8")  # validate alone changes nothing

    after, stderr, status = fixed(run, before)

    assert after == FULL
    assert status == 0
    assert re.search(rf"^records/demo.toml:\d+:\d+: fixed {re.escape(reported)}", stderr, re.M)
    assert stderr.endswith("1 fix made in 1 file; none remains\n")


def test_a_configured_theme_is_written_as_configured(run: Run) -> None:
    write_record(Path.cwd(), "ucap.toml", 'themes = ["Mobility", "Logistics"]\n')
    write_record(Path("records"), "demo", VALID_RECORD)
    assert run("validate", "--strict").exit_code == 0
    before = edited(
        VALID_RECORD,
        ('themes = ["Mobility", "Logistics"]', 'themes = ["mobility", "Logistics"]'),
        ('theme = "Mobility"', 'theme = "MOBILITY"'),
    )
    write_record(Path("records"), "demo", before)
    assert run("validate", "--strict").exit_code == 0  # accepted as they are, only respelt
    after, stderr, status = fixed(run, before)
    assert (after, status) == (VALID_RECORD, 0)
    assert "fixed E114 themes[1]: 'mobility' -> 'Mobility'" in stderr
    assert "fixed E114 expected_results[1].theme: 'MOBILITY' -> 'Mobility'" in stderr

    # Not in the configured themes, but one letter from one of them: an E114 with a fix.
    after, stderr, status = fixed(run, edited(VALID_RECORD, ('"Logistics"]', '"Logistcs"]')))
    assert (after, status) == (VALID_RECORD, 0)


# Comments everywhere, spacing nobody would choose, CRLF line ends, and a BOM.
ODD = (
    "\ufeff# a plan\r\n"
    "schema_version   =   1   # one\r\n"
    'id = "demo"\r\n'
    'themes = [ "Mobility" ,"Logistics",   "Mobility" ]  # three?\r\n'
    "sdg=[ 9,11 ]\r\n"
    "urban_agenda = [ # topics\r\n"
    '   "Jobs & Skills in Local Economy",   # the long name\r\n'
    "]\r\n\r\n"
    "[period]   # when\r\n"
    "  start = '2017-3'\r\n"
    '  end = "2018-11"\r\n\r\n'
    "[city]\r\n"
    'name = "Lyon"\r\n'
    'country = "France"\r\n\r\n'
    "[[partners]]\r\n"
    'name = "Graz"\r\n'
    'country = "AT"\r\n\r\n'
    "[[activities]]\r\n"
    'date = "2017-06"\r\n'
    'kind = "visit"\r\n'
    'title = "Graz delegation visits Lyon"\r\n'
    'cities = ["Lyon", "Graz"]\r\n\r\n'
    "  [[activities.agreements]]   # signed\r\n"
    '  kind="MoU"#mou\r\n'
    '  parties = [ "Lyon","Graz" ]\r\n'
)


def test_only_the_fixed_tokens_change_every_other_byte_stays(run: Run) -> None:
    path = write_record(Path("records"), "demo", ODD.encode("utf-8"))
    result = run("validate", "--fix")
    assert result.exit_code == 0, result.output
    expected = (
        ODD.replace('"Logistics",   "Mobility" ]', '"Logistics" ]')
        .replace("sdg=[", "sdgs=[")
        .replace('"Jobs & Skills in Local Economy"', '"Jobs and Skills in the Local Economy"')
        .replace("'2017-3'", "'2017-03'")
        .replace('kind="MoU"', 'kind="mou"')
    )
    assert path.read_bytes() == expected.encode("utf-8")
    assert result.stderr.splitlines()[-1] == "5 fixes made in 1 file; none remains"


def test_what_cannot_be_fixed_surely_is_reported_and_left_as_written(run: Run) -> None:
    write_record(Path.cwd(), "ucap.toml", 'activity_kinds = ["visits"]\n')
    before = edited(
        VALID_RECORD,
        ('country = "France"', 'country = "Frnace"'),  # E109: a country is never guessed
        ('end = "2018-11"', 'end = "2016-11"'),  # E106: which date is wrong?
        ('kind = "visit"', 'kind = "visitt"'),  # E112: `visit` and `visits` are as close
        ('contact = "team@example.org"', 'contact = "team@example.org"\nwebsite = "x"'),  # E102
        ('kind = "mou"', 'kind = "MoU"  # ucap: ignore[E112]'),  # suppressed: deliberate
    )
    after, stderr, status = fixed(run, before)
    assert after == before
    assert status == 1
    assert "fixed" not in stderr
    assert stderr.endswith("0 fixes made; 4 problems remain\n")
    assert "country 'Frnace'" in run("validate").stdout


def test_a_city_that_is_not_a_partner_is_not_renamed_to_one(run: Run) -> None:
    before = edited(VALID_RECORD, ('cities = ["Lyon", "GRZ"]', 'cities = ["Lyon", "GRZ", "Grazz"]'))
    after, stderr, status = fixed(run, before)
    assert (after, status) == (before, 0)  # a warning: it remains, and does not fail
    assert stderr.endswith("0 fixes made; 1 problem remains\n")
    assert "W303 activities[1].cities: 'Grazz'" in run("validate").stdout


def test_ignored_codes_keep_their_problems_and_the_others_are_fixed(run: Run) -> None:
    before = edited(VALID_RECORD, ("sdgs =", "sdg ="), ('kind = "visit"', 'kind = "Visit"'))
    after, stderr, status = fixed(run, before, "--ignore", "E102")
    assert after == edited(VALID_RECORD, ("sdgs =", "sdg ="))
    assert "E112" in stderr and "E102" not in stderr
    assert status == 0  # what remains is not reported
    write_record(Path.cwd(), "ucap.toml", 'ignore = ["E112"]\n')
    after, _, _ = fixed(run, before, "--select", "E1")
    assert after == edited(VALID_RECORD, ('kind = "visit"', 'kind = "Visit"'))


def test_a_second_fix_changes_nothing(run: Run) -> None:
    before = edited(
        VALID_RECORD,
        ("sdgs = [9, 11]", "sdg = [9, 11, 9, 11]"),
        ('country = "France"', 'country = "Frnace"'),
    )
    first, stderr, status = fixed(run, before)
    assert first != before and status == 1
    assert "3 fixes made in 1 file; 1 problem remains" in stderr
    stat = RECORD.stat()
    again = run("validate", "--fix")
    assert RECORD.read_text(encoding="utf-8") == first
    assert RECORD.stat().st_mtime_ns == stat.st_mtime_ns  # not even written again
    assert again.stderr.endswith("0 fixes made; 1 problem remains\n")
    assert again.exit_code == 1


def test_the_verdict_cache_never_gives_the_verdict_of_the_file_before_the_fix(run: Run) -> None:
    """The same size, and the old modification time put back: the file is still new."""
    path = write_record(Path("records"), "demo", edited(VALID_RECORD, ('"mou"', '"MoU"')))
    old = (1_600_000_000, 1_600_000_000)
    os.utime(path, old)  # old enough for its verdict to be kept
    assert run("validate").exit_code == 1
    assert run("validate").exit_code == 1  # from the cache
    assert run("validate", "--fix").exit_code == 0
    os.utime(path, old)
    assert path.stat().st_size == len(VALID_RECORD.encode("utf-8"))
    result = run("validate")
    assert (result.exit_code, result.stdout) == (0, "0 errors, 0 warnings in 1 file\n")


def test_the_report_after_fixing_is_in_the_format_asked_for(run: Run) -> None:
    before = edited(VALID_RECORD, ("sdgs =", "sdg ="), ('country = "France"', 'country = "X"'))
    write_record(Path("records"), "demo", before)
    result = run("validate", "--fix", "--format", "json")
    report = json.loads(result.stdout)  # stdout is the report alone; the fixes are on stderr
    assert [p["code"] for p in report["problems"]] == ["E109"]
    assert "fixed E102 sdg: renamed 'sdg' to 'sdgs'" in result.stderr
    assert result.exit_code == 1


def test_a_file_that_cannot_be_written_is_reported_and_fails(run: Run) -> None:
    """A link to a file outside the records folder is never written through."""
    outside = write_record(Path("elsewhere"), "demo", edited(VALID_RECORD, ("sdgs =", "sdg =")))
    Path("records").mkdir()
    RECORD.symlink_to(Path("..") / outside)
    result = run("validate", "--fix")
    assert result.exit_code == 1
    assert "ucap: error: records/demo.toml is a link to a file outside the records folder" in (
        result.stderr
    )
    assert "fixed" not in result.stderr
    assert outside.read_text(encoding="utf-8") == edited(VALID_RECORD, ("sdgs =", "sdg ="))


def test_a_file_that_is_not_toml_is_reported_not_fixed(run: Run) -> None:
    write_record(Path("records"), "demo", "sdg = [")
    result = run("validate", "--fix")
    assert result.exit_code == 1
    assert "E002" in result.stdout
    assert RECORD.read_text(encoding="utf-8") == "sdg = ["


# --------------------------------------------------------------------------- --diff


def test_diff_shows_what_fix_would_change_and_writes_nothing(run: Run) -> None:
    before = edited(VALID_RECORD, ("sdgs =", "sdg ="), ('"mou"', '"MoU"'))
    write_record(Path("records"), "demo", before)
    result = run("validate", "--diff")
    assert result.exit_code == 1
    assert RECORD.read_text(encoding="utf-8") == before
    assert result.stdout.splitlines()[:2] == [
        "--- records/demo.toml",
        "+++ records/demo.toml (fixed)",
    ]
    changed = [line for line in result.stdout.splitlines() if line[:1] in "+-"][2:]
    assert changed == ["-sdg = [9, 11]", "+sdgs = [9, 11]", '-kind = "MoU"', '+kind = "mou"']
    assert result.stderr == "2 fixes to make in 1 file\n"

    # What --fix then does is what the diff said.
    run("validate", "--fix")
    assert RECORD.read_text(encoding="utf-8") == VALID_RECORD
    nothing = run("validate", "--diff")
    assert (nothing.exit_code, nothing.stdout, nothing.stderr) == (0, "", "0 fixes to make\n")


def test_diff_with_only_unfixable_problems_exits_0(run: Run) -> None:
    write_record(Path("records"), "demo", edited(VALID_RECORD, ('"France"', '"Frnace"')))
    result = run("validate", "--diff")
    assert (result.exit_code, result.stdout) == (0, "")


# --------------------------------------------------------------------------- --statistics


def test_statistics_count_the_problems_by_code(run: Run) -> None:
    write_record(
        Path("records"),
        "demo",
        edited(
            VALID_RECORD,
            ("sdgs =", "sdg ="),
            ('"mou"', '"MoU"'),
            ('kind = "visit"', 'kind = "Visit"'),
            ('country = "France"', 'country = "Frnace"'),
        ),
    )
    write_record(Path("records"), "other", edited(VALID_RECORD, ('id = "demo"', 'id = "another"')))
    result = run("validate", "--statistics")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "2\tE112\t[*] value not in the allowed list (kind, status)",
        "1\tE102\t[*] unknown key (with a did-you-mean suggestion)",
        "1\tE109\t[ ] unknown country (not an ISO 3166-1 name or code)",
        "1\tW301\t[ ] id differs from the file name",
    ]
    as_json = json.loads(run("validate", "--statistics", "--format", "json").stdout)
    assert as_json[0] == {
        "code": "E112",
        "count": 2,
        "fixable": True,
        "summary": "value not in the allowed list (kind, status)",
    }
    assert run("validate", "--statistics", "--select", "W").stdout == (
        "1\tW301\tid differs from the file name\n"
    )


def test_statistics_and_diff_together_are_a_usage_error(run: Run) -> None:
    write_record(Path("records"), "demo", VALID_RECORD)
    result = run("validate", "--statistics", "--diff")
    assert result.exit_code == 2
    assert "ucap: error: --diff and --statistics cannot be used together" in result.stderr


# --------------------------------------------------------------------------- the hook

HOOKS = (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")


def _hook(name: str) -> dict[str, str]:
    block = HOOKS.split(f"- id: {name}\n", 1)[1].split("\n- id:", 1)[0]
    return dict(re.findall(r"^  (\w+): (.*)$", block, re.MULTILINE))


def test_the_fix_hook_is_declared_like_the_other_hooks() -> None:
    fix, validate = _hook("ucap-validate-fix"), _hook("ucap-validate")
    assert fix["entry"] == "ucap validate --fix --format concise --records-only"
    for key in ("language", "files", "exclude"):
        assert fix[key] == validate[key]


def test_the_fix_hook_entry_fixes_the_staged_records_and_skips_the_rest(run: Run) -> None:
    """What pre-commit runs: the entry with every staged .toml file."""
    write_record(Path.cwd(), "pyproject.toml", '[project]\nname = "plans"\n')
    write_record(Path.cwd(), "ruff.toml", "line-length = 100\n")
    write_record(Path("records"), "demo", edited(VALID_RECORD, ("sdgs =", "sdg =")))
    args = _hook("ucap-validate-fix")["entry"].split()[1:]
    result = run(*args, "pyproject.toml", "ruff.toml", "records/demo.toml")
    assert result.exit_code == 0, result.output
    assert result.stdout == "0 errors, 0 warnings in 1 file\n"
    assert RECORD.read_text(encoding="utf-8") == VALID_RECORD
    assert Path("ruff.toml").read_text(encoding="utf-8") == "line-length = 100\n"


def _git(*args: str, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("git") is None or importlib.util.find_spec("pre_commit") is None,
    reason="needs git and pre-commit",
)
def test_the_real_hook_fixes_and_fails_the_commit_then_the_fixed_commit_passes(
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PRE_COMMIT_COLOR": "never",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_CONFIG_NOSYSTEM": "1",
        "NO_COLOR": "1",
    }
    for name in ("UCAP_RECORDS", "GITHUB_ACTIONS", "PRE_COMMIT", "GIT_DIR", "GIT_INDEX_FILE"):
        env.pop(name, None)
    # The hooks' repository: this working tree as it stands, committed.
    hooks = tmp_path / "ucap"
    listed = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO, env=env)
    for name in filter(None, listed.split("\0")):
        if (REPO / name).is_file():
            (hooks / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, hooks / name)
    _git("init", "-q", cwd=hooks, env=env)
    _git("add", "-A", cwd=hooks, env=env)
    _git("commit", "-q", "-m", "snapshot", cwd=hooks, env=env)
    rev = _git("rev-parse", "HEAD", cwd=hooks, env=env).strip()

    plans = tmp_path / "plans"
    plans.mkdir()
    _git("init", "-q", cwd=plans, env=env)
    config = f"repos:\n- repo: {hooks}\n  rev: {rev}\n  hooks:\n  - id: ucap-validate-fix\n"
    (plans / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    write_record(plans, "pyproject.toml", '[project]\nname = "plans"\n')
    write_record(plans / "records", "demo", edited(VALID_RECORD, ("sdgs =", "sdg =")))

    def commit() -> tuple[bool, str]:
        _git("add", "-A", cwd=plans, env=env)
        done = subprocess.run(
            [sys.executable, "-m", "pre_commit", "run"],
            cwd=plans,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        return done.returncode == 0, done.stdout + done.stderr

    passed, output = commit()
    assert not passed, output
    assert re.search(r"^ucap validate --fix\.+Failed$", output, re.MULTILINE), output
    assert "files were modified by this hook" in output
    assert "records/demo.toml:6:1: fixed E102 sdg: renamed 'sdg' to 'sdgs'" in output
    assert (plans / "records/demo.toml").read_text(encoding="utf-8") == VALID_RECORD

    passed, output = commit()  # the fix staged: the commit goes through
    assert passed, output
    assert re.search(r"^ucap validate --fix\.+Passed$", output, re.MULTILINE), output


# --------------------------------------------------------------------------- the docs

SLIPS = [
    ('"Jobs and Skills in the Local Economy"]', '"Jobs & Skills in Local Economy"]'),
    ("sdgs = [9]", "sdg = [9]"),
    ('kind = "mou"', 'kind = "MoU"'),
    ('date = "2018-07"', 'date = "2018-7"'),
    ('country = "China"', 'country = "Chnia"'),
    ('status = "planned"', 'status = "Planned"'),
]


def test_the_docs_example_is_the_real_output(run: Run) -> None:
    """docs/validate-fix.md: the bundled record with its slips, each command's output."""
    docs = (REPO / "docs" / "validate-fix.md").read_text(encoding="utf-8")
    example = docs.split("```text\n", 1)[1].split("```", 1)[0]
    bundled = (REPO / "records" / "zhengzhou.toml").read_text(encoding="utf-8")
    write_record(Path("records"), "zhengzhou", edited(bundled, *SLIPS))
    shown = re.split(r"^\$ ucap ", example, flags=re.MULTILINE)[1:]
    assert [block.split("\n", 1)[0] for block in shown] == [
        "validate --statistics",
        "validate --diff",
        "validate --fix",
        "validate --fix",
    ]
    for block in shown:
        command, expected = block.split("\n", 1)
        result = run(*command.split(), env={"COLUMNS": "80"})
        # As a terminal shows it: the fixes (stderr), the report (stdout), the closing line.
        err = result.stderr.splitlines(keepends=True) or [""]
        output = "".join(err[:-1]) + result.stdout + err[-1]
        if "..." in expected:  # an excerpt: its first lines, and its last
            head, tail = expected.split("...\n")
            assert output.startswith(head) and output.endswith(tail), output
        else:
            assert output == expected
    assert 'country = "Chnia"' in Path("records/zhengzhou.toml").read_text(encoding="utf-8")
