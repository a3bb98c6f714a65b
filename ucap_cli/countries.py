"""ISO 3166-1 countries, from pycountry's data file.

pycountry's own import costs ~80 ms (it imports importlib.metadata for its version);
`ucap validate` runs on every commit, so we read the same JSON database it ships, once.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ucap_cli.vocab import closest, fold


@dataclass(frozen=True, slots=True)
class Country:
    """One ISO 3166-1 country."""

    alpha_2: str
    alpha_3: str
    name: str


@cache
def _index() -> tuple[dict[str, Country], tuple[str, ...]]:
    spec = importlib.util.find_spec("pycountry")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - a dependency
        raise RuntimeError("pycountry is not installed")
    database = Path(next(iter(spec.submodule_search_locations))) / "databases" / "iso3166-1.json"
    entries = json.loads(database.read_text(encoding="utf-8"))["3166-1"]
    index: dict[str, Country] = {}
    names: list[str] = []
    for entry in entries:
        country = Country(entry["alpha_2"], entry["alpha_3"], entry["name"])
        spellings = [entry["name"], entry.get("common_name"), entry.get("official_name")]
        for spelling in filter(None, spellings):
            index.setdefault(fold(spelling), country)
            names.append(spelling)
        index[fold(entry["alpha_2"])] = country
        index[fold(entry["alpha_3"])] = country
    return index, tuple(names)


def find_country(text: str) -> Country | None:
    """The country named by an English name, common name or alpha-2/alpha-3 code."""
    return _index()[0].get(fold(text))


def suggest_country(text: str) -> str | None:
    """The country name closest to an unknown one."""
    return closest(text, _index()[1])
