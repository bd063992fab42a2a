"""Dates of events, resolved against the report's publication date.

Rules rather than `dateparser.search_dates`, whose free search finds dates in "May" the verb
and in numbers; every expression here is one that English news uses for event times.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from claimledger.model import DateInfo

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_MONTH_RE = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_WEEKDAY_RE = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "twentieth": 20,
    "thirtieth": 30,
    "fortieth": 40,
    "fiftieth": 50,
    "hundredth": 100,
}
# Day one of the wars the corpus reports on; "the fifth day of the war" counts from here.
WAR_STARTS = {"UA": dt.date(2022, 2, 24)}

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("dmy", re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({_MONTH_RE})(?:,? (\d{{4}}))?\b")),
    ("mdy", re.compile(rf"\b({_MONTH_RE}) (\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,? (\d{{4}}))?\b")),
    (
        "war_day",
        re.compile(r"\b(?:on )?the (\w+)(?:-(\w+))? day of (?:the )?(?:war|invasion|conflict)\b", re.I),
    ),
    ("weekday", re.compile(rf"\b(?:(last|this|on|early|late) )?({_WEEKDAY_RE})\b")),
    (
        "yesterday",
        re.compile(
            r"\b(yesterday|the day before|overnight|last night|this morning|earlier today|today|tonight|on the eve)\b",
            re.I,
        ),
    ),
    (
        "relweek",
        re.compile(
            r"\b(last week|this week|earlier this week|past week|previous week|the week before)\b", re.I
        ),
    ),
    (
        "relmonth",
        re.compile(r"\b(last month|this month|earlier this month|past month|previous month)\b", re.I),
    ),
    (
        "month",
        re.compile(
            rf"\b(?:in|since|during|by|throughout|early|mid|late|end of|beginning of)[- ](?:early |mid-|late )?({_MONTH_RE})(?: (\d{{4}}))?\b"
        ),
    ),
    ("year", re.compile(r"\b(?:in|since|during) (20\d\d|19\d\d)\b")),
]


def _month(token: str) -> int | None:
    return MONTHS.get(token.lower().rstrip("."))


# How far after its publication date a report may date an event of the same year (updated
# stories keep their first date); chosen by cross-validation on the training split.
FUTURE_SLACK_DAYS = 2


def _year_for(month: int, day: int | None, base: dt.date) -> int:
    """The year that puts an unqualified month/day at or before publication (events are past)."""
    year = base.year
    try:
        candidate = dt.date(year, month, day or 1)
    except ValueError:
        return year
    # A little slack: "on Friday, Aug. 13" can be a day after the dateline.
    return year - 1 if candidate > base + dt.timedelta(days=FUTURE_SLACK_DAYS) else year


# Dates outside these years are typos or fiction in war reporting ("12 February 3000").
FIRST_YEAR, LAST_YEAR = 1900, 2100


def _day(year: int, month: int, day: int) -> dt.date | None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def find_dates(
    text: str, base: dt.date | None, country: str | None = "UA"
) -> list[tuple[int, int, DateInfo]]:
    """Every date expression in text as (start, end, DateInfo), resolved against base."""
    found: list[tuple[int, int, DateInfo]] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, info: DateInfo) -> None:
        if any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        found.append((start, end, info))

    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            info = _resolve(kind, m, base, country)
            if info is not None:
                add(m.start(), m.end(), info)
    found.sort(key=lambda x: x[0])
    return found


def _resolve(kind: str, m: re.Match[str], base: dt.date | None, country: str | None) -> DateInfo | None:
    raw = m.group(0)
    if kind == "dmy" or kind == "mdy":
        day_s, month_s, year_s = (m[1], m[2], m[3]) if kind == "dmy" else (m[2], m[1], m[3])
        month = _month(month_s)
        if month is None or (kind == "mdy" and month_s.lower() == "may" and not year_s and int(day_s) > 31):
            return None
        day = int(day_s)
        if year_s:
            year = int(year_s)
        elif base is not None:
            year = _year_for(month, day, base)
        else:
            return None
        date = _day(year, month, day)
        if date is None:
            return None
        return DateInfo(date.isoformat(), date.isoformat(), "day", raw)
    if base is None:
        return None
    if kind == "war_day":
        start = WAR_STARTS.get(country or "UA")
        words = [w for w in (m[1], m[2]) if w]
        number = 0
        for word in words:
            word = word.lower()
            if word.isdigit():
                number += int(word)
            elif word in _ORDINALS:
                number += _ORDINALS[word]
            elif word.rstrip("y") + "ieth" in _ORDINALS:
                number += _ORDINALS[word.rstrip("y") + "ieth"]
            else:
                return None
        if start is None or number <= 0:
            return None
        date = start + dt.timedelta(days=number - 1)
        return DateInfo(date.isoformat(), date.isoformat(), "day", raw)
    if kind == "weekday":
        weekday = WEEKDAYS[m[2].lower()]
        back = (base.weekday() - weekday) % 7
        if m[1] and m[1].lower() == "last" and back == 0:
            back = 7
        date = base - dt.timedelta(days=back)
        return DateInfo(date.isoformat(), date.isoformat(), "day", raw)
    if kind == "yesterday":
        word = m[1].lower()
        if word in ("yesterday", "the day before", "last night", "overnight", "on the eve"):
            start, end = (
                base - dt.timedelta(days=1),
                base if word in ("overnight", "last night") else base - dt.timedelta(days=1),
            )
            return DateInfo(start.isoformat(), end.isoformat(), "day", raw)
        return DateInfo(base.isoformat(), base.isoformat(), "day", raw)
    if kind == "relweek":
        word = m[1].lower()
        if word in ("this week", "earlier this week"):
            start = base - dt.timedelta(days=base.weekday())
            return DateInfo(start.isoformat(), base.isoformat(), "week", raw)
        if word == "past week":
            return DateInfo((base - dt.timedelta(days=7)).isoformat(), base.isoformat(), "week", raw)
        monday = base - dt.timedelta(days=base.weekday() + 7)
        return DateInfo(monday.isoformat(), (monday + dt.timedelta(days=6)).isoformat(), "week", raw)
    if kind == "relmonth":
        word = m[1].lower()
        if word in ("this month", "earlier this month"):
            return DateInfo(base.replace(day=1).isoformat(), base.isoformat(), "month", raw)
        if word == "past month":
            return DateInfo((base - dt.timedelta(days=30)).isoformat(), base.isoformat(), "month", raw)
        last = base.replace(day=1) - dt.timedelta(days=1)
        return DateInfo(last.replace(day=1).isoformat(), last.isoformat(), "month", raw)
    if kind == "month":
        month = _month(m[1])
        if month is None or (m[1] == "May" and raw.lower().startswith("by")):
            return None
        year = int(m[2]) if m[2] else _year_for(month, None, base)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            return None
        first = dt.date(year, month, 1)
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        lowered = raw.lower()
        if lowered.startswith("since"):
            return DateInfo(first.isoformat(), base.isoformat(), "month", raw)
        if "early" in lowered or "beginning" in lowered:
            last = dt.date(year, month, 10)
        elif "late" in lowered or "end of" in lowered:
            first = dt.date(year, month, 20)
        elif "mid" in lowered:
            first, last = dt.date(year, month, 10), dt.date(year, month, 20)
        return DateInfo(first.isoformat(), last.isoformat(), "month", raw)
    if kind == "year":
        year = int(m[1])
        if year > base.year or year < FIRST_YEAR:
            return None
        return DateInfo(f"{year}-01-01", f"{year}-12-31", "year", raw)
    return None


def parse_published(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


# -- which date is the event's ---------------------------------------------------------------
# A claim's date is chosen among candidates: each date expression of its sentence, the date the
# story last gave in its paragraph, the article's first day, and the report's own date (an event
# told without a date happened on or before the report). A linear score over the candidates'
# features, learned on the training split (training/train_dates.py), picks one; the weights are
# data in model/dates.toml.
DATE_WEIGHTS_PATH = Path(__file__).parent / "model" / "dates.toml"


@dataclass(frozen=True)
class DateCandidate:
    """One reading of a claim's date, with what the chooser knows of it."""

    date: DateInfo
    origin: str  # own | carried | first | published
    features: dict[str, float]


