"""Finished answers sent again (``page_response.replayed``): an entity page or document asked for
again the same way is sent as it was finished, without running its view; each way of asking
(language, format, compression) is its own answer; an answer that sets a cookie is never kept;
a conditional request is answered from the kept answer. That a new build never gets an old
build's answer is ``test_hot_reload.py``'s check (its page and document are asked for the same
way before and after each swap)."""

from __future__ import annotations

import gzip

import pytest
from http_calls import http
from server_status import status

KIND = "finished answers"
PAGE = "id/cnc"
# Headers a server adds to every answer by itself (not the application's).
SERVER_MADE = {"date", "server", "connection", "keep-alive"}


def _counts(base: str) -> dict[str, int]:
    return status(base)["caches"].get(KIND, {"entries": 0, "hits": 0, "misses": 0})


def _headers(answer) -> dict[str, str]:
    return {name.lower(): value for name, value in answer.headers.items()
            if name.lower() not in SERVER_MADE}


def test_a_page_asked_again_the_same_way_is_sent_as_finished(one_worker_server):
    """The second answer is a hit: same status, bytes and headers as the first."""
    base = one_worker_server
    asked = {"Accept": "text/html", "Accept-Language": "fr"}
    before = _counts(base)
    first = http(base + PAGE, headers=asked)
    middle = _counts(base)
    again = http(base + PAGE, headers=asked)
    after = _counts(base)
    assert first.status == again.status == 200
    assert first.headers["Content-Language"] == "fr"
    assert again.body == first.body and b"<html" in first.body
    assert _headers(again) == _headers(first)
    assert middle["misses"] == before["misses"] + 1
    assert middle["entries"] == before["entries"] + 1
    assert after["hits"] == middle["hits"] + 1 and after["misses"] == middle["misses"]


@pytest.mark.parametrize("asked, check", [
    ({"Accept": "text/html", "Accept-Language": "zh"},
     lambda answer: answer.headers["Content-Language"] == "zh"),
    ({"Accept": "text/html", "Accept-Language": "en"},
     lambda answer: answer.headers["Content-Language"] == "en"),
    ({"Accept": "text/turtle"},
     lambda answer: answer.headers["Content-Type"].startswith("text/turtle")),
    ({"Accept": "application/n-triples", "Accept-Encoding": "gzip"},
     lambda answer: answer.headers["Content-Encoding"] == "gzip"
     and b"<https://" in gzip.decompress(answer.body)),
])
def test_each_way_of_asking_is_its_own_answer(one_worker_server, asked, check):
    """Another language, format or compression is another answer, made by the view; asked
    again that way, it is sent again, and it is never another way's answer."""
    base = one_worker_server
    before = _counts(base)
    first = http(base + PAGE + "?way=" + "-".join(sorted(asked.values())), headers=asked)
    again = http(base + PAGE + "?way=" + "-".join(sorted(asked.values())), headers=asked)
    after = _counts(base)
    assert first.status == 200 and check(first)
    assert again.body == first.body and _headers(again) == _headers(first)
    assert after["misses"] == before["misses"] + 1 and after["hits"] == before["hits"] + 1


def test_the_same_address_asked_in_another_language_is_not_the_kept_page(one_worker_server):
    """Kept French and English answers of one address stay apart."""
    base = one_worker_server
    pages = {lang: http(base + PAGE, headers={"Accept": "text/html", "Accept-Language": lang})
             for lang in ("fr", "en", "fr", "en")}
    assert pages["fr"].headers["Content-Language"] == "fr"
    assert pages["en"].headers["Content-Language"] == "en"
    assert pages["fr"].body != pages["en"].body


def test_answers_that_set_a_cookie_are_never_kept(one_worker_server):
    """``?lang=`` sets the language cookie (with its own expiry date): every such answer is
    made by the view and sets it."""
    base = one_worker_server
    before = _counts(base)
    answers = [http(base + PAGE + "?lang=zh", accept="text/html") for _ in range(3)]
    after = _counts(base)
    assert all(a.status == 200 and "lang=zh" in a.headers["Set-Cookie"] for a in answers)
    assert after["entries"] == before["entries"] and after["hits"] == before["hits"]


def test_a_conditional_request_is_answered_from_the_kept_answer(one_worker_server):
    """A fresh copy gets 304 from the kept answer; another tag gets the whole answer."""
    base = one_worker_server
    asked = {"Accept": "text/html", "Accept-Language": "en", "Accept-Encoding": "gzip"}
    first = http(base + PAGE, headers=asked)
    before = _counts(base)
    fresh = http(base + PAGE, headers={**asked, "If-None-Match": first.headers["ETag"]})
    stale = http(base + PAGE, headers={**asked, "If-None-Match": '"not-this-one"'})
    after = _counts(base)
    assert fresh.status == 304 and fresh.body == b""
    assert fresh.headers["ETag"] == first.headers["ETag"]
    assert stale.status == 200 and stale.body == first.body
    assert after["hits"] == before["hits"] + 2
