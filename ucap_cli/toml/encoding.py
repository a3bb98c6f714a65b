"""Record files are UTF-8; a file saved in another Unicode encoding is named, not mis-decoded.

Windows editors still save "Unicode" as UTF-16 with a byte order mark. Decoding that as
UTF-8 fails on the first byte with a puzzling message; recognising the mark lets every
command say what the file is and what to do.
"""

from __future__ import annotations

# Longest first: the UTF-32 little-endian mark begins with the UTF-16 one.
_MARKS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


class ForeignEncodingError(ValueError):
    """The bytes are text in a Unicode encoding other than UTF-8; the message says what to do."""


def check_utf8_mark(raw: bytes) -> None:
    """Raise ForeignEncodingError when `raw` starts with a UTF-16 or UTF-32 byte order mark."""
    for mark, name in _MARKS:
        if raw.startswith(mark):
            raise ForeignEncodingError(f"{name}: save the file as UTF-8")


def not_utf8_message(raw: bytes, error: UnicodeDecodeError) -> str:
    """'not UTF-8 text: invalid start byte (line 3, column 15)', for `raw.decode()`'s error."""
    head = raw[: error.start]
    line = head.count(b"\n") + 1
    column = len(head.rsplit(b"\n", 1)[-1].decode("utf-8", "replace")) + 1
    return f"not UTF-8 text: {error.reason} (line {line}, column {column})"
