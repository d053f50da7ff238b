#!/usr/bin/env python3
"""Checks Guichet's web pages in headless Chromium driven by Selenium 4.

Runs against a cluster seeded with `guichet demo` (cluster/tests/browser starts both), with
Debian's Chromium and chromedriver.

    browser_test.py --base-url http://127.0.0.1:18180 --demo demo.json --screenshots DIR [--only NAME]...

Each check is a function registered with @check. Every page a check loads, by address or by a
click, has its words read: a check fails when a page shows a debug description (`Optional(`), a
word key instead of its words (`mode_remote`), or a label, button, link or choice that says
nothing. The runner prints `ok: NAME` or `FAILED: NAME: reason`, the pages whose words were read,
and a closing count, keeps a screenshot of each main page visited
(NN-name.png) and, when a check fails, the screenshot and source of every page it had open.
Response headers and downloads are read with http.client, as Selenium cannot see them; the
browser's cookies are passed along so that these requests are the signed-in user's.
"""

import argparse
import base64
import http.client
import json
import re
import sys
import tempfile
import time
import traceback
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import (
    NoAlertPresentException,
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
    UnexpectedAlertPresentException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT_SECONDS = 10
# Dispatch is a job run by a worker: on a busy two-core machine it can take a few seconds.
DISPATCH_SECONDS = 20
# Dashboards may read rollups that a worker refreshes every minute: a ticket shows there within that.
DASHBOARD_SECONDS = 75
# What the pages say for each status, in French. "En attente" is the one word not spelt out by
# the pages' contract; it is the plain French for "pending".
STATUS_WORDS = {"new": "Nouveau", "in_progress": "En cours", "pending": "En attente", "resolved": "Résolu", "closed": "Clos"}
# A service of the demo catalogue that no routing rule names, so that it goes to the service desk,
# the team of the demo agent (DemoDirectoryBuilder: families software and account have no rule).
DESK_SERVICE = "messagerie"
DESK_SERVICE_NAME = "Messagerie et ENT"
REF_PATTERN = re.compile(r"/tickets/([IR]-\d{6,})$")

CHECKS = []


def check(function):
    """Registers a check; checks run in the order they are written."""
    CHECKS.append(function)
    return function


# --- HTTP, for what the browser cannot show ----------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        return self.headers.get(name, "")


class Run:
    """What every check shares: the cluster's address, the demo accounts, the browsers it opened."""

    def __init__(self, base_url, demo, screenshots):
        self.base = base_url.rstrip("/")
        address = urllib.parse.urlsplit(self.base)
        self.host, self.port = address.hostname, address.port or 80
        self.accounts = demo["accounts"]
        self.screenshots = screenshots
        self.shots = 0
        self.drivers = []

    def url(self, path):
        return self.base + path

    def account(self, role):
        for account in self.accounts:
            if account["role"] == role:
                return account
        raise AssertionError(f"demo.json has no {role} account")

    def token(self, role):
        return self.account(role)["api_token"]

    def http(self, method, path, *, token=None, cookies=None, body=None, form=None, headers=None):
        """One request to the load balancer, redirects not followed."""
        sent = dict(headers or {})
        data = None
        if token:
            sent["Authorization"] = f"Bearer {token}"
        if cookies:
            sent["Cookie"] = cookies
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, path, body=data, headers=sent)
            response = connection.getresponse()
            return Reply(response.status, response.headers, response.read())
        finally:
            connection.close()

    # The JSON API stands in for the other party of a scenario (an agent replying, a requester
    # opening a ticket elsewhere), so that each check drives one page at a time.

    def open_ticket(self, role, title, description="Ouvert par les tests du navigateur.", **fields):
        body = {"kind": "incident", "title": title, "description": description, "service": DESK_SERVICE, "impact": 3, "urgency": 2}
        reply = self.http("POST", "/api/v1/tickets", token=self.token(role), body=body | fields)
        assert reply.status == 201, f"POST /api/v1/tickets answered {reply.status}: {reply.body[:300]!r}"
        return reply.json()

    def create_ci(self, fields):
        reply = self.http("POST", "/api/v1/cis", token=self.token("agent"), body=fields)
        assert reply.status == 201, f"POST /api/v1/cis answered {reply.status}: {reply.body[:300]!r}"
        return reply.json()

    def ticket(self, role, ref):
        reply = self.http("GET", f"/api/v1/tickets/{ref}", token=self.token(role))
        assert reply.status == 200, f"GET /api/v1/tickets/{ref} answered {reply.status}"
        return reply.json(), reply.header("ETag")

    def act(self, role, ref, action, body=None):
        _, etag = self.ticket(role, ref)
        reply = self.http("POST", f"/api/v1/tickets/{ref}/actions/{action}", token=self.token(role), body=body or {}, headers={"If-Match": etag})
        assert reply.status == 200, f"action {action} on {ref} answered {reply.status}: {reply.body[:300]!r}"
        return reply.json()

    def comment(self, role, ref, text, visibility):
        reply = self.http("POST", f"/api/v1/tickets/{ref}/comments", token=self.token(role), body={"body": text, "visibility": visibility})
        assert reply.status == 201, f"comment on {ref} answered {reply.status}: {reply.body[:300]!r}"

    def wait_dispatched(self, ref):
        """Waits until a worker has dispatched the ticket, so that no page acts on it at the same time."""

        def probe():
            ticket, _ = self.ticket("agent", ref)
            return ticket if ticket["status"] != "new" else None, ticket["status"]

        return poll(probe, DISPATCH_SECONDS, f"dispatch of {ref}", interval=0.2)

    def tickets_seen_by(self, role):
        """Every ticket the role may read, across pages."""
        tickets, cursor = [], None
        while True:
            query = "?limit=200" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
            reply = self.http("GET", "/api/v1/tickets" + query, token=self.token(role))
            assert reply.status == 200, f"GET /api/v1/tickets as {role} answered {reply.status}"
            page = reply.json()
            tickets += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                return tickets

    # --- browsers ---

    def browser(self):
        """A fresh headless Chromium with its own profile; closed by the runner after the check."""
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=fr"):
            options.add_argument(argument)
        options.add_experimental_option("prefs", {"intl.accept_languages": "fr-FR,fr"})
        # left open, an alert stays visible to the XSS check instead of being dismissed silently
        options.unhandled_prompt_behavior = "ignore"
        driver = ReadingChrome(service=Service(CHROMEDRIVER), options=options)
        driver.set_page_load_timeout(30)
        self.drivers.append(driver)
        return driver

    def shot(self, driver, name):
        self.shots += 1
        save_full_page(driver, self.screenshots / f"{self.shots:02d}-{name}.png")

    def keep_failure(self, name):
        """The screenshot and source of every page the failed check had open."""
        for index, driver in enumerate(self.drivers, 1):
            self.shots += 1
            stem = self.screenshots / f"{self.shots:02d}-{name}-failed-{index}"
            try:
                save_full_page(driver, stem.with_suffix(".png"))
                stem.with_suffix(".html").write_text(f"<!-- {driver.current_url} -->\n{driver.page_source}")
            except WebDriverException as error:
                print(f"  (could not keep browser {index}: {error.msg})", file=sys.stderr)

    def close_browsers(self):
        for driver in self.drivers:
            try:
                driver.quit()
            except WebDriverException:
                pass
        self.drivers = []


