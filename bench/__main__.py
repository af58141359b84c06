"""``python -m bench``: measure every size, then write bench/results.{md,json} + plot."""

from __future__ import annotations

import datetime
import json
import os
import platform
import signal
import sys
import time
from importlib import metadata
from pathlib import Path

import click

from bench.curated import project_copy
from bench.report import earlier_profiles, write_results
from bench.runner import Options, measure_curated, measure_size
from bench.summary import summarise

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SIZES = "10000,100000,1000000"
PACKAGES = ("pyoxigraph", "rdflib", "rdflib-endpoint", "flask", "gunicorn", "uvicorn")


def _environment(shared: bool) -> dict:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    note = ("the machine was shared with other jobs during this run: expect noise (compare "
            "ratios measured in the same run, not absolute times)" if shared else
            "the machine was otherwise idle during this run")
    return {"date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "cpus": os.cpu_count(), "memory_gb": memory, "python": platform.python_version(),
            "versions": versions, "note": note}


@click.command()
@click.option("--sizes", default=DEFAULT_SIZES, show_default=True,
              help="Comma-separated data sizes in triples (add 10000000 where time allows).")
@click.option("--repeats", default=5, show_default=True, help="Timed runs per query and engine.")
@click.option("--timeout", "timeout_s", default=20.0, show_default=True,
              help="Per-query time limit in seconds, every engine.")
@click.option("--seed", default=0, show_default=True, help="Seed of the synthetic data.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=REPO / "bench", show_default=True, help="Where results are written.")
@click.option("--shared/--idle", default=True, show_default=True,
              help="Say in the results whether other jobs shared the machine.")
@click.option("--keep-other-sizes/--only-these-sizes", default=True, show_default=True,
              help="Keep the sizes of the last results.json that this run does not measure "
                   "(10M is measured once in a while), each with the date of its run.")
def main(sizes: str, repeats: int, timeout_s: float, seed: int, out: Path,
         shared: bool, keep_other_sizes: bool) -> None:
    """Run the benchmark (about 15 minutes at the default sizes on 2 cores)."""
    # A stopped run (Ctrl-C, `timeout`) still stops the servers it started: their context
    # managers only run on an exception, which SIGTERM does not raise by default.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.perf_counter()
    options = Options(repo=REPO, work=out / "work", seed=seed, repeats=repeats,
                      timeout_s=timeout_s)
    options.work.mkdir(parents=True, exist_ok=True)
    results: dict = {"environment": _environment(shared),
                     "options": {"repeats": repeats, "timeout_s": timeout_s, "seed": seed,
                                 "budget_s": options.budget_s,
                                 "wrk_seconds": options.wrk_seconds,
                                 "wrk_connections": options.wrk_connections,
                                 "load_rounds": options.load_rounds,
                                 "rdflib_max_size": options.rdflib_max_size,
                                 "raw_max_size": options.raw_max_size,
                                 "validate_max_size": options.validate_max_size},
                     "sizes": []}
    measured = {int(s) for s in sizes.split(",") if s.strip()}
    before = earlier_profiles(out / "results.json", measured)
    if keep_other_sizes:
        results["sizes"] = _earlier_sizes(out / "results.json", measured)
    print("== curated data", flush=True)
    results["curated"] = measure_curated(project_copy(options.repo, options.work), options)
    for size in (int(s) for s in sizes.split(",") if s.strip()):
        result = measure_size(size, options)
        result["summary"] = summarise(result, timeout_s)
        result["run_date"] = results["environment"]["date"]
        if size in before:
            result["profile_before"] = before[size]
        results["sizes"].append(result)
        results["duration_s"] = time.perf_counter() - started
        write_results(results, out)      # after each size, so a stopped run still reports
    click.echo(f"wrote {out / 'results.md'} in {time.perf_counter() - started:.0f} s")


def _earlier_sizes(path: Path, measured: set[int]) -> list[dict]:
    """The sizes of an earlier results file that this run does not measure, dated."""
    if not path.exists():
        return []
    earlier = json.loads(path.read_text(encoding="utf-8"))
    date = earlier.get("environment", {}).get("date")
    return [{"run_date": date, **size} for size in earlier.get("sizes", [])
            if size["size"] not in measured]


if __name__ == "__main__":
    main()
