"""Property-based tests (hypothesis) for decoding, cleaning, spans and dates: invariants that must
hold for any input, not only the examples we thought of."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimledger.clean import boilerplate_spans, sentences
from claimledger.errors import BadInput
from claimledger.extract.dates import find_dates
from claimledger.geo import find_places
from claimledger.ingest.decode import decode_bytes, normalise_newlines
from claimledger.pipeline import text_pieces

WORDS = [
    "Russian",
    "troops",
    "shelled",
    "Kharkiv",
    "Izium",
    "on",
    "Saturday",
    "12",
    "March",
    "2022",
    "the",
    "governor",
    "said",
    ".",
    ",",
    "\n",
    "\n\n",
    "Photo:",
    "©",
    "Reuters",
    "Follow",
    "us",
    "___",
    "in",
    "near",
    "north",
    "of",
    "Bucha",
    "Kyiv",
    "Oblast",
    "region",
    "last",
    "week",
    "31",
    "February",
    "1999",
    "3000",
    "yesterday",
    "\u200b",
    "\u202e",
    "\t",
    "Mariupol's",
    "Trostyanets'",
    "‘",
    "’",
    "—",
    "kharkiv",
    "Donetsk",
    "People's",
    "Republic",
]
news_like = st.lists(st.sampled_from(WORDS), max_size=80).map(" ".join)
any_text = st.one_of(st.text(max_size=400), news_like)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.binary(max_size=2000))
def test_decoding_returns_text_or_says_why(data: bytes) -> None:
    try:
        text = decode_bytes(data, "input.bin")
    except BadInput as exc:
        assert exc.name == "input.bin" and exc.reason
    else:
        assert isinstance(text, str) and text.strip()


@PROPERTY
@given(any_text)
def test_newline_normalising_is_idempotent_and_leaves_no_carriage_returns(text: str) -> None:
    once = normalise_newlines(text)
    assert "\r" not in once and normalise_newlines(once) == once


@PROPERTY
@given(any_text)
def test_boilerplate_spans_are_ordered_disjoint_and_inside_the_text(text: str) -> None:
    spans = boilerplate_spans(text)
    for start, end in spans:
        assert 0 <= start < end <= len(text)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


@PROPERTY
@given(any_text)
def test_sentences_are_ordered_and_cover_only_the_text(text: str) -> None:
    spans = sentences(text)
    for start, end in spans:
        assert 0 <= start <= end <= len(text)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))


@PROPERTY
@given(any_text, st.integers(min_value=8, max_value=200))
def test_parse_pieces_join_back_to_the_text(text: str, size: int) -> None:
    pieces = text_pieces(text, size)
    assert "".join(pieces) == text and all(len(p) <= size for p in pieces)


@PROPERTY
@given(news_like, st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31)) | st.none())
def test_dates_are_spans_of_the_text_and_valid_ranges(text: str, base: dt.date | None) -> None:
    for start, end, info in find_dates(text, base):
        assert 0 <= start < end <= len(text)
        assert info.text is None or info.text == text[start:end]
        if info.start is not None:
            first = dt.date.fromisoformat(info.start)
            last = dt.date.fromisoformat(info.end or info.start)
            assert first <= last and 1900 <= first.year <= 2100


@PROPERTY
@given(news_like)
def test_every_place_found_covers_exactly_its_text(text: str) -> None:
    for place in find_places(text):
        assert place.start is not None and place.end is not None
        assert text[place.start : place.end] == place.text
        assert -90 <= place.lat <= 90 and -180 <= place.lon <= 180
