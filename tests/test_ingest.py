from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimledger.errors import BadInput
from claimledger.ingest import Defaults, load_meta, normalise_date, read_inputs, to_report
from claimledger.ingest.decode import decode_bytes

TEXT = "Russian troops shelled the town of Izium on Saturday, the regional governor said."


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (TEXT.encode("utf-8"), TEXT),
        ("\ufeff".encode() + TEXT.encode("utf-8"), TEXT),
        (TEXT.encode("utf-16"), TEXT),
        (
            "Обстріл Харкова тривав усю ніч, повідомив губернатор.".encode("cp1251"),
            "Обстріл Харкова тривав усю ніч, повідомив губернатор.",
        ),
        (
            "Les soldats ont pillé le musée à Kherson.".encode("cp1252"),
            "Les soldats ont pillé le musée à Kherson.",
        ),
    ],
)
def test_decodes_common_encodings(data: bytes, expected: str) -> None:
    assert decode_bytes(data, "x").lstrip("\ufeff") == expected


def test_a_few_invalid_utf8_bytes_are_still_a_report() -> None:
    data = TEXT.encode("utf-8") * 5 + b"\xff\xfe\xfa" + TEXT.encode("utf-8") * 5
    text = decode_bytes(data, "mostly.txt")
    assert "\ufffd" in text and "Izium" in text


@pytest.mark.parametrize(
    ("data", "reason"), [(b"", "empty"), (b"   \n", "empty"), (b"\x00\x01\x02\x03" * 100, "binary")]
)
def test_rejects_empty_and_binary_input(data: bytes, reason: str) -> None:
    with pytest.raises(BadInput, match=reason):
        decode_bytes(data, "bad.txt")


def test_batch_reports_bad_inputs_and_keeps_good_ones(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blob.bin").write_bytes(b"\x00\xff" * 500)
    lines = [
        json.dumps({"id": "a1", "text": TEXT, "published": "2022-04-02"}),
        "{not json",
        json.dumps({"id": "a2"}),
        json.dumps({"text": TEXT + " Again."}),
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines), encoding="utf-8")
    results = list(read_inputs([tmp_path]))
    bad = [r for r in results if isinstance(r, BadInput)]
    good = [r for r in results if not isinstance(r, BadInput)]
    assert {b.name.split("/")[-1] for b in bad} == {"empty.txt", "blob.bin", "feed.jsonl:2", "feed.jsonl:3"}
    assert sorted(
        Path(g.path.split("#")[0]).name + ("#" + g.path.split("#")[1] if "#" in g.path else "") for g in good
    ) == ["feed.jsonl#4", "feed.jsonl#a1", "good.txt"]


def test_jsonl_origin_path_names_the_line_id(tmp_path: Path) -> None:
    (tmp_path / "c.jsonl").write_text(
        json.dumps({"id": "bbc-1", "text": TEXT, "outlet": "BBC"}) + "\n", encoding="utf-8"
    )
    (raw,) = list(read_inputs([tmp_path / "c.jsonl"]))
    report = to_report(raw)
    assert report.path.endswith("c.jsonl#bbc-1") and report.outlet == "BBC" and report.text == TEXT


def test_meta_file_paths_resolve_against_its_folder(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "meta.jsonl").write_text(
        json.dumps({"path": "docs/a.txt", "outlet": "Reuters", "published": "2022-08-13"}), encoding="utf-8"
    )
    meta = load_meta(tmp_path / "meta.jsonl")
    (raw,) = list(read_inputs([tmp_path / "docs"], meta, Defaults()))
    assert raw.outlet == "Reuters" and raw.published == "2022-08-13"


def test_html_main_text_and_metadata(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Shelling in Kharkiv</title></head><body><nav>Home | World</nav><article><h1>Shelling in Kharkiv</h1>"
        + "".join(
            f"<p>{TEXT} Paragraph {i} describes the damage to homes in the city centre in more detail.</p>"
            for i in range(4)
        )
        + "</article><footer>Sign up for our newsletter</footer></body></html>"
    )
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    (raw,) = list(read_inputs([tmp_path / "page.html"]))
    report = to_report(raw)
    assert (
        "Izium" in report.text and "Home | World" not in report.text and report.title == "Shelling in Kharkiv"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-05-31T14:12:31", "2022-05-31"),
        ("April 2, 2022", "2022-04-02"),
        ("not a date", None),
        ("2022-13-45", None),
        (None, None),
    ],
)
def test_publication_dates_normalise_to_iso(value: str | None, expected: str | None) -> None:
    assert normalise_date(value) == expected


