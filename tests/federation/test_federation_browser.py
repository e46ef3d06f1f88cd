"""End to end in headless Chromium (Debian's chromium + chromedriver through Selenium): the
served proxy over TLS, slapd, moto_server with IAM authorisation, and the sign-in stand-in.

Set SPARKLEFORM_SCREENSHOT=docs/federation-roles.png to refresh the docs' screenshot.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import _fed_slapd
import pytest

ACCOUNT = "123456789012"
PASSWORDS = {u.name: u.password for u in _fed_slapd.USERS}
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser(certs):
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        pytest.skip("chromium/chromedriver are not installed (.ci/install-federation.sh installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="sparkleform-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                f"--user-data-dir={profile}", "--window-size=1000,600",
                # the proxy's certificate comes from the tests' own CA, which this profile does not know
                "--ignore-certificate-errors"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def click_and_wait(browser, element):
    """Click a submit button and wait until the next page has replaced this one.

    The old page is marked with a window property and the wait ends when a complete document
    without it is there. Selenium's staleness check asks the element itself, and under load
    Chromium answers that while the document is being swapped with other errors than a stale
    element ("Node with given id does not belong to the document"); every WebDriver error
    during the swap counts as "not yet" here."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    browser.execute_script("window.__sparkleformOldPage = true")
    element.click()

    def replaced(b) -> bool:
        return bool(b.execute_script(
            "return window.__sparkleformOldPage === undefined && document.readyState === 'complete'"))

    WebDriverWait(browser, 30, poll_frequency=0.1, ignored_exceptions=(WebDriverException,)).until(replaced)


def sign_in(browser, url, user, password):
    from selenium.webdriver.common.by import By

    browser.execute_cdp_cmd("Network.clearBrowserCookies", {})  # every site's, not only the current one
    browser.get(url)
    browser.find_element(By.ID, "username").send_keys(user)
    browser.find_element(By.ID, "password").send_keys(password)
    click_and_wait(browser, browser.find_element(By.ID, "login"))


def shown_roles(browser) -> list[str]:
    from selenium.webdriver.common.by import By

    return [row.find_element(By.TAG_NAME, "td").text for row in browser.find_elements(By.CSS_SELECTOR, "tr.role")]


def error_text(browser) -> str:
    from selenium.webdriver.common.by import By

    return browser.find_element(By.ID, "error").text


def test_sign_in_choose_a_role_and_land_on_the_console(browser, served_proxy, signin):
    from selenium.webdriver.common.by import By

    sign_in(browser, served_proxy.url, "alice", PASSWORDS["alice"])
    assert browser.find_element(By.ID, "user").text == "alice"
    assert shown_roles(browser) == ["AWS-Administrators", "AWS-ReadOnly"]
    shot = Path(os.environ.get("SPARKLEFORM_SCREENSHOT") or Path(tempfile.mkdtemp()) / "roles.png")
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 1000
    click_and_wait(browser, browser.find_element(By.ID, "role-AWS-ReadOnly"))
    landed = urlsplit(browser.current_url)
    assert f"{landed.scheme}://{landed.netloc}{landed.path}" == signin.url
    query = {k: v[0] for k, v in parse_qs(landed.query).items()}
    assert query["Action"] == "login"
    arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/AWS-ReadOnly/alice"
    assert signin.tokens[query["SigninToken"]][0] == arn
    assert browser.find_element(By.ID, "arn").text == arn


@pytest.mark.parametrize("user", ["alice", "*)(sAMAccountName=*", "alice)(|(sAMAccountName=*"])
def test_a_wrong_password_or_an_injection_is_refused(browser, served_proxy, user):
    password = "guess" if user == "alice" else PASSWORDS["alice"]
    sign_in(browser, served_proxy.url, user, password)
    assert error_text(browser) == "Unknown user or wrong password."
    assert shown_roles(browser) == []


def test_a_forged_role_post_is_refused(browser, served_proxy, signin):
    from selenium.webdriver.common.by import By

    sign_in(browser, served_proxy.url, "alice", PASSWORDS["alice"])
    button = browser.find_element(By.ID, "role-AWS-ReadOnly")
    browser.execute_script("arguments[0].value = 'AWS-PowerUsers'", button)  # a role alice's groups lack
    before = len(signin.tokens)
    click_and_wait(browser, button)
    assert error_text(browser) == "You are not entitled to that role."
    assert urlsplit(browser.current_url).path == "/console" and len(signin.tokens) == before


def test_the_session_cookie_is_not_readable_by_scripts(browser, served_proxy):
    sign_in(browser, served_proxy.url, "alice", PASSWORDS["alice"])
    cookie = browser.get_cookie("sparkleform_proxy")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"
    assert browser.execute_script("return document.cookie") == ""
