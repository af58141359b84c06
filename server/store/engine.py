"""An engine process: answers clients' queries on the build's on-disk store, one at a time,
walled in first (``sandbox``: no network, or only the allowed SERVICE ports; a memory ceiling).

Started by ``engines.EnginePool`` as a fresh interpreter (``python -m server.store.engine``), not
as a fork of the web worker: it inherits nothing but its channel to the worker, its lifeline and
the build's folder (``subprocess`` closes every other descriptor), so a leftover engine can never
hold the server's listening socket or a client's connection. It exits as soon as its worker goes
away (the lifeline's other end closes), even in the middle of a query.

Messages are JSON, never pickles: what comes back from a process that ran a stranger's query
is data, not code. An answer is one message, its JSON header, a newline (JSON escapes every
newline in a string) and the raw body: one write and one read per answer.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import threading
from collections.abc import Iterable, Iterator
from multiprocessing.connection import Connection

import pyoxigraph as ox

from server.store.results import (
    ask_body,
    binding_size,
    graph_body,
    select_body,
    serialize_within,
    take_within,
    term_json,
    triple_size,
)
from server.store.sandbox import Confinement, confine, limit_memory

READY = b'{"status": "ready"}'   # sent once the store is open
# Answer to a SERVICE the sandbox refused. The same words whatever the endpoint and whether
# anything listens there: an error must not tell open ports from closed.
NO_NETWORK = ("SERVICE is refused: this engine process has no network access (federated queries "
              "may only call the endpoints in the server's service_allow setting).")


class _QueryFailed(Exception):
    """pyoxigraph could not evaluate the query: its ValueError or RuntimeError (an unbound
    SERVICE variable, an unsupported function), told apart from the same errors raised by our
    own code, which are bugs and must not pass for the client's mistake."""


@contextlib.contextmanager
def _evaluating() -> Iterator[None]:
    """Within the block, pyoxigraph's evaluation errors become ``_QueryFailed``."""
    try:
        yield
    except (ValueError, RuntimeError) as exc:
        raise _QueryFailed(str(exc)) from exc


def _evaluated(answer: Iterable) -> Iterator:
    """The engine's lazy ``answer``; evaluation happens while it is read."""
    with _evaluating():
        yield from answer


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
    ``({"status": "error", "kind", "message"}, b"")``. The answer is read no further than
    ``max_rows`` rows or ``max_bytes`` bytes, whichever comes first."""
    max_rows, max_bytes = request["max_rows"], request.get("max_bytes")
    media_type = request["media_type"]
    graph = ox.NamedNode(request["graph"])
    try:
        with _evaluating():
            answer = store.query(request["sparql"], base_iri=request.get("base_iri"),
                                 prefixes=request.get("prefixes"), default_graph=graph,
                                 named_graphs=[graph])
        if isinstance(answer, ox.QueryBoolean):
            return _ok("ask", False), ask_body(bool(answer), media_type)
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            rows = ({v: term_json(row[v]) for v in variables if row[v] is not None}
                    for row in _evaluated(answer))
            bindings, cut = take_within(rows, max_rows, max_bytes, binding_size)
            body, dropped = serialize_within(
                bindings, lambda kept: select_body(variables, kept, media_type), max_bytes)
            return _ok("select", cut or dropped), body
        triples, cut = take_within(_evaluated(answer), max_rows, max_bytes, triple_size)
        body, dropped = serialize_within(
            triples, lambda kept: graph_body(kept, media_type, request.get("prefixes")),
            max_bytes)
        return _ok("graph", cut or dropped), body
    except SyntaxError as exc:
        return _error("syntax", str(exc)), b""
    except PermissionError:         # the sandbox refused a socket: a SERVICE the guard missed
        return _error("refused", NO_NETWORK), b""
    except OSError as exc:          # evaluation errors (e.g. an unreachable allowed SERVICE)
        return _error("engine", str(exc)), b""
    except _QueryFailed as exc:
        return _error("query", str(exc)), b""
    except MemoryError:
        # Out of memory in Python rather than in the engine (which aborts): end the same way,
        # so the pool replaces this process and the client reads the same answer.
        os.abort()


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
        channel.send_bytes(json.dumps(header).encode("utf-8") + b"\n" + body)


def main(argv: list[str] | None = None) -> None:
    """Entry point: ``--store PATH --channel FD --lifeline FD``."""
    parser = argparse.ArgumentParser(prog="python -m server.store.engine")
    parser.add_argument("--store", required=True, help="the build's on-disk store")
    parser.add_argument("--channel", type=int, required=True, help="socket to the worker")
    parser.add_argument("--lifeline", type=int, required=True, help="pipe the worker holds")
    parser.add_argument("--confine", required=True,
                        help="the walls (sandbox.Confinement) as JSON")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C stops the server, which stops us
    # The network walls first, before any thread exists; the memory ceiling once the store is
    # open, as opening it reserves address space (its threads, its tables) the ceiling must not
    # count. A process whose walls fail exits here without answering anything (fail closed).
    walls = json.loads(args.confine)
    confine(Confinement(tuple(walls["service_ports"])))
    store = ox.Store.read_only(args.store)
    if walls["memory_bytes"] is not None:
        limit_memory(walls["memory_bytes"])
    _exit_with_parent(args.lifeline)
    channel = Connection(args.channel)
    try:
        channel.send_bytes(READY)
        serve(store, channel)
    except (BrokenPipeError, ConnectionResetError):
        return                      # the worker went away (stopped while we were starting)


if __name__ == "__main__":
    main()
