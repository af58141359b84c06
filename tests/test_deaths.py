"""A death costs only the requests in flight (issue 17): under load from parallel clients, an
engine process and then a web worker are killed (SIGKILL); the failed requests are no more than
those in flight at each kill, and the server answers everything again afterwards (a new engine
process, a new worker from gunicorn's arbiter).
"""

from __future__ import annotations

import itertools
import os
import signal
import threading
import time
import urllib.parse

import pytest
from http_calls import http
from process_memory import alive, engine_pids, process_tree
from server_status import status, wait_for

CLIENTS = 8
SETTLE = 1.0            # seconds of load before, between and after the kills
RECOVERED_WITHIN = 30.0  # seconds for a new worker to start on a loaded machine


class Clients:
    """Threads sending cheap requests in a loop; counts answers, failures and requests in
    flight. Each query is new to the server (a numbered comment), so none is answered from
    the answers kept and every one needs an engine process."""

    def __init__(self, base: str):
        self.base = base
        self.urls = [base, base + "id/cnc", "ASK { ?s ?p ?o }",
                     "SELECT ?p ?o WHERE { <https://w3id.org/cnc-kg/id/cnc> ?p ?o } LIMIT 5"]
        self.numbers = itertools.count()
        self.lock = threading.Lock()
        self.in_flight = 0
        self.answered = 0
        self.failures: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._loop, args=(i,)) for i in range(CLIENTS)]

    def _loop(self, offset: int) -> None:
        for url in itertools.islice(itertools.cycle(self.urls), offset, None):
            if self._stop.is_set():
                return
            if not url.startswith(self.base):
                query = f"{url} # request {next(self.numbers)}"
                url = self.base + "sparql?" + urllib.parse.urlencode({"query": query})
            with self.lock:
                self.in_flight += 1
            try:
                answer = http(url, accept="application/sparql-results+json, text/html;q=0.9",
                              timeout=RECOVERED_WITHIN)
                failed = None if answer.status == 200 else f"HTTP {answer.status} {url}"
            except OSError as error:
                failed = f"{error!r} {url}"
            with self.lock:
                self.in_flight -= 1
                if failed:
                    self.failures.append((time.monotonic(), failed))
                else:
                    self.answered += 1

    def __enter__(self) -> Clients:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def kill(self, pid: int) -> int:
        """SIGKILL ``pid``; the number of requests in flight at that moment."""
        with self.lock:
            os.kill(pid, signal.SIGKILL)
            return self.in_flight


@pytest.fixture
def two_workers(built_root, server_starter):
    with server_starter(built_root, "--workers", "2") as base:
        yield base


def test_a_dead_engine_and_a_dead_worker_cost_only_requests_in_flight(two_workers, server_pid,
                                                                       figure):
    """Parallel clients on pages and queries; an engine process, then a web worker, killed
    under them: failures ≤ requests in flight at the kills, then every request answered."""
    base = two_workers
    with Clients(base) as clients:
        time.sleep(SETTLE)
        engines = engine_pids(server_pid(base))
        in_flight = clients.kill(engines[0])
        time.sleep(SETTLE)
        worker = status(base)["worker"]
        in_flight += clients.kill(worker)

        def recovered(_: dict) -> bool:
            now = process_tree(server_pid(base))
            return worker not in now and len(engine_pids(server_pid(base))) == len(engines)

        wait_for(base, recovered, "a new worker, as many engine processes as before",
                 patience=RECOVERED_WITHIN)
        after_kills = time.monotonic()
        time.sleep(SETTLE)
    late = [failure for at, failure in clients.failures if at > after_kills]
    assert late == [], late
    assert len(clients.failures) <= in_flight, (clients.failures, in_flight)
    assert engines[0] not in process_tree(server_pid(base)) and clients.answered > CLIENTS
    figure("requests answered", clients.answered)
    figure("requests in flight at the two kills", in_flight)
    figure("requests failed", len(clients.failures))


def test_engines_killed_while_idle_cost_no_request(built_root, server_starter, server_pid):
    """Every engine process of the only worker killed while no query runs: each is replaced
    when it is next needed, and the queries that follow are all answered (none is handed to a
    dead process)."""
    with server_starter(built_root, "--workers", "1") as base:
        engines = engine_pids(server_pid(base))
        for pid in engines:
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + RECOVERED_WITHIN
        while any(map(alive, engines)):        # dead, not yet noticed by their worker
            assert time.monotonic() < deadline, "the killed engines did not die"
            time.sleep(0.01)
        for number in range(2 * len(engines)):
            query = f"ASK {{ ?s ?p ?o }} # after the kills, {number}"
            answer = http(base + "sparql?" + urllib.parse.urlencode({"query": query}),
                          accept="application/sparql-results+json", timeout=RECOVERED_WITHIN)
            assert answer.status == 200, answer
        assert not set(engines) & set(engine_pids(server_pid(base)))
