"""Telegram Desktop channel exports ("Export chat history" → JSON, `result.json`): one report
per message, the channel as outlet, the message date as publication date, `t.me/CHANNEL/ID`
as URL when the channel's link is given with `--url`, and a forward's origin as its title."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from claimledger.errors import BadInput
from claimledger.model import RawDocument


def message_text(message: dict[str, Any]) -> str:
    """A message's text from its text entities (or its `text`, a string or a list of pieces)."""
    entities = message.get("text_entities")
    if isinstance(entities, list) and entities:
        return "".join(str(e.get("text", "")) for e in entities if isinstance(e, dict))
    text = message.get("text", "")
    if isinstance(text, list):
        return "".join(
            part if isinstance(part, str) else str(part.get("text", ""))
            for part in text
            if isinstance(part, str | dict)
        )
    return text if isinstance(text, str) else ""


def read_telegram_export(path: Path, defaults: Any, max_bytes: int) -> Iterator[RawDocument | BadInput]:
    """Every message with text of a channel export; the rest (service messages, bare media) is
    counted and reported once, never silently dropped."""
    name = str(path)
    try:
        if path.stat().st_size > max_bytes:
            yield BadInput(name, f"oversized: the limit for a Telegram export is {max_bytes} bytes")
            return
        export = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError) as exc:
        yield BadInput(name, f"not a readable JSON file: {exc}")
        return
    if not isinstance(export, dict) or not isinstance(export.get("messages"), list):
        yield BadInput(
            name,
            "a .json input must be a Telegram Desktop export (an object with 'messages'); use .jsonl for reports",
        )
        return
    channel = str(export.get("name") or path.parent.name)
    link = (
        (defaults.url or "").rstrip("/")
        if (defaults.url or "").startswith(("https://t.me/", "http://t.me/"))
        else None
    )
    skipped = 0
    for message in export["messages"]:
        if (
            not isinstance(message, dict)
            or message.get("type") != "message"
            or not message_text(message).strip()
        ):
            skipped += 1
            continue
        ident = message.get("id")
        media = tuple(_media(path.parent, message, max_bytes))
        forwarded = message.get("forwarded_from")
        # The message's own JSON, keys sorted: the text is derived from it again on demand.
        original = json.dumps(message, ensure_ascii=False, sort_keys=True).encode("utf-8")
        yield RawDocument(
            original=original,
            kind="telegram",
            path=f"{name}#{ident}",
            url=f"{link}/{ident}" if link and ident is not None else None,
            outlet=channel,
            title=f"forwarded from {forwarded}" if forwarded else None,
            published=str(message.get("date") or "")[:10] or defaults.published,
            media=media,
        )
    if skipped:
        yield BadInput(
            name, f"{skipped} message(s) without text (service messages or bare media) not ingested"
        )


MEDIA_KEYS = ("photo", "file", "thumbnail")


def _media(folder: Path, message: dict[str, Any], max_bytes: int) -> list[tuple[str, bytes]]:
    """The files a message names that the export holds (Telegram writes a note in place of a
    file it did not download); a name that escapes the export's folder is ignored."""
    found: list[tuple[str, bytes]] = []
    root = folder.resolve()
    for key in MEDIA_KEYS:
        name = message.get(key)
        if not isinstance(name, str) or name.startswith("("):
            continue
        target = (folder / name).resolve()
        if root not in target.parents or not target.is_file() or target.stat().st_size > max_bytes:
            continue
        found.append((name, target.read_bytes()))
    return found
