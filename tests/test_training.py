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


# Cross-report groups (issue 21): incident labels, story relations, independent-source counts.
GROUP_TEXTS = {
    "g-a": "Rockets hit the grain depot in Vasylkiv on Friday night, the mayor said. The fire burned for hours.",
    "g-b": "The mayor of Vasylkiv said a depot storing grain was struck by rockets on Friday. A school was shelled too.",
}
GROUP_GOLD = {
    "metadata": {a: {"outlet": o, "published": "2022-05-06"} for a, o in (("g-a", "One"), ("g-b", "Two"))},
    "boilerplate": {},
    "claims": [
        {
            "id": "x1",
            "article": "g-a",
            "required": True,
            "types": ["shelling"],
            "incident": "gx-i1",
            "anchor": "Rockets hit the grain depot in Vasylkiv on Friday night",
        },
        {
            "id": "x2",
            "article": "g-b",
            "required": True,
            "types": ["shelling"],
            "incident": "gx-i1",
            "anchor": "a depot storing grain was struck by rockets on Friday",
        },
        {
            "id": "x3",
            "article": "g-b",
            "required": True,
            "types": ["shelling"],
            "incident": "gx-i2",
            "anchor": "A school was shelled too.",
        },
    ],
    "groups": [
        {
            "id": "gx",
            "articles": ["g-a", "g-b"],
            "relations": [{"articles": ["g-a", "g-b"], "relation": "independent"}],
            "incidents": [
                {"id": "gx-i1", "about": "depot strike", "independent_sources": 1, "sources": ["mayor"]},
                {"id": "gx-i2", "about": "school shelled", "independent_sources": 1, "sources": []},
            ],
        }
    ],
}
CHOSEN = {"gx": {"g-a", "g-b"}}


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def _with(change: dict) -> dict:
    gold = json.loads(json.dumps(GROUP_GOLD))
    for path, value in change.items():
        target = gold
        *keys, last = path
        for key in keys:
            target = target[key]
        target[last] = value
    return gold


def test_group_annotations_are_stored_as_offsets_and_rebuild_with_their_groups() -> None:
    from training.check_groups import problems

    assert problems(GROUP_GOLD, GROUP_TEXTS, CHOSEN) == []
    data = stored(GROUP_GOLD, GROUP_TEXTS, "test.jsonl")
    flat = json.dumps(data)
    assert all(c["anchor"] not in flat for c in GROUP_GOLD["claims"])
    again = rebuilt(data, GROUP_TEXTS)
    assert again["groups"] == GROUP_GOLD["groups"]
    assert [c["incident"] for c in again["claims"]] == ["gx-i1", "gx-i1", "gx-i2"]


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({("claims", 2, "anchor"): "shelled"}, "anchor found"),  # too short
        ({("claims", 0, "anchor"): "the mayor said"}, "anchor found"),
        ({("claims", 1, "types"): ["bombardment"]}, "unknown type"),
        ({("claims", 1, "incident"): "gy-i1"}, "not one of its group's"),
        ({("claims", 1, "date"): {"from": "6 May", "to": "2022-05-06"}}, "YYYY-MM-DD"),
        ({("groups", 0, "relations"): []}, "no relation"),
        ({("groups", 0, "relations", 0, "relation"): "similar"}, "unknown relation"),
        ({("groups", 0, "incidents", 1, "independent_sources"): 0}, ">= 1"),
        ({("groups", 0, "articles"): ["g-a"]}, "differ from group-selection"),
    ],
)
def test_the_group_check_refuses_a_bad_annotation(change: dict, complaint: str) -> None:
    from training.check_groups import problems

    found = problems(_with(change), GROUP_TEXTS, CHOSEN)
    assert any(complaint in p for p in found), found


def test_an_incident_without_claims_is_refused() -> None:
    from training.check_groups import problems

    gold = _with({("claims",): GROUP_GOLD["claims"][:2]})
    assert "gx-i2: no claim" in problems(gold, GROUP_TEXTS, CHOSEN)


@pytest.mark.shared
@pytest.mark.skipif(
    not (ROOT.parent / "shared" / "corpus" / "pool.jsonl.gz").exists(), reason="needs ../shared"
)
def test_stored_groups_hold_no_quoted_text_and_rebuild_against_the_shared_pool() -> None:
    import re

    from training import harness
    from training.check_groups import pool_texts, problems
    from training.eval_groups import in_test

    texts = pool_texts()
    files = sorted((ROOT / "training" / "annotations").glob("groups-*.json"))
    assert files
    groups = []
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        gold = rebuilt(data, texts)
        assert problems(gold, texts) == []
        groups += gold["groups"]
        # No run of eight words of an annotated article is in any string the file stores
        # (labels, source keywords), article ids aside.
        strings = [s for s in _strings(data) if s not in data["articles"]]
        runs = set()
        for s in strings:
            words = re.findall(r"\w+", s.lower())
            runs |= {" ".join(words[i : i + 8]) for i in range(len(words) - 7)}
        for article in data["articles"]:
            words = re.findall(r"\w+", texts[article].lower())
            shingles = {" ".join(words[i : i + 8]) for i in range(len(words) - 7)}
            assert not runs & shingles, article
    assert len(groups) >= 30
    halves = {in_test(g["id"]) for g in groups}
    assert halves == {True, False}
    assert harness.splits()["groups"]["modulo"] == 2
