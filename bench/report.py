"""``bench/results.md`` (tables), ``bench/results.json`` and the plot of latency vs graph size."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from bench.summary import DISTINCT_CHEAP, ENGINES, common_latency, targets

PLOT = "latency-vs-size.png"
LOAD_RUN_ENGINES = ("cnc-kg", "virtuoso", "rdflib-endpoint")


def _num(value: float | None, digits: int = 1, unit: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}{unit}"


def _cell(cell: dict | None, timeout_s: float) -> str:
    if not isinstance(cell, dict):
        return "—"
    if cell.get("status") == "ok":
        return _num(cell["median_ms"], 2)
    if cell.get("status") == "timeout":
        return f"> {timeout_s:g} s"
    return cell.get("status", "—")


def _ratio(stats: dict) -> str:
    if stats["geomean"] is None:
        return "—"
    bound = f" (≥; {stats['lower_bounds']} at the time limit)" if stats["lower_bounds"] else ""
    return (f"{stats['geomean']:.2f}× (median {stats['median']:.2f}×, "
            f"range {stats['min']:.2f}–{stats['max']:.2f}, n={stats['queries']}){bound}")


def write_plot(results: dict, path: Path) -> None:
    """Latency (geometric mean over queries all engines answered) and throughput vs size."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(results["sizes"], key=lambda s: s["triples"])
    figure, (latency, rate) = plt.subplots(1, 2, figsize=(11, 4.2))
    for engine in ENGINES:
        points = [(s["triples"], common_latency(s).get(engine)) for s in sizes]
        points = [(x, y) for x, y in points if y]
        if points:
            latency.plot(*zip(*points, strict=True), marker="o", label=engine)
    latency.set(xscale="log", yscale="log", xlabel="triples", ylabel="ms (geometric mean)",
                title="Query latency (queries all engines answered)")
    latency.legend()
    for engine in LOAD_RUN_ENGINES:
        points = [(s["triples"], s.get("load_runs", {}).get(engine, {})
                   .get("cheap SELECT", {}).get("requests_per_s")) for s in sizes]
        points = [(x, y) for x, y in points if y]
        if points:
            rate.plot(*zip(*points, strict=True), marker="o", label=engine)
    rate.set(xscale="log", yscale="log", xlabel="triples", ylabel="requests/s",
             title=f"Cheap SELECT under load (wrk -c{results['options']['wrk_connections']})")
    rate.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _load_table(results: dict) -> list[str]:
    lines = ["| triples | pyoxigraph load | pyoxigraph peak | rdflib load | rdflib peak | "
             "load ratio | memory ratio | cnc-kg start-up | cnc-kg pages ready | "
             "rdflib-endpoint start-up | Virtuoso start + bulk load |", "|" + "---|" * 11]
    for s in sorted(results["sizes"], key=lambda s: s["triples"]):
        ox, rd = s["load"]["pyoxigraph"], s["load"]["rdflib"]

        def load(cell):
            if cell.get("timeout"):
                return f"> {cell['limit_s']:g} s", "—"
            if cell.get("not_run"):
                return "not run", "—"
            if "error" in cell:
                return "error", "—"
            return _num(cell["seconds"], 2, " s"), _num(cell["peak_mb"], 0, " MB")

        (ox_s, ox_mb), (rd_s, rd_mb) = load(ox), load(rd)
        both = "seconds" in ox and "seconds" in rd
        start = s["startup"]
        virt = (f"{start['virtuoso']:.1f} s + {start['virtuoso_bulk_load']:.1f} s"
                if "virtuoso" in start else "—")
        rdflib_start = ", ".join(f"{v:.1f} s" for v in start.get("rdflib-endpoint", [])) or "—"
        lines.append(
            f"| {s['triples']:,} | {ox_s} | {ox_mb} | {rd_s} | {rd_mb} | "
            f"{_num(rd['seconds'] / ox['seconds'], 1, '×') if both else '—'} | "
            f"{_num(rd['peak_mb'] / ox['peak_mb'], 1, '×') if both else '—'} | "
            f"{_num(start.get('cnc-kg'), 2, ' s')} | {_num(start.get('cnc-kg pages'), 2, ' s')} | "
            f"{rdflib_start} | {virt} |")
    return lines


