"""Ingest: read files, folders, JSON Lines and WARC archives into raw documents and reports.

This is one of the three places that touch the outside world (with store and web). Every
input becomes either a `RawDocument` or a `BadInput` that the caller reports and skips.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimledger.errors import BadInput
from claimledger.ingest.decode import decode_bytes, normalise_newlines
from claimledger.ingest.warcguard import GuardedWarcStream
from claimledger.model import RawDocument, Report

MAX_INPUT_BYTES = 25 * 1024 * 1024
MAX_JSONL_LINE_BYTES = 25 * 1024 * 1024
MAX_TELEGRAM_EXPORT_BYTES = 512 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


@dataclass(frozen=True)
class Defaults:
    """Metadata given on the command line for every input of a batch."""

    published: str | None = None
    outlet: str | None = None
    url: str | None = None


def path_name(path: Path) -> str:
    """A path as text that any database and terminal accept: bytes that are not UTF-8 in a file
    name (kept by Python as lone surrogates) become \\x escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def iter_paths(paths: Iterable[Path]) -> Iterator[Path | BadInput]:
    """Files under the given paths, recursively and sorted, skipping hidden files; never loops."""
    seen: set[str] = set()
    for path in paths:
        if not path.exists():
            yield BadInput(path_name(path), "no such file or folder")
            continue
        if path.is_file():
            yield path
            continue
        for root, dirs, files in os.walk(path, followlinks=False):
            real = os.path.realpath(root)
            if real in seen:
                dirs[:] = []
                continue
            seen.add(real)
            for linked in sorted(
                d for d in dirs if not d.startswith(".") and os.path.islink(os.path.join(root, d))
            ):
                yield BadInput(
                    path_name(Path(root) / linked), "symbolic link to a folder, not followed (links can loop)"
                )
            dirs[:] = sorted(
                d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(root, d))
            )
            for name in sorted(files):
                if name.startswith("."):
                    continue
                yield Path(root) / name


