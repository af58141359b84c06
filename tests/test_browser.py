"""The pages in a real browser (Debian's headless chromium through selenium and chromedriver):
home → search → entity → linked entity → back, with an axe-core check on every page."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
NODE_PREFIX = REPO / "tests" / ".node"            # npm install target (git-ignored)
AXE = NODE_PREFIX / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--window-size=1200,900")
PAGE_TIMEOUT = 30


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's axe.min.js, installed from the npm registry on first use."""
    if not AXE.is_file():
        if shutil.which("npm") is None:
            pytest.fail("npm is needed to install axe-core for the browser test")
        subprocess.run(["npm", "install", "--prefix", str(NODE_PREFIX), "--no-audit", "--no-fund",
                        "axe-core"], check=True, capture_output=True, timeout=300)
    return AXE.read_text("utf-8")


@pytest.fixture(scope="module")
def browser():
    """Headless chromium with a fresh profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for needed in (CHROMIUM, CHROMEDRIVER):
        if not Path(needed).exists():
            pytest.fail(f"{needed} is missing: install Debian's chromium and chromium-driver")
    profile = tempfile.mkdtemp(prefix="cnc-kg-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(PAGE_TIMEOUT)
    driver.set_script_timeout(PAGE_TIMEOUT)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


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