def _query_tables(results: dict) -> list[str]:
    timeout = results["options"]["timeout_s"]
    lines = []
    for s in sorted(results["sizes"], key=lambda s: s["triples"]):
        lines += [f"### {s['triples']:,} triples", "",
                  "Median ms per query (answer read to its last byte); rows = answer size on "
                  "our endpoint.", "",
                  "| query | group | cnc-kg HTTP | raw pyoxigraph | HTTP/raw | Virtuoso | "
                  "rdflib-endpoint | rows |", "|" + "---|" * 8]
        for r in s["queries"]:
            ours, raw = r.get("cnc-kg", {}), r.get("raw", {})
            ratio = (_num(ours["median_ms"] / raw["median_ms"], 2, "×")
                     if ours.get("status") == raw.get("status") == "ok" and raw["median_ms"]
                     else "—")
            counts = {c["rows"] for c in (r.get(e) for e in ENGINES)
                      if isinstance(c, dict) and c.get("rows") is not None}
            # graphs come back in each engine's own syntax: only SELECT rows compare
            differ = r["form"] == "SELECT" and len(counts) > 1
            rows = f"{ours.get('rows', '—')}" + (" (engines differ)" if differ else "")
            lines.append(f"| {r['name']} | {r['group']} | {_cell(ours, timeout)} | "
                         f"{_cell(raw, timeout)} | {ratio} | {_cell(r.get('virtuoso'), timeout)}"
                         f" | {_cell(r.get('rdflib-endpoint'), timeout)} | {rows} |")
        lines += ["", "| group | speed-up vs rdflib-endpoint | our time / Virtuoso's | "
                  "HTTP / raw | median HTTP cost |", "|---|---|---|---|---|"]
        for group, g in s["summary"].items():
            if g["queries"]:
                lines.append(f"| {group} ({g['queries']}) | "
                             f"{_ratio(g['speedup_vs_rdflib_endpoint'])} | "
                             f"{_ratio(g['vs_virtuoso'])} | {_ratio(g['http_overhead'])} | "
                             f"{_num(g['http_overhead_median_ms'], 2, ' ms')} |")
        lines.append("")
    return lines


def _pages_table(results: dict) -> list[str]:
    timeout = results["options"]["timeout_s"]
    columns = [("curated", results.get("curated", {}))] + [
        (f"{s['triples']:,}", s) for s in sorted(results["sizes"], key=lambda s: s["triples"])]
    names = list(dict.fromkeys(n for _, c in columns for n in c.get("pages", {})))
    lines = ["Median ms per page (HTML, one client, keep-alive; entity = "
             + ", ".join(f"{label}: `{c.get('pages', {}).get('entity', {}).get('path', '—')}`"
                         for label, c in columns) + ").", "",
             "| page | " + " | ".join(label for label, _ in columns) + " |",
             "|" + "---|" * (len(columns) + 1)]
    for name in names:
        cells = [_cell(c.get("pages", {}).get(name), timeout) for _, c in columns]
        path = next(c["pages"][name]["path"] for _, c in columns if name in c.get("pages", {}))
        shown = "entity" if name == "entity" else f"{name} `{path}`"
        lines.append(f"| {shown} | " + " | ".join(cells) + " |")
    return lines


def _load_run_table(results: dict) -> list[str]:
    o = results["options"]
    rounds = o.get("load_rounds", 1)
    lines = [f"`wrk -t2 -c{o['wrk_connections']} -d{o['wrk_seconds']}s --latency` on loopback; "
             "wrk shares the 2 cores with the server it measures. "
             + (f"Each request in {rounds} rounds, the requests interleaved in each (the "
                f"aggregate once, after them: it leaves queries running that Virtuoso and "
                f"rdflib-endpoint cannot cancel); shown: the round of median rate, and the "
                f"rate of every round." if rounds > 1 else ""), "",
             "| triples | engine | request | requests/s | p50 ms | p90 ms | p99 ms | errors | "
             "every round, requests/s |", "|" + "---|" * 9]
    for s in sorted(results["sizes"], key=lambda s: s["triples"]):
        for engine, runs in s.get("load_runs", {}).items():
            for request, run in runs.items() if isinstance(runs, dict) else ():
                if not isinstance(run, dict) or "requests_per_s" not in run:
                    continue
                if not run["requests"]:
                    lines.append(f"| {s['triples']:,} | {engine} | {request} | 0 (none "
                                 f"finished in {o['wrk_seconds']} s) | — | — | — | — | — |")
                    continue
                p = run["percentiles_ms"]
                lines.append(
                    f"| {s['triples']:,} | {engine} | {request} | "
                    f"{_num(run['requests_per_s'], 0)} | {_num(p.get('p50'), 2)} | "
                    f"{_num(p.get('p90'), 2)} | {_num(p.get('p99'), 2)} | "
                    f"{run['non_2xx'] + run['socket_errors']} | "
                    + ", ".join(_num(r, 0) for r in run.get("rounds_per_s", ())) + " |")
    return lines + slow_rounds(results)


