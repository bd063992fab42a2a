"""Gold sets, their split, and a scorer over in-process pipeline output.

Everything a training or evaluation script needs from `../shared`: the annotated articles of
each split as claimledger reports, their spaCy docs and places (cached on disk, keyed by the
text and the code that made them), and the shared scorer run on exported records.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import pickle
import tempfile
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from claimledger.ingest import Defaults, read_jsonl, to_report  # type: ignore[attr-defined]
from claimledger.model import Claim, Location, Report
from claimledger.pipeline import clean_report

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SPLITS = ROOT / "training" / "data" / "splits.toml"
ANNOTATIONS = ROOT / "training" / "annotations"
CACHE = Path(tempfile.gettempdir()) / "claimledger-training-cache"


def splits() -> dict[str, Any]:
    return tomllib.loads(SPLITS.read_text(encoding="utf-8"))


def bucket(article: str, width: slice, modulo: int) -> int:
    return int(hashlib.sha256(article.encode("utf-8")).hexdigest()[width], 16) % modulo


def fold_of(article: str) -> int:
    return bucket(article, slice(8, 16), splits()["folds"]["count"])


def in_pool_test(article: str) -> bool:
    return bucket(article, slice(0, 8), 10) in splits()["pool"]["test_buckets"]


@dataclass
class GoldSet:
    """One gold file and the corpus lines it annotates."""

    name: str
    gold: dict[str, Any]
    rows: list[dict[str, Any]]  # corpus lines (id, text, ...) of the annotated articles


def _corpus_rows(path: Path) -> dict[str, dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:  # type: ignore[operator]
        return {row["id"]: row for row in map(json.loads, handle) if row.get("id")}


def _subset(gold: dict[str, Any], keep: set[str]) -> dict[str, Any]:
    out = dict(gold)
    out["metadata"] = {k: v for k, v in gold.get("metadata", {}).items() if k in keep}
    out["boilerplate"] = {k: v for k, v in gold.get("boilerplate", {}).items() if k in keep}
    out["claims"] = [c for c in gold["claims"] if c["article"] in keep]
    ids = {c["id"] for c in out["claims"]}
    for key in ("single_source_incidents", "same_incident"):
        out[key] = [r for r in gold.get(key, []) if set(r["claims"]) <= ids]
    out["stories"] = [g for g in gold.get("stories", []) if set(g) <= keep]
    return out


def corpus_rows(path: Path) -> dict[str, dict[str, Any]]:
    """The lines of a corpus file (.jsonl or .jsonl.gz) by id."""
    return _corpus_rows(path)


def subset(gold: dict[str, Any], keep: set[str]) -> dict[str, Any]:
    """The part of a gold file about the articles in `keep`."""
    return _subset(gold, keep)


def articles_of(gold: dict[str, Any]) -> set[str]:
    return set(gold.get("metadata", {})) | {c["article"] for c in gold["claims"]}


def pool_gold() -> dict[str, Any]:
    """Every stored pool annotation, rebuilt into one gold file."""
    from training.annotations import rebuilt

    rows = _corpus_rows(SHARED / "corpus" / "pool.jsonl.gz")
    texts = {k: r["text"] for k, r in rows.items()}
    merged: dict[str, Any] = {
        "metadata": {},
        "boilerplate": {},
        "claims": [],
        "stories": [],
        "single_source_incidents": [],
        "same_incident": [],
    }
    for path in sorted(ANNOTATIONS.glob("pool-*.json")):
        gold = rebuilt(json.loads(path.read_text(encoding="utf-8")), texts)
        merged["metadata"].update(gold["metadata"])
        merged["boilerplate"].update(gold["boilerplate"])
        merged["claims"] += gold["claims"]
    return merged


def gold_sets(split: str) -> list[GoldSet]:
    """The gold sets of `split` ("train" or "test"), each with its corpus lines."""
    config = splits()
    corpus = SHARED / "corpus"
    dev_rows = _corpus_rows(corpus / "articles.jsonl")
    train_rows = _corpus_rows(corpus / "train.jsonl")
    out = []
    for name in config["shared"][split]:
        gold = json.loads((SHARED / "eval" / name).read_text(encoding="utf-8"))
        rows = dev_rows if name.startswith("gold-dev") else train_rows
        out.append(GoldSet(name, gold, [rows[a] for a in sorted(articles_of(gold))]))
    if any(ANNOTATIONS.glob("pool-*.json")):
        gold = pool_gold()
        pool_rows = _corpus_rows(corpus / "pool.jsonl.gz")
        keep = {a for a in articles_of(gold) if in_pool_test(a) == (split == "test")}
        out.append(GoldSet(f"pool-{split}", _subset(gold, keep), [pool_rows[a] for a in sorted(keep)]))
    return out


def reports_of(rows: Sequence[dict[str, Any]]) -> list[Report]:
    """The rows as claimledger ingests them (the same text, ids and boilerplate spans)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "corpus.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        raws = [r for r in read_jsonl(path, Defaults()) if not hasattr(r, "reason")]
    return [clean_report(to_report(raw)) for raw in raws]  # type: ignore[arg-type]


