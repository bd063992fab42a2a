from __future__ import annotations

import pytest

from claimledger.corroborate import build_incidents, source_key
from claimledger.model import Attribution, Claim, DateInfo, Item, Location, Report, Span

KRAMATORSK = Location("Kramatorsk", "UA", 48.72, 37.56, "place", geonameid=704147, admin1="Donetsk")
SLOVIANSK = Location("Slovyansk", "UA", 48.85, 37.60, "place", geonameid=700569, admin1="Donetsk")


def _claim(cid: str, rid: str, text: str, source: str, site: Location, day: str = "2022-08-12") -> Claim:
    return Claim(
        cid,
        rid,
        "shelling",
        text,
        (Span(0, len(text), text),),
        DateInfo(day, day, "day"),
        (site,),
        attributions=(Attribution(source, "government", "statement"),),
    )


def _report(rid: str, outlet: str, text: str = "text") -> Report:
    return Report(rid, rid * 4, f"{rid}.txt", None, outlet, None, "2022-08-13", "en", text)


def test_copies_of_one_story_count_their_source_once() -> None:
    a = _claim(
        "c1",
        "r1",
        "Russian rockets struck Kramatorsk overnight, killing three, the mayor said.",
        "the city's mayor",
        KRAMATORSK,
    )
    b = _claim(
        "c2",
        "r2",
        "Russian rockets struck Kramatorsk overnight and killed three, the mayor said.",
        "the city's mayor",
        KRAMATORSK,
    )
    (incident,) = build_incidents(
        [a, b], {"r1": _report("r1", "AP"), "r2": _report("r2", "HuffPost")}, {"r1": "s1", "r2": "s1"}
    )
    assert incident.independent_source_count == 1 and set(incident.report_ids) == {"r1", "r2"}


def test_two_named_towns_are_two_incidents_however_close() -> None:
    a = _claim("c1", "r1", "Rockets hit Kramatorsk on Friday, the governor said.", "the governor", KRAMATORSK)
    b = _claim("c2", "r1", "Rockets hit Sloviansk on Friday, the governor said.", "the governor", SLOVIANSK)
    assert len(build_incidents([a, b], {"r1": _report("r1", "AP")}, {"r1": "s1"})) == 2


def test_independent_sources_raise_credibility() -> None:
    a = _claim("c1", "r1", "Rockets hit Kramatorsk on Friday, the mayor said.", "the mayor", KRAMATORSK)
    b = _claim(
        "c2",
        "r2",
        "The UN monitoring mission confirmed rockets hit Kramatorsk on Friday.",
        "the UN monitoring mission",
        KRAMATORSK,
    )
    (incident,) = build_incidents(
        [a, b], {"r1": _report("r1", "AP"), "r2": _report("r2", "Reuters")}, {"r1": "s1", "r2": "s2"}
    )
    assert (
        incident.independent_source_count == 2
        and incident.credibility_grade == 2
        and not incident.partisan_only
    )


def test_one_source_under_two_names_counts_once() -> None:
    a = _claim(
        "c1",
        "r1",
        "Rockets hit Kramatorsk on Friday, Ambassador Linda Thomas-Greenfield said.",
        "Ambassador Linda Thomas-Greenfield",
        KRAMATORSK,
    )
    b = _claim(
        "c2",
        "r2",
        "Rockets hit Kramatorsk on Friday, Thomas-Greenfield said.",
        "Thomas-Greenfield",
        KRAMATORSK,
    )
    (incident,) = build_incidents(
        [a, b], {"r1": _report("r1", "AP"), "r2": _report("r2", "NBC")}, {"r1": "s1", "r2": "s2"}
    )
    assert incident.independent_source_count == 1


@pytest.mark.parametrize(
    ("first", "second"),
    [("President Volodymyr Zelenskyy", "Volodymyr Zelensky"), ("Dmitry Peskov", "Dmitriy Peskov")],
)
def test_one_source_in_two_romanisations_counts_once(first: str, second: str) -> None:
    a = _claim("c1", "r1", f"Rockets hit Kramatorsk on Friday, {first} said.", first, KRAMATORSK)
    b = _claim("c2", "r2", f"Rockets hit Kramatorsk on Friday, {second} said.", second, KRAMATORSK)
    (incident,) = build_incidents(
        [a, b], {"r1": _report("r1", "AP"), "r2": _report("r2", "BBC")}, {"r1": "s1", "r2": "s2"}
    )
    assert incident.independent_source_count == 1


