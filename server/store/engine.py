"""An engine process: answers clients' queries on the build's on-disk store, one at a time.

Started by ``engines.EnginePool`` as a fresh interpreter (``python -m server.store.engine``), not
as a fork of the web worker: it inherits nothing but its channel to the worker, its lifeline and
the build's folder (``subprocess`` closes every other descriptor), so a leftover engine can never
hold the server's listening socket or a client's connection. It exits as soon as its worker goes
away (the lifeline's other end closes), even in the middle of a query.

Messages are JSON headers followed by raw bodies, never pickles: what comes back from a process
that ran a stranger's query is data, not code.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
from itertools import islice
from multiprocessing.connection import Connection

import pyoxigraph as ox

from server.store.results import ask_body, graph_body, select_body, term_json

READY = b'{"status": "ready"}'   # sent once the store is open


def _exit_with_parent(lifeline: int) -> None:
    """End this process when the read end of the lifeline sees EOF (the worker is gone).

    pyoxigraph releases the GIL while it evaluates, so this thread runs even during a query.
    """
    def watch() -> None:
        while True:
            try:
                if not os.read(lifeline, 1):
                    os._exit(0)
            except InterruptedError:
                continue

    threading.Thread(target=watch, name="lifeline", daemon=True).start()


def execute(store: ox.Store, request: dict) -> tuple[dict, bytes]:
    """Run one client query: ``({"status": "ok", "kind", "truncated"}, body)`` or
    ``({"status": "error", "kind", "message"}, b"")``."""
    max_rows = request["max_rows"]
    media_type = request["media_type"]
    graph = ox.NamedNode(request["graph"])
    try:
        answer = store.query(request["sparql"], base_iri=request.get("base_iri"),
                             prefixes=request.get("prefixes"), default_graph=graph,
                             named_graphs=[graph])
        if isinstance(answer, ox.QueryBoolean):
            return _ok("ask", False), ask_body(bool(answer), media_type)
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            rows = list(islice(answer, max_rows + 1))
            bindings = [{v: term_json(row[v]) for v in variables if row[v] is not None}
                        for row in rows[:max_rows]]
            return (_ok("select", len(rows) > max_rows),
                    select_body(variables, bindings, media_type))
        triples = list(islice(answer, max_rows + 1))
        return (_ok("graph", len(triples) > max_rows),
                graph_body(triples[:max_rows], media_type, request.get("prefixes")))
    except SyntaxError as exc:
        return _error("syntax", str(exc)), b""
    except OSError as exc:          # evaluation errors (e.g. an unreachable allowed SERVICE)
        return _error("engine", str(exc)), b""


def _ok(kind: str, truncated: bool) -> dict:
    return {"status": "ok", "kind": kind, "truncated": truncated}


def _error(kind: str, message: str) -> dict:
    return {"status": "error", "kind": kind, "message": message}


def serve(store: ox.Store, channel: Connection) -> None:
    """Answer each request received on ``channel`` until the worker closes it."""
    while True:
        try:
            request = json.loads(channel.recv_bytes())
        except (EOFError, OSError):      # the worker closed the channel, or is gone
            return
        header, body = execute(store, request)
        channel.send_bytes(json.dumps(header).encode("utf-8"))
        channel.send_bytes(body)


def main(argv: list[str] | None = None) -> None:
    """Entry point: ``--store PATH --channel FD --lifeline FD``."""
    parser = argparse.ArgumentParser(prog="python -m server.store.engine")
    parser.add_argument("--store", required=True, help="the build's on-disk store")
    parser.add_argument("--channel", type=int, required=True, help="socket to the worker")
    parser.add_argument("--lifeline", type=int, required=True, help="pipe the worker holds")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C stops the server, which stops us
    _exit_with_parent(args.lifeline)
    store = ox.Store.read_only(args.store)
    channel = Connection(args.channel)
    channel.send_bytes(READY)
    serve(store, channel)


if __name__ == "__main__":
    main()