def load_meta(meta_file: Path | None) -> dict[str, dict[str, str | None]]:
    """Per-file metadata from a --meta JSON Lines file, keyed by absolute resolved path."""
    if meta_file is None:
        return {}
    table: dict[str, dict[str, str | None]] = {}
    base = meta_file.resolve().parent
    try:
        lines = meta_file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(str(meta_file), f"cannot read metadata file: {exc}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            target = Path(row["path"])
        except (ValueError, KeyError, TypeError) as exc:
            raise BadInput(
                f"{meta_file}:{number}", "metadata line needs a JSON object with a 'path'"
            ) from exc
        resolved = (target if target.is_absolute() else base / target).resolve()
        table[str(resolved)] = {k: row.get(k) for k in ("url", "outlet", "published", "title")}
    return table


def read_inputs(
    paths: Iterable[Path],
    meta: dict[str, dict[str, str | None]] | None = None,
    defaults: Defaults = Defaults(),
) -> Iterator[RawDocument | BadInput]:
    """Every raw document found under the paths; bad ones come out as BadInput values."""
    meta = meta or {}
    for item in iter_paths(paths):
        if isinstance(item, BadInput):
            yield item
            continue
        try:
            resolved = str(item.resolve())
        except (OSError, RuntimeError):  # a link that loops resolves to nothing; read_file says why
            resolved = ""
        yield from read_file(item, meta.get(resolved, {}), defaults)


def read_sources(
    sources: Iterable[str],
    meta: dict[str, dict[str, str | None]] | None = None,
    defaults: Defaults = Defaults(),
    limits: Any = None,
) -> Iterator[RawDocument | BadInput]:
    """Raw documents from files, folders and http(s) URLs, in the order given."""
    from claimledger.ingest.fetch import FetchLimits, fetch_url

    for source in sources:
        if re.match(r"https?://", source, re.IGNORECASE):
            try:
                raw = fetch_url(source, limits or FetchLimits())
            except BadInput as exc:
                yield exc
                continue
            yield RawDocument(
                raw.original, raw.kind, raw.path, raw.url, defaults.outlet, None, defaults.published
            )
        else:
            yield from read_inputs([Path(source)], meta, defaults)


def read_file(
    path: Path, meta: dict[str, str | None], defaults: Defaults
) -> Iterator[RawDocument | BadInput]:
    """The raw documents of one file (one for text or HTML, many for JSONL and WARC)."""
    name = path_name(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        yield BadInput(name, f"cannot read: {exc.strerror}")
        return
    lower = path.name.lower()
    if lower.endswith((".warc", ".warc.gz")):
        yield from read_warc(path)
        return
    if lower.endswith(".jsonl"):
        yield from read_jsonl(path, defaults)
        return
    if lower.endswith(".json"):
        from claimledger.ingest.telegram import read_telegram_export

        yield from read_telegram_export(path, defaults, MAX_TELEGRAM_EXPORT_BYTES)
        return
    if size > MAX_INPUT_BYTES:
        yield BadInput(name, f"oversized: {size} bytes, the limit is {MAX_INPUT_BYTES}")
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield BadInput(name, f"cannot read: {exc.strerror}")
        return
    if not data.strip():
        yield BadInput(name, "empty file")
        return
    kind = "html" if path.suffix.lower() in HTML_SUFFIXES or _looks_like_html(data) else "text"
    if path.suffix.lower() not in TEXT_SUFFIXES | HTML_SUFFIXES and kind == "text" and _is_binary(data):
        yield BadInput(name, "binary file, not a report (expected .txt, .html, .jsonl or .warc)")
        return
    yield RawDocument(
        original=data,
        kind=kind,  # type: ignore[arg-type]
        path=name,
        url=meta.get("url") or defaults.url,
        outlet=meta.get("outlet") or defaults.outlet,
        title=meta.get("title"),
        published=meta.get("published") or defaults.published,
    )


def _looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:512]


def _is_binary(data: bytes) -> bool:
    sample = data[:4096]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return False
    return b"\x00" in sample


def read_jsonl(path: Path, defaults: Defaults) -> Iterator[RawDocument | BadInput]:
    """One raw document per line; a malformed line is reported by its line number."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield BadInput(path_name(path), f"cannot read: {exc.strerror}")
        return
    with handle:
        for number, raw in enumerate(handle, 1):
            line = raw.rstrip(b"\r\n")
            where = f"{path_name(path)}:{number}"
            if not line.strip():
                continue
            if len(line) > MAX_JSONL_LINE_BYTES:
                yield BadInput(where, f"oversized line: {len(line)} bytes")
                continue
            try:
                row = json.loads(line)
            except (ValueError, UnicodeDecodeError) as exc:
                yield BadInput(where, f"malformed JSON line: {exc}")
                continue
            except RecursionError:
                yield BadInput(where, "JSON nested too deeply to read")
                continue
            if not isinstance(row, dict):
                yield BadInput(where, "a line must hold a JSON object")
                continue
            text, html = row.get("text"), row.get("html")
            if not isinstance(text, str) and not isinstance(html, str):
                yield BadInput(where, "a line needs a string 'text' or 'html' field")
                continue
            if not (text or "").strip() and not (html or "").strip():
                yield BadInput(where, "empty text")
                continue
            ident = row.get("id")
            fields = {
                k: (str(row[k]) if row.get(k) is not None else None)
                for k in ("url", "outlet", "title", "published", "language")
            }
            yield RawDocument(
                original=line,
                kind="jsonl",
                path=f"{path_name(path)}#{ident if ident not in (None, '') else number}",
                url=fields["url"] or defaults.url,
                outlet=fields["outlet"] or defaults.outlet,
                title=fields["title"],
                published=fields["published"] or defaults.published,
                language=fields["language"],
                text=text if isinstance(text, str) else None,
                html=html if isinstance(html, str) and not isinstance(text, str) else None,
            )


def read_warc(path: Path) -> Iterator[RawDocument | BadInput]:
    """HTML response records of a WARC file; a truncated archive keeps the records before the break."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    name = path_name(path)
    count = 0
    seen = 0
    try:
        with path.open("rb") as handle:
            gzipped = handle.read(2) == b"\x1f\x8b"
            handle.seek(0)
            stream = GuardedWarcStream(handle, path.stat().st_size, gzipped)
            for record in ArchiveIterator(stream):
                seen += 1
                if record.rec_type != "response":
                    continue
                uri = record.rec_headers.get_header("WARC-Target-URI")
                content_type = (
                    record.http_headers.get_header("Content-Type") if record.http_headers else ""
                ) or ""
                if "html" not in content_type.lower():
                    continue
                body = record.content_stream().read(MAX_INPUT_BYTES + 1)
                where = f"{name}#{uri}"
                if len(body) > MAX_INPUT_BYTES:
                    yield BadInput(where, "oversized WARC record")
                    continue
                if not body.strip():
                    yield BadInput(where, "empty WARC record")
                    continue
                count += 1
                date = record.rec_headers.get_header("WARC-Date")
                yield RawDocument(
                    original=body, kind="warc", path=where, url=uri, published=(date or "")[:10] or None
                )
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, gzip.BadGzipFile, zlib.error) as exc:
        yield BadInput(name, f"truncated or malformed WARC after {count} records: {exc}")
        return
    if count == 0:
        # Never silent: an archive that yields nothing says why.
        yield BadInput(name, f"no HTML response records among {seen} WARC record(s)")


