from __future__ import annotations

import pytest

from claimledger.clean import boilerplate_spans

BODY = "Russian forces shelled the city overnight, the mayor said. Three people were wounded."


def _marked(text: str, piece: str) -> bool:
    at = text.index(piece)
    return any(s <= at and at + len(piece) <= e for s, e in boilerplate_spans(text))


@pytest.mark.parametrize(
    "furniture",
    [
        "READ MORE: Kremlin says talks have stalled",
        "Related: How the grain corridor works",
        "Follow our reporting on the conflict at https://example.org/hub/conflict",
        "Reporter Jane Roe in Kyiv contributed to this report.",
        "© 2022 Example News. All rights reserved.",
        "Sign up for our morning briefing newsletter",
        "A man walks past a destroyed school in Kharkiv, Ukraine, Tuesday, May 3, 2022. (AP Photo/Jane Roe)",
        "FILE - A soldier stands near a tank in the Donetsk region on March 4, 2022.",
    ],
)
def test_page_furniture_is_marked(furniture: str) -> None:
    text = f"{BODY} {furniture} {BODY}"
    assert _marked(text, furniture)


def test_article_sentences_are_not_marked() -> None:
    text = f"{BODY}\n{BODY}\nRussian troops looted homes in Bucha, residents told the BBC."
    assert boilerplate_spans(text) == []


def test_caption_run_covers_every_sentence_up_to_the_credit() -> None:
    caption = "People look at a crater in Kramatorsk, Ukraine, Saturday, Aug. 13, 2022. The strike killed three people, according to the mayor. (AP Photo/Jane Roe)"
    text = f"{BODY} {caption} {BODY}"
    assert _marked(text, caption)
    assert not _marked(text, BODY)
