"""The show view's data: one record in full, as far as it could be read."""

from __future__ import annotations

from dataclasses import dataclass

from ucap_cli.check.loader import RecordFile
from ucap_cli.check.result import FileStatus
from ucap_cli.config import Config
from ucap_cli.errors import UcapError
from ucap_cli.record.model import Record
from ucap_cli.store.collection import read_record
from ucap_cli.views.report import Report


@dataclass(frozen=True)
class RecordView:
    """A record file to show: its record (as far as it could be read), its data as written,
    and the record keys `--fields` chose (all when empty)."""

    file: RecordFile
    record: Record
    fields: tuple[str, ...] = ()


def show_record(config: Config, ref: str, fields: tuple[str, ...] = ()) -> Report[RecordView]:
    """The record `ref` names (an id or a path); a file that is not TOML is a UcapError."""
    file = read_record(config, ref)
    error = file.first_error
    if file.record is None:
        assert error is not None  # a file without a record says why
        raise UcapError(
            f"{file.display}: cannot show the record: {error.code} {error.message}",
            hint=f"run `ucap validate {file.display}`",
        )
    status = FileStatus(file.path, file.display, file.declared_id, error, True)
    return Report(RecordView(file, file.record, fields), [status] if error else [])