def normalise_date(value: str | None) -> str | None:
    """An ISO date (YYYY-MM-DD) from a publication date string, or None when it is not a date."""
    if not value:
        return None
    value = value.strip()
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3])).isoformat()
        except ValueError:
            return None
    import dateparser

    parsed = dateparser.parse(value, languages=["en"], settings={"STRICT_PARSING": True})
    if parsed is None or not (1900 <= parsed.year <= 2100):
        return None
    return parsed.date().isoformat()


def detect_language(text: str) -> str | None:
    """ISO 639-1 language of the text, from py3langid."""
    if len(text.strip()) < 20:
        return None
    import py3langid

    lang, _ = py3langid.classify(text[:5000])
    return str(lang)


def html_main_text(html: str, name: str) -> tuple[str, dict[str, str | None]]:
    """Main text and metadata (title, date, site name, url) of an HTML page, with trafilatura."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_tables=False
        )
    except Exception as exc:  # trafilatura raises many kinds on hostile markup
        raise BadInput(name, f"cannot parse HTML: {exc}") from exc
    if isinstance(doc, dict):  # older trafilatura returns a dict
        text, meta = (
            doc.get("text"),
            {
                k: doc.get(f)
                for k, f in (
                    ("title", "title"),
                    ("published", "date"),
                    ("outlet", "sitename"),
                    ("url", "url"),
                )
            },
        )
    elif doc is not None:
        text, meta = (
            doc.text,
            {"title": doc.title, "published": doc.date, "outlet": doc.sitename, "url": doc.url},
        )
    else:
        text, meta = None, {}
    if not text or not text.strip():
        raise BadInput(name, "no main text found in the HTML page")
    return str(text), meta


def derive_text(raw: RawDocument, name: str) -> tuple[str, dict[str, str | None]]:
    """The working text of a raw document and the metadata its HTML carried: a function of the
    original bytes alone (and, for a JSON line, of the fields those bytes hold)."""
    meta: dict[str, str | None] = {}
    if raw.kind == "jsonl" and raw.text is not None:
        text = raw.text
    elif raw.kind == "jsonl" and raw.html is not None:
        text, meta = html_main_text(raw.html, name)
    elif raw.kind == "telegram":
        from claimledger.ingest.telegram import message_text

        text = message_text(json.loads(raw.original))
    elif raw.kind == "warc" and raw.original.startswith(b"WARC/"):
        from claimledger.ingest.fetch import warc_payload

        text, meta = html_main_text(decode_bytes(warc_payload(raw.original, name), name), name)
    elif raw.kind in ("html", "warc"):
        text, meta = html_main_text(decode_bytes(raw.original, name), name)
    else:
        text = decode_bytes(raw.original, name)
    text = normalise_newlines(text).strip("\ufeff")
    if not text.strip():
        raise BadInput(name, "no text")
    return text, meta


def rederive_text(kind: str, original: bytes, name: str) -> str:
    """The working text derived again from stored original bytes, as at ingest."""
    if kind == "jsonl":
        row = json.loads(original)
        text, html = row.get("text"), row.get("html")
        raw = RawDocument(
            original,
            "jsonl",
            text=text if isinstance(text, str) else None,
            html=html if isinstance(html, str) and not isinstance(text, str) else None,
        )
    else:
        raw = RawDocument(original, kind)  # type: ignore[arg-type]
    return derive_text(raw, name)[0]


def to_report(raw: RawDocument) -> Report:
    """Derive the working text and metadata of a report; reproducible from the original bytes."""
    name = raw.path or raw.url or raw.sha256[:12]
    text, meta = derive_text(raw, name)
    sha = raw.sha256
    return Report(
        report_id=sha[:24],
        sha256=sha,
        path=raw.path,
        url=raw.url or meta.get("url"),
        outlet=raw.outlet or meta.get("outlet"),
        title=raw.title or meta.get("title"),
        published=normalise_date(raw.published) or normalise_date(meta.get("published")),
        language=raw.language or detect_language(text),
        text=text,
        kind=raw.kind,
    )


__all__ = [
    "Defaults",
    "load_meta",
    "read_inputs",
    "read_sources",
    "read_file",
    "to_report",
    "rederive_text",
    "normalise_date",
]


def missing_paths(sources: Iterable[str]) -> list[str]:
    """The sources that name neither an http(s) URL nor an existing file or folder."""
    return [s for s in sources if not re.match(r"https?://", s, re.IGNORECASE) and not Path(s).exists()]
