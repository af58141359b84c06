"""Validation at scale: what each step of ``cnc-kg validate`` costs, and the SHACL engines for
Python compared with pySHACL on our shapes. Results and how they were read: bench/validation.md.

    python -m bench.validation steps --sizes 10000,100000,1000000
        each size in a fresh process: ``validate_project`` (parse, reasoner, shapes-check, shacl)
        on a synthetic project, seconds per step and peak memory
    python -m bench.validation engines --sizes 10000,100000
        every SHACL engine installed (``pip install -e '.[shacl-engines]'``) on the test examples,
        the repository's data and synthetic projects; each report compared with pySHACL's

``measure_validation(sizes)`` and ``compare_engines(sizes)`` are what ``make bench`` can call.
Each measurement runs in its own process: peak memory is that process's ``VmHWM``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path

import click

REPO = Path(__file__).resolve().parents[1]
WORK = Path(tempfile.gettempdir()) / "cnc-kg-bench-validation"
SEED = 7
EXAMPLES = REPO / "tests" / "shapes"
BROKEN = REPO / "tests" / "broken"


def peak_mb() -> float:
    """This process's peak resident set size (``VmHWM``), in MB."""
    status = Path("/proc/self/status").read_text(encoding="ascii")
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kib) / 1024


def synthetic(size: int, work: Path = WORK, seed: int = SEED) -> Path:
    """A synthetic project of about ``size`` data triples (generated once, then reused)."""
    from server.project.synthetic import MARKER, generate_project

    folder = work / f"synthetic-{size}-seed{seed}"
    if not (folder / MARKER).exists():
        generate_project(REPO, folder, size, seed)
    return folder


# --- the steps of cnc-kg validate ---------------------------------------------------------------

def _steps_here(root: Path, reasoner: bool, shapes_check: bool) -> dict:
    """``validate_project`` on the project at ``root``, in this process."""
    from server.config import load_settings
    from server.project.validation import validate_project

    started = time.perf_counter()
    run = validate_project(load_settings(root=root), reasoner=reasoner,
                           shapes_check=shapes_check)
    return {"seconds": round(time.perf_counter() - started, 3),
            "steps": {step: round(seconds, 3) for step, seconds in run.durations.items()},
            "cpu": {step: round(seconds, 3) for step, seconds in run.cpu.items()},
            "peak_mb": round(peak_mb(), 1),
            "violations": run.report.violations, "warnings": run.report.warnings,
            "entries": len(run.report.entries)}


def measure_validation(sizes: Iterable[int], reasoner: bool = True, shapes_check: bool = True,
                       timeout: float = 1800, work: Path = WORK) -> dict:
    """Seconds per step and peak MB of ``cnc-kg validate`` on a synthetic project of each size,
    each in a fresh process; ``{"timeout": ...}`` for a size that takes over ``timeout``."""
    results = {}
    for size in sizes:
        root = synthetic(size, work)
        command = [sys.executable, "-m", "bench.validation", "_steps", str(root)]
        command += [] if reasoner else ["--no-reasoner"]
        command += [] if shapes_check else ["--no-shapes-check"]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                  cwd=REPO)
        except subprocess.TimeoutExpired:
            results[size] = {"timeout": timeout}
            continue
        if done.returncode != 0:
            results[size] = {"error": done.stderr.strip()[-800:]}
            continue
        results[size] = json.loads(done.stdout)
    return results


# --- the SHACL engines ----------------------------------------------------------------------------
# Every engine gets the same two files: the data graph (data + ontology, as our validation runs
# it) in N-Triples and the shapes graph in Turtle. Its report is read back into the project's
# Finding records, so reports compare field by field.

def _findings_of_results_graph(results) -> list:
    """Findings from a W3C sh:ValidationReport graph (rdflib), as the project reads pySHACL's."""
    from server.project.shacl import report_of_results

    return report_of_results(results).findings


def _rdflib_graph(text: str, form: str):
    from rdflib import Graph

    return Graph().parse(data=text, format=form)


def pyshacl_findings(data, shapes) -> list:
    """pySHACL's findings as the project had them before issue 16 (rdflib graphs in, no
    inference, each SPARQL query parsed once: rdflib would parse it again for every focus node).
    The reference every engine is compared with; tests/test_shapes.py checks ours against it."""
    import pyshacl
    from rdflib import Graph
    from rdflib.plugins.sparql import prepareQuery

    prepared: dict = {}

    class PreparedQueryGraph(Graph):
        def query(self, query_object, processor="sparql", result="sparql", initNs=None,  # noqa: N803
                  initBindings=None, use_store_provided=True, **kwargs):  # noqa: N803
            if isinstance(query_object, str) and not initNs:
                if query_object not in prepared:
                    prepared[query_object] = prepareQuery(query_object)
                query_object = prepared[query_object]
            return super().query(query_object, processor, result, initNs, initBindings,
                                 use_store_provided, **kwargs)

    graph = PreparedQueryGraph()
    for triple in data.triples((None, None, None)):
        graph.add(triple)
    _conforms, results, _text = pyshacl.validate(
        graph, shacl_graph=Graph() + shapes, inference="none", abort_on_first=False,
        allow_warnings=True)
    return _findings_of_results_graph(results)


