"""A record with errors, read as far as it can be: what views show of it.

Validation says what is wrong; views still need what is right. `readable_record` validates the
data as a `Record` (the lenient model: values that break a rule of meaning are kept as written)
and, while some value cannot be read at all (a date that is no date, a number where a table
belongs, an unknown key, a table missing a key it needs), leaves that value out and tries
again. A value left out is the smallest one that fails: a key of a table, or an entry of a list
(an activity without a readable date is left out, the other activities stay). What is left
out is unknown to the views, never guessed.
"""

from __future__ import annotations

import copy
from typing import Any

from ucap_cli.record.model import LENIENT, Record

# Each round leaves out at least one value; a file needing more rounds is left out whole.
MAX_ROUNDS = 50


def readable_record(data: dict[str, Any], context: dict[str, Any]) -> Record | None:
    """The record `data` holds, without the values that cannot be read; None if none can."""
    from pydantic import ValidationError

    lenient = {**context, LENIENT: True}
    current = data
    for _ in range(MAX_ROUNDS):
        try:
            return Record.model_validate(current, context=lenient)
        except ValidationError as error:
            if current is data:
                current = copy.deepcopy(data)
            if not _leave_out(current, error.errors(include_url=False)):
                return None
    return None


def _leave_out(data: dict[str, Any], errors: list[Any]) -> bool:
    """Remove the value at each failing location (its table, for a missing key); False when
    nothing could be removed."""
    targets: set[tuple[Any, ...]] = set()
    for item in errors:
        location = tuple(item["loc"])
        target = location[:-1] if item["type"] == "missing" else location
        if target:
            targets.add(target)
    # Deepest first, and list entries from the last, so earlier removals move no later target.
    removed = False
    for target in sorted(targets, key=_removal_order, reverse=True):
        removed = _remove(data, target) or removed
    return removed


def _removal_order(path: tuple[Any, ...]) -> tuple[Any, ...]:
    return (len(path), *((0, p) if isinstance(p, int) else (1, str(p)) for p in path))


def _remove(data: Any, path: tuple[Any, ...]) -> bool:
    parent = data
    for part in path[:-1]:
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            return False
    last = path[-1]
    if isinstance(parent, dict) and last in parent:
        del parent[last]
        return True
    if isinstance(parent, list) and isinstance(last, int) and 0 <= last < len(parent):
        del parent[last]
        return True
    return False
