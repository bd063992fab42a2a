"""A corpus of hostile inputs, written at test time (nothing large is kept in the repository).

Each kind names what it is, the files it writes, and what must happen to it:
"rejected" (reported by name with a reason, nothing stored), "ingested" (a report is stored,
its text usable) or "noted" (stored, with a note on what was ignored).
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

GOOD = (
    "Russian troops shelled the village of Hrakove in Kharkiv region on Tuesday, the regional governor said.",
    "Residents of Bucha said soldiers looted shops and took cars before withdrawing, according to local officials.",
    "Ukraine's defence ministry said its forces recaptured the town of Trostianets in Sumy region.",
)


@dataclass(frozen=True)
class Kind:
    name: str
    expect: str  # rejected | ingested | noted
    write: Callable[[Path], list[Path]]


def _file(name: str, data: bytes) -> Callable[[Path], list[Path]]:
    def write(folder: Path) -> list[Path]:
        path = folder / name
        path.write_bytes(data)
        return [path]

    return write


def _warc_record(uri: str, body: bytes, content_type: str = "text/html") -> bytes:
    http = (
        b"HTTP/1.1 200 OK\r\nContent-Type: "
        + content_type.encode()
        + b"\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )
    head = (
        f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2022-04-02T10:00:00Z\r\n"
        f"WARC-Record-ID: <urn:uuid:{zlib.crc32(uri.encode())}>\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {len(http)}\r\n\r\n"
    ).encode()
    return head + http + b"\r\n\r\n"


def _page(text: str) -> bytes:
    return f"<html><head><title>Report</title></head><body><article><p>{text}</p><p>{text}</p></article></body></html>".encode()


def _gzip_bomb(name: str, inflated_mb: int) -> Callable[[Path], list[Path]]:
    def write(folder: Path) -> list[Path]:
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        chunk = b"\0" * (1 << 20)
        data = b"".join(packer.compress(chunk) for _ in range(inflated_mb)) + packer.flush()
        path = folder / name
        path.write_bytes(data)
        return [path]

    return write


def _symlink_loop(folder: Path) -> list[Path]:
    loop = folder / "loop"
    loop.mkdir()
    os.symlink(loop, loop / "again")  # a folder that contains itself
    os.symlink(folder / "self-link.txt", folder / "self-link.txt")  # a link to itself
    return [loop, folder / "self-link.txt"]


def _dangling(folder: Path) -> list[Path]:
    path = folder / "dangling.txt"
    os.symlink(folder / "nowhere.txt", path)
    return [path]


def _fifty_mb(folder: Path) -> list[Path]:
    path = folder / "huge-page.html"
    with path.open("wb") as handle:
        handle.write(b"<html><body>")
        block = b"<p>" + b"shelling " * 1000 + b"</p>\n"
        for _ in range(50 * 1024 * 1024 // len(block)):
            handle.write(block)
        handle.write(b"</body></html>")
    return [path]


def _jsonl(name: str, lines: list[bytes]) -> Callable[[Path], list[Path]]:
    return _file(name, b"\n".join(lines) + b"\n")


def _good_line(i: int, **extra: object) -> bytes:
    return json.dumps({"id": f"good-{i}", "text": GOOD[i % len(GOOD)] + f" (line {i})", **extra}).encode()


def _truncated_warc(folder: Path) -> list[Path]:
    # One gzip member per record, as crawlers write them; the archive breaks inside the second.
    first = gzip.compress(_warc_record("https://example.org/a", _page(GOOD[0] + " (archived)")))
    second = gzip.compress(_warc_record("https://example.org/b", _page(GOOD[1] + " (archived)")))
    path = folder / "truncated.warc.gz"
    path.write_bytes(first + second[: len(second) // 2])
    return [path]


KINDS: list[Kind] = [
    Kind("empty file", "rejected", _file("empty.txt", b"")),
    Kind("whitespace only", "rejected", _file("blank.txt", b" \n\t\r\n  ")),
    Kind("binary with NUL bytes", "rejected", _file("blob.bin", bytes(range(256)) * 64)),
    Kind(
        "PNG image named .txt",
        "rejected",
        _file("picture.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(4000)),
    ),
    Kind(
        "PDF document",
        "rejected",
        _file(
            "report.pdf",
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nstream\n\0\0\x01\x02\nendstream\n" * 20,
        ),
    ),
    Kind("gzip file named .html", "rejected", _file("page.html.gz", gzip.compress(_page(GOOD[0])))),
    Kind(
        "invalid UTF-8 throughout",
        "ingested",
        _file(
            "latin1.txt",
            GOOD[0].replace("Hrakove", "Hrakov\xe9").encode("latin-1") + b" \xe9t\xe9 \xe0 la fen\xeatre",
        ),
    ),
    Kind(
        "mixed UTF-8 and cp1251",
        "ingested",
        _file("mixed.txt", GOOD[1].encode() + " Житомир".encode("cp1251") + " Київ".encode()),
    ),
    Kind("UTF-16 LE with BOM", "ingested", _file("utf16le.txt", GOOD[2].encode("utf-16"))),
    Kind("UTF-16 BE with BOM", "ingested", _file("utf16be.txt", b"\xfe\xff" + GOOD[0].encode("utf-16-be"))),
    Kind("UTF-32 with BOM", "ingested", _file("utf32.txt", GOOD[1].encode("utf-32"))),
    Kind("UTF-16 without BOM", "ingested", _file("utf16-nobom.txt", GOOD[2].encode("utf-16-le"))),
    Kind("50 MB HTML page", "rejected", _fifty_mb),
    Kind(
        "100,000-deep HTML nesting",
        "rejected",
        _file(
            "deep.html", b"<html><body>" + b"<div>" * 100_000 + b"x" + b"</div>" * 100_000 + b"</body></html>"
        ),
    ),
    Kind(
        "100,000-deep JSON nesting",
        "rejected",
        _jsonl("deep.jsonl", [b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"]),
    ),
    Kind("gzip bomb as .warc.gz", "rejected", _gzip_bomb("bomb.warc.gz", 1024)),
    Kind("truncated WARC", "noted", _truncated_warc),
    Kind(
        "malformed WARC header",
        "rejected",
        _file("bad.warc", b"WARC/1.0\r\nContent-Length: banana\r\n\r\nhello\r\n\r\n"),
    ),
    Kind(
        "WARC without HTML responses",
        "rejected",
        _file("dns.warc", _warc_record("dns:example.org", b"example.org 93.184.216.34", "text/dns")),
    ),
    Kind(
        "malformed JSONL lines",
        "noted",
        _jsonl(
            "broken.jsonl", [_good_line(10), b'{"text": "unterminated', b"not json at all", _good_line(11)]
        ),
    ),
    Kind(
        "JSONL line that is not an object",
        "noted",
        _jsonl("array.jsonl", [b'["a", "list"]', b"42", _good_line(12)]),
    ),
    Kind(
        "JSONL text of the wrong type",
        "noted",
        _jsonl("types.jsonl", [b'{"text": 12345}', b'{"text": null, "html": ["x"]}', _good_line(13)]),
    ),
    Kind(
        "JSONL line with invalid UTF-8",
        "noted",
        _jsonl("badutf.jsonl", [b'{"text": "caf\xe9 shelled"}', _good_line(14)]),
    ),
    Kind(
        "absurd publication dates",
        "noted",
        _jsonl(
            "dates.jsonl",
            [
                _good_line(15, published="9999-99-99"),
                _good_line(16, published="30000-01-01"),
                _good_line(17, published="yesterday-ish"),
            ],
        ),
    ),
    Kind(
        "right-to-left and zero-width characters",
        "ingested",
        _file(
            "bidi.txt",
            ("\u202e" + GOOD[0] + "\u202c \u200b\u200c\u200d\u2066Kharkiv\u2069 \ufeff" + GOOD[1]).encode(),
        ),
    ),
    Kind(
        "control characters in text",
        "ingested",
        _file("controls.txt", (GOOD[2] + "\x07\x1b[31m red \x1b[0m\x0b\x0c " + GOOD[0]).encode()),
    ),
    Kind("mostly control characters", "rejected", _file("noise.txt", bytes(range(1, 9)) * 500)),
    Kind(
        "1 MB single line",
        "ingested",
        _file("one-line.txt", (" ".join([GOOD[0].rstrip(".")] * 9000)).encode()[: 1024 * 1024]),
    ),
    Kind("symlink loops", "rejected", _symlink_loop),
    Kind("dangling symlink", "rejected", _dangling),
    Kind(
        "HTML with no main text",
        "rejected",
        _file(
            "scripts.html",
            b"<html><head><script>var a=1;</script></head><body><script>alert(1)</script></body></html>",
        ),
    ),
    Kind(
        "billion laughs entities",
        "rejected",
        _file(
            "laughs.xhtml",
            b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><html><body><p>&d;</p></body></html>',
        ),
    ),
    Kind(
        "oversized JSONL line",
        "noted",
        _jsonl("long.jsonl", [b'{"text": "' + b"a" * (26 * 1024 * 1024) + b'"}', _good_line(18)]),
    ),
    Kind(
        "file name with newline and invalid bytes",
        "ingested",
        lambda folder: _file(os.fsdecode(b"odd\nname-\xff.txt"), (GOOD[1] + " Filed twice.").encode())(
            folder
        ),
    ),
]

GOOD_FILES = {f"good-{i}.txt": text for i, text in enumerate(GOOD)}
