"""Debian's headless Chromium, driven by Selenium with the system chromedriver, with every host but
127.0.0.1 unreachable: the browser the site's tests and the search benchmark use."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Debian's packages, used explicitly: Selenium Manager must not look for (or download) others.
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,1600",
         # No network beyond loopback: other hosts resolve to nothing and go to a dead proxy.
         "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
         "--proxy-server=http://127.0.0.1:9")


def available() -> bool:
    return Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file()


@contextlib.contextmanager
def chromium(profile: Path, *, page_load_timeout: float, on_every_page: str,
             capabilities: dict[str, Any] | None = None) -> Iterator[Any]:
    """A driver whose pages all run ``on_every_page`` before their own scripts."""
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must download nothing
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    for name, value in (capabilities or {}).items():
        options.set_capability(name, value)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(page_load_timeout)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": on_every_page})
    try:
        yield driver
    finally:
        driver.quit()


def require_chromium() -> None:
    """Skip a browser test where Chromium is not installed; fail it in CI, which must run it."""
    import pytest

    if available():
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests: {CHROMIUM} or {CHROMEDRIVER} is missing "
                    "(.ci/run installs Debian's chromium and chromium-driver)")
    pytest.skip("Debian's chromium and chromium-driver are not installed "
                "(apt-get install chromium chromium-driver); CI runs these tests")
