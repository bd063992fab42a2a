"""RSS 2.0 and Atom feeds: the items a feed lists, each with a stable id and a hash of what the
feed says of it (so an edited item is noticed)."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from claimledger.errors import BadInput

ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass(frozen=True)
class FeedItem:
    guid: str
    link: str
    title: str | None
    published: str | None  # YYYY-MM-DD
    item_hash: str  # of the item as the feed describes it


def _date(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    try:
        return email.utils.parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        return None


def _hash(*parts: str | None) -> str:
    return hashlib.sha256("\x1f".join(p or "" for p in parts).encode("utf-8")).hexdigest()


def parse_feed(data: bytes, name: str) -> list[FeedItem]:
    """The items of an RSS or Atom document; BadInput when it is neither."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise BadInput(name, f"not a readable feed: {exc}") from exc
    items: list[FeedItem] = []
    if root.tag == f"{ATOM}feed":
        for entry in root.iter(f"{ATOM}entry"):
            link_el = next(
                (e for e in entry.findall(f"{ATOM}link") if e.get("rel") in (None, "alternate")), None
            )
            link = (link_el.get("href") if link_el is not None else None) or ""
            guid = (entry.findtext(f"{ATOM}id") or link).strip()
            updated = entry.findtext(f"{ATOM}updated")
            published = entry.findtext(f"{ATOM}published") or updated
            summary = entry.findtext(f"{ATOM}summary") or entry.findtext(f"{ATOM}content")
            title = entry.findtext(f"{ATOM}title")
            if guid and link:
                items.append(
                    FeedItem(guid, link.strip(), title, _date(published), _hash(title, summary, updated))
                )
        return items
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise BadInput(name, "neither an RSS 2.0 nor an Atom feed")
    for item in channel.iter("item"):
        link = (item.findtext("link") or "").strip()
        guid = (item.findtext("guid") or link).strip()
        title, summary, date = item.findtext("title"), item.findtext("description"), item.findtext("pubDate")
        if guid and link:
            items.append(FeedItem(guid, link, title, _date(date), _hash(title, summary, date)))
    return items
