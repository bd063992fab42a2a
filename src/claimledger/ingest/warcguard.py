"""A guard between a WARC file and warcio: bounded header lines and bounded expansion.

warcio reads header lines without a length limit, so a gzip bomb of zeros (1 MB that inflates
to gigabytes without a newline) makes it grow one line until memory runs out. This stream
decompresses the file itself, follows the record structure as the bytes pass (header block,
Content-Length bytes of body, separator) and raises `WarcStructureError` the moment a header
is not a WARC header, grows past `MAX_HEADER_BYTES`, or the archive inflates more than
`MAX_EXPANSION` times. warcio then reads plain, already-checked WARC bytes.
"""

from __future__ import annotations

import io
import re
import zlib
from typing import BinaryIO

MAX_HEADER_BYTES = 256 * 1024
MAX_EXPANSION = 100
MIN_EXPANSION_ALLOWANCE = 256 * 1024 * 1024
_LENGTH = re.compile(rb"^content-length:\s*(\d+)\s*$", re.IGNORECASE | re.MULTILINE)


class WarcStructureError(ValueError):
    """The bytes are not a WARC archive a reader can safely walk."""


class GuardedWarcStream(io.RawIOBase):
    """Decompressed WARC bytes, checked record by record as they are read."""

    def __init__(self, handle: BinaryIO, compressed_size: int, gzipped: bool) -> None:
        self._raw = handle
        self._gzipped = gzipped
        self._inflater = zlib.decompressobj(31)
        self._input = b""
        self._in_member = False
        self._limit = max(MAX_EXPANSION * compressed_size, MIN_EXPANSION_ALLOWANCE) if gzipped else None
        self._total = 0
        self._header = bytearray()
        self._body_left = 0  # bytes of the current record's body still to pass

    def readable(self) -> bool:
        return True

    def _inflate(self, size: int) -> bytes:
        """Up to `size` bytes of the next gzip members' content. Unlike GzipFile, it hands out
        each member's bytes before it notices that a later member is cut short, so the records
        before a break are kept; the break itself then raises."""
        while True:
            if self._inflater.eof:
                self._input = self._inflater.unused_data + self._input
                self._inflater = zlib.decompressobj(31)
                self._in_member = False
            if self._input.strip(b"\0"):
                self._in_member = True
                out = self._inflater.decompress(self._input, size)
                self._input = b"" if self._inflater.eof else self._inflater.unconsumed_tail
                if out:
                    return out
                if self._inflater.eof:
                    continue
            else:
                self._input = b""  # zero padding between or after members
            chunk = self._raw.read(65536)
            if not chunk:
                if self._in_member and not self._inflater.eof:
                    raise WarcStructureError("the archive ends inside a compressed record (truncated)")
                return b""
            self._input += chunk

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._inflate(len(buffer)) if self._gzipped else self._raw.read(len(buffer))
        if not data:
            return 0
        self._total += len(data)
        if self._limit is not None and self._total > self._limit:
            raise WarcStructureError(f"inflates more than {MAX_EXPANSION}-fold (a compression bomb?)")
        self._follow(data)
        buffer[: len(data)] = data
        return len(data)

    def _follow(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            if self._body_left:
                step = min(self._body_left, len(view))
                self._body_left -= step
                view = view[step:]
                continue
            if not self._header:
                # Separators between records are blank lines.
                stripped = bytes(view).lstrip(b"\r\n")
                if not stripped:
                    return
                view = memoryview(stripped)
            take = bytes(view[: MAX_HEADER_BYTES + 4])
            before = len(self._header)
            self._header += take
            if len(self._header) >= 5 and not self._header.startswith(b"WARC/"):
                raise WarcStructureError("a record does not start with a WARC/ version line")
            end = self._header.find(b"\r\n\r\n")
            if end < 0:
                end = self._header.find(b"\n\n")
                sep = 2
            else:
                sep = 4
            if end < 0:
                if len(self._header) > MAX_HEADER_BYTES:
                    raise WarcStructureError(f"a record header runs past {MAX_HEADER_BYTES} bytes")
                return
            header = bytes(self._header[:end])
            match = _LENGTH.search(header)
            if match is None:
                raise WarcStructureError("a record header has no Content-Length")
            consumed = end + sep - before
            self._header = bytearray()
            self._body_left = int(match.group(1))
            view = view[consumed:]
