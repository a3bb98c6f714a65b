"""Shell completion of ids, cities, themes and kinds, read from the records folder.

Completion runs on every Tab press: it parses the TOML only (no validation) and never raises.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any


def _records_data(ctx: Any) -> Iterator[dict[str, Any]]:
    """The parsed TOML of each record file; unreadable files are skipped."""
    from ucap_cli.config import load_config
    from ucap_cli.load import find_record_files, read_text
    from ucap_cli.toml import parse_document

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
        from ucap_cli.vocab import fold

        found = sorted({v for v in values(ctx) if isinstance(v, str) and v})
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
    from ucap_cli.vocab import ACTIVITY_KINDS

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
