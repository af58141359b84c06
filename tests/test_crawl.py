"""No dead ends (issue 12), on a real server: every link of every page, in French, English and
Chinese, answers without a 4xx or 5xx; no Chinese page shows an English interface word; and
headless Chromium logs no console error on any template in any language, nor on any class list,
kind of entity or example query of the query page (run), each loaded once in one language.

The crawl starts from the home page and every sitemap URL and follows each same-origin
``href``/``src`` (pages, RDF documents, dumps, scripts, styles, icons). It reads pages in one
language at a time, by the language cookie; a link that only switches the language
(``?lang=``) leads to the same page in that language, which the crawl of that language reads.
"""

from __future__ import annotations

import collections
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from browsing import chromium, wait_until_settled
from interface_words import english_words_on_chinese_page

LANGUAGES = ("fr", "en", "zh")
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
TIMEOUT = 60
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


class _Links(HTMLParser):
    """Every ``href`` and ``src`` of a page, and the first link of its types line (the kind of
    an entity page)."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.kind: str | None = None
        self._in_types = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src"):
            if attrs.get(name):
                self.links.append(attrs[name])
        if tag == "p" and "types" in (attrs.get("class") or "").split():
            self._in_types = True
        elif tag == "a" and self._in_types and self.kind is None:
            self.kind = attrs.get("href")

    def handle_endtag(self, tag):
        if tag == "p":
            self._in_types = False


@dataclass
class Crawl:
    """What the crawl found."""

    pages: dict[str, set[str]] = field(default_factory=lambda: collections.defaultdict(set))
    fetched: int = 0
    links: int = 0                                   # same-origin links followed or checked
    failures: list[str] = field(default_factory=list)
    english_on_chinese: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[tuple, str] = field(default_factory=dict)   # one HTML page per kind


def _fetch(url: str, lang: str) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"Accept": BROWSER_ACCEPT,
                                                   "Cookie": f"lang={lang}"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get_content_type(), error.read()


def _without_lang(url: str) -> tuple[str, str | None]:
    """``url`` without its ``lang`` parameter, and that parameter."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    lang = next((v for k, v in query if k == "lang"), None)
    kept = urllib.parse.urlencode([(k, v) for k, v in query if k != "lang"])
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, kept, "")), lang


def _kind(path: str, query: str, page_kind: str | None) -> tuple:
    """Which kind of page a URL is, for the browser's sample: every class list and every
    example query is a kind of its own; entity pages are grouped by their type."""
    segments = path.strip("/").split("/")
    if segments[0] in ("id", "synthetic", "ontology", "shapes") and len(segments) > 1:
        return segments[0], page_kind
    if path == "/sparql":
        return path, query
    return path, "sort" in query


def _sitemap_urls(base: str) -> list[str]:
    status, _, body = _fetch(base + "sitemap.xml", "en")
    assert status == 200
    return [loc.text for loc in ET.fromstring(body).findall("s:url/s:loc", SITEMAP_NS)]


def crawl(base: str) -> Crawl:
    """Fetch every page reachable from the home page and the sitemap, in every language (the
    languages crawled at once, as three readers would: the server renders in parallel)."""
    with ThreadPoolExecutor(len(LANGUAGES)) as pool:
        crawls = list(pool.map(lambda lang: _crawl_in(base, lang), LANGUAGES))
    found = Crawl()
    for part in crawls:                     # in LANGUAGES order: the sample kinds are stable
        found.pages.update(part.pages)
        found.fetched += part.fetched
        found.links += part.links
        found.failures += part.failures
        found.english_on_chinese.update(part.english_on_chinese)
        for kind, url in part.kinds.items():
            found.kinds.setdefault(kind, url)
    return found