def _engine_pyshacl(data: Path, shapes: Path) -> list:
    from rdflib import Graph

    return pyshacl_findings(Graph().parse(data, format="nt"), Graph().parse(shapes))


def _engine_cnc_kg(data: Path, shapes: Path) -> list:
    """The project's ``server.project.shacl.validate_ntriples`` (what cnc-kg validate runs)."""
    from rdflib import Graph

    from server.project.shacl import validate_ntriples

    return validate_ntriples(data.read_bytes(), Graph().parse(shapes, format="turtle")).findings


def _engine_pyshacl_turbo(data: Path, shapes: Path) -> list:
    import pyshacl_turbo
    from rdflib import Graph

    _conforms, results, _text = pyshacl_turbo.validate(
        str(data), data_graph_format="nt", shacl_graph=Graph().parse(shapes, format="turtle"),
        inference="none", abort_on_first=False, allow_warnings=True)
    return _findings_of_results_graph(results)


def _engine_pyrudof(data: Path, shapes: Path) -> list:
    import pyrudof

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(str(data), format=pyrudof.RDFFormat.NTriples)
    rudof.read_shacl(str(shapes), format=pyrudof.ShaclFormat.Turtle)
    rudof.validate_shacl()
    text = rudof.serialize_shacl_validation_results(
        format=pyrudof.ResultShaclValidationFormat.NTriples)
    return _findings_of_results_graph(_rdflib_graph(text, "nt"))


def _engine_maplib(data: Path, shapes: Path) -> list:
    import maplib

    model = maplib.Model()
    model.read(str(data), format="ntriples")
    model.read(str(shapes), format="turtle", graph="urn:cnc-kg:shapes")
    report = model.validate(shape_graph="urn:cnc-kg:shapes", report_graph="urn:cnc-kg:report")
    text = model.writes(format="ntriples", graph="urn:cnc-kg:report") if not report.conforms \
        else ""
    return _findings_of_results_graph(_rdflib_graph(text, "nt"))


def _engine_shacl(data: Path, shapes: Path) -> list:
    import shacl

    report = shacl.Shapes.from_file(str(shapes)).validate_file(str(data), allow_warnings=True)
    return _findings_of_results_graph(_rdflib_graph(report.serialize("ntriples"), "nt"))


def _engine_shacl_rust(data: Path, shapes: Path) -> list:
    import shacl_rust
    from rdflib.util import from_n3

    from server.project.shacl import Finding

    def text(term):  # its report gives N-Triples terms
        return None if term is None else str(from_n3(term))

    def _path(path):  # a compound path comes in SPARQL syntax, as ours is written
        return text(path) if path is None or re.fullmatch(r"<[^<>]*>", path) else path

    report = shacl_rust.validate_file(str(data), str(shapes))
    # Its messages are the engine's own, then the shape's sh:message: keep the shape's.
    return [Finding(severity=text(r["severity"]).rsplit("#", 1)[-1],
                    focus_node=text(r["focusNode"]), path=_path(r.get("resultPath")),
                    value=text(r.get("value")), message=(r.get("messages") or [""])[-1],
                    shape=text(r.get("sourceShape")),
                    constraint=text(r.get("sourceConstraintComponent")))
            for r in report["results"]]


def _engine_shifty(data: Path, shapes: Path) -> list:
    import shifty

    _conforms, results, _text = shifty.validate(data, shapes, infer=False)
    return _findings_of_results_graph(results)


ENGINES: dict[str, tuple[str, Callable[[Path, Path], list]]] = {
    # name: (distribution, adapter)
    "pyshacl": ("pyshacl", _engine_pyshacl),
    "cnc-kg": ("cnc-kg", _engine_cnc_kg),
    "pyshacl-turbo": ("pyshacl-turbo", _engine_pyshacl_turbo),
    "pyrudof": ("pyrudof", _engine_pyrudof),
    "maplib": ("maplib", _engine_maplib),
    "shacl": ("shacl", _engine_shacl),
    "shacl-rust": ("shacl-rust", _engine_shacl_rust),
    "pyshifty": ("pyshifty", _engine_shifty),
}
REFERENCE = "pyshacl"


def _key(finding) -> tuple:
    """What must be equal between two engines' findings (blank nodes compared as such)."""
    def term(text):  # blank node labels are each engine's own; an IRI has a colon
        return text if text is None or ":" in text else "_:blank"
    return (finding.severity, term(finding.focus_node), finding.path, term(finding.shape),
            finding.constraint, finding.value, finding.message)


