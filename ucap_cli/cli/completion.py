"""Shell completion of ids, cities, themes and kinds, read from the records folder.

Completion runs on every Tab press: it parses the TOML only (no validation) and never raises.
Bash inserts what it is given as typed, so values are quoted for it (`quote_for_bash`); zsh
and fish quote what they insert themselves.
"""

import os
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# A word bash reads back as itself: letters (any script), digits and a few punctuation marks.
_PLAIN_WORD = re.compile(r"[\w@%+=:,./-]+")


def _records_data(ctx: Any) -> Iterator[dict[str, Any]]:
    """The parsed TOML of each record file; unreadable files are skipped."""
    from ucap_cli.config import load_config
    from ucap_cli.store.files import find_record_files
    from ucap_cli.toml.files import read_text
    from ucap_cli.toml.parser import parse_document

    records = (getattr(ctx, "params", None) or {}).get("records")
    config = load_config(records=Path(records) if records else None)
    for path in find_record_files(config.records):
        try:  # a FIFO is refused, not waited on; data is never nested past the one limit
            data = parse_document(read_text(path, config.max_file_size))
        except Exception:  # a bad file must not break completion
            continue
        yield data


def _complete(ctx: Any, incomplete: str, values: Any) -> list[str]:
    try:
        from ucap_cli.record.vocab import fold
        from ucap_cli.render.safe import visible

        # A value with control characters cannot be typed, nor pass the shells' line protocol.
        found = sorted({v for v in values(ctx) if isinstance(v, str) and v and visible(v) == v})
        prefix = fold(incomplete)
        # Typer keeps only values that start with what was typed, exactly; matching is case-
        # and accent-insensitive, so `ma` offers `malaga` (which finds Málaga).
        return [
            v if v.startswith(incomplete) else incomplete + fold(v)[len(prefix) :]
            for v in found
            if fold(v).startswith(prefix)
        ]
    except Exception:  # completion must never show a traceback
        return []


def _ids(ctx: Any) -> Iterator[Any]:
    for data in _records_data(ctx):
        yield data.get("id")


def _cities(ctx: Any) -> Iterator[Any]:
    for data in _records_data(ctx):
        for city in [data.get("city"), *(data.get("partners") or [])]:
            if isinstance(city, dict):
                yield city.get("name")
                yield city.get("short")
        for activity in data.get("activities") or []:
            if isinstance(activity, dict):
                yield from activity.get("cities") or []


def _themes(ctx: Any) -> Iterator[Any]:
    for data in _records_data(ctx):
        yield from data.get("themes") or []


def _kinds(ctx: Any) -> Iterator[Any]:
    from ucap_cli.record.vocab import ACTIVITY_KINDS

    yield from ACTIVITY_KINDS
    for data in _records_data(ctx):
        for activity in data.get("activities") or []:
            if isinstance(activity, dict):
                yield activity.get("kind")


def complete_ids(ctx: Any, incomplete: str) -> list[str]:
    """Record ids starting with what was typed."""
    return _complete(ctx, incomplete, _ids)


def complete_cities(ctx: Any, incomplete: str) -> list[str]:
    """City names and aliases of the collection."""
    return _complete(ctx, incomplete, _cities)


def complete_themes(ctx: Any, incomplete: str) -> list[str]:
    """Themes used in the collection."""
    return _complete(ctx, incomplete, _themes)


def complete_kinds(ctx: Any, incomplete: str) -> list[str]:
    """Standard activity kinds and those used in the collection."""
    return _complete(ctx, incomplete, _kinds)


def quote_for_bash(value: str, quote: str = "") -> str:
    """`value` as bash must be given it to insert one word that reads back as `value`.

    `quote` is the quote the word being completed opened (`'`, `"` or none): bash then inserts
    the value inside that quote and closes it.
    """
    if quote == "'":
        return value.replace("'", "'\\''")
    if quote == '"':
        return re.sub(r'(["\\$`])', r"\\\1", value)
    return value if _PLAIN_WORD.fullmatch(value) else shlex.quote(value)


def open_quote(word: str) -> str:
    """The quote left open at the end of a word as typed (`'Smart C` -> `'`), or ``."""
    lexer = shlex.shlex(word, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        list(lexer)
    except ValueError:  # no closing quotation: the lexer's state is the open quote
        state = getattr(lexer, "state", "")  # not in typeshed's stub
        return state if state in ("'", '"') else ""
    return ""


def install_bash_quoting() -> None:
    """Make Typer's bash completion quote each value (Typer writes them as they are, so
    `Smart Cities & Digital Transition` became four words and a background job)."""
    try:
        _install_bash_quoting()
    except Exception:  # pragma: no cover - another Typer: its completion as it is
        return


def _install_bash_quoting() -> None:
    import sys

    from typer._completion_classes import BashComplete

    class QuotingBashComplete(BashComplete):
        def complete(self) -> str:
            args, incomplete = self.get_completion_args()
            quote = open_quote(_word_being_completed())
            items = self.get_completions(args, incomplete)
            return "\n".join(quote_for_bash(item.value, quote) for item in items)

    # The registry is click's shell_completion module (or Typer's copy of it).
    modules = (sys.modules.get(base.__module__) for base in BashComplete.__mro__[1:])
    registry = next((m for m in modules if hasattr(m, "add_completion_class")), None)
    if registry is not None:
        registry.add_completion_class(QuotingBashComplete, "bash")


def _word_being_completed() -> str:
    """The word under the cursor as typed: Typer's bash script joins COMP_WORDS with newlines."""
    words = os.environ.get("COMP_WORDS", "")
    parts = words.split("\n") if "\n" in words else words.split(" ")
    try:
        return parts[int(os.environ.get("COMP_CWORD", ""))]
    except (ValueError, IndexError):
        return ""
