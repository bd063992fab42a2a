"""Privacy: every private individual a report names is redacted in every summary, note, page and
export of it; towns are not people; public figures acting in office stay named."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from claimledger.cli import app

runner = CliRunner()

# Our own reports, each naming private people in one claim's sentence and quoting them again in
# another's; the names each must never show outside the original's own text.
FIXTURES = {
    "school.txt": (
        "Looters hit a school in Irpin\n\n"
        "Russian soldiers looted the school in Irpin on March 5, according to Ms Hrytsenko, a teacher there.\n"
        "Ms Hrytsenko said the soldiers also took the school's computers and a minibus.\n"
    ),
    "paratrooper.txt": (
        "A paratrooper's account\n\n"
        "Pavel Filatyev, a Russian paratrooper, said his unit looted flats in Kherson in March.\n"
        "The unit also stole cars from a garage in the city, he said.\n"
    ),
    "car.txt": (
        "Olena Kovalchuk, 54, a resident of Irpin, said soldiers stole her car on March 3.\n"
        "Kovalchuk said Russian troops shelled the town the next day.\n"
    ),
    "tractors.txt": (
        "Mykola Bondar, a farmer from Borodianka, said Russian troops took his tractors in March.\n"
        "Soldiers also looted the village shop and took its stock of food, Bondar said.\n"
    ),
    "neighbour.txt": (
        "Volodymyr Shevchenko, a resident of Bucha, said soldiers shot his neighbour in March.\n"
        "President Volodymyr Zelensky said Russian troops killed civilians in Bucha.\n"
        "Ivan Fedorov, the mayor of Melitopol, said Russian soldiers stole grain from farms in the region in July.\n"
    ),
}
PRIVATE = [
    "Hrytsenko",
    "Pavel Filatyev",
    "Filatyev",
    "Olena Kovalchuk",
    "Kovalchuk",
    "Mykola Bondar",
    "Bondar",
    "Volodymyr Shevchenko",
    "Shevchenko",
]
PUBLIC = ["President Volodymyr Zelensky", "Ivan Fedorov, the mayor of Melitopol"]


def _lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def _export(url: str, kind: str, *extra: str) -> str:
    result = runner.invoke(app, ["export", kind, "--db", url, *extra])
    assert result.exit_code == 0, result.output
    return result.stdout


def _without_evidence(record: dict) -> str:
    """A record's text without its evidence spans, which quote the original verbatim."""
    return json.dumps({k: v for k, v in record.items() if k != "evidence"}, ensure_ascii=False)


def _page_without_originals(html: str) -> str:
    """A page without the original's text and the quotes of it (shown verbatim, as evidence)."""
    html = re.sub(r'<article class="report-text">.*?</article>', "", html, flags=re.S)
    return re.sub(r"<blockquote>.*?</blockquote>", "", html, flags=re.S)