def save_full_page(driver, path):
    """The whole page, not only the 900 pixels of the window: what is below the fold (the
    conversation, the actions) is often what a reviewer wants to see."""
    width, height = driver.execute_script("return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    clip = {"x": 0, "y": 0, "width": width, "height": min(height, 10_000), "scale": 1}
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip})
    path.write_bytes(base64.b64decode(shot["data"]))


# --- the words a page shows --------------------------------------------------------------------

LOCALES = Path(__file__).resolve().parents[2] / "Sources" / "GuichetHTTP" / "Resources" / "Locales"
WORD_KEYS = set().union(*(json.loads(path.read_text()).keys() for path in LOCALES.glob("*.json")))
# keys that the pages make from a value (mode_remote, action_take, status_new): a key shown instead
# of its words may be one that no locale has, so any word of these families is refused too
KEY_FAMILIES = {key.split("_")[0] for key in WORD_KEYS if "_" in key and sum(k.startswith(key.split("_")[0] + "_") for k in WORD_KEYS) >= 3}
KEY_LIKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
# every page loaded by a check, by path, with the number of loads whose words were read
PAGES_READ = {}

PAGE_WORDS_SCRIPT = """
if (document.contentType !== "text/html" || !document.body) return null;
const said = [document.body.innerText];
for (const element of document.querySelectorAll("[aria-label], [title], [placeholder], [alt], input[type=submit], input[type=button]")) {
    for (const name of ["aria-label", "title", "placeholder", "alt"]) {
        if (element.hasAttribute(name)) said.push(element.getAttribute(name));
    }
    if (element.matches("input[type=submit], input[type=button]")) said.push(element.value);
}
const unnamed = [];
for (const element of document.querySelectorAll("label, button, a[href], legend, summary, option, input[type=submit]")) {
    if (element.matches("option") && element.value === "") continue;
    const named = (element.textContent || "").trim() || (element.value || "").trim() && element.matches("input")
        || (element.getAttribute("aria-label") || "").trim() || (element.getAttribute("title") || "").trim()
        || [...element.querySelectorAll("img[alt]")].some(image => image.alt.trim());
    if (!named) unnamed.push(element.outerHTML.slice(0, 100));
}
return {said: said, unnamed: unnamed};
"""


def word_problems(driver):
    """What is wrong with the words of the page: a debug description of an optional value, a word
    key shown instead of its words, a label, button, link or choice that says nothing."""
    try:
        page = driver.execute_script(PAGE_WORDS_SCRIPT)
    except UnexpectedAlertPresentException:
        return []  # the XSS check looks at that page itself
    if page is None:
        return []
    problems = []
    said = "\n".join(page["said"])
    if "Optional(" in said:
        line = next(line for line in said.splitlines() if "Optional(" in line)
        problems.append(f"a debug description: {line.strip()[:80]!r}")
    keys = sorted({word for word in KEY_LIKE.findall(said) if word in WORD_KEYS or word.split("_")[0] in KEY_FAMILIES})
    if keys:
        problems.append(f"word keys instead of words: {', '.join(keys)}")
    problems += [f"nothing said by {element}" for element in page["unnamed"]]
    return problems


def read_words(driver):
    """Fails when the page's words are wrong (see word_problems); counts the page as read."""
    problems = word_problems(driver)
    path = path_of(driver)
    PAGES_READ[path] = PAGES_READ.get(path, 0) + 1
    assert not problems, f"the page {path} shows " + "; ".join(problems)


class ReadingChrome(webdriver.Chrome):
    """Chromium whose every page loaded by address has its words read; pages reached by a click are
    read by click_and_load and click_fresh_and_load."""

    def get(self, url):
        super().get(url)
        read_words(self)


# --- waiting -----------------------------------------------------------------------------------


def wait_for(driver, condition, what, seen=None, seconds=WAIT_SECONDS):
    """Waits for condition(driver) to be truthy and returns it; says what was awaited otherwise."""
    waiter = WebDriverWait(driver, seconds, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))
    try:
        return waiter.until(condition)
    except TimeoutException:
        observed = ""
        if seen:
            try:
                observed = f" (seen: {seen(driver)!r})"
            except WebDriverException:
                pass
        raise AssertionError(f"{what} not within {seconds} s{observed}") from None


def poll(probe, seconds, what, interval=1.0):
    """For states that no event of the page announces (a worker's dispatch, shown after a reload):
    calls probe() -> (result, observed) until result is truthy."""
    deadline = time.monotonic() + seconds
    while True:
        result, observed = probe()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what} not within {seconds} s (last seen: {observed!r})")
        time.sleep(interval)


def replaced(driver, old):
    """Whether the page whose root was old has given way to a new page, fully loaded. While the old
    document is torn down, Chrome can answer with other errors than a stale element ("Node with
    given id does not belong to the document", no execution context): that means not yet."""
    try:
        old.tag_name
        return False
    except StaleElementReferenceException:
        pass
    except WebDriverException:
        return False
    try:
        return driver.execute_script("return document.readyState") == "complete"
    except WebDriverException:
        return False


