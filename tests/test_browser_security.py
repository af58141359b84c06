"""No script runs from data (issue 15), in a real browser (Debian's headless chromium through
selenium and chromedriver, ``browsing.py``):

- the issue's one-click XSS: ``/sparql?query=…`` answering ``IRI("javascript:fetch(…)")`` shows
  the IRI as text, and clicking it contacts nobody (a loopback listener sees nothing);
- the Content-Security-Policy holds on its own: a ``javascript:`` link or an inline script
  planted in the page does not run either;
- every page, the query page and its scripts work under the policy, with no violation and no
  console error.
"""

from __future__ import annotations

import time
import urllib.parse

import pytest
from browsing import PAGE_TIMEOUT, ChromiumMissing, chromium
from loopback_listener import listening

pytestmark = pytest.mark.browser

# Pages of every template, the query page empty and with a query it runs on load.
PAGES = ["", "?lang=zh", "search?q=CNC", "id/cnc", "list/", "list/NetworkNode", "timeline",
         "network", "dumps/", "ontology", "ontology/NetworkNode", "quality", "id/no-such-entity",
         "sparql", "sparql?" + urllib.parse.urlencode(
             {"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5"})]
NOTHING_CONTACTED_AFTER = 2.0      # seconds to wait for a request that must never come


@pytest.fixture(scope="module")
def browser():
    """Headless chromium with a fresh profile, keeping the console log."""
    try:
        with chromium(log_console=True) as driver:
            yield driver
    except ChromiumMissing as missing:
        pytest.fail(str(missing))


@pytest.fixture
def listener():
    with listening() as found:
        yield found


def console_errors(driver) -> list[str]:
    """The console's errors since the last call (reading the log empties it)."""
    return [entry["message"] for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE"]


def nothing_contacted(listener) -> bool:
    """Wait a little for a request that must not come; whether none came."""
    deadline = time.monotonic() + NOTHING_CONTACTED_AFTER
    while time.monotonic() < deadline and not listener.requests:
        time.sleep(0.1)
    return not listener.requests


def wait_for_answer(driver):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, PAGE_TIMEOUT).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#output table td")
        or d.find_elements(By.CSS_SELECTOR, "#output pre.error"))
    return driver.find_elements(By.CSS_SELECTOR, "#output table td")


@pytest.mark.parametrize("scheme", ["javascript", "JavaScript"])
def test_javascript_iri_in_an_answer_is_text_and_clicking_it_runs_nothing(
        live_server, browser, listener, scheme):
    from selenium.webdriver.common.by import By

    iri = f"{scheme}:fetch('{listener.url('xss')}')"
    query = f'SELECT ?x WHERE {{ BIND(IRI("{iri}") AS ?x) }}'
    console_errors(browser)
    browser.get(live_server + "sparql?" + urllib.parse.urlencode({"query": query}))
    cells = wait_for_answer(browser)
    assert [cell.text for cell in cells] == [iri]
    assert not browser.find_elements(By.CSS_SELECTOR, "#output a")
    cells[0].find_element(By.CSS_SELECTOR, "code.iri").click()
    assert nothing_contacted(listener), listener.requests
    assert console_errors(browser) == []


def test_policy_stops_a_planted_javascript_link_and_inline_script(live_server, browser,
                                                                   listener):
    """Were a ``javascript:`` link or an inline script to reach the page some other way, the
    Content-Security-Policy would still keep it from running."""
    from selenium.webdriver.common.by import By

    browser.get(live_server + "sparql")
    console_errors(browser)
    browser.execute_script(
        "const a = document.createElement('a'); a.id = 'planted'; a.textContent = 'planted';"
        "a.href = arguments[0]; document.body.prepend(a);"
        "const s = document.createElement('script'); s.textContent = arguments[1];"
        "document.body.append(s);",
        f"javascript:fetch('{listener.url('link')}')", f"fetch('{listener.url('inline')}')")
    browser.find_element(By.ID, "planted").click()
    assert nothing_contacted(listener), listener.requests
    violations = [error for error in console_errors(browser) if "Content Security Policy" in error]
    assert len(violations) == 2, violations         # one for the link, one for the script


@pytest.mark.parametrize("path", PAGES)
def test_pages_work_under_the_policy_without_console_errors(live_server, browser, path):
    from selenium.webdriver.common.by import By

    console_errors(browser)
    browser.get(live_server + path)
    assert browser.execute_script("return document.readyState") == "complete"
    if path.startswith("sparql?"):                  # the query page's script ran the query
        cells = wait_for_answer(browser)
        assert cells and browser.find_elements(By.CSS_SELECTOR, "#output a[href^='http']")
    # A page answered 404 logs its own status; that is the page, not an error on it.
    own_status = live_server + path + " - Failed to load resource"
    assert [e for e in console_errors(browser) if not e.startswith(own_status)] == []