def _code_key(*modules: str) -> str:
    h = hashlib.sha256()
    for module in modules:
        for path in (
            sorted((ROOT / "src" / "claimledger" / module).rglob("*"))
            if (ROOT / "src" / "claimledger" / module).is_dir()
            else [ROOT / "src" / "claimledger" / module]
        ):
            if path.suffix in (".py", ".toml", ".csv", ".json") and path.is_file():
                h.update(path.read_bytes())
    return h.hexdigest()[:16]


@dataclass
class Analysed:
    report: Report
    doc: Any
    places: list[Location]


def analysed(reports: Sequence[Report]) -> list[Analysed]:
    """spaCy doc and geocoded places of every report, cached by text and code version."""
    from spacy.tokens import DocBin

    from claimledger.extract.nlp import load_nlp
    from claimledger.geo import find_places
    from claimledger.pipeline import MAX_PARSE_CHARS, _joined, text_pieces  # noqa: PLC2701

    nlp = load_nlp()
    CACHE.mkdir(parents=True, exist_ok=True)
    key = _code_key("geo", "extract/nlp.py", "clean.py") + "t"
    out: list[Analysed] = []
    todo: list[tuple[int, Report, Path]] = []
    for i, report in enumerate(reports):
        path = CACHE / f"{report.sha256[:24]}-{key}.pkl"
        if path.exists():
            doc_bytes, tensor, places = pickle.loads(path.read_bytes())
            doc = next(iter(DocBin().from_bytes(doc_bytes).get_docs(nlp.vocab)))
            doc.tensor = tensor  # DocBin keeps no tensor
            out.append(Analysed(report, doc, places))
        else:
            out.append(None)  # type: ignore[arg-type]
            todo.append((i, report, path))
    if todo:
        pieces = (
            (piece, j) for j, (_, r, _) in enumerate(todo) for piece in text_pieces(r.text[:MAX_PARSE_CHARS])
        )
        docs = _joined(nlp.pipe(pieces, batch_size=16, as_tuples=True))
        for (i, report, path), doc in zip(todo, docs, strict=True):
            places = find_places(report.text[:MAX_PARSE_CHARS])
            bin_ = DocBin(store_user_data=True)
            bin_.add(doc)
            path.write_bytes(pickle.dumps((bin_.to_bytes(), doc.tensor, places)))
            out[i] = Analysed(report, doc, places)
    return out


def _scorer() -> Any:
    spec = importlib.util.spec_from_file_location("shared_score", SHARED / "eval" / "score.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def score(gold: dict[str, Any], reports: Iterable[Report], claims: Iterable[Claim]) -> dict[str, Any]:
    """The shared scorer's figures for these reports and claims (no incidents)."""
    from claimledger.export import claim_record, report_record
    from claimledger.privacy import report_redactions

    claims = list(claims)
    redactions = report_redactions(claims)  # as `export claims` does by default

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with (folder / "reports.jsonl").open("w", encoding="utf-8") as handle:
            for r in reports:
                handle.write(json.dumps(report_record(r, r.report_id, "")) + "\n")
        with (folder / "claims.jsonl").open("w", encoding="utf-8") as handle:
            for c in claims:
                handle.write(json.dumps(claim_record(c, redactions.get(c.report_id))) + "\n")
        (folder / "incidents.jsonl").write_text("")
        return _scorer().score(gold, str(folder))


def with_boilerplate(report: Report, spans: Iterable[tuple[int, int]]) -> Report:
    return replace(report, boilerplate=tuple(spans))