def test_source_keys_fold_spelling_and_possessives() -> None:
    assert source_key("Ukraine's Defence Ministry") == source_key("the Ukrainian Defense Ministry")


def test_the_same_things_taken_at_one_place_join_one_incident() -> None:
    from claimledger.model import Item

    kherson = Location("Kherson", "UA", 46.64, 32.61, "place", geonameid=706448, admin1="Kherson")
    a = Claim(
        "c1",
        "r1",
        "looting",
        "t",
        (Span(0, 1, "t"),),
        DateInfo(),
        (kherson,),
        items=(Item("remains", "cultural_property"),),
        attributions=(Attribution("Vladimir Saldo", "official", "interview"),),
    )
    b = Claim(
        "c2",
        "r2",
        "looting",
        "t",
        (Span(0, 1, "t"),),
        DateInfo("2022-11-13", "2022-11-13", "day"),
        (kherson,),
        items=(Item("Remains", "cultural_property"), Item("paintings", "cultural_property")),
        attributions=(Attribution("the museum", "ngo", "statement"),),
    )
    (incident,) = build_incidents(
        [a, b], {"r1": _report("r1", "Daily Mail"), "r2": _report("r2", "BBC")}, {"r1": "s1", "r2": "s2"}
    )
    assert incident.independent_source_count == 2


def test_two_strikes_on_one_city_in_one_round_up_are_two_incidents() -> None:
    donetsk = Location("Donetsk", "UA", 48.0, 37.8, "place", geonameid=709717, admin1="Donetsk")
    a = _claim(
        "c1",
        "r1",
        "A shell struck a supermarket in Donetsk and set it on fire, the mayor said.",
        "the mayor",
        donetsk,
    )
    b = _claim(
        "c2",
        "r1",
        "Russian forces also struck a bus depot in Donetsk, killing one person, authorities said.",
        "authorities",
        donetsk,
    )
    assert len(build_incidents([a, b], {"r1": _report("r1", "AP")}, {"r1": "s1"})) == 2


def test_a_sentence_referring_back_joins_the_first() -> None:
    a = _claim(
        "c1",
        "r1",
        "Russian rockets hit Kramatorsk overnight, killing 13 people, the mayor said.",
        "the mayor",
        KRAMATORSK,
    )
    b = _claim(
        "c2",
        "r1",
        "The attack destroyed several houses near the centre, the mayor added.",
        "the mayor",
        KRAMATORSK,
    )
    (incident,) = build_incidents([a, b], {"r1": _report("r1", "AP")}, {"r1": "s1"})
    assert len(incident.claim_ids) == 2


def test_a_nameless_source_adds_no_independence_to_a_named_one() -> None:
    a = _claim("c1", "r1", "Rockets hit Kramatorsk on Friday, the mayor said.", "the mayor", KRAMATORSK)
    b = _claim("c2", "r2", "Rockets hit Kramatorsk on Friday, authorities said.", "authorities", KRAMATORSK)
    (incident,) = build_incidents(
        [a, b], {"r1": _report("r1", "AP"), "r2": _report("r2", "NBC")}, {"r1": "s1", "r2": "s2"}
    )
    assert incident.independent_source_count == 1


@pytest.mark.parametrize(
    ("generic", "count"),
    [("Ukrainian officials", 1), ("officials", 1), ("US officials", 2), ("Russian officials", 2)],
)
def test_a_nameless_source_counts_only_against_the_other_side(generic: str, count: int) -> None:
    a = _claim(
        "c1",
        "r1",
        "Rockets hit Kramatorsk on Friday, President Volodymyr Zelenskyy said.",
        "President Volodymyr Zelenskyy",
        KRAMATORSK,
    )
    b = _claim("c2", "r2", f"Rockets hit Kramatorsk on Friday, {generic} said.", generic, KRAMATORSK)
    (incident,) = build_incidents(
        [a, b], {"r1": _report("r1", "AP"), "r2": _report("r2", "NBC")}, {"r1": "s1", "r2": "s2"}
    )
    assert incident.independent_source_count == count


