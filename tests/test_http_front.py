"""The HTTP front against a real ``cnc-kg serve`` on loopback, with real sockets: slow clients
hold no thread, oversized request lines and headers are refused at once, absolute URLs never
come from the ``Host`` header, and ``HEAD`` answers wherever ``GET`` does.

No speed is asserted; "answered while the slow clients hang" has a hard bound of a few seconds
per request (docs/operating.md has the measurements).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import urllib.parse

import pytest
from slow_clients import SLOW_BODY, SLOW_HEADERS, trickling

SLOW_CLIENTS = 64             # connections trickling headers, and as many trickling bodies
ORDINARY = 10                 # ordinary requests sent while they hang
ANSWER_BOUND_S = 5            # hard bound on each ordinary answer meanwhile
SPOOFED_HOST = "attacker.invalid"


def _address(base: str) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(base)
    return parts.hostname, parts.port


def request(base: str, method: str, target: str, headers: dict[str, str] | None = None,
            timeout: float = 30) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request on a fresh connection, ``target`` sent as given: (status, headers, body)."""
    connection = http.client.HTTPConnection(*_address(base), timeout=timeout)
    try:
        connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        headers = {"Host": "127.0.0.1", **(headers or {})}
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def _still_open(sock: socket.socket) -> bool:
    """The server has neither answered nor closed this connection."""
    sock.settimeout(0)
    try:
        sock.recv(1)                  # an answer or the end of the stream: not hanging
    except BlockingIOError:
        return True                   # nothing to read: still waiting for its request
    except OSError:
        return False
    return False


def test_ordinary_requests_answered_while_slow_clients_hang(live_server, figure):
    """64 connections trickling headers and 64 trickling a POST body stay connected while 10
    ordinary requests, one after another, are each answered within the bound."""
    events = []
    with trickling(live_server, SLOW_CLIENTS, *SLOW_HEADERS) as slow_headers, \
            trickling(live_server, SLOW_CLIENTS, *SLOW_BODY) as slow_bodies:
        events.append("slow clients connected")
        for _ in range(ORDINARY):
            status, _, body = request(live_server, "GET", "/robots.txt",
                                      timeout=ANSWER_BOUND_S)
            assert status == 200 and b"Sitemap:" in body
            events.append("answered")
        open_now = sum(_still_open(sock) for sock in slow_headers + slow_bodies)
        events.append(f"{open_now} slow clients still connected")
    assert events == ["slow clients connected", *["answered"] * ORDINARY,
                      f"{2 * SLOW_CLIENTS} slow clients still connected"]
    figure("slow clients connected", 2 * SLOW_CLIENTS)
    figure(f"ordinary requests answered, each within {ANSWER_BOUND_S} s", ORDINARY)


@pytest.mark.parametrize(("payload", "status"), [
    (b"GET /?" + b"a" * (8 * 1024 * 1024) + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (1024 * 1024) + b"\r\n\r\n", 431),
    (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(500))
     + b"\r\n", 431),
])
def test_oversized_request_refused_and_server_keeps_answering(live_server, payload, status):
    """An 8 MiB request line, a 1 MiB header, 500 headers: refused with 414/431 before the
    rest is read (the server may close while the client still sends), then business as usual."""
    with socket.create_connection(_address(live_server), timeout=ANSWER_BOUND_S) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(payload)
        answer = sock.recv(64)
    assert answer.startswith(b"HTTP/1.1 %d " % status)
    assert request(live_server, "GET", "/robots.txt", timeout=ANSWER_BOUND_S)[0] == 200


HARVESTED = [
    ("/robots.txt", {}),
    ("/sitemap.xml", {}),
    ("/.well-known/void", {"Accept": "text/turtle"}),
    ("/dataset", {"Accept": "application/ld+json"}),
    ("/changes.atom", {}),
    ("/changes.json", {}),
    ("/sparql", {"Accept": "text/turtle"}),          # the Service Description
    ("/sparql", {"Accept": "text/html"}),            # the query page names the endpoint
    ("/list", {}),                                   # werkzeug's slash redirect
]