def click_and_load(driver, element):
    """Clicks something that loads a new page (a link, a form's button) and waits for that page."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    wait_for(driver, lambda d: replaced(d, old), "a new page after the click")
    read_words(driver)


def click_fresh_and_load(driver, css):
    """click_and_load for an element that a script may replace at any moment (the live console
    redraws its rows on every change): found afresh, and found again if it went stale."""
    old = driver.find_element(By.TAG_NAME, "html")

    def clicked(d):
        d.find_element(By.CSS_SELECTOR, css).click()
        return True

    wait_for(driver, clicked, f"a click on {css}")
    wait_for(driver, lambda d: replaced(d, old), "a new page after the click")
    read_words(driver)


def path_of(driver):
    return urllib.parse.urlsplit(driver.current_url).path


def wait_path(driver, path):
    wait_for(driver, lambda d: path_of(d) == path, f"the address {path}", seen=path_of)


def element_or_none(driver, css):
    found = driver.find_elements(By.CSS_SELECTOR, css)
    return found[0] if found else None


def text_of(driver, css):
    return driver.find_element(By.CSS_SELECTOR, css).text.strip()


def wait_text(driver, css, words):
    """Waits until the element shows words (case aside)."""
    wait_for(
        driver, lambda d: words.casefold() in text_of(d, css).casefold(), f"{css} to read {words!r}", seen=lambda d: text_of(d, css)
    )


def set_text(driver, element_id, text):
    field = driver.find_element(By.ID, element_id)
    field.clear()
    field.send_keys(text)


def cookie_header(driver):
    return "; ".join(f"{cookie['name']}={cookie['value']}" for cookie in driver.get_cookies())


def same_origin_path(url):
    parts = urllib.parse.urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- shared steps ------------------------------------------------------------------------------

# where each role lands after signing in
HOME = {"requester": "/", "local_correspondent": "/", "agent": "/console", "team_lead": "/console", "contractor_agent": "/console",
        "partner_viewer": "/dashboards"}


def sign_in(run, driver, role):
    account = run.account(role)
    driver.get(run.url("/login"))
    set_text(driver, "login", account["login"])
    set_text(driver, "password", account["password"])
    click_and_load(driver, driver.find_element(By.ID, "sign-in"))
    wait_path(driver, HOME[role])


def expect_status(run, driver, ref, status):
    """The page and the API agree that the ticket is in status."""
    wait_text(driver, "#status", STATUS_WORDS[status])
    actual = run.ticket("agent", ref)[0]["status"]
    assert actual == status, f"{ref} is {actual} for the API, the page says {STATUS_WORDS[status]!r}"


def assert_no_alert(driver, where):
    try:
        alert = driver.switch_to.alert
    except NoAlertPresentException:
        return
    text = alert.text
    alert.dismiss()
    raise AssertionError(f"{where} ran injected script: an alert says {text!r}")


def assert_shown_as_text(driver, text, where):
    """The text is on the page as text, and no element was made from it. The alert check alone is
    not enough: a CSP without 'unsafe-inline' would stop an injected script even if the title were
    pasted in unescaped."""
    assert text in driver.find_element(By.TAG_NAME, "body").text, f"{where} does not show {text!r} literally"
    injected = driver.execute_script(
        "return [...document.scripts].some(s => s.text.includes('alert(')) || document.querySelector('img[onerror]') !== null"
    )
    assert not injected, f"{where} made a script or an img[onerror] out of ticket text"


# --- checks: headers and CSRF ------------------------------------------------------------------

SIGNED_IN_PAGES = {"requester": ["/", "/requests/new"], "agent": ["/console"], "partner_viewer": ["/dashboards"]}


def directives(policy):
    result = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            result[words[0].lower()] = words[1:]
    return result


def header_problems(reply, path):
    problems = []
    if reply.status != 200 or not reply.header("Content-Type").startswith("text/html"):
        return [f"{path}: answered {reply.status} {reply.header('Content-Type')!r}, not an HTML page"]
    policy = directives(reply.header("Content-Security-Policy"))
    if policy.get("frame-ancestors") != ["'none'"]:
        problems.append(f"{path}: CSP frame-ancestors is {policy.get('frame-ancestors')}, not 'none'")
    scripts = policy.get("script-src", policy.get("default-src"))
    if scripts is None or "'unsafe-inline'" in scripts:
        problems.append(f"{path}: CSP script-src {scripts} does not forbid inline scripts")
    if reply.header("X-Content-Type-Options").lower() != "nosniff":
        problems.append(f"{path}: no X-Content-Type-Options: nosniff")
    return problems


@check
def security_headers(run):
    """Every HTML page, signed in or not, forbids framing and inline scripts and MIME sniffing."""
    problems = header_problems(run.http("GET", "/login"), "/login")
    for role, paths in SIGNED_IN_PAGES.items():
        driver = run.browser()
        sign_in(run, driver, role)
        cookies = cookie_header(driver)
        for path in paths:
            problems += header_problems(run.http("GET", path, cookies=cookies), path)
    assert not problems, "; ".join(problems)


def forms_without_csrf(driver):
    return driver.execute_script(
        "return [...document.forms].filter(f => f.method === 'post' && !f.querySelector('input[type=hidden][name=csrf]'))"
        ".map(f => f.id || f.getAttribute('action'))"
    )


def form_of(element):
    return element.find_element(By.XPATH, "./ancestor::form")


@check
def csrf_enforced(run):
    """POST forms carry a csrf field, and a POST without it is refused even with a valid session."""
    driver = run.browser()
    driver.get(run.url("/login"))
    assert not forms_without_csrf(driver), f"/login has POST forms without csrf: {forms_without_csrf(driver)}"
    login_action = same_origin_path(form_of(driver.find_element(By.ID, "sign-in")).get_attribute("action"))
    account = run.account("requester")
    # the browser's cookies and a same-origin Origin: the missing csrf field is the only fault
    refused = run.http("POST", login_action, cookies=cookie_header(driver), headers={"Origin": run.base},
                       form={"login": account["login"], "password": account["password"]})
    assert refused.status == 403, f"a sign-in without csrf answered {refused.status}, not 403"

    sign_in(run, driver, "requester")
    for path in ("/", "/requests/new"):
        driver.get(run.url(path))
        assert not forms_without_csrf(driver), f"{path} has POST forms without csrf: {forms_without_csrf(driver)}"
    sign_out_action = same_origin_path(form_of(driver.find_element(By.ID, "sign-out")).get_attribute("action"))
    cookies = cookie_header(driver)
    refused = run.http("POST", sign_out_action, cookies=cookies, headers={"Origin": run.base}, form={})
    assert refused.status == 403, f"a sign-out without csrf answered {refused.status}, not 403"
    still = run.http("GET", "/", cookies=cookies)
    assert still.status == 200, f"after the refused sign-out, / answered {still.status}: the session should be intact"


# --- checks: signing in and out ----------------------------------------------------------------


@check
def wrong_password(run):
    """A wrong password is told in an alert, and the login typed stays in its field."""
    driver = run.browser()
    driver.get(run.url("/login"))
    run.shot(driver, "login")
    account = run.account("requester")
    set_text(driver, "login", account["login"])
    set_text(driver, "password", account["password"] + "-wrong")
    click_and_load(driver, driver.find_element(By.ID, "sign-in"))
    errors = wait_for(driver, lambda d: d.find_element(By.ID, "errors"), "#errors after a wrong password")
    run.shot(driver, "login-error")
    assert errors.is_displayed() and errors.text.strip(), "#errors is empty or hidden"
    assert errors.get_attribute("role") == "alert", "#errors is not role=alert"
    kept = driver.find_element(By.ID, "login").get_attribute("value")
    assert kept == account["login"], f"the login field holds {kept!r} after the error"
    assert path_of(driver) == "/login", f"a wrong password led to {path_of(driver)}"


@check
def sign_in_and_out(run):
    """Each role lands on its own face; signing out ends the session."""
    for role in ("agent", "partner_viewer", "requester"):
        driver = run.browser()
        sign_in(run, driver, role)
    click_and_load(driver, driver.find_element(By.ID, "sign-out"))
    wait_path(driver, "/login")
    driver.get(run.url("/"))
    wait_path(driver, "/login")


# --- checks: the requester's journey -----------------------------------------------------------

REQUEST = {
    "kind": "incident",
    "title": "Plus d'accès à la messagerie depuis le CDI",
    "description": "Depuis ce matin, le poste du CDI affiche « mot de passe incorrect » pour tous les comptes.",
    "urgency": "2",
    "equipment": "PC-CDI-04",
}


def choose_service(run, driver, name):
    """From the portal home, through the catalogue, to the request form of the service called name."""
    click_and_load(driver, driver.find_element(By.ID, "new-request"))
    wait_path(driver, "/requests/new")
    services = driver.find_elements(By.CSS_SELECTOR, "a.service")
    assert services, "the catalogue lists no a.service"
    assert driver.find_elements(By.TAG_NAME, "h2"), "the catalogue groups no services under h2 families"
    # not necessarily a link: what cannot be asked for may be plain text
    outside = driver.find_elements(By.CSS_SELECTOR, ".service.out-of-perimeter")
    assert outside, "no service is marked out-of-perimeter (the demo has 'Téléphonie mobile personnelle')"
    explained = outside[0].find_element(By.XPATH, "..").text.replace(outside[0].text, "").strip()
    assert explained, "the out-of-perimeter service comes without a visible explanation"
    run.shot(driver, "catalogue")
    chosen = [link for link in services if name in link.text]
    assert chosen, f"no service called {name!r} in the catalogue"
    click_and_load(driver, chosen[0])
    assert "service=" in driver.current_url, f"the service link led to {driver.current_url}"
    wait_for(driver, lambda d: d.find_element(By.ID, "request-form"), "#request-form")


def fill_request(driver, request):
    driver.find_element(By.CSS_SELECTOR, f"input[name=kind][value={request['kind']}]").click()
    set_text(driver, "title", request["title"])
    set_text(driver, "description", request["description"])
    Select(driver.find_element(By.ID, "urgency")).select_by_value(request["urgency"])
    set_text(driver, "equipment", request["equipment"])


def submit_request(driver):
    # The server's validation is under test: the browser's own (a `required` title) would stop the
    # empty title before it is sent.
    driver.execute_script("document.getElementById('request-form').noValidate = true")
    click_and_load(driver, driver.find_element(By.ID, "submit-request"))


def kept_values_problems(driver, request):
    problems = []
    if not driver.find_element(By.CSS_SELECTOR, f"input[name=kind][value={request['kind']}]").is_selected():
        problems.append("the kind")
    for field in ("title", "description", "equipment"):
        if driver.find_element(By.ID, field).get_attribute("value") != request[field]:
            problems.append(field)
    if Select(driver.find_element(By.ID, "urgency")).first_selected_option.get_attribute("value") != request["urgency"]:
        problems.append("the urgency")
    return problems


def check_urgency_words(driver):
    options = Select(driver.find_element(By.ID, "urgency")).options
    values = sorted(option.get_attribute("value") for option in options if option.get_attribute("value"))
    assert values == ["1", "2", "3"], f"#urgency offers {values}, not 1, 2, 3"
    bare = [option.text for option in options if option.get_attribute("value") and not re.search(r"[^\W\d_]{3}", option.text)]
    assert not bare, f"#urgency options without plain words: {bare}"


def check_validation_errors(run, driver):
    """An empty title: the page says what to fix, marks the field, and keeps everything typed."""
    empty = REQUEST | {"title": ""}
    fill_request(driver, empty)
    submit_request(driver)
    errors = wait_for(driver, lambda d: d.find_element(By.ID, "errors"), "#errors after an empty title")
    run.shot(driver, "request-errors")
    assert errors.get_attribute("role") == "alert" and errors.text.strip(), "#errors is not a non-empty role=alert"
    title = driver.find_element(By.ID, "title")
    assert title.get_attribute("aria-invalid") == "true", "#title is not aria-invalid"
    assert driver.find_element(By.ID, "title-error").text.strip(), "#title-error says nothing"
    lost = kept_values_problems(driver, empty)
    assert not lost, f"values lost after the error: {', '.join(lost)}"


def open_request(run, driver, attachment):
    """Opens REQUEST with the attachment through the catalogue; returns the new ticket's ref."""
    choose_service(run, driver, DESK_SERVICE_NAME)
    check_urgency_words(driver)
    check_validation_errors(run, driver)
    set_text(driver, "title", REQUEST["title"])
    # a browser never keeps a chosen file across a page load, so it is chosen on the good submit
    driver.find_element(By.ID, "attachment").send_keys(str(attachment))
    submit_request(driver)
    wait_for(driver, lambda d: REF_PATTERN.search(path_of(d)), "the ticket page after the request", seen=path_of)
    ref = REF_PATTERN.search(path_of(driver)).group(1)
    assert ref in text_of(driver, "#ref"), f"#ref does not show {ref}"
    return ref