def _found_names(named: list[dict], redacted: list[dict]) -> set[str]:
    """The names the redaction found: every actor and source it replaced by a role, and a
    person's surname alone (the last word of a name that is not a role)."""
    by_id = {c["claim_id"]: c for c in redacted}
    found: set[str] = set()
    for claim in named:
        other = by_id[claim["claim_id"]]
        for mine, theirs in zip(claim["actors"], other["actors"], strict=True):
            if mine["text"] != theirs["text"]:
                found.add(mine["text"])
                words = [
                    w.strip(".,")
                    for w in mine["text"].split()
                    if w.strip(".,")[:1].isupper() and len(w.strip(".,")) >= 3
                ]
                if len(words) > 1 or (words and words[0] != mine["text"]):
                    found.add(words[-1])
        for mine, theirs in zip(claim["attributions"], other["attributions"], strict=True):
            if mine["source"] != theirs["source"]:
                found.add(mine["source"])
    return found


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The bundled example corpus and our fixtures in one ledger."""
    folder = tmp_path_factory.mktemp("privacy")
    url = f"sqlite:///{folder / 'ledger.db'}"
    assert runner.invoke(app, ["run", "--db", url]).exit_code == 0
    reports = folder / "fixtures"
    reports.mkdir()
    for name, text in FIXTURES.items():
        (reports / name).write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["run", str(reports), "--db", url, "--published", "2022-04-05"])
    assert result.exit_code == 0, result.output
    return url


@pytest.fixture(scope="module")
def outputs(ledger: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every output of the ledger, without the original's verbatim text: the exports, an
    evidence bundle, every page and the API's answers."""
    from claimledger.web import create_app

    out: dict[str, str] = {}
    out["claims.jsonl"] = "\n".join(_without_evidence(c) for c in _lines(_export(ledger, "claims")))
    out["incidents.jsonl"] = _export(ledger, "incidents")
    out["acled.csv"] = _export(ledger, "acled")
    out["incidents.geojson"] = _export(ledger, "geojson")
    bundle = tmp_path_factory.mktemp("bundle") / "evidence.zip"
    result = runner.invoke(app, ["export", "bundle", "--db", ledger, "--out", str(bundle)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(io.BytesIO(bundle.read_bytes())) as archive:
        out["bundle claims.jsonl"] = "\n".join(
            _without_evidence(c) for c in _lines(archive.read("claims.jsonl").decode())
        )
        out["bundle incidents.jsonl"] = archive.read("incidents.jsonl").decode()
    client = TestClient(create_app(ledger, secret="test-secret"))
    out["/"] = _page_without_originals(client.get("/").text)
    incidents = client.get("/api/incidents", params={"limit": 500}).json()
    out["/api/incidents"] = json.dumps(incidents, ensure_ascii=False)
    claims = client.get("/api/claims", params={"limit": 500}).json()
    out["/api/claims"] = "\n".join(_without_evidence(c) for c in claims["items"])
    for incident in incidents["items"]:
        out[f"/incidents/{incident['incident_id']}"] = _page_without_originals(
            client.get(f"/incidents/{incident['incident_id']}").text
        )
        out[f"/api/incidents/{incident['incident_id']}"] = client.get(
            f"/api/incidents/{incident['incident_id']}"
        ).text
        for report_id in incident["report_ids"]:
            out[f"/reports/{report_id}"] = _page_without_originals(client.get(f"/reports/{report_id}").text)
    for claim in claims["items"]:
        out[f"/claims/{claim['claim_id']}"] = _page_without_originals(
            client.get(f"/claims/{claim['claim_id']}").text
        )
        out[f"/api/claims/{claim['claim_id']}"] = _without_evidence(
            client.get(f"/api/claims/{claim['claim_id']}").json()
        )
    return out


def test_every_name_the_redaction_finds_is_absent_from_every_output(
    ledger: str, outputs: dict[str, str]
) -> None:
    found = _found_names(
        _lines(_export(ledger, "claims", "--include-private-names")), _lines(_export(ledger, "claims"))
    )
    leaks = [
        (name, where)
        for name in sorted(found | set(PRIVATE))
        for where, text in outputs.items()
        if name in text
    ]
    assert not leaks, leaks[:20]
    assert set(PRIVATE) <= found, f"the redaction missed {set(PRIVATE) - found}"


def test_the_original_and_its_quotes_stay_verbatim(ledger: str) -> None:
    reports = {r["report_id"]: r["text"] for r in _lines(_export(ledger, "reports"))}
    assert sum("Ms Hrytsenko" in text for text in reports.values()) == 1
    for claim in _lines(_export(ledger, "claims")):
        for span in claim["evidence"]:
            assert reports[claim["report_id"]][span["start"] : span["end"]] == span["text"]


def test_public_figures_acting_in_office_stay_named(outputs: dict[str, str]) -> None:
    for name in PUBLIC:
        assert name in outputs["claims.jsonl"], name


def test_a_private_witness_is_named_by_role_in_every_claim_of_the_report(ledger: str) -> None:
    summaries = [
        c["summary"]
        for c in _lines(_export(ledger, "claims"))
        if "computers" in c["summary"] or "paratrooper" in c["summary"]
    ]
    assert summaries
    assert any("according to a teacher there" in s or "according to a witness" in s for s in summaries)
    assert any("according to a Russian paratrooper" in s for s in summaries)


# Our own sentences in which a town is a place: none is a private individual.
TOWNS = [
    ("Kherson", "Russian forces shelled Kherson overnight, the regional governor said on Telegram."),
    ("Sumy", "Residents of Trostianets, in the Sumy region, said soldiers looted the town's shops in March."),
    ("Kyiv", "Missiles hit Kyiv on Monday morning and damaged a power station, the city's mayor said."),
    (
        "Bucha",
        "Bodies of civilians were found in the streets of Bucha after Russian troops withdrew in March.",
    ),
    (
        "Izium",
        "Deminer hurt in Izium\n\nA deminer was wounded when a mine exploded in a yard in Izium on Thursday, police said.",
    ),
    (
        "Deminer",
        "Deminer hurt in Izium\n\nA deminer was wounded when a mine exploded in a yard in Izium on Thursday, police said.",
    ),
    (
        "Hostomel",
        "Russian troops looted homes in Hostomel before they left, Ukraine's Defence Ministry said on Twitter.",
    ),
    (
        "Davydiv Brid",
        "Troops abandoned tanks and ammunition near the village of Davydiv Brid, the military said.",
    ),
    (
        "Melitopol",
        "Soldiers were selling stolen washing machines at a market in Melitopol, military intelligence said.",
    ),
    (
        "Kherson",
        "Paintings taken from Kherson art museum\n\nStaff at the Kherson regional art museum said Russian forces removed paintings in November.",
    ),
    ("Irpin", "Soldiers looted flats in Irpin and Borodianka in March, residents told reporters."),
    ("Sumy", "Russian artillery shelled Sumy on Tuesday, residents said."),
    ("Kherson", "Kherson was liberated in November, residents said."),
    ("Hostomel", "Bucha, Irpin and Hostomel were shelled, residents said."),
    ("Bucha", "Soldiers looted Bucha and Izium before leaving, residents said."),
]


@pytest.fixture(scope="module")
def towns_ledger(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("towns")
    for n, (_, sentence) in enumerate(TOWNS):
        (folder / f"town-{n:02d}.txt").write_text(sentence + "\n", encoding="utf-8")
    url = f"sqlite:///{folder / 'ledger.db'}"
    result = runner.invoke(app, ["run", str(folder), "--db", url, "--published", "2022-11-15"])
    assert result.exit_code == 0, result.output
    return url


@pytest.mark.parametrize(("town", "sentence"), TOWNS, ids=[f"{t}-{n}" for n, (t, _) in enumerate(TOWNS)])
def test_a_town_is_not_a_private_individual(towns_ledger: str, town: str, sentence: str) -> None:
    reports = {r["report_id"]: r for r in _lines(_export(towns_ledger, "reports"))}
    mine = {rid for rid, r in reports.items() if r["text"].strip() == sentence.strip()}
    named = [
        c
        for c in _lines(_export(towns_ledger, "claims", "--include-private-names"))
        if c["report_id"] in mine
    ]
    redacted = [c for c in _lines(_export(towns_ledger, "claims")) if c["report_id"] in mine]
    assert named, "the sentence gave no claim"
    assert not _found_names(named, redacted), f"{town!r}: marked private in {sentence!r}"
    assert all("a private individual" not in c["summary"] for c in redacted)


def test_a_name_the_gazetteer_knows_as_a_town_is_not_a_person_but_a_given_name_is() -> None:
    from claimledger.geo import is_populated_place

    for town in ("Kyiv", "Kherson", "Sumy", "Bucha", "Izium", "Hostomel", "Davydiv Brid", "Melitopol"):
        assert is_populated_place(town), town
    for name in ("Olena", "Pavel", "Roman", "Maria", "Olena Kovalchuk", "Kovalchuk"):
        assert not is_populated_place(name), name


def test_the_rules_for_public_figures_are_data(tmp_path: Path) -> None:
    import tomllib
    from importlib.resources import files

    data = tomllib.loads(
        files("claimledger").joinpath("extract/lexicons/people.toml").read_text(encoding="utf-8")
    )
    assert {"governor", "minister", "president", "spokesperson"} <= set(data["public"]["titles"])
    assert {"zelensky", "kyrylenko"} <= set(data["public"]["surnames"])
    assert "paratrooper" in data["private"]["roles"]


def test_redact_takes_a_name_from_one_claim_out_of_another_claims_summary() -> None:
    from claimledger.export import claim_record
    from claimledger.model import Actor, Attribution, Claim, DateInfo, Span
    from claimledger.privacy import redaction_of

    text = "Olena Kovalchuk, a resident, said soldiers stole her car. Kovalchuk said the governor, Pavlo Kyrylenko, was told."
    first = Claim(
        "c1",
        "r1",
        "vehicle_theft",
        "Vehicle theft — according to Olena Kovalchuk, a resident: Olena Kovalchuk, a resident, said soldiers stole her car.",
        (Span(0, 57, text[:57]),),
        DateInfo(),
        actors=(Actor("Olena Kovalchuk", "other", True, 0, 15),),
        attributions=(
            Attribution("Olena Kovalchuk, a resident", "witness", "unknown", 0, 27, True, "a resident"),
        ),
    )
    second = Claim(
        "c2",
        "r1",
        "looting",
        "Looting — according to Kovalchuk: Kovalchuk said the governor, Pavlo Kyrylenko, was told.",
        (Span(58, len(text), text[58:]),),
        DateInfo(),
        attributions=(Attribution("Kovalchuk", "unknown", "unknown", 58, 67),),
    )
    redaction = redaction_of([first, second])
    record = claim_record(second, redaction)
    assert "Kovalchuk" not in record["summary"] + json.dumps(record["attributions"])
    assert record["summary"].startswith("Looting — according to a resident: a resident said")
    assert "Pavlo Kyrylenko" in record["summary"]
    assert record["evidence"][0]["text"] == text[58:]  # the quote of the original stays verbatim
    assert claim_record(second, None)["summary"] == second.summary  # --include-private-names


PRIVATE_PEOPLE = [
    ("Pavel Filatyev, a Russian paratrooper, said his unit looted homes.", "Pavel Filatyev"),
    ("Pavel F., a Russian paratrooper, said his unit looted homes.", "Pavel F."),
    ("She left the town with her daughters Sofiia, 11, and Olena, eight, in April.", "Sofiia"),
    ("Soldiers took the school's computers, according to Ms Hrytsenko.", "Ms Hrytsenko"),
    ("Volodymyr Shevchenko, a resident of Bucha, said soldiers shot his neighbour.", "Volodymyr Shevchenko"),
]
PUBLIC_PEOPLE = [
    (
        "The plant's acting director-general Andriy Korniychuk says the damage is severe. Troops stripped the labs, Mr Korniychuk said.",
        "Korniychuk",
    ),
    (
        "Maren Solberg Aaltonen, the U.N. deputy high commissioner for refugees, called for a ceasefire.",
        "Aaltonen",
    ),
    ("Regional governor Pavlo Kyrylenko said Sloviansk was shelled.", "Kyrylenko"),
    ("A spokesperson for the ministry, Oleg Nikolenko, said the grain was stolen.", "Nikolenko"),
    ("President Volodymyr Zelensky said troops killed civilians.", "Zelensky"),
    (
        "Oksana Lysenko, a Ukrainian poet and war crimes researcher, said troops burned the village archive.",
        "Lysenko",
    ),
]


@pytest.mark.parametrize(("sentence", "name"), PRIVATE_PEOPLE)
def test_a_private_individual_is_found(nlp, sentence: str, name: str) -> None:
    from claimledger.extract.people import private_names
    from claimledger.geo import find_places

    assert name in private_names(nlp(sentence), find_places(sentence))


@pytest.mark.parametrize(("sentence", "name"), PUBLIC_PEOPLE)
def test_a_public_figure_acting_in_office_is_not_private(nlp, sentence: str, name: str) -> None:
    from claimledger.extract.people import private_names
    from claimledger.geo import find_places

    found = private_names(nlp(sentence), find_places(sentence))
    assert not any(name in n for n in found), found
