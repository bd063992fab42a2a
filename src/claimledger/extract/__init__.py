"""Extract: one claim for each statement that an event happened, every field pinned to text.

The stages of one report, each in its own module: `sentences` (spans, quotes, speakers,
dates), a detector (which claim types a sentence states: `detector`, trained, or `rules`, the
trigger rules it learned beside), `sites` (which place is the claim's), `fields` (evidence,
modality, actors, items, summary) and `attribution`. `extract_claims(report, doc, places)`
returns claims and touches nothing outside.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimledger.extract.attribution import SPEECH_LEMMAS, find_speaker, is_pronoun, make_attribution
from claimledger.extract.dates import DateCandidate, choose_date, date_candidates, find_dates, parse_published
from claimledger.extract.fields import actors_of, evidence_span, items_of, modality, speaker_actors, summary
from claimledger.extract.lexicon import Lexicon, TypeSpec, load_lexicon
from claimledger.extract.people import private_names
from claimledger.extract.rules import is_background, is_event_sentence, rule_types
from claimledger.extract.sentences import (
    QUOTES,
    Sentence,
    attribute_quotes,
    event_date,
    footage_source,
    paragraph_start,
    read_sentences,
)
from claimledger.extract.sites import TAKEN_FROM_HOME, claim_sites, filter_places, home_as_site, report_place
from claimledger.lang import profile_of
from claimledger.model import Attribution, Claim, DateInfo, Location, Report, content_id


@dataclass(frozen=True)
class Detection:
    """One claim type a sentence states: the type, the detector's probability and the trigger's span."""

    spec: TypeSpec
    start: int
    end: int
    probability: float | None = None


@dataclass
class Reading:
    """A report read for claims: its sentences (with speakers, attributions and dates) and places."""

    report: Report
    sentences: list[Sentence]
    places: list[Location]
    person_names: set[str]
    report_place: Location | None
    base_year: int | None


# A detector: the claim types each sentence of a reading states (one list per sentence).
Detector = Callable[[Reading, Lexicon], list[list[Detection]]]


def read_report(report: Report, doc: Any, places: list[Location], lex: Lexicon) -> Reading:
    """The report's sentences with their speakers, attributions and dates, and its places."""
    text = report.text
    base = parse_published(report.published)
    places = filter_places(places, doc)
    person_names = private_names(doc, places)
    sentences = read_sentences(doc, text, report.boilerplate)
    quotes = [(m.start(), m.end()) for m in QUOTES.finditer(text)]
    last_named: Attribution | None = None
    for sent in sentences:
        sent.speaker = find_speaker(sent.span, text)
        if sent.speaker is not None:
            if is_pronoun(sent.speaker.text) and last_named is not None:
                sent.attribution = last_named
            elif not is_pronoun(sent.speaker.text):
                sent.attribution = make_attribution(
                    sent.speaker, text[sent.start : sent.end], lex, person_names
                )
                last_named = sent.attribution
        sent.dates = find_dates(text[sent.start : sent.end], base)
    attribute_quotes(sentences, quotes)
    return Reading(
        report, sentences, places, person_names, report_place(places, text), base.year if base else None
    )


def rule_detector(reading: Reading, lex: Lexicon) -> list[list[Detection]]:
    """The trigger rules as a detector: the first type they find in each event sentence."""
    out: list[list[Detection]] = []
    for sent in reading.sentences:
        if reading.base_year is not None and is_background(sent, reading.base_year):
            out.append([])
            continue
        located = bool(sent.dates) or any(
            p.start is not None and sent.start <= p.start < sent.end for p in reading.places
        )
        found = rule_types(sent, lex, located) if is_event_sentence(sent) else []
        out.append([Detection(spec, start, end) for spec, start, end in found[:1]])
    return out


def extract_claims(
    report: Report,
    doc: Any,
    places: list[Location],
    lex: Lexicon | None = None,
    detector: Detector | None = None,
) -> list[Claim]:
    """All claims of one report, given its spaCy doc and its geocoded places. A report in a
    language with a profile (`claimledger.lang`) is read through the profile's lexicons and
    morphology; any other through the English pipeline."""
    lex = lex or load_lexicon()
    prof = profile_of(report.language, report.text)
    if prof is not None:
        from claimledger.extract.lexical import lexical_claims

        return lexical_claims(report, places, prof, lex)
    reading = read_report(report, doc, places, lex)
    if detector is None:
        from claimledger.extract.detector import trained_detector

        detector = trained_detector
    detections = detector(reading, lex)
    return build_claims(reading, detections, lex)


def build_claims(reading: Reading, detections: Sequence[list[Detection]], lex: Lexicon) -> list[Claim]:
    """The claims of a reading, one for each detection, with every field filled."""
    return [claim for claim, _ in dated_claims(reading, detections, lex)]