def test_two_sources_quoting_the_same_words_count_once() -> None:
    quote = "“We will rebuild every house that was destroyed here,” "
    a = _claim(
        "c1", "r1", quote + "the mayor said after rockets hit Kramatorsk on Friday.", "the mayor", KRAMATORSK
    )
    b = _claim(
        "c2",
        "r2",
        quote + "a city council spokesman said after rockets hit Kramatorsk on Friday.",
        "a city council spokesman",
        KRAMATORSK,
    )
    reports = {"r1": _report("r1", "AP", a.evidence[0].text), "r2": _report("r2", "NBC", b.evidence[0].text)}
    (incident,) = build_incidents([a, b], reports, {"r1": "s1", "r2": "s2"})
    assert incident.independent_source_count == 1
    assert any("quote the same words" in r for r in incident.reasons)


KHERSON = Location("Kherson", "UA", 46.64, 32.62, "place", geonameid=706448, admin1="Kherson")


@pytest.mark.parametrize(("second_published", "linked"), [("2022-11-05", True), ("2022-11-20", False)])
def test_undated_reports_of_one_town_changing_hands_days_apart_are_one_incident(
    second_published: str, linked: bool
) -> None:
    from dataclasses import replace

    a = replace(
        _claim("c1", "r1", "Commanders abandon positions in Kherson.", "officials", KHERSON),
        type="territory_change",
        date=DateInfo(),
    )
    b = replace(
        _claim("c2", "r2", "Command has withdrawn across the river from Kherson.", "an official", KHERSON),
        type="territory_change",
        date=DateInfo(),
    )
    reports = {
        "r1": replace(_report("r1", "Express"), published="2022-11-03"),
        "r2": replace(_report("r2", "Express"), published=second_published),
    }
    incidents = build_incidents([a, b], reports, {"r1": "s1", "r2": "s2"})
    assert (len(incidents) == 1) == linked


def _random_claims(seed: int, count: int = 120) -> tuple[list[Claim], dict[str, str], dict[str, str | None]]:
    """Claims crowded into a few towns, days and stories, so that many pairs can link: sites a
    kilometre or two apart, same-name towns, regions, undated claims, looted things, copies."""
    import datetime as dt
    import random

    rng = random.Random(seed)
    towns = [
        ("Izium", 49.21, 37.26, 706524),
        ("Izium", 49.215, 37.29, None),
        ("Balakliia", 49.46, 36.86, 712519),
        ("Kupiansk", 49.71, 37.61, 704422),
        ("Kupiansk-Vuzlovyi", 49.69, 37.65, 704421),
        ("Lyman", 48.99, 37.80, 702972),
    ]
    types = [
        "shelling",
        "air_strike",
        "looting",
        "vehicle_theft",
        "territory_change",
        "armed_clash",
        "arrest",
    ]
    texts = [
        "Shells hit the market in town.",
        "Troops took the town, officials said.",
        "Soldiers stole cars and a painting.",
        "The attack killed 12 people.",
        "Looters carried off washing machines.",
    ]
    claims, stories, published = [], {}, {}
    for n in range(count):
        rid = f"r{rng.randrange(count // 3)}"
        stories[rid] = f"s{int(rid[1:]) % 7}"
        day = dt.date(2022, 9, 1) + dt.timedelta(days=rng.randrange(60))
        published[rid] = (
            (day + dt.timedelta(days=rng.randrange(3))).isoformat() if rng.random() < 0.9 else None
        )
        name, lat, lon, gid = rng.choice(towns)
        lat, lon = lat + rng.uniform(-0.02, 0.02), lon + rng.uniform(-0.02, 0.02)
        region = rng.random() < 0.15
        site = Location(
            "Kharkiv Oblast" if region else name,
            "UA",
            lat,
            lon,
            "admin1" if region else rng.choice(["place", "place", "admin2"]),
            geonameid=None if region else gid,
            admin1="Kharkiv",
        )
        end = day + dt.timedelta(days=rng.choice([0, 0, 6, 30]))
        kind = rng.choice(types)
        undated = rng.random() < (0.6 if kind == "territory_change" else 0.25)
        date = (
            DateInfo()
            if undated
            else DateInfo(day.isoformat(), end.isoformat(), "day" if end == day else "week")
        )
        text = rng.choice(texts)
        items = tuple(Item(t, "art") for t in rng.sample(["painting", "icons", "piano"], rng.randrange(2)))
        claims.append(
            Claim(
                f"c{n:03d}",
                rid,
                kind,
                text,
                (Span(0, len(text), text),),
                date,
                (site,) if rng.random() < 0.9 else (),
                items=items,
            )
        )
    return claims, stories, published


