"""The HTML report, rendered and driven in headless Chromium.

The tests speak the DevTools protocol to Debian's Chromium over a WebSocket on
the loopback interface. They skip when no Chromium is installed, and .ci/run
installs it so that CI runs them.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import websocket

from o2s_config.emit.html import render_html
from o2s_config.pipeline import compile_bytes, compile_path

from .conftest import CASES, EXAMPLE

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# Flags that keep Chromium off the network and away from any desktop session.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
]
TIMEOUT = 30.0

SCRIPT_NAME = "<script>window.__pwned=1</script>"
IMAGE_NAME = '<img src=x onerror="window.__pwned=1">'

HOSTILE_ORG = f"""\
version: 1
establishment:
  name: '{SCRIPT_NAME} Cabinet'
  contact_email: contact@test.fr
structures: ['{IMAGE_NAME}']
profiles:
  advisor: {{label: '{IMAGE_NAME}', base: all}}
users:
  - login: admin
    first_name: '{SCRIPT_NAME}'
    last_name: Dupont
    email: admin@test.fr
    profile: administrator
    structure: '{IMAGE_NAME}'
  - login: jleroy
    first_name: Julie
    last_name: '{IMAGE_NAME}'
    email: j.leroy@test.fr
    profile: advisor
    manager: admin
    structure: '{IMAGE_NAME}'
