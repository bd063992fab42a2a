"""What the detector sees of a sentence: sparse features named by strings, and a dense vector.

The same function serves training (`training/train_detector.py`) and the running detector, so
what was learned is what is read. Feature groups (each can be left out to measure what it pays):

- `word`: lower-case lemmas of the sentence's words (numbers as `#`), and pairs of neighbours;
- `syntax`: verbs with their tense and voice, subject/object relations as head>dep>child
  lemmas, the root's auxiliaries (will, could), negation, a question mark;
- `entity`: the labels of spaCy's entities in the sentence (a count, a date, a place);
- `frame`: quoted, attributed, its position in the report, its length, a place or a date in it;
- `rules`: the verdicts of the trigger rules (`rules.py`): trigger words of each type present,
  the type the rules would give, whether the rules call it an event and not background;
- `context`: the trigger words of the sentences before and after.

The dense vector is the mean of spaCy's contextual token vectors (`doc.tensor`) over the
sentence, which the parser has already computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from claimledger.extract.lexicon import Lexicon
from claimledger.extract.rules import is_background, is_event_sentence, lemma_index, rule_types
from claimledger.extract.sentences import Sentence
from claimledger.extract.vectors import cluster_of

GROUPS = ("word", "syntax", "entity", "frame", "rules", "context")
MAX_TOKENS = 200  # a run-on sentence (a list, a caption block) is read up to here
_RELATIONS = {
    "nsubj",
    "nsubjpass",
    "dobj",
    "agent",
    "attr",
    "acomp",
    "xcomp",
    "ccomp",
    "conj",
    "amod",
    "compound",
    "npadvmod",
}


def trigger_words(sent: Sentence, lex: Lexicon) -> set[str]:
    """The types whose trigger lemmas occur in the sentence."""
    index = lemma_index(lex)
    found: set[str] = set()
    for lemma in sent.lemmas:
        found |= index.get(lemma, frozenset())
    return found


@dataclass(frozen=True)
class TokenTable:
    """What the features read of each token of a doc, read once per doc (by token index)."""

    lemma: list[str]  # lower-case lemma, "#" for a number
    lower: list[str]
    pos: list[str]
    tag: list[str]
    dep: list[str]
    head: list[int]
    skip: list[bool]  # punctuation or space


def token_table(doc: Any) -> TokenTable:
    from spacy.attrs import DEP, HEAD, IS_PUNCT, IS_SPACE, LEMMA, LIKE_NUM, LOWER, POS, TAG

    rows = doc.to_array([LEMMA, LOWER, POS, TAG, DEP, HEAD, IS_PUNCT, IS_SPACE, LIKE_NUM])
    heads = rows[:, 5].astype(np.int64) if len(rows) else []  # relative offsets, stored unsigned
    strings = doc.vocab.strings
    cache: dict[int, str] = {}

    def text(key: int) -> str:
        value = cache.get(key)
        if value is None:
            value = cache[key] = strings[key] if key else ""
        return value

    n = len(rows)
    return TokenTable(
        lemma=["#" if rows[i, 8] else text(int(rows[i, 0])).lower() for i in range(n)],
        lower=[text(int(rows[i, 1])) for i in range(n)],
        pos=[text(int(rows[i, 2])) for i in range(n)],
        tag=[text(int(rows[i, 3])) for i in range(n)],
        dep=[text(int(rows[i, 4])) for i in range(n)],
        head=[i + int(heads[i]) for i in range(n)],
        skip=[bool(rows[i, 6] or rows[i, 7]) for i in range(n)],
    )


def sentence_features(
    sentences: Sequence[Sentence],
    index: int,
    lex: Lexicon,
    base_year: int | None,
    place_starts: Sequence[int],
    groups: Sequence[str] = GROUPS,
    table: TokenTable | None = None,
    triggers: Sequence[set[str]] | None = None,
) -> list[str]:
    """The sparse features of sentence `index` of a report (`table`: its doc's `token_table`,
    which a caller reading many sentences of one doc makes once, as `triggers`: the
    `trigger_words` of every sentence)."""
    sent = sentences[index]
    t = table or token_table(sent.span.doc)
    first = sent.span.start
    ids = range(first, min(sent.span.end, first + MAX_TOKENS))
    out: list[str] = ["bias"]
    if "word" in groups:
        words = [t.lemma[i] for i in ids if not t.skip[i]]
        out += [f"w:{w}" for w in words]
        out += [f"b:{a}_{b}" for a, b in zip(words, words[1:], strict=False)]
    if "clusters" in groups:
        # Content words by their class of words used alike in the pool (`vectors.cluster_of`),
        # so a verb no annotated sentence used still reads like the ones they did.
        found = {
            c
            for i in ids
            if t.pos[i] in ("VERB", "NOUN", "ADJ") and (c := cluster_of(t.lower[i])) is not None
        }
        out += [f"cl:{c}" for c in sorted(found)]
    if "syntax" in groups:
        for i in ids:
            dep, head = t.dep[i], t.head[i]
            if t.pos[i] in ("VERB", "AUX") and t.tag[i].startswith("VB"):
                out.append(f"v:{t.lemma[i]}:{t.tag[i]}")
            if dep in _RELATIONS and not t.skip[i]:
                out.append(f"d:{t.lemma[head]}>{dep}>{t.lemma[i]}")
            if dep == "pobj" and t.dep[head] == "prep":
                out.append(f"p:{t.lemma[t.head[head]]}>{t.lower[head]}>{t.lemma[i]}")
            if dep == "neg":
                out.append(f"neg:{t.lemma[head]}")
        root = sent.span.root
        out += [f"aux:{c.lower_}" for c in root.children if c.dep_ in ("aux", "auxpass")]
        out.append(f"root:{t.lemma[root.i]}")
        if sent.span.text.rstrip().endswith("?"):
            out.append("question")
    if "entity" in groups:
        out += sorted(f"e:{label}" for label in sent.entity_labels)
    if "frame" in groups:
        out.append(f"quoted:{sent.quoted}")
        out.append(f"attributed:{sent.attribution is not None}")
        out.append(f"position:{min(index, 5)}")
        out.append(f"length:{min(len(ids) // 10, 6)}")
        if any(sent.start <= p < sent.end for p in place_starts):
            out.append("has_place")
        if sent.dates:
            out.append("has_date")
            out += sorted({f"date:{info.precision}" for _, _, info in sent.dates})
    if "rules" in groups:
        out += [
            f"lex:{name}"
            for name in sorted(triggers[index] if triggers is not None else trigger_words(sent, lex))
        ]
        event = is_event_sentence(sent)
        out.append(f"event:{event}")
        if base_year is not None and is_background(sent, base_year):
            out.append("background")
        located = bool(sent.dates) or any(sent.start <= p < sent.end for p in place_starts)
        # The rules read a sentence's words pairwise: a run-on line longer than a sentence
        # (a list, a caption block) is read by its words alone.
        for spec, _, _ in rule_types(sent, lex, located) if event and len(sent.span) <= MAX_TOKENS else []:
            out.append(f"rule:{spec.name}")
    if "context" in groups:
        for offset, name in ((-1, "prev"), (1, "next")):
            other = index + offset
            if 0 <= other < len(sentences):
                near = triggers[other] if triggers is not None else trigger_words(sentences[other], lex)
                out += [f"{name}:{w}" for w in sorted(near)]
    return out


def dense_vector(sent: Sentence) -> np.ndarray:
    """The mean contextual vector of the sentence's tokens (zeros when the parse has none)."""
    span = sent.span
    tensor = getattr(span.doc, "tensor", None)
    if tensor is None or len(tensor) == 0 or span.end > len(tensor):
        return np.zeros(96, dtype=np.float32)
    rows = tensor[span.start : min(span.end, span.start + MAX_TOKENS)]
    if len(rows) == 0:
        return np.zeros(tensor.shape[1], dtype=np.float32)
    return np.asarray(rows.mean(axis=0), dtype=np.float32)