def expression_kind(raw: str) -> str:
    """Which pattern of `find_dates` a date expression is (for the chooser's features)."""
    for kind, pattern in _PATTERNS:
        if pattern.fullmatch(raw):
            if kind == "yesterday":
                word = raw.lower()
                return (
                    "today" if word in ("today", "tonight", "this morning", "earlier today") else "yesterday"
                )
            if kind == "month" and raw.lower().startswith("since"):
                return "since"
            return kind
    return "other"


def _tokens_in(span: Any, start: int, end: int) -> list[Any]:
    return [t for t in span if t.idx < end and start < t.idx + len(t.text)]


def _governor(token: Any) -> Any:
    """The verb a token hangs on (itself if it is one), or the sentence root."""
    current = token
    for _ in range(12):
        if current.pos_ in ("VERB", "AUX") or current.head.i == current.i:
            return current
        current = current.head
    return current


def _covering(candidate: DateInfo, base: dt.date | None) -> float:
    if base is None or not candidate.start:
        return 0.0
    try:
        days = (base - dt.date.fromisoformat(candidate.start)).days
    except ValueError:
        return 0.0
    return max(-1.0, min(3.0, days / 30))


def _crossed(origin: str, features: dict[str, float]) -> dict[str, float]:
    """Features of the sentence, crossed with the candidate's origin (a feature every candidate
    shares cannot tell them apart)."""
    return {f"{origin}_{k}": v for k, v in features.items() if v}


