"""``cnc-kg generate``: deterministic, sized as asked, valid against our shapes, kept apart."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from generating import generate_cli
from rdflib import Graph

from server.config import load_settings
from server.project.files import load_project
from server.project.shacl import validate
from server.project.synthetic import (
    COUNTRIES,
    DATA_FILE,
    SYNTHETIC_NS,
    GenerationRefused,
    generate_project,
)

REPO = Path(__file__).resolve().parent.parent


def _count_triples(folder: Path) -> int:
    return sum(1 for file in sorted((folder / "data").glob("*.ttl"))
               for _ in ox.parse(path=str(file), format=ox.RdfFormat.TURTLE))


def _tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def project_10k(synthetic_10k: Path) -> Path:
    """A 10k-triple synthetic folder written by the real command (seed 7)."""
    return synthetic_10k


def test_same_seed_same_bytes_other_seed_other_bytes(project_10k: Path, tmp_path: Path):
    generate_cli(tmp_path / "again", 10_000, seed=7)
    generate_cli(tmp_path / "other", 10_000, seed=8)
    first = (project_10k / "data" / DATA_FILE).read_bytes()
    assert (tmp_path / "again" / "data" / DATA_FILE).read_bytes() == first
    assert (tmp_path / "other" / "data" / DATA_FILE).read_bytes() != first
    assert _tree_digest(tmp_path / "again") == _tree_digest(project_10k)


@pytest.mark.parametrize("target", [3_000, 10_000, 150_000])
def test_triple_count_within_five_percent(tmp_path: Path, target: int):
    result = generate_project(REPO, tmp_path / "out", target, seed=1)
    counted = _count_triples(tmp_path / "out")
    assert counted == result.triples
    assert abs(counted - target) <= 0.05 * target
    marker = json.loads((tmp_path / "out" / "generate.json").read_text(encoding="utf-8"))
    assert marker["triples"] == counted and marker["target_triples"] == target


def test_10k_folder_passes_the_shapes(project_10k: Path):
    project = load_project(load_settings(root=project_10k))
    report = validate(project.data, project.ontology, Graph() + project.shapes)
    assert report.violations == [], report.violations[:5]
    assert report.conforms


def test_own_namespace_and_copied_project_folders(project_10k: Path):
    subjects = {q.subject.value for q in ox.parse(path=str(project_10k / "data" / DATA_FILE),
                                                  format=ox.RdfFormat.TURTLE)}
    assert subjects and all(s.startswith(SYNTHETIC_NS) for s in subjects)
    countries = {q.subject.value for q in ox.parse(
        path=str(project_10k / "data" / "countries.ttl"), format=ox.RdfFormat.TURTLE)}
    assert countries == set(COUNTRIES)
    for name in ("ontology", "shapes", "queries"):
        if (REPO / name).is_dir():
            assert _tree_digest(project_10k / name) == _tree_digest(REPO / name)


def test_repository_data_untouched_and_refused_as_target(tmp_path: Path):
    before = _tree_digest(REPO / "data")
    generate_project(REPO, tmp_path / "out", 2_000, seed=3)
    for target in (REPO, REPO / "data", REPO / "data" / "synthetic"):
        with pytest.raises(GenerationRefused, match="refusing"):
            generate_project(REPO, target, 2_000, seed=3)
    assert _tree_digest(REPO / "data") == before


def test_foreign_folder_is_not_overwritten(tmp_path: Path):
    (tmp_path / "mine.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(GenerationRefused, match="not a generated folder"):
        generate_project(REPO, tmp_path, 2_000, seed=3)
    assert (tmp_path / "mine.txt").read_text(encoding="utf-8") == "keep me"