def _run_engine_here(engine: str, cases: list[dict]) -> dict:
    """Run ``engine`` on every case in this process: findings and seconds per case."""
    _distribution, adapter = ENGINES[engine]
    outcome = {}
    for case in cases:
        started = time.perf_counter()
        try:
            findings = adapter(Path(case["data"]), Path(case["shapes"]))
        except BaseException as error:  # a Rust panic is no Exception; a failure is a result
            if isinstance(error, KeyboardInterrupt | SystemExit):
                raise
            outcome[case["name"]] = {"error": f"{type(error).__name__}: {str(error)[:600]}"}
            continue
        outcome[case["name"]] = {"seconds": round(time.perf_counter() - started, 3),
                                 "findings": [list(_key(f)) for f in findings]}
    return {"engine": engine, "peak_mb": round(peak_mb(), 1), "cases": outcome}


def _installed(engine: str) -> str | None:
    distribution = ENGINES[engine][0]
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _write_case(name: str, data_files: list[Path], folder: Path) -> dict:
    """One case's data graph (the data files + the ontology) as N-Triples, shapes as Turtle."""
    import pyoxigraph as ox
    from rdflib import Graph

    data = folder / f"{name}.nt"
    data.parent.mkdir(parents=True, exist_ok=True)
    with data.open("wb") as out:
        for file in [*data_files, *sorted((REPO / "ontology").glob("*.ttl"))]:
            ox.serialize(ox.parse(path=str(file), format=ox.RdfFormat.TURTLE), out,
                         format=ox.RdfFormat.N_TRIPLES)
    shapes = folder / "shapes.ttl"
    if not shapes.exists():
        graph = Graph()
        for file in sorted((REPO / "shapes").glob("*.ttl")):
            graph.parse(file, format="turtle")
        graph.serialize(shapes, format="turtle")
    return {"name": name, "data": str(data), "shapes": str(shapes)}


def example_cases(work: Path = WORK) -> list[dict]:
    """The test examples (each valid file, each invalid file and all invalid files together, on
    the base network), the broken data folders that reach SHACL, and the repository's data."""
    folder = work / "cases"
    base = EXAMPLES / "valid" / "network.ttl"
    invalid = sorted((EXAMPLES / "invalid").glob("*.ttl"))
    cases = [_write_case(f"valid/{f.stem}", [base, f], folder)
             for f in sorted((EXAMPLES / "valid").glob("*.ttl"))]
    cases.append(_write_case("invalid/all", [base, *invalid], folder))
    cases += [_write_case(f"invalid/{f.stem}", [base, f], folder) for f in invalid]
    for name in ("no-source", "type-conflict"):
        cases.append(_write_case(f"broken/{name}", sorted((BROKEN / name).glob("*.ttl")),
                                 folder))
    cases.append(_write_case("repository/data", sorted((REPO / "data").glob("*.ttl")),
                             folder))
    return cases


def size_case(size: int, work: Path = WORK, mutated: bool = False) -> dict:
    """The synthetic project of ``size`` triples as one case; ``mutated`` adds every invalid
    example (and their base), so a large graph also carries every kind of finding."""
    root = synthetic(size, work)
    files = sorted((root / "data").glob("*.ttl"))
    if mutated:
        files += [EXAMPLES / "valid" / "network.ttl", *sorted((EXAMPLES / "invalid").glob("*.ttl"))]
    return _write_case(f"synthetic/{size}{'+invalid' if mutated else ''}", files, work / "cases")


def _run_engine(engine: str, cases: list[dict], timeout: float) -> dict:
    """``_run_engine_here`` in a fresh process (its own peak memory; a hang is cut)."""
    spec = WORK / f"cases-{engine}-{os.getpid()}.json"
    spec.parent.mkdir(parents=True, exist_ok=True)
    spec.write_text(json.dumps(cases), encoding="utf-8")
    try:
        done = subprocess.run([sys.executable, "-m", "bench.validation", "_engine", engine,
                               str(spec)], capture_output=True, text=True, timeout=timeout,
                              cwd=REPO)
    except subprocess.TimeoutExpired:
        return {"engine": engine, "timeout": timeout, "cases": {}}
    finally:
        spec.unlink(missing_ok=True)
    if done.returncode != 0:
        return {"engine": engine, "error": done.stderr.strip()[-800:], "cases": {}}
    return json.loads(done.stdout)


