"""Debian's headless Chromium through selenium and chromedriver, for the browser tests and the
README's screenshots: one way to start it, with a fresh profile each time."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                  "--force-device-scale-factor=1")
PAGE_TIMEOUT = 30


class ChromiumMissing(RuntimeError):
    """Chromium or chromedriver is not installed."""


@contextlib.contextmanager
def chromium(width: int = 1200, height: int = 900, log_console: bool = False) -> Iterator:
    """A headless Chromium window of ``width`` × ``height`` CSS px; with ``log_console``, its
    console's messages are kept for ``driver.get_log("browser")``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for needed in (CHROMIUM, CHROMEDRIVER):
        if not Path(needed).exists():
            raise ChromiumMissing(f"{needed} is missing: install Debian's chromium and "
                                  "chromium-driver")
    profile = tempfile.mkdtemp(prefix="cnc-kg-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--window-size={width},{height}",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    if log_console:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(PAGE_TIMEOUT)
    driver.set_script_timeout(PAGE_TIMEOUT)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait_until_settled(driver, timeout: float = PAGE_TIMEOUT) -> None:
    """Until the page is loaded and its scripts are done (nothing is ``aria-busy``)."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
        and not d.find_elements("css selector", "[aria-busy=true]"))