@pytest.mark.parametrize(("path", "headers"), HARVESTED, ids=lambda v: str(v))
def test_spoofed_host_never_in_absolute_urls(live_server, path, headers):
    """Absolute URLs come from the configured public base (here derived from --host/--port),
    never from the Host header: twice, so the per-version cache cannot keep a spoofed one."""
    for _ in range(2):
        status, answer_headers, body = request(live_server, "GET", path,
                                               {**headers, "Host": SPOOFED_HOST})
        assert status in (200, 308)
        assert SPOOFED_HOST.encode() not in body
        assert SPOOFED_HOST not in str(answer_headers)
    if status == 308:
        assert answer_headers["Location"] == live_server + path.lstrip("/") + "/"
    else:
        assert live_server.encode() in body


def test_public_url_setting_names_every_absolute_url(built_root, server_starter):
    """With ``public_url`` set (a proxy in front), documents name it, not the address served."""
    public = "https://kg.example.org/"
    with server_starter(built_root, env={"CNC_KG_PUBLIC_URL": public}) as base:
        for path, headers in HARVESTED:
            status, answer_headers, body = request(base, "GET", path, headers)
            assert base.encode() not in body, path
            if status == 308:
                assert answer_headers["Location"] == public + path.lstrip("/") + "/"
            else:
                assert public.encode() in body, path


@pytest.mark.parametrize(("path", "accept"), [
    ("/sparql", "text/html"),
    ("/sparql", "text/turtle"),
    ("/sparql?query=ASK%20%7B%7D", "application/sparql-results+json"),
    ("/", "text/html"),
    ("/id/cnc", "text/turtle"),
    ("/list/", "text/html"),
    ("/.well-known/void", "text/turtle"),
    ("/sitemap.xml", "*/*"),
    ("/robots.txt", "*/*"),
    ("/changes.atom", "*/*"),
    ("/dumps/cnc-kg.nt.gz", "*/*"),
])
def test_head_answers_wherever_get_does(live_server, path, accept):
    """HEAD: GET's status and headers, no body (RFC 9110 §9.3.2); ``HEAD /sparql`` was a 415."""
    get_status, get_headers, _ = request(live_server, "GET", path, {"Accept": accept})
    head_status, head_headers, body = request(live_server, "HEAD", path, {"Accept": accept})
    assert (head_status, body) == (get_status, b"")
    assert get_status == 200
    assert head_headers["Content-Type"] == get_headers["Content-Type"]


def test_body_over_the_limit_refused_before_it_is_sent(live_server):
    """A POST announcing more than ``max_body_bytes`` gets 413 on its headers alone."""
    with socket.create_connection(_address(live_server), timeout=ANSWER_BOUND_S) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/sparql-query\r\n"
                     b"Content-Length: 1073741824\r\n\r\n")
        assert sock.recv(64).startswith(b"HTTP/1.1 413 ")


def test_requests_in_flight_capped_then_admitted_again(built_root, server_starter):
    """One worker admitting 4 requests at once: while 4 slow bodies are being read, a fifth
    request is refused with 503 and Retry-After; once they leave, it is answered."""
    events = []
    with server_starter(built_root, "--workers", "1",
                        env={"CNC_KG_MAX_REQUESTS_IN_FLIGHT": "4"}) as base:
        with trickling(base, 4, *SLOW_BODY):
            for _ in range(50):                  # until the 4 have reached the admission
                status, headers, _ = request(base, "GET", "/robots.txt",
                                             timeout=ANSWER_BOUND_S)
                if status == 503:
                    events.append(("refused", headers["Retry-After"]))
                    break
        status, _, _ = request(base, "GET", "/robots.txt", timeout=ANSWER_BOUND_S)
        events.append(("answered", status))
    assert events == [("refused", "1"), ("answered", 200)]