def check_attachment(run, driver, attachment):
    links = driver.find_elements(By.CSS_SELECTOR, "#attachments a")
    assert links, "#attachments has no link"
    href = same_origin_path(links[0].get_attribute("href"))
    assert re.fullmatch(r"/attachments/\d+", href), f"the attachment link is {href}, not /attachments/ID"
    reply = run.http("GET", href, cookies=cookie_header(driver))
    assert reply.status == 200, f"{href} answered {reply.status}"
    assert reply.header("Content-Disposition").lower().startswith("attachment"), f"{href} is not served as a download"
    assert reply.body == attachment.read_bytes(), f"{href} does not return the file sent"


def wait_for_handler(run, driver, ref):
    """Reloads the requester's page until it names the agent a worker gave the ticket to."""

    def probe():
        driver.refresh()
        agent = run.ticket("requester", ref)[0].get("agent")
        shown = text_of(driver, "#handler")
        return (agent["name"] if agent and agent["name"] in shown else None), shown

    return poll(probe, DISPATCH_SECONDS, f"#handler to name the agent of {ref}")


def comments(driver, kind):
    return [article.text for article in driver.find_elements(By.CSS_SELECTOR, f"#conversation article.comment.{kind}")]


def distinct_look(public, internal):
    looks = ("background-color", "border-left-color", "border-left-width", "border-top-color", "color", "font-style")
    return any(public.value_of_css_property(look) != internal.value_of_css_property(look) for look in looks)


