"""Archives built from the bundled example corpus (our own paraphrases), for the Spark tests and
the throughput benchmark: JSON Lines and WARC files, and a synthetic crawl of any size."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import random
import re
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "claimledger" / "examples"


def example_documents() -> list[dict[str, Any]]:
    """The example corpus as JSON Lines rows: text or html with url, outlet, title and date."""
    rows = []
    for line in (EXAMPLES / "meta.jsonl").read_text(encoding="utf-8").splitlines():
        meta = json.loads(line)
        path = EXAMPLES / meta["path"]
        body = path.read_text(encoding="utf-8")
        key = "html" if path.suffix == ".html" else "text"
        rows.append(
            {"id": path.stem, key: body, **{k: meta.get(k) for k in ("url", "outlet", "title", "published")}}
        )
    return rows


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def page_html(row: dict[str, Any]) -> str:
    """A web page for a row: its own HTML, or its text as paragraphs under its title."""
    if row.get("html"):
        return str(row["html"])
    paragraphs = "".join(
        f"<p>{html.escape(p.strip())}</p>\n" for p in re.split(r"\n\s*\n", row["text"]) if p.strip()
    )
    title = html.escape(row.get("title") or "")
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>\n'
        f'<body><nav><a href="/">Home</a> | <a href="/world">World</a></nav>\n<article><h1>{title}</h1>\n{paragraphs}</article>\n'
        f"<footer>Copyright {html.escape(row.get('outlet') or 'the publisher')}. All rights reserved.</footer></body></html>\n"
    )


def write_warc(path: Path, rows: list[dict[str, Any]]) -> Path:
    """A gzipped WARC of HTTP responses, one per row, dated by the row's publication date."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=path.name.endswith(".gz"))
        for row in rows:
            body = page_html(row).encode("utf-8")
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            date = f"{row.get('published') or '2022-06-01'}T12:00:00Z"
            record = writer.create_warc_record(
                row["url"],
                "response",
                payload=io.BytesIO(body),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": date},
            )
            writer.write_record(record)
    return path


def synthetic_documents(count: int, seed: int = 11) -> list[dict[str, Any]]:
    """`count` pages made from the example corpus: each takes one example's sentences and some of
    others', with one word in eight swapped for another of the corpus (so pages are not copies of
    each other), a date in spring 2022 and its own URL. One page in ten is a syndicated copy of an
    earlier page under another URL, and one in twenty repeats an earlier page byte for byte."""
    rng = random.Random(seed)
    texts = [row.get("text") or re.sub(r"<[^>]+>", " ", row["html"]) for row in example_documents()]
    sentences = [s.strip() for t in texts for s in re.split(r"(?<=[.!?])\s+", t) if len(s.split()) > 4]
    vocabulary = sorted({w for s in sentences for w in s.split() if w.isalpha() and w.islower()})
    start = dt.date(2022, 3, 1)
    rows: list[dict[str, Any]] = []
    while len(rows) < count:
        roll = rng.random()
        if rows and roll < 0.05:
            rows.append(dict(rng.choice(rows)))
            continue
        if rows and roll < 0.15:
            original = rng.choice(rows)
            rows.append(
                {
                    **original,
                    "id": f"p{len(rows)}",
                    "url": f"https://syndicated.example/{len(rows)}",
                    "outlet": "Syndicated Example",
                }
            )
            continue
        base = rng.choice(texts)
        picked = re.split(r"(?<=[.!?])\s+", base.strip()) + rng.sample(sentences, rng.randint(6, 12))
        words = [
            rng.choice(vocabulary) if w.isalpha() and w.islower() and rng.random() < 0.125 else w
            for w in " ".join(picked).split()
        ]
        body = " ".join(words)
        paragraphs = "\n\n".join(" ".join(body.split()[i : i + 60]) for i in range(0, len(body.split()), 60))
        day = start + dt.timedelta(days=rng.randrange(120))
        rows.append(
            {
                "id": f"p{len(rows)}",
                "text": paragraphs,
                "url": f"https://news.example/{len(rows)}",
                "outlet": "Example News",
                "title": f"Report {len(rows)}",
                "published": day.isoformat(),
            }
        )
    return rows