SLOW_ROUND = 0.6          # a round under this share of its request's median rate is explained


def slow_rounds(results: dict) -> list[str]:
    """Where the machine's CPU went in each round much slower than its request's median
    (``bench/machine.py``), next to the median round's."""
    found = []
    for s in sorted(results["sizes"], key=lambda s: s["triples"]):
        for engine, runs in s.get("load_runs", {}).items():
            for request, run in runs.items() if isinstance(runs, dict) else ():
                if not isinstance(run, dict) or not run.get("rounds_cpu"):
                    continue
                median = run["requests_per_s"]
                spreads = run.get("rounds_connections") or [None] * len(run["rounds_cpu"])
                rounds = zip(run["rounds_per_s"], run["rounds_cpu"], spreads, strict=True)
                for n, (rate, cpu, spread) in enumerate(rounds):
                    if cpu and median and rate < SLOW_ROUND * median:
                        found.append(f"- {s['triples']:,}, {engine}, {request}, round {n + 1}: "
                                     f"{_num(rate, 0)} req/s against a median of "
                                     f"{_num(median, 0)}; CPU {_shares(cpu)} (median round: "
                                     f"{_shares(run.get('cpu') or {})})" + _spread(spread, run))
    if not found:
        return []
    return ["", f"Rounds under {SLOW_ROUND:.0%} of their median rate, and where the machine's "
            "CPU time went in each (shares of both cores: the server under test, wrk, engines "
            "left running, other processes, idle, stolen by the host), and how wrk's "
            "connections were spread over the server's processes halfway through it: a web "
            "worker that accepted every connection of a round serves it alone, on one core "
            "(`bench/machine.py`):", "", *found]


def _spread(spread: list[int] | None, median_run: dict) -> str:
    """wrk's connections per server process in a round (and in the median round)."""
    if not spread:
        return ""
    usual = median_run.get("connections")
    return (f"; wrk's connections per server process: {', '.join(map(str, spread))}"
            + (f" (median round: {', '.join(map(str, usual))})" if usual else ""))


def _shares(cpu: dict[str, float]) -> str:
    return ", ".join(f"{name} {share:.0%}" for name, share in
                     sorted(cpu.items(), key=lambda item: -item[1]) if share >= 0.01)