def check_agent_view(run, agent, ref, reply, note):
    """The agent sees both the public reply and the internal note, told apart by their look."""
    agent.get(run.url(f"/tickets/{ref}"))
    public = wait_for(agent, lambda d: d.find_element(By.CSS_SELECTOR, "#conversation article.comment.public"), "a public comment")
    internal = wait_for(agent, lambda d: d.find_element(By.CSS_SELECTOR, "#conversation article.comment.internal"), "an internal note")
    run.shot(agent, "agent-ticket-conversation")
    assert any(reply in text for text in comments(agent, "public")), "the agent does not see the public reply"
    assert any(note in text for text in comments(agent, "internal")), "the agent does not see the internal note"
    assert distinct_look(public, internal), "public and internal comments look the same"


def reply_as_requester(run, driver, text):
    set_text(driver, "reply-body", text)
    click_and_load(driver, driver.find_element(By.ID, "send-reply"))
    wait_for(driver, lambda d: any(text in t for t in comments(d, "public")), "the requester's reply in the conversation")


def resolve_by_api(run, ref):
    if "take" in run.ticket("agent", ref)[0]["available_actions"]:
        run.act("agent", ref, "take")
    run.act("agent", ref, "resolve", {"resolution_code": "fixed", "solution": "Mot de passe réinitialisé.", "resolution_mode": "remote"})


@check
def requester_journey(run):
    """Catalogue, form errors, attachment, assignment, replies both ways, resolution, confirmation."""
    requester = run.browser()
    sign_in(run, requester, "requester")
    for css in ("#new-request", "#my-tickets"):
        assert element_or_none(requester, css), f"the portal home has no {css}"
    run.shot(requester, "portal-home")
    with tempfile.TemporaryDirectory() as folder:
        attachment = Path(folder) / "capture-erreur.txt"
        attachment.write_text("Erreur 0x80070005 à la connexion\n")
        ref = open_request(run, requester, attachment)
        run.shot(requester, "ticket-new")
        check_attachment(run, requester, attachment)

    agent = run.browser()  # signs in while the ticket waits for its dispatch, as a colleague would
    sign_in(run, agent, "agent")
    wait_for_handler(run, requester, ref)
    run.shot(requester, "ticket-assigned")

    reply, note = "Pouvez-vous redémarrer le poste et réessayer ?", "Note interne : compte verrouillé côté annuaire."
    run.comment("agent", ref, reply, "public")
    run.comment("agent", ref, note, "internal")
    check_agent_view(run, agent, ref, reply, note)
    requester.refresh()
    wait_for(requester, lambda d: any(reply in t for t in comments(d, "public")), "the agent's reply on the requester's page")
    assert note not in requester.page_source, "the requester sees the internal note"
    assert not requester.find_elements(By.CSS_SELECTOR, "article.comment.internal"), "the requester's page has internal comments"
    reply_as_requester(run, requester, "C'est fait, même message.")
    run.shot(requester, "ticket-conversation")

    resolve_by_api(run, ref)
    requester.refresh()
    expect_status(run, requester, ref, "resolved")
    assert element_or_none(requester, "#still-broken"), "a resolved ticket offers no #still-broken"
    run.shot(requester, "ticket-resolved")
    click_and_load(requester, requester.find_element(By.ID, "confirm-solved"))
    expect_status(run, requester, ref, "closed")
    run.shot(requester, "ticket-closed")


# --- checks: equipment ---------------------------------------------------------------------------


def choose_equipment(driver, picker, field_id, words, name):
    """Types words in the picker's field, waits for the list, checks it offers name, and chooses it."""
    set_text(driver, field_id, words)

    def offered(d):
        buttons = d.find_elements(By.CSS_SELECTOR, f"#{picker} .choices button.equipment-choice")
        return buttons or None

    buttons = wait_for(driver, offered, f"the equipment list of #{picker} after typing {words!r}")
    labels = [button.get_attribute("data-label") for button in buttons]
    chosen = [button for button in buttons if button.get_attribute("data-label") == name]
    assert chosen, f"#{picker} offers {labels}, not {name!r}"
    chosen[0].click()
    wait_text(driver, f"#{picker} .picker-chosen", name)
    return labels


@check
def equipment(run):
    """The request form offers the requester's establishment's equipment; the agent links and unlinks."""
    uai = run.account("requester")["organization_code"]
    switch = run.create_ci({"class": "access_switch", "name": "SW-CDI-01", "room": "CDI", "establishment": uai})
    pc = run.create_ci({"class": "desktop", "name": "PC-CDI-04", "room": "CDI", "asset_tag": "INV-2231", "establishment": uai,
                        "connected_to": str(switch["id"])})
    run.create_ci({"class": "desktop", "name": "PC-CDI-05", "room": "CDI"})  # the service centre's, not the establishment's

    requester = run.browser()
    sign_in(run, requester, "requester")
    choose_service(run, requester, DESK_SERVICE_NAME)
    offered = choose_equipment(requester, "equipment-picker", "equipment", "cdi", "PC-CDI-04")
    assert "PC-CDI-05" not in offered, f"the requester is offered equipment outside the establishment: {offered}"
    assert requester.find_element(By.ID, "equipment-ci").get_attribute("value") == str(pc["id"]), "the chosen CI is not in the form"
    run.shot(requester, "request-equipment")
    requester.find_element(By.CSS_SELECTOR, "input[name=kind][value=incident]").click()
    set_text(requester, "title", "Le poste du CDI ne démarre plus")
    submit_request(requester)
    wait_for(requester, lambda d: REF_PATTERN.search(path_of(d)), "the ticket page after the request", seen=path_of)
    ref = REF_PATTERN.search(path_of(requester)).group(1)
    wait_text(requester, "#equipment", "PC-CDI-04")
    linked = [ci["id"] for ci in run.ticket("requester", ref)[0].get("cis") or []]
    assert linked == [pc["id"]], f"{ref} links {linked}, not the CI chosen"
    assert not element_or_none(requester, "#link-ci"), "the requester is offered to link equipment"

    agent = run.browser()
    sign_in(run, agent, "agent")
    agent.get(run.url(f"/tickets/{ref}"))
    wait_text(agent, "#equipment", "PC-CDI-04")
    choose_equipment(agent, "link-ci", "link-ci-field", "sw-cdi", "SW-CDI-01")
    click_and_load(agent, agent.find_element(By.ID, "link-ci-submit"))
    wait_text(agent, "#equipment", "SW-CDI-01")
    line = text_of(agent, "#equipment")
    assert "d'un équipement (postes : 1)" in line, f"the switch's line of impact does not say it takes one workstation with it: {line!r}"
    run.shot(agent, "ticket-equipment")
    unlink = [form for form in agent.find_elements(By.CSS_SELECTOR, "#equipment form.unlink-ci")
              if form.get_attribute("action").endswith(f"/cis/{switch['id']}/unlink")]
    assert unlink, "no unlink button for SW-CDI-01"
    click_and_load(agent, unlink[0].find_element(By.TAG_NAME, "button"))
    wait_for(agent, lambda d: "SW-CDI-01" not in text_of(d, "#equipment"), "SW-CDI-01 to leave the equipment")
    linked = [ci["id"] for ci in run.ticket("agent", ref)[0].get("cis") or []]
    assert linked == [pc["id"]], f"after unlinking, {ref} links {linked}"


