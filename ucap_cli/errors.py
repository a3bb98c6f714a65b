"""The one error root of ucap and its exit codes.

The core raises these; only the command layer turns them into a message and an exit status.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit statuses, documented in the README."""

    OK = 0
    PROBLEMS = 1
    USAGE = 2
    INTERRUPTED = 130


class UcapError(Exception):
    """Something the user must act on; `str(error)` is a one-line message."""

    exit_code: ExitCode = ExitCode.PROBLEMS

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


class UsageError(UcapError):
    """Bad option value, missing path, unknown id: the command line is wrong."""

    exit_code = ExitCode.USAGE


class ConfigError(UcapError):
    """`ucap.toml` or `[tool.ucap]` cannot be used."""

    exit_code = ExitCode.USAGE


class WriteError(UcapError):
    """A record could not be written, or the result would not be valid; nothing was changed."""

    exit_code = ExitCode.PROBLEMS


class InstallError(UcapError):
    """ucap's installation cannot give a trustworthy verdict (its TOML parser reads TOML 1.1)."""

    exit_code = ExitCode.USAGE
