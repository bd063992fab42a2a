"""Claims of a report in a language read through a profile (`claimledger.lang`): Ukrainian, Russian.

Sentences are cut by punctuation, line breaks and the wide gaps that scraped pages leave; each
word is taken to its lemmas by the profile's morphology; a sentence states the claim type whose
trigger lemma (or two-lemma phrase) it holds, the type of lowest priority winning. Forecasts and
questions are skipped. Places come from `geo` (inflected names), dates from the profile's date
words (a day and the profile's month names, the latest such date not after the report), sources from the verbs of saying
and the headline conventions of the language's news ("… — Генштаб", "Лавров: …", "В ДНР
сообщили …", "Джерело: …"), modality from its words. Every field is language-neutral: type, place
with its English GeoNames name, date, source kind and English name; the summary is English.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from claimledger.extract.dates import parse_published
from claimledger.extract.fields import MAX_EVIDENCE, summary_text
from claimledger.extract.lexicon import Lexicon
from claimledger.lang import WORD, Profile, SourceEntry
from claimledger.model import Attribution, Claim, DateInfo, Location, Report, Span, content_id

log = logging.getLogger(__name__)

# Sentence ends: punctuation before a space, a line break, or a gap of three spaces or more.
_BREAK = re.compile(r"(?<=[.!?…])\s+|\n+|\s{3,}")
# A headline's source after a dash at its end ("… - Генштаб", "…, — мер Енергодара").
_TAIL_SOURCE = re.compile(r",?\s+[-–—]\s+([^-–—\n]{2,70}?)\s*$")
# A source before a colon at the start ("Лавров: …", "МО РФ: …").
_HEAD_SOURCE = re.compile(r"^\W{0,4}([^\W\d][^:\n]{1,40}?):\s+\S")
_LOWER_START = re.compile(r"^[a-zа-яіїєґё]")
MAX_SOURCE_WORDS = 6


@dataclass
class Piece:
    start: int
    end: int
    words: list[tuple[str, int, int]]
    lemmas: list[frozenset[str]]


def sentences(text: str, boilerplate: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """Sentence spans of the text outside its boilerplate."""
    cuts = sorted(boilerplate)
    spans: list[tuple[int, int]] = []
    position = 0
    for match in [*_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        pieces = [(position, end)]
        for b_start, b_end in cuts:
            pieces = [
                part
                for s, e in pieces
                for part in (
                    ((s, min(e, b_start)), (max(s, b_end), e)) if s < b_end and b_start < e else ((s, e),)
                )
                if part[1] > part[0]
            ]
        for s, e in pieces:
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if e - s >= 8:
                spans.append((s, e))
        position = match.end() if match else len(text)
    return spans


def _piece(text: str, start: int, end: int, prof: Profile) -> Piece:
    words = [(m.group(0), m.start(), m.end()) for m in WORD.finditer(text, start, end)]
    return Piece(start, end, words, [prof.lemmas(w) for w, _, _ in words])


@lru_cache(maxsize=16)
def _priorities(prof: Profile) -> tuple[tuple[str, int, frozenset[str], frozenset[tuple[str, ...]]], ...]:
    return tuple((t.name, t.priority, t.lemmas, t.phrases) for t in prof.triggers)


def trigger(piece: Piece, prof: Profile) -> tuple[str, int] | None:
    """The claim type the sentence states and the index of its trigger word, or None."""
    best: tuple[int, str, int] | None = None
    for name, priority, lemmas, phrases in _priorities(prof):
        if best is not None and priority >= best[0]:
            break
        for i, found in enumerate(piece.lemmas):
            hit = bool(found & lemmas) or any(
                i + len(p) <= len(piece.lemmas) and all(p[k] in piece.lemmas[i + k] for k in range(len(p)))
                for p in phrases
            )
            if hit:
                best = (priority, name, i)
                break
    if best is None:
        return None
    return best[1], best[2]


def is_forecast(piece: Piece, index: int, text: str, prof: Profile) -> bool:
    """A forecast, possibility or question before the trigger: no event is stated."""
    if text[piece.start : piece.end].rstrip().endswith("?"):
        return True
    if piece.words and piece.words[0][0].lower() in prof.questions:
        return True
    trigger_start = piece.words[index][1]
    if any(
        w.lower() in prof.purpose and "," not in text[w_end:trigger_start]
        for w, _, w_end in piece.words[max(0, index - 6) : index]
    ):
        return True
    before = piece.lemmas[:index]
    if any(found & prof.forecast for found in before) or any(
        " ".join(w.lower() for w, _, _ in piece.words[k : k + 2]) in prof.forecast for k in range(index)
    ):
        return True
    # The trigger's own verb, or else the verb of its clause after it, tells the future
    # ("взятие … нанесет урон", "сім'ям загиблих виплатять"): a forecast.
    trigger_end = piece.words[index][2]
    for word, w_start, _ in piece.words[index:]:
        if w_start > trigger_end and "," in text[trigger_end:w_start]:
            break
        tense = _tense(prof, word)
        if tense is not None:
            return tense == "futr"
    # No verb after it in its clause: the verb before it ("предоставят после ее освобождения").
    for word, _, w_end in reversed(piece.words[:index]):
        if "," in text[w_end:trigger_start]:
            break
        tense = _tense(prof, word)
        if tense is not None:
            return tense == "futr"
    return False


def _tense(prof: Profile, word: str) -> str | None:
    parses = [p for p in prof.parses(word) if p.tag.POS == "VERB"]
    if not parses:
        return None
    return str(parses[0].tag.tense) if parses[0].tag.tense else None


def modality_of(piece: Piece, index: int, prof: Profile) -> str:
    joined = " ".join(w.lower() for w, _, _ in piece.words)
    if any(found & prof.denied for found in piece.lemmas) or (
        index > 0 and piece.words[index - 1][0].lower() in prof.negation
    ):
        return "denied"
    if any(found & prof.alleged for found in piece.lemmas) or any(
        " " in a and a in joined for a in prof.alleged
    ):
        return "alleged"
    return "asserted"


# -- sources --------------------------------------------------------------------------------


def source_entry(source: str, prof: Profile) -> SourceEntry | None:
    """The profile's entry for a source's text: the longest stem that begins one of its words."""
    lower = source.lower()
    for entry in prof.sources:
        if re.search(r"(?<!\w)" + re.escape(entry.stem), lower):
            return entry
    return None


def attribution_of(source: str, start: int, prof: Profile, channel: str = "statement") -> Attribution:
    entry = source_entry(source, prof)
    kind = entry.kind if entry else "unknown"
    # The English name beside the original words: fields are read by English-reading analysts.
    name = f"{source} ({entry.english})" if entry and entry.english.lower() not in source.lower() else source
    return Attribution(name, kind, channel, start, start + len(source))


def _strip_preposition(words: list[tuple[str, int, int]], prof: Profile) -> list[tuple[str, int, int]]:
    while words and words[0][0].lower() in prof.prepositions:
        words = words[1:]
    return words


def sentence_source(text: str, piece: Piece, prof: Profile) -> Attribution | None:
    """Who the sentence says is speaking, when it says so."""
    body = text[piece.start : piece.end]
    tail = _TAIL_SOURCE.search(body)
    if (
        tail
        and len(WORD.findall(tail.group(1))) <= MAX_SOURCE_WORDS
        and (not _LOWER_START.match(tail.group(1)) or source_entry(tail.group(1), prof) is not None)
    ):
        return attribution_of(tail.group(1).strip().rstrip("."), piece.start + tail.start(1), prof)
    head = _HEAD_SOURCE.match(body)
    if head:
        named = WORD.findall(head.group(1))
        if (
            0 < len(named) <= 4
            and all(w[:1].isupper() for w in named)
            and head.group(1).strip().lower() not in prof.labels
        ):
            return attribution_of(head.group(1).strip(), piece.start + head.start(1), prof)
    lower = body.lower()
    for marker in prof.according_to:
        at = lower.find(marker)
        if at >= 0 and (at == 0 or not lower[at - 1].isalnum()):
            after = [w for w in piece.words if w[1] >= piece.start + at + len(marker)][:4]
            cut = next(
                (k for k, w in enumerate(after) if k and text[after[k - 1][2] : w[1]].strip()), len(after)
            )
            after = after[:cut]
            if after:
                return attribution_of(text[after[0][1] : after[-1][2]], after[0][1], prof)
    for i, found in enumerate(piece.lemmas):
        if not found & prof.speech:
            continue
        # The words just before the verb of saying, back to a comma or the sentence start.
        before: list[tuple[str, int, int]] = []
        for word in reversed(piece.words[max(0, i - 5) : i]):
            if before and text[word[2] : before[0][1]].strip():
                break
            before.insert(0, word)
        before = _strip_preposition(before, prof)
        if before:
            joined = text[before[0][1] : before[-1][2]]
            entry = source_entry(joined, prof)
            if entry is not None and " " in entry.stem:
                # "міський голова закликав": a source named in two words.
                at = before[0][1] + joined.lower().find(entry.stem)
                words = [w for w in before if w[2] > at]
                return attribution_of(text[words[0][1] : words[-1][2]], words[0][1], prof)
        named = [w for w in before if w[0][:1].isupper() or source_entry(w[0], prof) is not None]
        if named and all(p.tag.POS == "NPRO" for p in prof.parses(named[0][0])):
            return None  # "Він додав": the speaker named before
        if named:
            first = before.index(named[0])
            words = before[first:]
            return attribution_of(text[words[0][1] : words[-1][2]], words[0][1], prof)
    if body.rstrip().endswith(":"):
        # "Главное из заявлений министра обороны:": a known source introducing what follows.
        for k, word in enumerate(piece.words):
            if source_entry(word[0], prof) is not None:
                words = piece.words[k : k + 2]
                return attribution_of(text[words[0][1] : words[-1][2]], words[0][1], prof)
    return None


def report_source(text: str, prof: Profile) -> Attribution | None:
    """A source the whole report gives ("Джерело: СБУ" at the head of an article)."""
    for marker in prof.according_to:
        if not marker.endswith(":"):
            continue
        at = text.lower().find(marker)
        if at >= 0:
            rest = text[at + len(marker) :]
            match = re.match(r"\s*([^\n]{2,80}?)(?:\s{2,}|\n|$)", rest)
            if match:
                source = match.group(1).strip().rstrip(".")
                return attribution_of(source, at + len(marker) + match.start(1), prof, "report")
    return None


# -- dates ----------------------------------------------------------------------------------


def _day(day: int, month: int, year: int | None, base: dt.date) -> dt.date | None:
    """The date of a day and month (and year if written), the latest one not after the report:
    "27 августа" in a report of 2022-08-18 is 2021-08-27."""
    try:
        if year is not None:
            return dt.date(year, month, day)
        found = dt.date(base.year, month, day)
        return found if found <= base else dt.date(base.year - 1, month, day)
    except ValueError:
        return None


def sentence_date(body: str, prof: Profile, base: dt.date | None) -> DateInfo | None:
    """The date a sentence gives, resolved against the report's date, or None."""
    if base is None:
        return None
    lower = body.lower()
    month_words = "|".join(sorted(map(re.escape, prof.months), key=len, reverse=True))
    match = re.search(rf"(?<!\d)(\d{{1,2}})\s+({month_words})(?:\s+(\d{{4}}))?", lower)
    if match:
        day = _day(
            int(match.group(1)),
            prof.months[match.group(2)],
            int(match.group(3)) if match.group(3) else None,
            base,
        )
        if day is not None:
            before = lower[max(0, match.start() - 14) : match.start()]
            start = (
                day - dt.timedelta(days=1)
                if any(before.endswith(n + " ") for n in prof.night_before)
                else day
            )
            return DateInfo(start.isoformat(), day.isoformat(), "day", body[match.start() : match.end()])
    for words, first, last in prof.relative:
        at = re.search(rf"(?<!\w){re.escape(words)}(?!\w)", lower)
        if at:
            return DateInfo(
                (base + dt.timedelta(days=first)).isoformat(),
                (base + dt.timedelta(days=last)).isoformat(),
                "day",
                body[at.start() : at.end()],
            )
    for words, shift in prof.relative_months:
        at = re.search(rf"(?<!\w){re.escape(words)}(?!\w)", lower)
        if at:
            year, month = divmod(base.year * 12 + base.month - 1 + shift, 12)
            first_day = dt.date(year, month + 1, 1)
            last_day = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1) - dt.timedelta(days=1)
            return DateInfo(first_day.isoformat(), last_day.isoformat(), "month", body[at.start() : at.end()])
    for word in WORD.findall(lower):
        for name, weekday in prof.weekdays.items():
            if name in prof.lemmas(word):
                day = base - dt.timedelta(days=(base.weekday() - weekday) % 7)
                return DateInfo(day.isoformat(), day.isoformat(), "day", word)
    return None