def test_same_bytes_give_the_same_report_id(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(TEXT, encoding="utf-8")
    ids = {to_report(r).report_id for r in read_inputs([tmp_path]) if not isinstance(r, BadInput)}
    assert len(ids) == 1


def _warc(path: Path, pages: list[tuple[str, str]], gzip_it: bool = True) -> None:
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzip_it)
        for url, html in pages:
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                url, "response", payload=BytesIO(html.encode("utf-8")), http_headers=headers
            )
            writer.write_record(record)


def _page(title: str) -> str:
    body = "".join(
        f"<p>{TEXT} Paragraph {i} adds detail about damaged homes in the city.</p>" for i in range(4)
    )
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article></body></html>"


def test_warc_response_records_become_reports(tmp_path: Path) -> None:
    _warc(
        tmp_path / "crawl.warc.gz",
        [("https://example.org/a", _page("First")), ("https://example.org/b", _page("Second"))],
    )
    raws = list(read_inputs([tmp_path / "crawl.warc.gz"]))
    assert [r.url for r in raws if not isinstance(r, BadInput)] == [
        "https://example.org/a",
        "https://example.org/b",
    ]
    report = to_report(raws[0])  # type: ignore[arg-type]
    assert "Izium" in report.text and report.path.endswith("crawl.warc.gz#https://example.org/a")


def test_truncated_warc_keeps_the_records_before_the_break(tmp_path: Path) -> None:
    _warc(
        tmp_path / "whole.warc",
        [("https://example.org/a", _page("First")), ("https://example.org/b", _page("Second"))],
        gzip_it=False,
    )
    data = (tmp_path / "whole.warc").read_bytes()
    (tmp_path / "cut.warc").write_bytes(data[: len(data) * 3 // 4])
    results = list(read_inputs([tmp_path / "cut.warc"]))
    good = [r for r in results if not isinstance(r, BadInput)]
    assert good and good[0].url == "https://example.org/a"


def test_a_gzip_bomb_named_warc_is_rejected_quickly_and_in_bounded_memory(tmp_path: Path) -> None:
    import resource
    import time
    import zlib

    from claimledger.ingest import read_warc

    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    path = tmp_path / "bomb.warc.gz"
    path.write_bytes(b"".join(packer.compress(bytes(1 << 20)) for _ in range(512)) + packer.flush())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    results = list(read_warc(path))
    assert time.perf_counter() - start < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200 * 1024
    assert len(results) == 1 and "WARC" in results[0].reason  # type: ignore[union-attr]


def test_records_before_a_break_in_a_compressed_warc_are_kept(tmp_path: Path) -> None:
    import gzip

    from claimledger.ingest import read_warc
    from claimledger.model import RawDocument

    def record(uri: str, text: str) -> bytes:
        body = f"<html><body><article><p>{text}</p></article></body></html>".encode()
        http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + body
        head = f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nContent-Length: {len(http)}\r\n\r\n".encode()
        return gzip.compress(head + http + b"\r\n\r\n")

    second = record(
        "https://example.org/b", "Shelling was reported in Izium on Monday by the regional governor."
    )
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(
        record("https://example.org/a", "Troops looted shops in Bucha, residents said on Sunday.")
        + second[: len(second) // 2]
    )
    results = list(read_warc(path))
    assert isinstance(results[0], RawDocument) and results[0].url == "https://example.org/a"
    assert "truncated" in results[1].reason  # type: ignore[union-attr]


def test_long_texts_are_parsed_in_pieces_that_join_back_exactly() -> None:
    from claimledger.pipeline import text_pieces

    one_line = "shelling near Kharkiv " * 5000
    paragraphs = "Troops advanced. Shelling continued.\n" * 3000
    for text in (one_line, paragraphs, "short text"):
        pieces = text_pieces(text, 10_000)
        assert "".join(pieces) == text and all(len(p) <= 10_000 for p in pieces)