def _difference(reference: list, other: list) -> dict:
    """Findings only one side reports, as counts by shape and a few examples."""
    ref, got = Counter(map(tuple, reference)), Counter(map(tuple, other))
    missing, extra = list((ref - got).elements()), list((got - ref).elements())

    def fields_only(findings, width):  # severity, focus, path, shape, component
        return Counter(tuple(f[:width]) for f in findings)
    core_same = fields_only(reference, 5) == fields_only(other, 5)
    return {"same": not missing and not extra,
            "same_apart_from_value_and_message": core_same,
            "missing": len(missing), "extra": len(extra),
            "missing_by_shape": dict(Counter(f[3] for f in missing)),
            "extra_by_shape": dict(Counter(f[3] for f in extra)),
            "missing_examples": missing[:3], "extra_examples": extra[:3]}


def compare_engines(sizes: Iterable[int] = (10_000, 100_000), engines: Iterable[str] | None = None,
                    timeout: float = 1800, work: Path = WORK, reference: str = REFERENCE) -> dict:
    """Every installed engine on the examples and each size: does its report equal the
    ``reference`` engine's (pySHACL's), and its seconds and peak MB per size."""
    names = [e for e in (engines or ENGINES) if _installed(e)]
    if reference not in names:
        names.insert(0, reference)
    results: dict = {"engines": {name: _installed(name) for name in names},
                     "examples": {}, "sizes": {}}
    examples = [*example_cases(work), size_case(10_000, work, mutated=True)]
    runs = {name: _run_engine(name, examples, timeout) for name in names}
    expected = runs[reference]["cases"]
    for name in names:
        run = runs[name]
        verdicts = {}
        for case in examples:
            got = run["cases"].get(case["name"], {"error": run.get("error", "no result")})
            if "findings" not in got or "findings" not in expected.get(case["name"], {}):
                verdicts[case["name"]] = {"same": False, "error": got.get("error")}
            else:
                verdicts[case["name"]] = _difference(expected[case["name"]]["findings"],
                                                     got["findings"])
        results["examples"][name] = {
            "same_on_all": all(v["same"] for v in verdicts.values()),
            "cases_differing": {k: v for k, v in verdicts.items() if not v["same"]},
            "seconds": round(sum(c.get("seconds", 0) for c in run["cases"].values()), 2),
            "error": run.get("error") or run.get("timeout")}
    for size in sizes:
        case = size_case(size, work)
        per_engine = {name: _run_engine(name, [case], timeout) for name in names}
        ref = per_engine[reference]["cases"].get(case["name"], {})
        row = {}
        for name, run in per_engine.items():
            got = run["cases"].get(case["name"], {})
            row[name] = {"seconds": got.get("seconds"), "peak_mb": run.get("peak_mb"),
                         "findings": len(got.get("findings", [])),
                         "error": got.get("error") or run.get("error") or run.get("timeout")}
            if "findings" in got and "findings" in ref:
                row[name]["vs_reference"] = _difference(ref["findings"], got["findings"])
        results["sizes"][size] = row
    return results


# --- command line ---------------------------------------------------------------------------------

@click.group()
def main() -> None:
    """Measure validation (see the module's documentation)."""


def _sizes(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s.strip()]


@main.command()
@click.option("--sizes", default="10000,100000,1000000", show_default=True)
@click.option("--reasoner/--no-reasoner", default=True, show_default=True)
@click.option("--shapes-check/--no-shapes-check", default=True, show_default=True)
def steps(sizes: str, reasoner: bool, shapes_check: bool) -> None:
    """Seconds per step and peak MB of cnc-kg validate at each size (JSON)."""
    click.echo(json.dumps(measure_validation(_sizes(sizes), reasoner, shapes_check), indent=2))


@main.command()
@click.option("--sizes", default="10000,100000", show_default=True)
@click.option("--engines", "names", default=",".join(ENGINES), show_default=True)
@click.option("--reference", default=REFERENCE, show_default=True,
              help="The engine whose report the others must give.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None)
def engines(sizes: str, names: str, reference: str, out: Path | None) -> None:
    """Each installed SHACL engine against pySHACL: same report? time and peak MB (JSON)."""
    results = compare_engines(_sizes(sizes), [n for n in names.split(",") if n],
                              reference=reference)
    text = json.dumps(results, indent=2, ensure_ascii=False)
    if out:
        out.write_text(text + "\n", encoding="utf-8")
    click.echo(text)


@main.command("_steps", hidden=True)
@click.argument("root", type=click.Path(path_type=Path))
@click.option("--reasoner/--no-reasoner", default=True)
@click.option("--shapes-check/--no-shapes-check", default=True)
def _steps_command(root: Path, reasoner: bool, shapes_check: bool) -> None:
    click.echo(json.dumps(_steps_here(root, reasoner, shapes_check)))


@main.command("_engine", hidden=True)
@click.argument("engine")
@click.argument("spec", type=click.Path(path_type=Path))
def _engine_command(engine: str, spec: Path) -> None:
    click.echo(json.dumps(_run_engine_here(engine, json.loads(spec.read_text("utf-8")))))


if __name__ == "__main__":
    main()
