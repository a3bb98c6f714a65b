"""ucap_cli/check/loader.py: a file -> TOML -> a record, with every problem found on the way;
`RecordFile`, `parse`, `load_file`, `check_data` and `read_leniently` called directly."""

from __future__ import annotations

from pathlib import Path

from builders import record_file
from conftest import VALID_RECORD, edited, write_record

from ucap_cli.check.loader import MAX_PROBLEMS, RecordFile, check_data, load_file, read_leniently
from ucap_cli.check.problems import Problem
from ucap_cli.record.model import Record, ValidRecord
from ucap_cli.toml.parser import loads


def located(file: RecordFile) -> list[tuple[int, int, str]]:
    return [(p.line, p.column, p.code) for p in file.problems]


def test_a_valid_file_gives_a_valid_record_and_no_problem() -> None:
    file = record_file(VALID_RECORD)
    assert isinstance(file.record, ValidRecord)
    assert (file.ok, file.problems, file.first_error, file.declared_id) == (True, [], None, "demo")
    assert file.data == loads(VALID_RECORD)


def test_warnings_leave_a_file_ok() -> None:
    file = record_file(VALID_RECORD, "other.toml")
    assert (file.ok, located(file), file.first_error) == (True, [(2, 6, "W301")], None)
    assert isinstance(file.record, ValidRecord)


def test_a_file_that_is_not_toml_has_no_data_and_no_record() -> None:
    file = record_file('id = "demo"\ntitle = [\n')
    assert (file.data, file.record, file.declared_id) == (None, None, None)
    [problem] = file.problems
    assert (problem.code, problem.line, problem.message.startswith("TOML: ")) == ("E002", 3, True)
    assert file.first_error == problem and not file.ok


def test_a_record_with_errors_is_read_leniently_only_when_asked() -> None:
    text = edited(VALID_RECORD, ('country = "France"', 'country = "Frnace"'))
    strict = record_file(text, readable=False)
    assert (strict.record, located(strict)) == (None, [(17, 11, "E109")])
    lenient = record_file(text)
    assert located(lenient) == [(17, 11, "E109")]
    assert type(lenient.record) is Record  # as far as it could be read, not a valid record
    assert lenient.record.city is not None and lenient.record.city.country == "Frnace"


def test_the_first_error_is_the_first_in_the_file_not_the_first_found() -> None:
    file = RecordFile(Path("x.toml"), "x.toml")
    file.problems = [
        Problem("x.toml", 9, 1, "W303", "a warning first"),
        Problem("x.toml", 7, 4, "E109", "later line"),
        Problem("x.toml", 3, 2, "E112", "earlier line"),
    ]
    assert file.first_error is not None and file.first_error.message == "earlier line"


def test_a_newer_schema_version_is_one_problem_and_nothing_else() -> None:
    text = edited(VALID_RECORD, ("schema_version = 1", "schema_version = 3"), ("sdgs", "sdg"))
    file = record_file(text)
    [problem] = file.problems
    assert (problem.code, problem.line, problem.column, problem.hint) == (
        "E003",
        1,
        18,
        "upgrade ucap: pip install --upgrade ucap",
    )
    assert problem.message == "schema_version 3 is newer than this ucap (reads version 1)"


def test_a_suppression_comment_drops_the_problem_on_its_line() -> None:
    text = edited(VALID_RECORD, ('country = "France"', 'country = "Frnace"  # ucap: ignore[E109]'))
    file = record_file(text, readable=False)
    assert (file.problems, file.record) == ([], None)  # suppressed, and still not valid


def test_past_the_cap_problems_are_counted_in_one_last_problem() -> None:
    unknown = "".join(f"k{n} = {n}\n" for n in range(MAX_PROBLEMS + 50))
    file = record_file(edited(VALID_RECORD, ("[period]", unknown + "[period]")))
    assert len(file.problems) == MAX_PROBLEMS + 1
    last = file.problems[-1]
    assert (last.code, last.message) == ("E102", "... and 50 more problems in this file")
    assert last.hint == f"fix the first {MAX_PROBLEMS} and run `ucap validate` again"
    assert last.line == len((file.text or "").splitlines())  # at the end: reported last


def test_unused_suppressions_are_w308_once_the_record_is_valid() -> None:
    text = edited(
        VALID_RECORD, ('programme = "IUC"', 'programme = "IUC"  # ucap: ignore[W303, X1]')
    )
    file = record_file(text)
    [problem] = file.problems
    assert (problem.code, problem.line, problem.column, problem.hint) == (
        "W308",
        4,
        20,
        "remove the comment",
    )
    assert "(X1 is not a problem code)" in problem.message


def test_load_file_reads_utf8_with_or_without_a_bom(tmp_path: Path) -> None:
    plain = write_record(tmp_path, "demo", VALID_RECORD)
    bom = write_record(tmp_path, "bom/demo", b"\xef\xbb\xbf" + VALID_RECORD.encode())
    for path in (plain, bom):
        file = load_file(path, "demo.toml", {}, max_size=10**6)
        assert (file.problems, file.declared_id) == ([], "demo")


def test_load_file_says_why_a_file_cannot_be_read(tmp_path: Path) -> None:
    def problem(path: Path, max_size: int = 10**6) -> tuple[int, int, str, str]:
        [found] = load_file(path, path.name, {}, max_size=max_size).problems
        return (found.line, found.column, found.code, found.message)

    latin = write_record(tmp_path, "latin", VALID_RECORD.encode().replace(b"Lyon", b"Ly\xf6n", 1))
    assert problem(latin) == (3, 12, "E001", "not UTF-8 text: invalid start byte")
    utf16 = write_record(tmp_path, "utf16", VALID_RECORD.encode("utf-16"))
    assert problem(utf16)[2] == "E001"
    assert problem(tmp_path / "missing.toml") == (
        1,
        1,
        "E001",
        "cannot read: no such file (a broken link, or removed while reading)",
    )
    (tmp_path / "folder.toml").mkdir()
    assert problem(tmp_path / "folder.toml")[3] == "cannot read: is a folder, not a file"
    big = write_record(tmp_path, "big", VALID_RECORD)
    line, column, code, message = problem(big, max_size=100)
    assert (line, column, code) == (1, 1, "E001")
    assert "100" in message  # the limit it is over


def test_check_data_validates_parsed_data_without_locating() -> None:
    valid = RecordFile(Path("demo.toml"), "demo.toml", data=loads(VALID_RECORD))
    assert check_data(valid, {}) and isinstance(valid.record, ValidRecord)
    for text in (
        edited(VALID_RECORD, ('country = "France"', 'country = "Frnace"')),
        edited(VALID_RECORD, ("schema_version = 1", "schema_version = 2")),
        edited(VALID_RECORD, ("schema_version = 1", "schema_version = true")),
    ):
        file = RecordFile(Path("demo.toml"), "demo.toml", data=loads(text))
        assert not check_data(file, {})
        assert (file.record, file.problems) == (None, [])  # no problem located: none looked for


def test_read_leniently_names_a_record_without_an_id_after_its_file() -> None:
    data = loads(edited(VALID_RECORD, ('id = "demo"\n', "")))
    file = RecordFile(Path("records/lyon.toml"), "records/lyon.toml", data=data)
    read_leniently(file, {})
    assert file.record is not None and file.record.id == "lyon"
    nothing = RecordFile(Path("x.toml"), "x.toml")
    read_leniently(nothing, {})
    assert nothing.record is None
