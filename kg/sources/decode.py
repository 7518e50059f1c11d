"""Bytes -> text: byte-order marks, UTF-16 sniffed, UTF-8, cp1252 and Latin-1 told apart,
control characters and undecodable bytes cleaned, each repair a warning on the article.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

#: A file whose share of control bytes (other than NUL, tab, newlines, form feed) exceeds this
#: is refused as binary. Text has none; random or compressed data has about 10 %.
BINARY_CONTROL_RATIO = 0.05

_UNICODE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: C0 control bytes other than NUL and the whitespace ones (tab, LF, VT, FF, CR), plus DEL.
_CONTROL_BYTES = bytes(range(1, 9)) + bytes(range(14, 28)) + b"\x7f"
_ASCII_BYTES = bytes(range(128))
_ESCAPED = re.compile("[\udc80-\udcff]")
_ESCAPED_RUN = re.compile("[\udc80-\udcff]+")
_NON_ASCII = re.compile("[^\x00-\x7f]")
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_LATIN_FAMILY = frozenset({"ascii", "latin_1", "iso8859_1", "iso8859_15", "cp1252", "windows_1252"})


# --------------------------------------------------------------------------------------------
# Decoding


def decode_bytes(data: bytes) -> tuple[str, list[str]]:
    """Bytes -> (text with LF newlines and no control characters, warnings).

    UTF-8 (with or without BOM) first; UTF-16/32 when a byte-order mark or the pattern of NUL
    bytes says so; otherwise a legacy 8-bit encoding: cp1252 for mostly-ASCII text (this is an
    English-language corpus, and charset detectors guess Central European code pages for short
    English texts), else charset-normalizer's best guess. Never produces U+FFFD: bytes that do
    not decode are mapped through cp1252 or dropped, with a warning.

    >>> decode_bytes(b"caf\\xe9 \\x93quoted\\x94\\r\\n")
    ('café “quoted”\\n', ['not valid UTF-8: decoded as cp1252'])
    """
    if not data.strip():
        raise UnreadableFile("empty file")
    warnings: list[str] = []
    text = _decode_unicode_bom(data)
    if text is None:
        text = _decode_utf16_sniffed(data, warnings)
    if text is None:
        nuls = data.count(0)
        controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
        non_nul = len(data) - nuls
        if non_nul == 0 or controls / non_nul > BINARY_CONTROL_RATIO:
            share = round(100 * (controls + nuls) / len(data))
            raise UnreadableFile(f"looks binary: {share}% control bytes")
        if nuls:
            data = data.replace(b"\x00", b"")
            warnings.append(f"removed {nuls} NUL byte(s)")
        text = _decode_8bit(data, warnings)
    text = _clean_text(text, warnings)
    if not text.strip():
        raise UnreadableFile("empty file")
    return text, warnings


def _decode_unicode_bom(data: bytes) -> str | None:
    for bom, encoding in _UNICODE_BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                raise UnreadableFile(
                    f"undecodable: starts with a {encoding} byte-order mark but is not "
                    f"{encoding} ({exc.reason} at byte {exc.start + len(bom)})"
                ) from exc
    return None


def _decode_utf16_sniffed(data: bytes, warnings: list[str]) -> str | None:
    """UTF-16 without a BOM: ASCII-range text has NUL in every other byte."""
    if len(data) < 4 or len(data) % 2:
        return None
    half = len(data) // 2
    even_nuls = data[0::2].count(0) / half
    odd_nuls = data[1::2].count(0) / half
    if odd_nuls > 0.4 and even_nuls < 0.05:
        encoding = "utf-16-le"
    elif even_nuls > 0.4 and odd_nuls < 0.05:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    warnings.append(f"no byte-order mark: decoded as {encoding}")
    return text


def _decode_8bit(data: bytes, warnings: list[str]) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    escaped = data.decode("utf-8", "surrogateescape")
    bad = len(_ESCAPED.findall(escaped))
    good = len(_NON_ASCII.findall(escaped)) - bad
    if good >= bad:
        # UTF-8 with a few stray legacy bytes (typically cp1252 quotes pasted in).
        text, dropped = _unescape(escaped)
        warnings.append(f"{bad} byte(s) not valid UTF-8 in a UTF-8 file: read as cp1252")
        if dropped:
            warnings.append(f"dropped {dropped} byte(s) that no encoding could read")
        return text
    ascii_share = 1 - len(data.translate(None, _ASCII_BYTES)) / len(data)
    encoding = "cp1252"
    if ascii_share < 0.7:
        from charset_normalizer import from_bytes  # heavy-ish import, only when needed

        best = from_bytes(data).best()
        if best is not None and best.encoding not in _LATIN_FAMILY:
            encoding = best.encoding
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        text, dropped = _decode_lenient(data, encoding)
        warnings.append(
            f"not valid UTF-8 and not cleanly {encoding}: decoded as {encoding}, "
            f"{dropped} undecodable byte(s) dropped"
        )
        return text
    warnings.append(f"not valid UTF-8: decoded as {encoding}")
    return text


def _decode_lenient(data: bytes, encoding: str) -> tuple[str, int]:
    """Decode, mapping bytes the codec rejects through cp1252 (or dropping them)."""
    try:
        escaped = data.decode(encoding, "surrogateescape")
    except (UnicodeDecodeError, LookupError):
        escaped = data.decode("cp1252", "surrogateescape")
    return _unescape(escaped)


def _unescape(escaped: str) -> tuple[str, int]:
    dropped = 0

    def one(match: re.Match[str]) -> str:
        nonlocal dropped
        out = []
        for ch in match.group():
            byte = bytes([ord(ch) - 0xDC00])
            try:
                out.append(byte.decode("cp1252"))
            except UnicodeDecodeError:
                dropped += 1
        return "".join(out)

    return _ESCAPED_RUN.sub(one, escaped), dropped


@lru_cache(maxsize=1)
def _control_table() -> dict[int, str | None]:
    """Newline-like controls become LF; other control characters go."""
    table: dict[int, str | None] = {}
    for code in list(range(0x00, 0x20)) + list(range(0x7F, 0xA0)):
        ch = chr(code)
        if ch in "\t\n":
            continue
        table[code] = "\n" if ch.isspace() else None
    table[0x2028] = "\n"
    table[0x2029] = "\n"
    return table


def _clean_text(text: str, warnings: list[str]) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL_CHARS.search(text):
        nuls = text.count("\x00")
        before = len(text)
        text = text.translate(_control_table())
        removed = before - len(text) - nuls
        if nuls:
            warnings.append(f"removed {nuls} NUL character(s)")
        if removed:
            warnings.append(f"removed {removed} control character(s)")
    replacement = text.count("\ufffd")
    if replacement:
        warnings.append(f"the file itself contains {replacement} U+FFFD replacement character(s)")
    return text


# --------------------------------------------------------------------------------------------
# Public records


@dataclass(frozen=True)
class IngestError:
    """A file that could not be read as an article, and why (yielded, never raised)."""

    path: Path
    reason: str


class UnreadableFile(ValueError):
    """Raised by :func:`read_article` for a file that is not an article at all."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