def _notes(results: dict) -> list[str]:
    """Why a target is met or missed, in numbers from this run at 1M triples (or the largest
    size below)."""
    size = max((s for s in results["sizes"] if s["size"] <= 1_000_000),
               key=lambda s: s["size"], default=None) or max(results["sizes"],
                                                             key=lambda s: s["size"])
    summary = size["summary"]
    heavy = next((g for name, g in summary.items() if name.startswith("heavy")), None)
    catalogue_raw = [r["raw"]["median_ms"] for r in size["queries"]
                     if r["group"] == "catalogue" and r.get("raw", {}).get("status") == "ok"]
    describe = next((r for r in size["queries"] if r["name"] == "describe"), {})
    page = size.get("entity_page", {})
    if page.get("status") != "ok":
        page = results.get("curated", {}).get("pages", {}).get("entity", {})
    notes = [f"Numbers at {size['triples']:,} triples."]
    fixed = summary["all"]["http_overhead_median_ms"]
    if catalogue_raw and fixed is not None:
        notes.append(
            f"HTTP overhead: one request costs a median {fixed:.2f} ms more than the raw engine "
            f"(gunicorn, Flask, the query worker's pipe, JSON), while the catalogue queries "
            f"take a median {statistics.median(catalogue_raw):.2f} ms on the raw engine — the "
            "ratio mostly measures that fixed cost. Where the engine works (raw ≥ 10 ms) the "
            f"ratio is {_ratio(heavy['http_overhead']) if heavy else '—'}.")
    if heavy:
        notes.append(
            "rdflib-endpoint answers tiny queries in a few ms as well; the gap opens with the "
            f"work done: on the heavy queries we are {_ratio(heavy['speedup_vs_rdflib_endpoint'])}"
            f" faster, and our time / Virtuoso's is {_ratio(heavy['vs_virtuoso'])}.")
    pages = size.get("pages", {})
    first = pages.get("entity, first visit", {})
    if describe.get("cnc-kg", {}).get("status") == "ok" and page.get("status") == "ok":
        where = ("a synthetic entity at this size" if size.get("entity_page", {}).get("status")
                 == "ok" else "the curated graph (synthetic entities had no page in this run)")
        text = (f"Entity page, on {where}: {page['median_ms']:.2f} ms median once cached — a page "
                "is rendered once per graph version, language and URL, then served from memory"
                "; its main query (describe) alone takes "
                f"{describe['cnc-kg']['median_ms']:.2f} ms through the endpoint at this size.")
        if first.get("status") == "ok":
            text += (f" A first visit (each of {first['runs']} distinct entities fetched once) "
                     f"takes a median {first['median_ms']:.2f} ms: the queries, the view model "
                     "and the templates.")
        notes.append(text + " The throughput run asks for one page again and again, the same "
                     "way, so it measures the path of a page asked for again: its finished "
                     "answer (kept per build, address and the request headers it varies on) "
                     "is sent again without running the view — gunicorn, Flask's request "
                     "handling and the answer's headers are what is left.")
    notes += _cheap_select_note(size)
    notes.append("Start-up: from launching `cnc-kg serve` to the first answer — the HTTP "
                 "server, the app's imports, opening the build's store and page index (nothing "
                 "is parsed or loaded) and starting the engine processes.")
    notes += _closing(results)
    return [f"- {note}" for note in notes]


def _cheap_select_note(size: dict) -> list[str]:
    """What the two cheap SELECT load runs measure, with their rates."""
    runs = size.get("load_runs", {})
    ours, virtuoso = runs.get("cnc-kg", {}), runs.get("virtuoso", {})
    same, new = ours.get("cheap SELECT", {}), ours.get(DISTINCT_CHEAP, {})
    if "requests_per_s" not in same or "requests_per_s" not in new:
        return []

    def rate(run: dict) -> str:
        return f"{run['requests_per_s']:,.0f} req/s" if "requests_per_s" in run else "—"

    return [f"Cheap SELECT: the load run asks one query again and again; each web worker "
            "answers it from the second time on from the answers it keeps for the build it "
            "serves (`answer_cache_mb`), with no engine process — "
            f"{rate(same)}, Virtuoso {rate(virtuoso.get('cheap SELECT', {}))}. "
            f"'{DISTINCT_CHEAP}' asks for the labels of another entity at each request "
            f"(going through {new.get('distinct_paths', 0):,} entities), its text made new by "
            "a comment numbering the request, so each one is read by the guard and answered "
            "by an engine process (a second process, JSON both ways): "
            f"{rate(new)}, Virtuoso {rate(virtuoso.get(DISTINCT_CHEAP, {}))}."]


def earlier_profiles(path: Path, measured: set[int]) -> dict[int, dict]:
    """Per size this run measures again: the µs per request of each kind of request in the
    earlier results file's profile, and that run's date (the report shows before and after)."""
    if not path.exists():
        return {}
    earlier = json.loads(path.read_text(encoding="utf-8"))
    date = earlier.get("environment", {}).get("date")
    return {size["size"]: {"run_date": size.get("run_date", date),
                           "us_per_request": {name: kind["us_per_request"] for name, kind
                                              in size["request_profile"].items()}}
            for size in earlier.get("sizes", [])
            if size["size"] in measured and size.get("request_profile")}


