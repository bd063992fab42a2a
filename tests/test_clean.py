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


@pytest.mark.parametrize(
    "furniture",
    [
        # Kinds the patterns do not name, which the learned filter reads (captions without a
        # credit, video teasers, credits of research, embedded posts, prompts).
        "Firefighters work at the site of a fire in Odesa, Ukraine, June 3, 2022.",
        "Local residents look at a burned building in Irpin, Ukraine, Sunday, April 10, 2022.",
        "Senior correspondent Jane Roe reports on the latest from Kyiv.",
        "Download the Example News app for the latest updates.",
        "Jane Roe contributed research.",
        "Read more",
        "Which side are you on? pic.twitter.com/abcdEFGh12",
    ],
)
def test_the_learned_filter_marks_furniture_the_patterns_miss(furniture: str) -> None:
    """A guard that the packaged filter is there and reads lines as it learned to; how well it
    does is measured on the test split (training/train_boilerplate.py test)."""
    text = f"{BODY}\n{BODY}\n{furniture}\n{BODY}"
    assert _marked(text, furniture)


@pytest.mark.parametrize(
    "sentence",
    [
        "Firefighters worked through the night after the strike on the port, the regional governor said on Friday.",
        "Residents of Irpin said Russian soldiers had looted their homes before they left at the end of March.",
        "The Kremlin denied that its forces had targeted civilians.",
    ],
)
def test_the_learned_filter_leaves_reported_events_alone(sentence: str) -> None:
    text = f"{BODY}\n{sentence}\n{BODY}"
    assert not _marked(text, sentence)


@pytest.mark.parametrize(
    "post",
    [
        "Russian forces shelled the centre of Kharkiv on Saturday, killing two people.",
        "Explosions in Odesa this morning.\nAir defence is working, the regional administration says.",
    ],
)
def test_a_short_post_is_never_taken_for_furniture(post: str) -> None:
    """Regression: the learned filter took one-line reports (Telegram posts) for captions."""
    assert boilerplate_spans(post) == []