# --- checks: the agent console -----------------------------------------------------------------


def open_live_console(run, driver):
    sign_in(run, driver, "agent")
    driver.get(run.url("/console?queue=open"))
    for queue in ("mine", "team", "open", "breach"):
        link = driver.find_element(By.ID, f"queue-{queue}")
        assert f"queue={queue}" in link.get_attribute("href"), f"#queue-{queue} does not lead to ?queue={queue}"
    wait_for(driver, lambda d: d.find_element(By.ID, "live").get_attribute("data-state") == "connected",
             "#live[data-state=connected]", seen=lambda d: d.find_element(By.ID, "live").get_attribute("data-state"))
    run.shot(driver, "console-open")


def work_ticket(run, driver, ref):
    """Take (when still free), pend, resume and resolve through the page's forms."""
    run.wait_dispatched(ref)
    driver.refresh()
    for css in ("#priority", "#sla", "#history"):
        assert element_or_none(driver, css), f"the agent's ticket page has no {css}"
    if element_or_none(driver, "#action-take"):
        click_and_load(driver, driver.find_element(By.ID, "action-take"))
    expect_status(run, driver, ref, "in_progress")
    run.shot(driver, "agent-ticket")

    set_text(driver, "pend-reason", "En attente du retour de l'enseignante.")
    click_and_load(driver, driver.find_element(By.ID, "action-pend"))
    expect_status(run, driver, ref, "pending")
    click_and_load(driver, driver.find_element(By.ID, "action-resume"))
    expect_status(run, driver, ref, "in_progress")

    codes = Select(driver.find_element(By.ID, "resolution-code"))
    codes.select_by_value(next(o.get_attribute("value") for o in codes.options if o.get_attribute("value")))
    set_text(driver, "solution", "Câble réseau remplacé.")
    Select(driver.find_element(By.ID, "resolution-mode")).select_by_value("on_site")
    click_and_load(driver, driver.find_element(By.ID, "action-resolve"))
    expect_status(run, driver, ref, "resolved")
    run.shot(driver, "agent-ticket-resolved")


@check
def live_console(run):
    """A ticket opened elsewhere shows up in the open queue without a reload, then is worked to resolution."""
    agent = run.browser()
    open_live_console(run, agent)
    # a reload would lose this mark: it proves the row came over the live stream
    agent.execute_script("window.guichetNoReload = true")
    ref = run.open_ticket("requester", "Le TBI de la salle 12 ne s'allume plus")["ref"]
    row = f'#queue tr[data-ref="{ref}"]'
    # rows are looked up each time, never held: the console redraws them on every change
    wait_for(agent, lambda d: d.find_element(By.CSS_SELECTOR, row), f"the row of {ref} in the open queue")
    assert agent.execute_script("return window.guichetNoReload === true"), "the console reloaded instead of updating live"
    wait_for(agent, lambda d: d.find_element(By.CSS_SELECTOR, f"{row} td.sla"), f"the time left (td.sla) in the row of {ref}")
    run.shot(agent, "console-live-row")
    click_fresh_and_load(agent, f'{row} a[href$="/tickets/{ref}"]')
    wait_path(agent, f"/tickets/{ref}")
    work_ticket(run, agent, ref)


@check
def live_status_board(run):
    """An outage monitoring reports shows on the requester's status board without a reload, with its incident, then clears."""
    uai = run.account("requester")["organization_code"]
    name = f"RTR-BRW-{int(time.time())}"
    run.create_ci({"class": "router", "name": name, "establishment": uai})
    requester = run.browser()
    sign_in(run, requester, "requester")
    requester.get(run.url("/status"))
    wait_for(requester, lambda d: d.find_element(By.ID, "live").get_attribute("data-state") == "connected",
             "#live[data-state=connected]", seen=lambda d: d.find_element(By.ID, "live").get_attribute("data-state"))
    row = f'#status-establishments tr[data-code="{uai}"]'
    assert requester.find_element(By.CSS_SELECTOR, row).get_attribute("data-state") == "up", "the establishment is not up before the outage"
    requester.execute_script("window.guichetNoReload = true")

    def send(status):
        alert = {"source": "browser-test", "key": name, "status": status, "severity": "critical", "ci": name, "summary": "Routeur injoignable"}
        reply = run.http("POST", "/api/v1/alerts", token=run.token("monitoring"), body=alert)
        assert reply.status == 202, f"POST /api/v1/alerts answered {reply.status}: {reply.body[:300]!r}"

    send("firing")
    wait_for(requester, lambda d: d.find_element(By.CSS_SELECTOR, row).get_attribute("data-state") == "down", f"{row}[data-state=down]")
    wait_text(requester, row, "Réseau coupé")
    wait_text(requester, ".status-summary li.state-down .count", "1")
    assert requester.execute_script("return window.guichetNoReload === true"), "the board reloaded instead of updating live"
    run.shot(requester, "status-board-down")
    send("resolved")
    wait_for(requester, lambda d: d.find_element(By.CSS_SELECTOR, row).get_attribute("data-state") == "up", f"{row}[data-state=up] after the recovery")


@check
def stale_version_conflict(run):
    """An action sent from a page older than the ticket is refused with an alert and a way to reload."""
    ref = run.open_ticket("requester", "Vidéoprojecteur B12 : image violette")["ref"]
    run.wait_dispatched(ref)
    agent = run.browser()
    sign_in(run, agent, "agent")
    agent.get(run.url(f"/tickets/{ref}"))
    wait_for(agent, lambda d: d.find_element(By.ID, "action-pend"), "#action-pend")
    # changed and changed back elsewhere: pend is still allowed, only the version is stale
    run.act("agent", ref, "pend", {"reason": "Attente du fournisseur."})
    run.act("agent", ref, "resume")
    set_text(agent, "pend-reason", "Envoyé depuis une page périmée.")
    click_and_load(agent, agent.find_element(By.ID, "action-pend"))
    conflict = wait_for(agent, lambda d: d.find_element(By.ID, "conflict"), "#conflict after a stale action")
    run.shot(agent, "agent-conflict")
    assert conflict.get_attribute("role") == "alert", "#conflict is not role=alert"
    assert conflict.find_elements(By.TAG_NAME, "a"), "#conflict offers no link to reload"
    assert run.ticket("agent", ref)[0]["status"] == "in_progress", "the stale action was applied"