def dated_claims(
    reading: Reading, detections: Sequence[list[Detection]], lex: Lexicon
) -> list[tuple[Claim, list[DateCandidate]]]:
    """The claims of a reading, each with the candidate dates its date was chosen from."""
    sentences, text = reading.sentences, reading.report.text
    base = parse_published(reading.report.published)
    out: list[tuple[Claim, list[DateCandidate]]] = []
    # News tells a story forward from its last dated sentence: an undated event sentence may take
    # the date most recently given in its paragraph, or the article's first day, or the report's.
    previous_date: DateInfo | None = None
    first_date: DateInfo | None = None
    previous_paragraph, previous_index = -1, 0
    for index, (sent, found) in enumerate(zip(sentences, detections, strict=True)):
        paragraph = paragraph_start(text, sent.start)
        if paragraph != previous_paragraph:
            previous_date, previous_paragraph = None, paragraph
        carried = previous_date
        for detection in found:
            candidates = date_candidates(
                sent.span,
                sent.start,
                sent.dates,
                detection.start,
                carried,
                index - previous_index,
                first_date,
                base,
                SPEECH_VERBS,
            )
            out.append(
                (_claim(reading, index, paragraph, detection, choose_date(candidates), lex), candidates)
            )
        own_date = event_date(sent, found[0].start if found else sent.end)
        if own_date is not None and own_date.precision == "day":
            previous_date, previous_index = own_date, index
            first_date = first_date or own_date
    return out


SPEECH_VERBS = frozenset(SPEECH_LEMMAS)


# How far an unattributed sentence takes the source of the sentences before it (params.toml).
PARAMS = tomllib.loads((Path(__file__).parent / "params.toml").read_text(encoding="utf-8"))
CARRY: dict[str, Any] = dict(PARAMS["attribution"]["carry"])
_CONTINUES = re.compile(r"\s*(?:He|She|They|It|The|This|But|And|Also|In addition)\b")


def carried_attribution(reading: Reading, index: int, paragraph: int) -> Attribution | None:
    """The source of an unattributed, unquoted sentence taken from the sentences just before it:
    news names its source once and goes on ("Officials said ... . The strike also hit ...")."""
    sentences, text = reading.sentences, reading.report.text
    sent = sentences[index]
    if sent.quoted or not (CARRY["any_opening"] or _CONTINUES.match(sent.span.text)):
        return None
    for prior in reversed(sentences[max(0, index - int(CARRY["sentences"])) : index]):
        if not CARRY["across_paragraphs"] and paragraph_start(text, prior.start) != paragraph:
            return None
        if prior.attribution is not None:
            return prior.attribution
    return None


def _claim(
    reading: Reading,
    index: int,
    paragraph: int,
    detection: Detection,
    date: DateInfo,
    lex: Lexicon,
) -> Claim:
    report, sentences, places = reading.report, reading.sentences, reading.places
    text = report.text
    sent = sentences[index]
    spec, t_start, t_end = detection.spec, detection.start, detection.end
    evidence = evidence_span(text, sent, (t_start, t_end))
    attribution = sent.attribution or carried_attribution(reading, index, paragraph)
    if attribution is None:
        attribution = footage_source(sent, sentences[index - 1] if index else None)
    attributions = (attribution,) if attribution else ()
    locations = claim_sites(sent, places, paragraph, reading.report_place)
    if attribution is not None and attribution.start is not None and attribution.end is not None:
        # "Ukraine's Defence Ministry said": a place inside the source names who speaks, not where.
        locations = [
            loc.with_role("other")
            if loc.start is not None and attribution.start <= loc.start < attribution.end
            else loc
            for loc in locations
        ]
        locations.sort(key=lambda loc: loc.role != "site")
    if spec.name in TAKEN_FROM_HOME:
        locations = home_as_site(sent, spec.name, locations)
    mode = modality(sent, (t_start, t_end))
    items = (
        items_of(sent, lex)
        if spec.name in ("looting", "loot_trade", "vehicle_theft", "property_destruction")
        else ()
    )
    actors = speaker_actors(
        actors_of(sent, spec.name, reading.person_names), attribution, reading.person_names
    )
    if detection.probability is not None:
        confidence = detection.probability
    else:
        confidence = 0.45 + 0.15 * bool(attributions) + 0.15 * bool(locations) + 0.1 * bool(date.start)
        if mode != "asserted":
            confidence -= 0.15
    claim_id = content_id("c", report.report_id, spec.name, evidence.start, evidence.end)
    return Claim(
        claim_id=claim_id,
        report_id=report.report_id,
        type=spec.name,  # type: ignore[arg-type]
        summary=summary(spec, evidence, locations, date, attribution),
        evidence=(evidence,),
        date=date,
        locations=tuple(locations),
        actors=actors,
        items=items,
        attributions=attributions,
        modality=mode,  # type: ignore[arg-type]
        confidence=round(max(0.05, min(0.95, confidence)), 2),
    )


def acled_of(claim_type: str) -> dict[str, str] | None:
    """ACLED event and sub-event type of an incident type (None for casualty reports)."""
    spec = load_lexicon().types[claim_type]
    if spec.acled is None:
        return None
    return {"event_type": spec.acled[0], "sub_event_type": spec.acled[1]}


__all__ = [
    "Detection",
    "Detector",
    "Reading",
    "build_claims",
    "dated_claims",
    "extract_claims",
    "read_report",
    "rule_detector",
    "acled_of",
]
