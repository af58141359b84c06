"""``python -m bench.guard_speed``: time the query checks (``guard.check_query``) on
adversarial texts of ``max_query_bytes`` (64 KiB) and a quarter of that, to show the cost is
linear (about 4x between the two) and small. The checks run in the web process, outside the
query time limit, so they must be cheap whatever the text.

Issue 15: 64 KiB of ``~`` after a ``#service`` comment line took the old guard 22 s.
"""

from __future__ import annotations

import timeit

from server.config import Settings
from server.store.base import QueryRefused, QuerySyntaxError
from server.store.guard import check_query

# name -> (start, unit repeated to fill the size, end)
INPUTS = {
    "~ after a #service comment (issue 15)": ("SELECT * WHERE { #service\n", "~", "}"),
    "one . per character": ("SELECT * WHERE { ", "."),
    "name runs a.a.": ("SELECT * WHERE { ?s ?p ", "a."),
    "< after operands, no >": ("SELECT * WHERE { FILTER(?a", "<?a"),
    "<< without end": ("SELECT * WHERE { ", "<"),
    "unclosed long strings": ("SELECT * WHERE { VALUES ?x { ", "'''a' "),
    '"""a': ("SELECT * WHERE { ", '"""a'),
    "escaped # in prefixed names": ("SELECT * WHERE { ?s ?p ex:", "\\#"),
    "words holding service": ("SELECT * WHERE { ", "xservice "),
    "< then ?a then >": ("ASK { FILTER(?a", "<?a>?a"),
    "VALUES of IRIs with #": ("SELECT * WHERE { VALUES ?x { ", "<http://x#a> "),
    "VALUES of numbers": ("SELECT * WHERE { VALUES ?x { ", "1 "),
    "comment lines": ("SELECT * WHERE { ", "#x\n"),
    "brackets": ("ASK { FILTER(", "("),
    "! operators": ("ASK { FILTER(", "!"),
}


def fill(size: int, start: str, unit: str, end: str = "") -> str:
    """``start`` + ``unit`` repeated + ``end``, ``size`` characters in all."""
    body = size - len(start) - len(end)
    return start + (unit * (body // len(unit) + 1))[:body] + end


def best_time(text: str, repeat: int = 3) -> tuple[float, str]:
    """Fastest of ``repeat`` runs of ``check_query`` in seconds, and its outcome."""
    def run() -> str:
        try:
            check_query(text)
            return "accepted"
        except (QueryRefused, QuerySyntaxError) as error:
            return type(error).__name__
    outcome = run()
    return min(timeit.repeat(run, number=1, repeat=repeat)), outcome


def main() -> None:
    """Print one line per input: time at a quarter and at the whole size, ratio, outcome."""
    size = Settings().max_query_bytes
    print(f"{'input':40s} {size // 4:>9d} B {size:>9d} B  ratio  outcome")
    for name, parts in INPUTS.items():
        small, _ = best_time(fill(size // 4, *parts))
        whole, outcome = best_time(fill(size, *parts))
        print(f"{name:40s} {small * 1000:8.1f}ms {whole * 1000:8.1f}ms {whole / small:6.1f}  "
              f"{outcome}")


if __name__ == "__main__":
    main()