# --- checks: XSS -------------------------------------------------------------------------------

XSS_TITLE = "<script>alert(1)</script>"


def find_in_queues(run, driver, ref):
    """The text of the console row of ref, looked for in the queues where a dispatched desk ticket can be."""
    for queue in ("open", "team", "mine"):
        driver.get(run.url(f"/console?queue={queue}"))
        assert_no_alert(driver, f"/console?queue={queue}")
        # in one script call: the console may redraw its rows between a lookup and a read
        row = driver.execute_script("const row = document.querySelector(arguments[0]); return row && row.textContent", f'#queue tr[data-ref="{ref}"]')
        if row:
            return row
    raise AssertionError(f"{ref} is in none of the open, team and mine queues")


@check
def xss_escaped(run):
    """Markup in a title and a description is shown as text to the requester and to the agent."""
    ref = run.open_ticket("requester", XSS_TITLE, description='<img src=x onerror="alert(2)">')["ref"]
    run.wait_dispatched(ref)
    requester = run.browser()
    sign_in(run, requester, "requester")
    requester.get(run.url(f"/tickets/{ref}"))
    assert_no_alert(requester, "the requester's ticket page")
    assert_shown_as_text(requester, XSS_TITLE, "the requester's ticket page")
    run.shot(requester, "xss-requester")

    agent = run.browser()
    sign_in(run, agent, "agent")
    agent.get(run.url(f"/tickets/{ref}"))
    assert_no_alert(agent, "the agent's ticket page")
    assert_shown_as_text(agent, XSS_TITLE, "the agent's ticket page")
    row = find_in_queues(run, agent, ref)
    assert XSS_TITLE in row, f"the console row of {ref} does not show the title literally"
    assert_shown_as_text(agent, XSS_TITLE, "the console")
    run.shot(agent, "xss-console")


# --- checks: partner dashboards ----------------------------------------------------------------


def uai(department, number):
    """The demo's UAI (DemoData.uai): 0 + département + four digits + the check letter."""
    digits = f"0{department}{number:04d}"
    return digits + "ABCDEFGHJKLMNPRSTUVWXYZ"[int(digits) % 23]


def seed_establishments(run):
    """Tickets in each of the Loiret's 30 demo establishments, opened by the administrator for the
    demo requester: some are CFA, which the Région's perimeter leaves out. Returns the establishments
    the partner may see and those it may not, as {code: name}."""
    requester = run.account("requester")["person_id"]
    opened = {}
    for number in range(1, 31):
        ticket = run.open_ticket("administrator", f"Tableau de bord {number}", requester_id=requester, establishment=uai("45", number))
        opened[ticket["establishment"]["code"]] = ticket["establishment"]["name"]
    seen = {t["establishment"]["code"]: t["establishment"]["name"] for t in run.tickets_seen_by("partner_viewer")}
    outside = {code: name for code, name in opened.items() if code not in seen}
    assert seen and outside, f"the demo should give the partner some establishments and not others (sees {len(seen)}, not {len(outside)})"
    return seen, outside


def names_any(text, establishments):
    return [code for code, name in establishments.items() if code in text or name in text]


def top_establishments(driver, seen):
    """The rows of table#top-establishments, once it lists the partner's establishments."""

    def probe():
        driver.refresh()
        rows = [row.get_attribute("textContent") for row in driver.find_elements(By.CSS_SELECTOR, "table#top-establishments tbody tr")]
        return (rows if any(names_any(row, seen) for row in rows) else None), [row.strip() for row in rows]

    return poll(probe, DASHBOARD_SECONDS, "table#top-establishments to list the partner's establishments", interval=2)


def check_charts_and_tables(driver):
    charts = driver.find_elements(By.CSS_SELECTOR, "svg[role=img]")
    assert charts, "no svg[role=img] chart"
    # an SVG <title> is not rendered, so .text is empty: its textContent is what a screen reader says
    untitled = [i for i, chart in enumerate(charts) if not driver.execute_script(
        "const t = arguments[0].querySelector(':scope > title'); return t && t.textContent.trim()", chart)]
    assert not untitled, f"charts without a <title>: numbers {untitled}"
    tables = driver.find_elements(By.CSS_SELECTOR, "table.data")
    assert tables, "no table.data"
    bare = [t.get_attribute("id") or "?" for t in tables if not t.find_elements(By.TAG_NAME, "caption")]
    assert not bare, f"tables without a caption: {bare}"


def check_csv_links(run, driver, outside):
    links = driver.find_elements(By.CSS_SELECTOR, "a.csv")
    assert links, "no a.csv export link"
    for link in links:
        href = same_origin_path(link.get_attribute("href"))
        reply = run.http("GET", href, cookies=cookie_header(driver))
        assert reply.status == 200 and reply.header("Content-Type").startswith("text/csv"), \
            f"{href} answered {reply.status} {reply.header('Content-Type')!r}, not text/csv"
        leaked = names_any(reply.body.decode("utf-8", "replace"), outside)
        assert not leaked, f"{href} exports establishments outside the perimeter: {leaked}"


@check
def partner_dashboards(run):
    """Charts and tables are described, and only the establishments of the partner's perimeter appear."""
    seen, outside = seed_establishments(run)
    driver = run.browser()
    sign_in(run, driver, "partner_viewer")
    rows = top_establishments(driver, seen)
    run.shot(driver, "dashboards")
    assert driver.find_element(By.TAG_NAME, "h1").text.strip(), "the dashboards' h1 is empty"
    check_charts_and_tables(driver)
    for row in rows:
        assert not names_any(row, outside), f"an establishment outside the perimeter is listed: {row.strip()!r}"
        assert names_any(row, seen), f"a row names no establishment the partner sees: {row.strip()!r}"
    check_csv_links(run, driver, outside)


# --- checks: accessibility basics --------------------------------------------------------------

UNLABELLED_JS = """
const skip = ['hidden', 'submit', 'button', 'reset', 'image'];
return [...document.querySelectorAll('input, select, textarea')]
  .filter(e => !skip.includes(e.type) && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')
  .filter(e => !((e.id && document.querySelector(`label[for="${CSS.escape(e.id)}"]`))
                 || (e.getAttribute('aria-label') || '').trim() || e.getAttribute('aria-labelledby') || e.closest('label')))
  .map(e => e.outerHTML.slice(0, 100));
"""

# Tab from a mark put first in <body>, not from wherever the page's autofocus left the focus.
FIRST_TAB_JS = """
const mark = document.createElement('span');
mark.tabIndex = -1;
document.body.prepend(mark);
mark.focus();
"""