"""


class DevTools:
    """A minimal DevTools protocol client: one WebSocket, flattened sessions."""

    def __init__(self, url: str) -> None:
        # Chromium rejects WebSocket clients that send an Origin header.
        self.socket = websocket.create_connection(
            url, timeout=TIMEOUT, suppress_origin=True
        )
        self.last_id = 0
        self.events: list[dict[str, Any]] = []

    def call(
        self, method: str, params: dict[str, Any] | None = None, session: str = ""
    ) -> dict[str, Any]:
        self.last_id += 1
        message: dict[str, Any] = {"id": self.last_id, "method": method}
        message["params"] = params or {}
        if session:
            message["sessionId"] = session
        self.socket.send(json.dumps(message))
        while True:
            reply = json.loads(self.socket.recv())
            if reply.get("id") != self.last_id:
                self.events.append(reply)
                continue
            if "error" in reply:
                raise RuntimeError(f"{method} failed: {reply['error']}")
            return reply["result"]

    def wait_for(self, method: str, session: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while True:
            for event in self.events:
                if event.get("method") == method and event.get("sessionId") == session:
                    self.events.remove(event)
                    return event
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {method} within {TIMEOUT} s")
            self.events.append(json.loads(self.socket.recv()))

    def close(self) -> None:
        self.socket.close()


class Page:
    """One browser tab, with what its console and network reported."""

    def __init__(self, devtools: DevTools, session: str) -> None:
        self.devtools = devtools
        self.session = session

    def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        return self.devtools.call(method, params, self.session)

    def evaluate(self, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def _events(self, method: str) -> list[dict[str, Any]]:
        return [
            event["params"]
            for event in self.devtools.events
            if event.get("method") == method and event.get("sessionId") == self.session
        ]

    def console_errors(self) -> list[str]:
        errors = [
            " ".join(str(arg.get("value", arg.get("description"))) for arg in e["args"])
            for e in self._events("Runtime.consoleAPICalled")
            if e["type"] in ("error", "assert")
        ]
        errors += [
            e["exceptionDetails"].get("text", "exception")
            for e in self._events("Runtime.exceptionThrown")
        ]
        errors += [
            f"{e['entry']['source']}: {e['entry']['text']}"
            for e in self._events("Log.entryAdded")
            if e["entry"]["level"] == "error"
        ]
        return errors

    def requested_urls(self) -> list[str]:
        return [e["request"]["url"] for e in self._events("Network.requestWillBeSent")]


class Browser:
    def __init__(self, devtools: DevTools) -> None:
        self.devtools = devtools

    def open(self, path: Path, width: int = 1280, height: int = 900) -> Page:
        """Open a file in a new tab and wait until it has loaded."""
        target = self.devtools.call("Target.createTarget", {"url": "about:blank"})
        attached = self.devtools.call(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )
        page = Page(self.devtools, attached["sessionId"])
        for domain in ("Page", "Runtime", "Log", "Network"):
            page.call(f"{domain}.enable")
        page.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        page.call("Page.navigate", {"url": path.as_uri()})
        self.devtools.wait_for("Page.loadEventFired", page.session)
        return page


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip(
            "Chromium is not installed: apt-get install chromium (.ci/run does)"
        )
    profile = tmp_path_factory.mktemp("chromium-profile")
    process = subprocess.Popen(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Chromium writes the port it picked, then the browser's WebSocket path.
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + TIMEOUT
        while not (port_file.exists() and len(port_file.read_text().split()) == 2):
            if process.poll() is not None:
                pytest.fail(f"Chromium exited with code {process.returncode}")
            if time.monotonic() > deadline:
                pytest.fail(f"Chromium wrote no {port_file.name} within {TIMEOUT} s")
            time.sleep(0.05)
        port, path = port_file.read_text().split()
        devtools = DevTools(f"ws://127.0.0.1:{port}{path}")
        yield Browser(devtools)
        devtools.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def example_html(tmp_path_factory):
    folder = tmp_path_factory.mktemp("html")
    result = compile_path(EXAMPLE, display_name="examples/org.yaml")
    assert result.org is not None
    path = folder / "report.html"
    path.write_text(render_html(result.org, "fr"), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def example_page(browser, example_html):
    return browser.open(example_html)


def test_same_input_same_html(example_html):
    result = compile_path(EXAMPLE, display_name="examples/org.yaml")
    assert result.org is not None
    assert render_html(result.org, "fr") == example_html.read_text(encoding="utf-8")


def test_html_links_to_nothing(example_html):
    html = example_html.read_text(encoding="utf-8")
    assert "<link" not in html
    assert " src=" not in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "default-src &#39;none&#39;" in html


def test_cli_html_english(run_cli):
    run = run_cli("report", EXAMPLE, "--format", "html", "--lang", "en")
    assert run.code == 0, run.err
    assert run.out.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<h2>Profiles and rights</h2>" in run.out
    assert "<title>O2S organisation: Cabinet Dubois Patrimoine</title>" in run.out
    assert "See only my calendar" in run.out


@pytest.mark.parametrize(
    "case", sorted(CASES.glob("valid/*.yaml")), ids=lambda path: path.stem
)
def test_every_valid_case_renders(case):
    result = compile_path(case)
    assert result.org is not None
    for lang in ("fr", "en"):
        html = render_html(result.org, lang)
        assert html.endswith("</html>\n")
        assert html.count('<g class="node') == len(result.org.users)


def _visible_logins(page: Page) -> list[str]:
    return page.evaluate(
        "Array.from(document.querySelectorAll('#users-table tbody tr'))"
        ".filter((row) => !row.hidden)"
        ".map((row) => row.cells[0].textContent.trim())"
    )


def test_page_loads_without_console_errors(example_page):
    assert example_page.evaluate("document.title") == (
        "Organisation O2S : Cabinet Dubois Patrimoine"
    )
    assert example_page.console_errors() == []


def test_page_fetches_nothing(example_page):
    urls = example_page.requested_urls()
    assert urls == [example_page.evaluate("location.href")]


def test_page_shows_every_section(example_page):
    headings = example_page.evaluate(
        "Array.from(document.querySelectorAll('h2')).map((h) => h.textContent)"
    )
    assert headings == [
        "Établissement",
        "Profils et droits",
        "Utilisateurs",
        "Organigramme",
        "Visibilité",
        "Diagnostics",
    ]


def test_org_chart_has_box_per_user(example_page):
    boxes = example_page.evaluate(
        "Array.from(document.querySelectorAll('#org-chart svg .node .name'))"
        ".map((node) => node.textContent)"
    )
    assert len(boxes) == 15
    assert "Pauline Girard" in boxes
    edges = example_page.evaluate(
        "document.querySelectorAll('#org-chart svg .edges path').length"
    )
    # One connector per user with a manager: 15 users, 4 of them with none.
    assert edges == 11


def test_org_chart_boxes_do_not_overlap(example_page):
    boxes = example_page.evaluate(
        "Array.from(document.querySelectorAll('#org-chart .node .box'))"
        ".map((box) => { const r = box.getBoundingClientRect();"
        " return [r.left, r.top, r.right, r.bottom]; })"
    )
    for index, first in enumerate(boxes):
        for second in boxes[index + 1 :]:
            apart = (
                first[2] <= second[0]
                or second[2] <= first[0]
                or first[3] <= second[1]
                or second[3] <= first[1]
            )
            assert apart, (first, second)


def test_filter_narrows_users_table(example_page):
    assert len(_visible_logins(example_page)) == 15
    assert (
        example_page.evaluate(
            "getComputedStyle(document.getElementById('user-filter-box')).display"
        )
        != "none"
    )

    example_page.evaluate("document.getElementById('user-filter').focus()")
    example_page.call("Input.insertText", {"text": "garnier"})
    # Marc Garnier, and the two juniors whose manager he is.
    assert _visible_logins(example_page) == ["jleroy", "mgarnier", "pgirard"]
    count = example_page.evaluate("document.getElementById('user-count').textContent")
    assert count == "3 utilisateur(s) affiché(s) sur 15"

    # Accents and case do not matter: "LEA" finds Léa Robert.
    example_page.evaluate("document.getElementById('user-filter').select()")
    example_page.call("Input.insertText", {"text": "LEA"})
    assert _visible_logins(example_page) == ["lrobert"]

    example_page.evaluate("document.getElementById('user-filter').select()")
    example_page.call("Input.insertText", {"text": "junior lyon"})
    assert _visible_logins(example_page) == ["elaurent"]

    example_page.evaluate("document.getElementById('user-filter').select()")
    example_page.call(
        "Input.dispatchKeyEvent",
        {
            "type": "keyDown",
            "key": "Delete",
            "code": "Delete",
            "windowsVirtualKeyCode": 46,
        },
    )
    example_page.call(
        "Input.dispatchKeyEvent",
        {
            "type": "keyUp",
            "key": "Delete",
            "code": "Delete",
            "windowsVirtualKeyCode": 46,
        },
    )
    assert len(_visible_logins(example_page)) == 15


def test_header_click_sorts_users(example_page):
    def click_header(index: int) -> None:
        example_page.evaluate(
            f"document.querySelectorAll('#users-table thead th button')[{index}].click()"
        )

    click_header(1)  # name, ascending
    names = example_page.evaluate(
        "Array.from(document.querySelectorAll('#users-table tbody tr'))"
        ".map((row) => row.cells[1].textContent)"
    )
    assert names == [
        "Alexis Dubois",
        "Bruno Mercier",
        "Camille Durand",
        "Claire Martin",
        "Emma Laurent",
        "Hugo Simon",
        "Inès Fournier",
        "Julie Leroy",
        "Julien Moreau",
        "Léa Robert",
        "Marc Garnier",
        "Nicolas Richard",
        "Pauline Girard",
        "Sophie Bernard",
        "Thomas Petit",
    ]

    click_header(1)  # name, descending
    first = example_page.evaluate(
        "document.querySelector('#users-table tbody tr').cells[1].textContent"
    )
    assert first == "Thomas Petit"
    sort = example_page.evaluate(
        "document.querySelectorAll('#users-table thead th')[1].getAttribute('aria-sort')"
    )
    assert sort == "descending"

    click_header(0)  # login, ascending: back to the order without JavaScript
    assert _visible_logins(example_page)[:3] == ["adubois", "bmercier", "cdurand"]


def test_matrix_highlights_changes_from_base(example_page):
    cells = example_page.evaluate(
        "Array.from(document.querySelectorAll('.matrix tbody tr'))"
        ".filter((row) => row.querySelector('.key'))"
        ".map((row) => [row.querySelector('.key').textContent,"
        " Array.from(row.cells).slice(1).map((cell) =>"
        " [cell.textContent.trim(), cell.classList.contains('differs')])])"
    )
    by_key = dict(cells)
    # Columns: Administrateur, Manager, Conseiller, Conseiller junior, Back-office.
    access = by_key["administration.module_access"]
    assert access[0] == ["✓Oui", False]
    assert access[1] == ["✗Non", True]  # manager: base all, denied
    assert access[3] == ["✗Non", False]  # junior: already off in its base advisor
    agenda = by_key["agenda.view"]
    assert agenda[2] == ["Voir mon agenda et ceux des utilisateurs de mon groupe", True]
    assert agenda[3] == ["Voir uniquement mon agenda", True]
    # The back office keeps the advisor's portfolio rights off, unlike its base.
    assert by_key["portfolio.edit_accounts"][4] == ["✗Non", True]
    assert by_key["portfolio.edit_accounts"][2] == ["✓Oui", False]


def test_page_reads_without_javascript(browser, example_html):
    page = browser.open(example_html)
    page.call("Emulation.setScriptExecutionDisabled", {"value": True})
    page.call("Page.reload")
    browser.devtools.wait_for("Page.loadEventFired", page.session)
    filter_shown = page.evaluate(
        "getComputedStyle(document.getElementById('user-filter-box')).display"
    )
    assert filter_shown == "none"
    rows = page.evaluate("document.querySelectorAll('#users-table tbody tr').length")
    assert rows == 15


def test_hostile_names_stay_text(browser, tmp_path):
    result = compile_bytes(HOSTILE_ORG.encode(), "hostile.yaml")
    assert result.org is not None, [d.message for d in result.diagnostics]
    path = tmp_path / "hostile.html"
    path.write_text(render_html(result.org, "en"), encoding="utf-8")

    page = browser.open(path)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.evaluate("document.scripts.length") == 1
    table = page.evaluate("document.getElementById('users-table').textContent")
    assert SCRIPT_NAME in table
    assert IMAGE_NAME in table
    assert SCRIPT_NAME in page.evaluate("document.querySelector('h1').textContent")
    chart = page.evaluate("document.querySelector('#org-chart svg').textContent")
    assert "window.__pwned=1" in chart
    assert page.console_errors() == []


def test_content_security_policy_blocks_handlers(browser, example_html):
    # Without the policy, the image fails to load and its handler runs.
    page = browser.open(example_html)
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend',"
        ' \'<img src="missing.png" onerror="window.__injected=1">\');'
        "new Promise((resolve) => setTimeout(resolve, 300))"
    )
    assert page.evaluate("typeof window.__injected") == "undefined"
    assert any("Content Security Policy" in error for error in page.console_errors())


def test_screenshot(browser, example_html, tmp_path):
    page = browser.open(example_html)
    height = page.evaluate("document.documentElement.scrollHeight")
    shot = page.call(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}
    )
    path = tmp_path / "report.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    print(f"screenshot of the HTML report: {path}")
    assert path.read_bytes().startswith(b"\x89PNG")
    assert height > 2000


def test_print_to_pdf(browser, example_html, tmp_path):
    page = browser.open(example_html)
    pdf = page.call("Page.printToPDF", {"preferCSSPageSize": True})
    path = tmp_path / "report.pdf"
    path.write_bytes(base64.b64decode(pdf["data"]))
    print(f"PDF of the HTML report: {path}")
    assert path.read_bytes().startswith(b"%PDF")