def date_candidates(
    span: Any,
    sentence_start: int,
    own: list[tuple[int, int, DateInfo]],
    trigger: int,
    carried: DateInfo | None,
    carried_back: int,
    first: DateInfo | None,
    base: dt.date | None,
    speech_lemmas: frozenset[str],
) -> list[DateCandidate]:
    """The candidate dates of a claim whose trigger is at `trigger` in the sentence `span`."""
    out: list[DateCandidate] = []
    trigger_tokens = _tokens_in(span, trigger, trigger + 1)
    trigger_verb = _governor(trigger_tokens[0]) if trigger_tokens else span.root
    tense = {t.tag_ for t in span if t.pos_ in ("VERB", "AUX")}
    common = {
        "sentence_perfect": float(bool({"VBN"} & tense) and any(t.lower_ in ("has", "have") for t in span)),
        "sentence_present": float(bool({"VBZ", "VBP"} & tense) and "VBD" not in tense),
        "sentence_future": float(any(t.lower_ in ("will", "would") for t in span)),
    }
    offset = trigger - sentence_start
    nearest = min(own, key=lambda d: abs((d[0] + d[1]) // 2 - offset)) if own else None
    for s, e, info in own:
        kind = expression_kind(info.text or "")
        tokens = _tokens_in(span, sentence_start + s, sentence_start + e)
        heads = [
            t
            for t in tokens
            if not (sentence_start + s <= t.head.idx < sentence_start + e) or t.head.i == t.i
        ]
        governor = _governor(
            heads[0].head if heads and heads[0].head.i != heads[0].i else (heads[0] if heads else span.root)
        )
        same = governor.i == trigger_verb.i
        features = {
            "own": 1.0,
            f"own_{info.precision}": 1.0,
            f"own_kind_{kind}": 1.0,
            "own_nearest": float((s, e) == (nearest[0], nearest[1])) if nearest else 0.0,
            "own_distance": min(3.0, abs((s + e) // 2 - offset) / 100),
            "own_before_trigger": float(e <= offset),
            "own_same_verb": float(same),
            "own_on_speech_verb": float(not same and governor.lemma_.lower() in speech_lemmas),
            "own_several": float(len(own) > 1),
            "age": _covering(info, base),
        }
        out.append(DateCandidate(info, "own", {**features, **_crossed("own", common)}))
    if carried is not None:
        features = {"carried": 1.0, f"carried_{carried.precision}": 1.0, "age": _covering(carried, base)}
        features |= {"carried_with_own": float(bool(own)), "carried_back": min(5.0, carried_back) / 5}
        out.append(DateCandidate(carried, "carried", {**features, **_crossed("carried", common)}))
    if first is not None and first != carried:
        features = {"first": 1.0, "first_with_own": float(bool(own)), "age": _covering(first, base)}
        out.append(DateCandidate(first, "first", {**features, **_crossed("first", common)}))
    if base is not None:
        published = DateInfo(base.isoformat(), base.isoformat(), "day", None, "report")
        features = {
            "published": 1.0,
            "published_with_own": float(bool(own)),
            "published_with_carried": float(carried is not None),
        }
        out.append(DateCandidate(published, "published", {**features, **_crossed("published", common)}))
    return out


@lru_cache(maxsize=2)
def date_weights(path: Path = DATE_WEIGHTS_PATH) -> dict[str, float]:
    """The chooser's learned weights (empty when none ship: then the first candidate wins)."""
    if not path.exists():
        return {}
    return {str(k): float(v) for k, v in tomllib.loads(path.read_text(encoding="utf-8"))["weights"].items()}


def choose_date(candidates: list[DateCandidate], weights: dict[str, float] | None = None) -> DateInfo:
    """The best-scoring candidate's date, or no date when there is no candidate."""
    if not candidates:
        return DateInfo()
    weights = date_weights() if weights is None else weights
    best = max(candidates, key=lambda c: sum(weights.get(k, 0.0) * v for k, v in c.features.items()))
    return best.date
