"""The annotations made for the project: stored without the publishers' words, rebuilt exactly."""

from __future__ import annotations

import json
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT))

from training.annotations import digest, rebuilt, stored  # noqa: E402

TEXTS = {
    "a1": "Shelling hit the market in Kupiansk on Monday, the governor said. Two people were wounded.",
    "a2": "READ MORE: Ten things to know. Soldiers looted a school in the village, residents said.",
}
GOLD = {
    "metadata": {
        "a1": {"outlet": "Test", "published": "2022-09-12"},
        "a2": {"outlet": "Test", "published": "2022-04-02"},
    },
    "boilerplate": {"a2": ["READ MORE: Ten things to know."]},
    "claims": [
        {
            "id": "c1",
            "article": "a1",
            "required": True,
            "types": ["shelling"],
            "anchor": "Shelling hit the market in Kupiansk on Monday",
            "place": {"name": "Kupiansk", "lat": 49.71, "lon": 37.61, "radius_km": 25, "country": "UA"},
            "sources": ["governor"],
        },
        {
            "id": "c2",
            "article": "a2",
            "required": True,
            "types": ["looting"],
            "anchor": "Soldiers looted a school in the village",
        },
    ],
    "stories": [],
    "single_source_incidents": [],
    "same_incident": [],
}


def test_stored_annotations_hold_no_quoted_text_and_rebuild_exactly() -> None:
    data = stored(GOLD, TEXTS, "test.jsonl")
    flat = json.dumps(data)
    for claim in GOLD["claims"]:
        assert claim["anchor"] not in flat
    assert "READ MORE" not in flat
    assert rebuilt(data, TEXTS) == GOLD


def test_a_changed_text_is_refused() -> None:
    data = stored(GOLD, TEXTS, "test.jsonl")
    changed = dict(TEXTS, a1=TEXTS["a1"].replace("Monday", "Sunday"))
    with pytest.raises(ValueError, match="differs"):
        rebuilt(data, changed)
    assert data["articles"]["a1"]["text_sha256"] == digest(TEXTS["a1"])


def test_every_stored_annotation_file_is_offsets_and_hashes_only() -> None:
    files = sorted((ROOT / "training" / "annotations").glob("*.json"))
    assert len(files) >= 20
    articles = 0
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["format"] == "claimledger-annotations/1"
        articles += len(data["articles"])
        for claim in data["claims"]:
            assert set(claim["anchor"]) == {"start", "end", "sha256"}
        for spans in data["boilerplate"].values():
            assert all(set(span) == {"start", "end", "sha256"} for span in spans)
    assert articles >= 244  # with the 156 shared gold articles, at least 400


@pytest.mark.shared
@pytest.mark.skipif(
    not (ROOT.parent / "shared" / "corpus" / "pool.jsonl.gz").exists(), reason="needs ../shared"
)
def test_stored_annotations_rebuild_against_the_shared_pool() -> None:
    from training import harness

    gold = harness.pool_gold()
    assert len(gold["metadata"]) >= 244 and len(gold["claims"]) >= 2000
    test = {a for a in gold["metadata"] if harness.in_pool_test(a)}
    assert 0.1 < len(test) / len(gold["metadata"]) < 0.3