# Colours as the canvas reads them, whatever syntax the style sheet used (rgb, hex, oklch...):
# the text's colour and the background of the badge and of each ancestor until an opaque one.
STATUS_COLOURS_JS = """
const canvas = document.createElement('canvas');
canvas.width = canvas.height = 1;
const paint = canvas.getContext('2d', {willReadFrequently: true});
const rgba = colour => {
  paint.clearRect(0, 0, 1, 1); paint.fillStyle = '#000'; paint.fillStyle = colour; paint.fillRect(0, 0, 1, 1);
  const d = paint.getImageData(0, 0, 1, 1).data; return [d[0], d[1], d[2], d[3] / 255];
};
return [...document.querySelectorAll('.status')].filter(e => e.getClientRects().length > 0).map(e => {
  const layers = [];
  for (let n = e; n && n.nodeType === 1; n = n.parentElement) {
    const layer = rgba(getComputedStyle(n).backgroundColor);
    layers.push(layer);
    if (layer[3] === 1) break;
  }
  return {text: e.textContent.trim(), colour: rgba(getComputedStyle(e).color), layers};
});
"""


def blend(top, bottom):
    alpha = top[3]
    return [top[i] * alpha + bottom[i] * (1 - alpha) for i in range(3)] + [1]


def luminance(colour):
    def linear(channel):
        channel /= 255
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in colour[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(badge):
    background = [255, 255, 255, 1]  # the canvas of a page whose backgrounds are all transparent
    for layer in reversed(badge["layers"]):
        background = blend(layer, background)
    lighter, darker = sorted((luminance(blend(badge["colour"], background)), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def heading_problems(driver):
    levels = driver.execute_script("return [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])")
    problems = [] if levels.count(1) == 1 else [f"{levels.count(1)} h1"]
    for before, after in zip([0] + levels, levels):
        if after > before + 1:
            problems.append(f"h{after} after h{before or 'nothing'}")
            break
    return problems


def skip_link_problems(driver):
    driver.execute_script(FIRST_TAB_JS)
    ActionChains(driver).send_keys(Keys.TAB).perform()
    first = driver.execute_script("const e = document.activeElement; return e.matches('a.skip-link[href=\"#main\"]') || e.outerHTML.slice(0, 80)")
    return [] if first is True else [f"the first Tab focuses {first}, not a.skip-link"]


def page_problems(driver, signed_in):
    problems = heading_problems(driver) + skip_link_problems(driver)
    if driver.execute_script("return document.documentElement.lang") not in ("fr", "en"):
        problems.append("<html> has no lang fr or en")
    if not element_or_none(driver, "main#main"):
        problems.append("no main#main")
    if signed_in and not element_or_none(driver, "#sign-out"):
        problems.append("no #sign-out")
    unlabelled = driver.execute_script(UNLABELLED_JS)
    if unlabelled:
        problems.append(f"fields without a label: {unlabelled}")
    return problems


def audit(run, driver, path, name, signed_in, report):
    """Loads a page, keeps its screenshot, and adds its problems and status badges to report."""
    driver.get(run.url(path))
    run.shot(driver, f"a11y-{name}")
    report["problems"] += [f"{path}: {problem}" for problem in page_problems(driver, signed_in)]
    report["badges"] += [badge | {"page": path} for badge in driver.execute_script(STATUS_COLOURS_JS)]


@check
def accessibility(run):
    """Labels, one h1 and no skipped heading level, a skip link first, readable status badges."""
    ref = run.open_ticket("requester", "Clavier de l'accueil : touches inversées")["ref"]
    run.wait_dispatched(ref)
    report = {"problems": [], "badges": []}
    anonymous = run.browser()
    audit(run, anonymous, "/login", "login", False, report)

    requester = run.browser()
    sign_in(run, requester, "requester")
    for path, name in (("/", "portal-home"), ("/requests/new", "catalogue")):
        audit(run, requester, path, name, True, report)
    form = same_origin_path(requester.find_element(By.CSS_SELECTOR, "a.service:not(.out-of-perimeter)").get_attribute("href"))
    audit(run, requester, form, "request-form", True, report)
    audit(run, requester, f"/tickets/{ref}", "requester-ticket", True, report)

    agent = run.browser()
    sign_in(run, agent, "agent")
    audit(run, agent, "/console", "console", True, report)
    audit(run, agent, f"/tickets/{ref}", "agent-ticket", True, report)
    partner = run.browser()
    sign_in(run, partner, "partner_viewer")
    audit(run, partner, "/dashboards", "dashboards", True, report)

    if not report["badges"]:
        report["problems"].append("no visible .status badge on any page")
    faint = {}  # one line per badge look, not per ticket listed
    for badge in report["badges"]:
        ratio = contrast(badge)
        if ratio < 4.5:
            faint.setdefault(f"status {badge['text']!r} has contrast {ratio:.2f}:1 (< 4.5)", set()).add(badge["page"])
    report["problems"] += [f"{problem} on {', '.join(sorted(pages))}" for problem, pages in faint.items()]
    assert not report["problems"], "; ".join(report["problems"])


# --- the runner --------------------------------------------------------------------------------


def reason(error):
    if isinstance(error, AssertionError):
        return str(error) or "assertion failed"
    if isinstance(error, WebDriverException):
        return f"{type(error).__name__}: {(error.msg or '').splitlines()[0] if error.msg else ''}"
    return f"{type(error).__name__}: {error}"


def run_check(run, function):
    try:
        function(run)
        print(f"ok: {function.__name__}", flush=True)
        return True
    except Exception as error:  # any failure of one check is reported, and the next one runs
        print(f"FAILED: {function.__name__}: {reason(error)}", flush=True)
        if not isinstance(error, AssertionError):
            traceback.print_exc(file=sys.stderr)
        run.keep_failure(function.__name__)
        return False
    finally:
        run.close_browsers()


def arguments():
    names = [function.__name__ for function in CHECKS]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True, help="the load balancer, e.g. http://127.0.0.1:18180")
    parser.add_argument("--demo", required=True, type=Path, help="the demo.json written by `guichet demo`")
    parser.add_argument("--screenshots", required=True, type=Path, help="where the PNG screenshots (and failed pages) go")
    parser.add_argument("--only", action="append", choices=names, metavar="NAME", help=f"run only this check (repeatable): {', '.join(names)}")
    return parser.parse_args()


def main():
    args = arguments()
    args.screenshots.mkdir(parents=True, exist_ok=True)
    run = Run(args.base_url, json.loads(args.demo.read_text()), args.screenshots)
    results = [run_check(run, function) for function in CHECKS if not args.only or function.__name__ in args.only]
    passed = results.count(True)
    loads = sum(PAGES_READ.values())
    print(f"words read on {loads} page loads of {len(PAGES_READ)} pages: {', '.join(sorted(PAGES_READ))}", flush=True)
    print(f"browser: {passed} passed, {len(results) - passed} failed", flush=True)
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