def profile_section(results: dict) -> list[str]:
    """Each kind of request's time in the application, and the functions that take most of it,
    at the largest size profiled."""
    profiled = [s for s in results["sizes"] if s.get("request_profile")]
    if not profiled:
        return ["Not profiled in this run."]
    size = max((s for s in profiled if s["size"] <= 1_000_000), key=lambda s: s["size"],
               default=None) or max(profiled, key=lambda s: s["size"])
    before = size.get("profile_before", {})
    earlier = before.get("us_per_request", {})
    lines = [f"At {size['triples']:,} triples: each kind of request answered "
             "by the application in the benchmark's process (Flask's test client, one thread; "
             "the HTTP front, which costs every request the same, is left out), then profiled "
             "(cProfile: each function's own time, as a share of the request's)"
             + (f"; beside it, the same measure in the run before this one ({before['run_date']}"
                ", same machine, another time: the code in between changed)" if earlier else "")
             + ".", "",
             "| request | µs per request | run before | where the time goes |", "|---|---|---|---|"]
    for name, kind in size["request_profile"].items():
        groups = ", ".join(f"{group} {share:.0%}" for group, share in kind["groups"].items()
                           if share >= 0.01)
        lines.append(f"| {name} | {kind['us_per_request']:,.0f} | "
                     f"{_num(earlier.get(name), 0)} | {groups} |")
    for name, kind in size["request_profile"].items():
        lines += ["", f"Top functions, {name}:", "", "| function | group | share |",
                  "|---|---|---|"]
        lines += [f"| `{row['function']}` | {row['group']} | {row['share']:.0%} |"
                  for row in kind["top"]]
    return lines


def _build_table(results: dict) -> list[str]:
    lines = ["| triples | build (validation included) | validation steps | store on disk | "
             "page index | start-up | pages ready | PSS started | PSS after load | "
             "search median (max) |", "|" + "---|" * 10]
    rows = [("curated", results.get("curated", {}))] + [
        (f"{s['triples']:,}", s) for s in sorted(results["sizes"], key=lambda s: s["triples"])]
    for name, s in rows:
        build = s.get("build", {})
        steps = build.get("steps_s", {})
        checking = sum(steps.get(k, 0) for k in ("parse", "reasoner", "shapes-check", "shacl",
                                                 "language"))
        start = s.get("startup", {}) if "startup" in s and isinstance(s["startup"], dict) \
            else {"cnc-kg": s.get("startup_s"), "cnc-kg pages": s.get("pages_s")}
        memory = s.get("memory_mib", {})
        if not isinstance(memory, dict):
            memory = {"started": memory}
        search = s.get("search", {})
        validation = (_num(checking, 1, ' s') if build.get("validated", True)
                      else "not validated (memory)")
        lines.append(
            f"| {name} | {_num(build.get('seconds'), 1, ' s')} | {validation} | "
            f"{_num(build.get('store_mb'), 0, ' MB')} | "
            f"{_num(build.get('page_index_mb'), 0, ' MB')} | {_num(start.get('cnc-kg'), 2, ' s')}"
            f" | {_num(start.get('cnc-kg pages'), 2, ' s')} | "
            f"{_num(memory.get('started'), 0, ' MiB')} | "
            f"{_num(memory.get('after load'), 0, ' MiB')} | "
            f"{_num(search.get('median_ms'), 1, ' ms')} ({_num(search.get('max_ms'), 1)}) |")
    return lines


def _closing(results: dict) -> list[str]:
    """The targets this run missed, named plainly."""
    return [f"{'Beyond issue 16, missed' if t.get('beyond') else 'Missed'}: {t['target']} "
            f"({_num(t['measured'], 2)} {t['unit']}, goal {t['goal']} {t['unit']})."
            for t in results["targets"] if t["met"] is False]


def _rate(runs: dict) -> str:
    """The entity page's requests per second in a set of load runs, or why there is none."""
    run = runs.get("entity page") or {}
    if "requests_per_s" not in run:
        return f"— ({runs.get('error') or run.get('error') or 'not run'})"
    errors = run["non_2xx"] + run["socket_errors"]
    return f"{run['requests_per_s']:,.0f} req/s" + (f" ({errors} errors)" if errors else "")


