"""The TOML parser ucap reads with: `tomli` (mypyc-compiled) when installed, else `tomllib`.

Both are the same parser (tomllib is tomli vendored into the standard library): the same
accepted language and the same error messages; tests check both on one corpus.
"""

from __future__ import annotations

try:
    from tomli import TOMLDecodeError, loads
except ImportError:  # pragma: no cover - tomli is a dependency, tomllib the fallback
    from tomllib import TOMLDecodeError, loads  # type: ignore[assignment]

__all__ = ["TOMLDecodeError", "loads"]
