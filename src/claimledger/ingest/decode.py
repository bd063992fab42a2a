"""Bytes to text: encoding detection that keeps mostly-readable text and rejects binaries."""

from __future__ import annotations

import codecs
import re

from claimledger.errors import BadInput

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# Share of U+FFFD above which a UTF-8 decode is not "mostly readable".
_MAX_REPLACEMENT_SHARE = 0.02


def decode_bytes(data: bytes, name: str) -> str:
    """Decode an input, trying BOMs, UTF-8, then cp1251 and cp1252; raise BadInput on binaries.

    A few invalid UTF-8 bytes do not make a file bad: they become U+FFFD, and the original
    bytes are kept elsewhere.
    """
    if not data.strip():
        raise BadInput(name, "empty input")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _check_text(data.decode(encoding), name)
            except UnicodeDecodeError as exc:
                raise BadInput(
                    name, f"declares {encoding} with a byte-order mark but is not valid {encoding}"
                ) from exc
    if b"\x00" in data[:4096]:
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            return _check_text(utf16, name)
        raise BadInput(name, "binary content (NUL bytes), not text")
    try:
        return _check_text(data.decode("utf-8"), name)
    except UnicodeDecodeError:
        pass
    lenient = data.decode("utf-8", errors="replace")
    if lenient.count("\ufffd") / max(1, len(lenient)) <= _MAX_REPLACEMENT_SHARE:
        return _check_text(lenient, name)
    high = [b for b in data if b >= 0x80]
    cyrillic_like = sum(0xC0 <= b <= 0xFF for b in high)
    encoding = (
        "cp1251" if high and cyrillic_like / len(high) > 0.6 and len(high) > 0.3 * len(data) else "cp1252"
    )
    return _check_text(data.decode(encoding, errors="replace"), name)


def _check_text(text: str, name: str) -> str:
    sample = text[:20000]
    if not sample.strip():
        raise BadInput(name, "no text after decoding")
    controls = len(_CONTROL.findall(sample))
    if controls / max(1, len(sample)) > 0.05:
        raise BadInput(name, "binary content (control characters), not text")
    return text


def normalise_newlines(text: str) -> str:
    """The working text uses \\n only; the original bytes keep whatever they had."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _utf16_without_bom(data: bytes) -> str | None:
    """Text saved as UTF-16 without a byte-order mark: Latin or Cyrillic text then has a NUL in
    nearly every high (LE) or low (BE) byte, which binaries do not."""
    sample = data[:4096]
    if len(sample) < 16 or len(data) % 2:
        return None
    odd_nuls = sample[1::2].count(0) / (len(sample) // 2)
    even_nuls = sample[0::2].count(0) / (len(sample) // 2)
    for share, other, encoding in ((odd_nuls, even_nuls, "utf-16-le"), (even_nuls, odd_nuls, "utf-16-be")):
        if share > 0.4 and other < 0.05:
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None