def write_markdown(results: dict, path: Path) -> None:
    """The human-readable results."""
    env = results["environment"]
    lines = ["# Benchmark results", "",
             "Generated by `make bench` (`python -m bench`) — do not edit; numbers "
             "change from run to run.", "",
             f"- date: {env['date']}; {env['cpus']} CPUs, {env['memory_gb']:.0f} GB; "
             f"Python {env['python']}; " + ", ".join(f"{k} {v}" for k, v in env["versions"]
                                                     .items()),
             "- load average before/after each size: " + "; ".join(
                 f"{s['triples']:,}: {s['loadavg_before'][0]:.1f} → {s['loadavg_after'][0]:.1f}"
                 for s in results["sizes"]),
             *[f"- {s['triples']:,} triples: from the run of {s['run_date']}, kept until this "
               "size is measured again" for s in results["sizes"]
               if s.get("run_date", env["date"]) != env["date"]],
             f"- {env['note']}",
             f"- per query: one warm-up, then the median of up to {results['options']['repeats']}"
             f" runs (fewer past {results['options']['budget_s']:g} s), each run's text ending "
             "in a comment of its own (`# run N`), so that no engine answers from answers it "
             "kept (ours keeps them per build: the load runs measure that); time limit "
             f"{results['options']['timeout_s']:g} s on every engine (rdflib-endpoint has none: "
             "the client gives up and the endpoint is restarted; nor has the raw engine, "
             "pyoxigraph in the benchmark's own process, which is therefore not run above "
             f"{results['options'].get('raw_max_size', float('inf')):,} triples: at 10M it "
             "took that process past 21 GB). Sizes above "
             f"{results['options'].get('validate_max_size', float('inf')):,} triples are "
             "published without validation (`bench.publish`): the SHACL engine holds the whole "
             "graph with its indexes, 0.8 GB at 1M and past 23 GB at 10M. rdflib and "
             "rdflib-endpoint "
             f"are not run above {results['options'].get('rdflib_max_size', 0):,} triples "
             "(their graph of Python objects would take most of the memory and the load "
             "timeouts).",
             "- data: the curated project grown by `cnc-kg generate` (synthetic namespace, "
             f"seed {results['options']['seed']}), built by `cnc-kg build` with its validation; "
             "the other engines load the build's N-Triples file; so the catalogue queries "
             "answer their real rows at every size.", "",
             "## Targets", "",
             "Issue 16's targets, measured as the issue measures them (a load run asks one "
             "request again and again); the rows marked \"beyond issue 16\" hold a cheap "
             "SELECT that is new at each request to the same goals.", "",
             "| target | measured | goal | met |", "|---|---|---|---|"]
    for t in results["targets"]:
        met = "n/a" if t["met"] is None else ("met" if t["met"] else "**not met**")
        if t.get("beyond"):
            met += " (beyond issue 16: a new query each time)"
        lines.append(f"| {t['target']} | {_num(t['measured'], 2)} {t['unit']} | "
                     f"{t['goal']} {t['unit']} | {met} |")
    curated = results.get("curated", {})
    lines += ["", "Why, in this run's numbers:", "", *_notes(results)]
    lines += ["", "## Build, start-up and memory", "",
              "Build = `cnc-kg build` from the Turtle sources to a published `dist/` (validation: "
              "parse, reasoner, shapes check, SHACL, language tags; the SHACL engine runs in a "
              "process of its own while the build writes its files, so the validation steps "
              "add up to more than their share of the build's time). Start-up = from launching "
              "`cnc-kg serve` to its first SPARQL answer; pages ready = until the home page "
              "answers on every worker. PSS = proportional set size of the whole server "
              "process tree (HTTP workers and engine processes; shared pages counted once).", "",
              *_build_table(results), "",
              "## Load into each engine", "",
              "Load = parse the N-Triples file into the engine, in a fresh process; peak = its "
              "maximum resident set size.", "",
              *_load_table(results), "",
              f"Curated data ({curated.get('triples', '—')} triples, built copy): "
              f"start-up {_num(curated.get('startup_s'), 2, ' s')} (pages ready "
              f"{_num(curated.get('pages_s'), 2, ' s')}); entity page "
              f"{curated.get('entity_page', {}).get('url', '—')} median "
              f"{_num(curated.get('entity_page', {}).get('median_ms'), 2, ' ms')}; "
              f"under load (cached page, `wrk -c{results['options']['wrk_connections']}`) "
              f"{_rate(curated.get('load_runs', {}))} direct, "
              f"{_rate(curated.get('load_runs_nginx', {}))} through nginx with "
              "`deploy/nginx.conf` (its cache in front).", "",
              "## Queries", "", f"![latency vs graph size]({PLOT})", "",
              *_query_tables(results), "## Pages", "", *_pages_table(results), "",
              "## Throughput under concurrent load", "",
              *_load_run_table(results), "",
              "## Where a request's time goes", "",
              *profile_section(results), ""]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_results(results: dict, out: Path) -> None:
    """results.json, results.md and the plot into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    results["targets"] = targets(results)
    (out / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    write_plot(results, out / PLOT)
    write_markdown(results, out / "results.md")
