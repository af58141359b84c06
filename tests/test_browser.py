"""The pages in a real browser (Debian's headless chromium through selenium and chromedriver):
home → search → entity → linked entity → back, with an axe-core check on every page; the query
page answering a question and by keyboard; search suggestions by keyboard; the network at a
phone's width."""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import PAGE_TIMEOUT, ChromiumMissing, chromium, wait_until_settled
from interface_words import english_words_on_chinese_page
from node_packages import npm_install

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
NODE_PREFIX = REPO / "tests" / ".node"            # npm install target (git-ignored)
AXE = NODE_PREFIX / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's axe.min.js, installed from the npm registry on first use."""
    if not AXE.is_file():
        npm_install(NODE_PREFIX, "axe-core", timeout=300)
    return AXE.read_text("utf-8")


@pytest.fixture(scope="module")
def browser():
    """Headless chromium with a fresh profile."""
    try:
        with chromium() as driver:
            yield driver
    except ChromiumMissing as missing:
        pytest.fail(str(missing))


def axe_violations(driver, axe_source: str) -> list[str]:
    """Run axe-core on the loaded page; one line per violation (rule, impact, first target)."""
    driver.execute_script(axe_source)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        "  .then(r => done(r.violations.map(v => [v.id, v.impact, v.help,"
        "     v.nodes.slice(0, 3).map(n => n.target.join(' '))])))"
        "  .catch(e => done([['axe-error', 'critical', String(e), []]]));")
    return [f"{rule} ({impact}): {help_text} at {targets}"
            for rule, impact, help_text, targets in result]


def test_home_search_entity_linked_entity_back(live_server, browser, axe_source):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    checked = {}

    def check(name: str) -> None:
        assert browser.execute_script("return document.readyState") == "complete"
        checked[name] = axe_violations(browser, axe_source)

    browser.get(live_server + "?lang=fr")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    check("home")

    browser.find_element(By.ID, "site-q").send_keys("CNC")
    browser.find_element(By.CSS_SELECTOR, "header form.search button[type=submit]").click()
    WebDriverWait(browser, PAGE_TIMEOUT).until(lambda d: "/search" in d.current_url)
    check("search")

    results = browser.find_elements(By.CSS_SELECTOR, "ol.hits a")
    assert results, "no search result for CNC"
    results[0].click()
    WebDriverWait(browser, PAGE_TIMEOUT).until(lambda d: "/id/" in d.current_url)
    entity_url = browser.current_url
    assert "/id/" in entity_url
    assert browser.find_element(By.TAG_NAME, "h1").text.strip()
    check("entity")

    linked = browser.find_elements(By.CSS_SELECTOR, "dl.properties dd a[href^='/id/']")
    assert linked, "the entity page links to no other entity"
    target = linked[0].get_attribute("href")
    linked[0].click()
    WebDriverWait(browser, PAGE_TIMEOUT).until(lambda d: d.current_url == target)
    assert target != entity_url
    check("linked entity")

    browser.back()
    WebDriverWait(browser, PAGE_TIMEOUT).until(lambda d: d.current_url == entity_url)
    check("back")

    problems = {page: found for page, found in checked.items() if found}
    assert not problems, problems


@pytest.mark.parametrize("path", ["timeline", "network", "list/", "ontology/NetworkNode",
                                  "id/no-such-entity", "dumps/"])
def test_other_pages_have_no_axe_violations(live_server, browser, axe_source, path):
    browser.get(live_server + path + "?lang=zh")
    assert not axe_violations(browser, axe_source)


@pytest.mark.parametrize("path", ["sparql", "dataset", "list/Organisation?sort=country",
                                  "search?q=universite+lille", "id/e2p2l", "id/lia-a-agd",
                                  "quality"])
def test_new_pages_have_no_axe_violations(live_server, browser, axe_source, path):
    separator = "&" if "?" in path else "?"
    browser.get(f"{live_server}{path}{separator}lang=zh")
    wait_until_settled(browser)
    assert not axe_violations(browser, axe_source)


def test_query_page_answers_a_question_with_names(live_server, browser, axe_source):
    """A question of the catalogue, run from its link on the Chinese page: a table whose IRIs
    are named in Chinese (or badged) beside their short names, and no English word."""
    from selenium.webdriver.common.by import By

    browser.get(live_server + "sparql?lang=zh")
    question = browser.find_element(By.CSS_SELECTOR, "a.example[href*='CQ8']")
    assert "法国" in question.text
    question.click()
    wait_until_settled(browser)
    rows = browser.find_elements(By.CSS_SELECTOR, "#output table tbody tr")
    assert rows
    named = browser.find_elements(By.CSS_SELECTOR, "#output td a > span[lang]")
    assert named, "no IRI of the answer got its name"
    assert browser.find_element(By.ID, "status").text.endswith("秒")
    assert not english_words_on_chinese_page(browser.page_source)
    assert not axe_violations(browser, axe_source)


def test_query_page_by_keyboard_and_its_syntax_errors(live_server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(live_server + "sparql?lang=fr")
    editor = browser.find_element(By.ID, "query")
    editor.clear()
    editor.send_keys("SELECT ?node\nWHERE { ?node a cnc:NetworkNode }")
    editor.send_keys(Keys.CONTROL, Keys.ENTER)
    wait_until_settled(browser)
    assert browser.find_elements(By.CSS_SELECTOR, "#output table tbody tr")
    editor.clear()
    editor.send_keys("SELECT *\nWHERE { ?s a nope:Thing }")
    editor.send_keys(Keys.CONTROL, Keys.ENTER)
    wait_until_settled(browser)
    error = browser.find_element(By.CSS_SELECTOR, "#output .error[role=alert]")
    assert "ligne 2, colonne" in error.text and "nope:" in error.text
    error.find_element(By.TAG_NAME, "button").click()
    assert browser.switch_to.active_element.get_attribute("id") == "query"
    position = browser.execute_script("return document.getElementById('query').selectionEnd")
    assert editor.get_attribute("value")[:position].endswith("nope:Thing")


def test_search_suggestions_by_keyboard(live_server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(live_server + "?lang=en")
    box = browser.find_element(By.ID, "site-q")
    box.send_keys("universite lille")
    WebDriverWait(browser, PAGE_TIMEOUT).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#site-q-list [role=option]"))
    first = browser.find_element(By.CSS_SELECTOR, "#site-q-list [role=option]")
    assert "University" in first.text                # its type, in the page's language
    assert box.get_attribute("aria-expanded") == "true"
    box.send_keys(Keys.ARROW_DOWN)
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    box.send_keys(Keys.ENTER)
    WebDriverWait(browser, PAGE_TIMEOUT).until(lambda d: "/id/universite-de-lille" in
                                               d.current_url)


def test_network_fits_a_phone(live_server):
    """At a phone's width the narrow picture is shown, whole: nothing runs off the screen."""
    with chromium(390, 844) as phone:
        phone.get(live_server + "network?lang=zh")
        wait_until_settled(phone)
        shown = phone.execute_script(
            "return [...document.querySelectorAll('svg.network')]"
            ".filter(s => s.getBoundingClientRect().width > 0).map(s => s.classList[1])")
        assert shown == ["network-narrow"]
        assert phone.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth")
        font = phone.execute_script(
            "const s = document.querySelector('svg.network-narrow');"
            "return 13 * s.getBoundingClientRect().width / s.viewBox.baseVal.width")
        assert font >= 11.5, f"names drawn at {font:.1f} px"