@pytest.mark.parametrize("seed", range(8))
def test_blocked_linking_joins_the_groups_of_comparing_every_pair(seed: int) -> None:
    from claimledger.corroborate import link_claims, links_within
    from claimledger.dedup import components

    claims, stories, published = _random_claims(seed)
    every_pair = list(links_within(claims, stories, published))
    assert len(every_pair) > 20  # the table must exercise the rules, not pass on nothing
    blocked = link_claims(claims, stories, published)
    assert {(link.a, link.b, link.why) for link in blocked} <= {
        (link.a, link.b, link.why) for link in every_pair
    }
    ids = sorted(c.claim_id for c in claims)

    def groups(links: list) -> set[frozenset[str]]:
        return {frozenset(g) for g in components(ids, [(link.a, link.b) for link in links])}

    assert groups(blocked) == groups(every_pair)
    assert len(blocked) < len(every_pair)  # a spanning forest, not every link


@pytest.mark.parametrize("offset", range(8))
def test_a_week_long_report_links_to_a_strike_three_days_before_it_whatever_the_calendar(offset: int) -> None:
    import datetime as dt

    from claimledger.corroborate import link_claims

    first = dt.date(2022, 8, 1) + dt.timedelta(days=offset)
    later = first + dt.timedelta(days=3)
    a = _claim("c1", "r1", "Rockets hit Kramatorsk.", "the mayor", KRAMATORSK, first.isoformat())
    b = Claim(
        "c2",
        "r2",
        "shelling",
        "Shelling of Kramatorsk this week.",
        (Span(0, 10, "Shelling o"),),
        DateInfo(later.isoformat(), (later + dt.timedelta(days=6)).isoformat(), "week"),
        (KRAMATORSK,),
    )
    assert [(link.a, link.b) for link in link_claims([a, b], {"r1": "s1", "r2": "s2"})] == [("c1", "c2")]


@pytest.mark.parametrize("seed", range(4))
def test_the_cut_down_claim_the_spark_job_sends_to_blocks_links_like_the_whole_claim(seed: int) -> None:
    from dataclasses import replace

    from claimledger.corroborate import block_keys, judge_pair, link_view
    from claimledger.model import Actor

    claims, stories, published = _random_claims(seed, count=60)
    origin = Location("Belgorod", "RU", 50.6, 36.6, "place", geonameid=578072, role="origin")
    # Give each claim what the cut drops: a second span, an origin before its site, actors, a source.
    full = [
        replace(
            c,
            evidence=(*c.evidence, Span(60, 75, "Residents fled.")),
            locations=(origin, *c.locations),
            actors=(Actor("Russian troops", "perpetrator"),),
            attributions=(Attribution("the governor", "government", "statement"),),
        )
        for c in claims
    ]
    views = [link_view(c) for c in full]
    assert all(len(v.evidence) == 1 and not v.actors and not v.attributions for v in views)
    for c, v in zip(full, views, strict=True):
        assert block_keys(v, stories[c.report_id], published[c.report_id]) == block_keys(
            c, stories[c.report_id], published[c.report_id]
        )
    judged = [
        (judge_pair(a, b, stories, published), judge_pair(va, vb, stories, published))
        for i, (a, va) in enumerate(zip(full, views, strict=True))
        for b, vb in zip(full[i + 1 :], views[i + 1 :], strict=True)
    ]
    assert sum(whole is not None for whole, _ in judged) >= 5  # the table must exercise the rules
    assert all(whole == cut for whole, cut in judged)


@pytest.mark.parametrize(("basis", "incidents"), [("report", 2), ("text", 1)])
def test_claims_dated_only_by_their_reports_do_not_link_by_that_date(basis: str, incidents: int) -> None:
    from dataclasses import replace

    a = _claim("c1", "r1", "Rockets hit Kramatorsk, the mayor said.", "the mayor", KRAMATORSK)
    b = _claim("c2", "r2", "The UN mission said rockets hit Kramatorsk.", "the UN mission", KRAMATORSK)
    a = replace(a, date=DateInfo("2022-08-13", "2022-08-13", "day", None, basis))
    b = replace(b, date=DateInfo("2022-08-13", "2022-08-13", "day", None, basis))
    found = build_incidents(
        [a, b], {"r1": _report("r1", "AP"), "r2": _report("r2", "Reuters")}, {"r1": "s1", "r2": "s2"}
    )
    assert len(found) == incidents