# -- claims ---------------------------------------------------------------------------------


_PARAGRAPH = re.compile(r"\n|\s{3,}")


def _paragraph_of(text: str, position: int) -> int:
    """Where the paragraph holding `position` starts (a line break or a wide gap opens one)."""
    last = -1
    for match in _PARAGRAPH.finditer(text, max(0, position - 3000), position):
        last = match.end()
    return last


def default_place(iso: str) -> Location | None:
    """A country-level place of a report that names none (the profile's default country)."""
    from claimledger.geo.gazetteer import shared_gazetteer

    entry = shared_gazetteer().country(iso)
    if entry is None:
        return None
    return Location(
        entry.name,
        entry.country,
        round(entry.lat, 5),
        round(entry.lon, 5),
        "country",
        geonameid=entry.geonameid,
    )


def _evidence(text: str, piece: Piece, at: int) -> Span:
    start, end = piece.start, piece.end
    if end - start > MAX_EVIDENCE:
        start = max(start, at - MAX_EVIDENCE // 2)
        end = min(end, start + MAX_EVIDENCE)
    return Span(start, end, text[start:end])


def _sites(
    piece: Piece, places: list[Location], source: Attribution | None, fallback: list[Location]
) -> list[Location]:
    inside = [p for p in places if p.start is not None and piece.start <= p.start < piece.end]
    if source is not None and source.start is not None and source.end is not None:
        # "В Херсонской области заявили": a place inside the source says who speaks, not where.
        inside = [
            p.with_role("other") if p.start is not None and source.start <= p.start < source.end else p
            for p in inside
        ]
        inside.sort(key=lambda p: p.role != "site")
    if any(p.role == "site" for p in inside):
        return inside
    return (
        inside
        + [
            p
            for p in fallback
            if p not in inside and (p.start is None or not piece.start <= p.start < piece.end)
        ][:1]
    )


def _summary(
    label: str, evidence: Span, locations: list[Location], date: DateInfo, source: Attribution | None
) -> str:
    sites = [p for p in locations if p.role == "site"]
    return summary_text(label, sites[0].name if sites else None, date, source, evidence)


def lexical_claims(report: Report, places: list[Location], prof: Profile, lex: Lexicon) -> list[Claim]:
    """All claims of one report in the profile's language."""
    text = report.text
    base = parse_published(report.published)
    boilerplate = tuple(sorted({*report.boilerplate, *prof.boilerplate_spans(text)}))
    whole = report_source(text, prof)
    # Where a sentence that names no place happened: the report's places, towns before
    # countries, and last the profile's default country.
    spans = [(start, end) for start, end in sentences(text, boilerplate)]
    pieces = [_piece(text, start, end, prof) for start, end in spans]
    sources = [sentence_source(text, piece, prof) for piece in pieces]
    spoken = [
        (a.start, a.end) for a in sources if a is not None and a.start is not None and a.end is not None
    ]
    # A place inside a source names who speaks ("адмірал Великої Британії"), not where.
    fallback = sorted(
        (
            p
            for p in places
            if p.role == "site" and not any(p.start is not None and s <= p.start < e for s, e in spoken)
        ),
        key=lambda p: p.precision == "country",
    )
    default = default_place(prof.default_country) if prof.default_country else None
    if default is not None:
        fallback.append(default)
    claims: list[Claim] = []
    previous: Attribution | None = None
    carried: DateInfo | None = None
    paragraph = -1
    for (start, end), piece, source in zip(spans, pieces, sources, strict=True):
        if _paragraph_of(text, start) != paragraph:
            paragraph, carried = _paragraph_of(text, start), None
        own_date = sentence_date(text[start:end], prof, base)
        if own_date is not None:
            carried = own_date
        found = trigger(piece, prof)
        if source is not None:
            previous = source
        if found is None:
            continue
        name, index = found
        if is_forecast(piece, index, text, prof):
            continue
        at = piece.words[index][1]
        spec = lex.types.get(name)
        if spec is None:
            log.warning("trigger type %s of profile %s is not in the taxonomy", name, prof.code)
            continue
        said = source or previous or whole
        evidence = _evidence(text, piece, at)
        date = (own_date or carried) or (
            DateInfo(base.isoformat(), base.isoformat(), "day", None, "report") if base else DateInfo()
        )
        locations = _sites(piece, places, said if said is source else None, fallback)
        mode = modality_of(piece, index, prof)
        confidence = 0.45 + 0.15 * bool(said) + 0.15 * bool(locations) + 0.1 * bool(date.start)
        if mode != "asserted":
            confidence -= 0.15
        claims.append(
            Claim(
                claim_id=content_id("c", report.report_id, name, evidence.start, evidence.end),
                report_id=report.report_id,
                type=name,  # type: ignore[arg-type]
                summary=_summary(spec.label, evidence, locations, date, said),
                evidence=(evidence,),
                date=date,
                locations=tuple(locations),
                attributions=(said,) if said else (),
                modality=mode,  # type: ignore[arg-type]
                confidence=round(max(0.05, min(0.95, confidence)), 2),
            )
        )
    return claims


__all__ = ["lexical_claims", "sentence_date", "sentence_source", "sentences", "trigger"]