def _crawl_in(base: str, lang: str) -> Crawl:
    """Every page reachable from the home page and the sitemap, in ``lang``."""
    found = Crawl()
    origin = urllib.parse.urlsplit(base).netloc
    queue = collections.deque([base, *_sitemap_urls(base)])
    seen = set(queue)
    while queue:
        url = queue.popleft()
        status, content_type, body = _fetch(url, lang)
        found.fetched += 1
        if status >= 400:
            found.failures.append(f"{status} {url} ({lang})")
            continue
        if content_type != "text/html":
            continue
        page = body.decode("utf-8")
        parts = urllib.parse.urlsplit(url)
        found.pages[lang].add(url)
        if lang == "zh" and (words := english_words_on_chinese_page(page)):
            found.english_on_chinese[url] = words
        parser = _Links()
        parser.feed(page)
        found.kinds.setdefault(_kind(parts.path, parts.query, parser.kind), url)
        for link in parser.links:
            target = urllib.parse.urljoin(url, link).split("#")[0]
            if urllib.parse.urlsplit(target).netloc != origin:
                continue                   # another site: not ours to answer for
            found.links += 1
            target, switched = _without_lang(target)
            if switched not in (None, lang):
                continue                   # the same page in another language
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return found


@pytest.fixture(scope="module")
def crawled(live_server) -> Crawl:
    return crawl(live_server)


def test_every_link_of_every_page_answers(crawled, live_server):
    pages = {lang: len(urls) for lang, urls in crawled.pages.items()}
    print(f"\ncrawl: {pages} HTML pages per language, {crawled.fetched} URLs fetched, "
          f"{crawled.links} same-origin links checked")
    assert all(pages[lang] > 300 for lang in LANGUAGES), pages
    assert not crawled.failures, "\n".join(crawled.failures)


def test_lists_named_on_the_home_page_exist(live_server):
    """The entry points of the home page (issue 12: two of them were 404 in every language)."""
    for key in ("Organisation", "Agreement", "NetworkNode", "Event", "foaf:Person"):
        status, _, body = _fetch(live_server + "list/" + key, "en")
        assert status == 200, key
        assert b'<table class="list">' in body


def test_the_site_has_an_icon(live_server):
    """Pages link the icon; clients that ask the conventional address find it too."""
    with urllib.request.urlopen(live_server + "favicon.ico", timeout=TIMEOUT) as response:
        assert response.status == 200
        assert response.headers.get_content_type() == "image/svg+xml"
        assert b"<svg" in response.read()
    assert b'rel="icon"' in _fetch(live_server, "en")[2]


def test_no_english_interface_word_on_a_chinese_page(crawled):
    assert crawled.pages["zh"]
    assert not crawled.english_on_chinese, crawled.english_on_chinese


def browser_sample(kinds: dict[tuple, str]) -> list[tuple[str, str]]:
    """(URL, language) to load in the browser: the first page of each template (a path's first
    segment: entity, list, query page…) in every language, every other kind in one language,
    in turn: every template is seen in each language, and every kind once."""
    sample, templates = [], set()
    for number, (kind, url) in enumerate(kinds.items()):
        template = kind[0].strip("/").split("/")[0]
        languages = LANGUAGES if template not in templates else (LANGUAGES[number % 3],)
        templates.add(template)
        sample += [(url, lang) for lang in languages]
    return sample


@pytest.mark.browser
def test_no_console_error_on_any_kind_of_page(crawled, browser_with_log):
    """Every template in each language, and every list, kind of entity and example query."""
    errors = {}
    sample = browser_sample(crawled.kinds)
    for url, lang in sample:
        separator = "&" if "?" in url else "?"
        browser_with_log.get(f"{url}{separator}lang={lang}")
        wait_until_settled(browser_with_log)
        logged = [entry["message"] for entry in browser_with_log.get_log("browser")
                  if entry["level"] in ("SEVERE", "WARNING")]
        if logged:
            errors[f"{url} ({lang})"] = logged
    print(f"\nbrowser: {len(crawled.kinds)} kinds of page, {len(sample)} pages loaded")
    assert len(crawled.kinds) > 50
    assert {lang for _, lang in sample} == set(LANGUAGES)
    assert not errors, errors


@pytest.fixture(scope="module")
def browser_with_log():
    """Headless Chromium that keeps the console's messages."""
    with chromium(log_console=True) as driver:
        yield driver


def test_kind_and_language_of_an_url():
    assert _kind("/id/cnc", "", "/ontology/ScienceNetwork") == ("id", "/ontology/ScienceNetwork")
    assert _kind("/list/Event", "sort=date", None) == ("/list/Event", True)
    assert _kind("/sparql", "query=x", None) == ("/sparql", "query=x")
    assert _without_lang("http://x/list/Event?lang=zh&sort=date") == (
        "http://x/list/Event?sort=date", "zh")
