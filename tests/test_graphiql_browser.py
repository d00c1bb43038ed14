"""GraphiQL in a real headless browser, with the network to every other host cut.

The API runs under uvicorn on a free 127.0.0.1 port against the test's embedded AWS;
Playwright drives the system chromium (`apt-get install chromium`: Playwright's own
browser download is not used). Every request to another host is aborted and recorded, and
every Content-Security-Policy violation is collected: the page must work with neither.
Skipped where chromium or the Playwright package is missing (CI installs both).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn

from partner_center.config import get_settings
from partner_center.local import demo_data
from partner_center.local.sign_in import DEMO_SIGN_IN
from tests.conftest import token

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("PC_CHROMIUM") or next(
    (
        found
        for name in ("chromium", "chromium-browser", "google-chrome")
        if (found := shutil.which(name))
    ),
    None,
)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium installed")

QUERY = "{ viewer { login role } customers(first: 2) { edges { node { id } } } }"


@pytest.fixture(scope="module")
def served(demo: demo_data.DemoData) -> Iterator[str]:
    """The real app over real HTTP, in a thread, on a port nobody else holds."""
    from partner_center.api.app import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(get_settings(), DEMO_SIGN_IN), log_level="warning", lifespan="off"
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


class Browser:
    def __init__(self, page: Any, blocked: list[str], violations: list[str]) -> None:
        self.page, self.blocked, self.violations = page, blocked, violations

    def editor(self, selector: str) -> Any:
        # The variables and headers editors share one pane: the shown one is meant.
        return self.page.locator(f"{selector} .CodeMirror >> visible=true").first

    def type_into(self, selector: str, text: str) -> None:
        """Click into a CodeMirror editor, select everything and type over it."""
        self.editor(selector).click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.press("Delete")
        # insert_text types the whole string as one input, so the editor's bracket
        # auto-closing does not double the braces.
        self.page.keyboard.insert_text(text)

    def value(self, selector: str) -> str:
        value: str = self.editor(selector).evaluate("e => e.CodeMirror.getValue()")
        return value

    def run_query(self) -> dict[str, Any]:
        self.page.locator(".graphiql-execute-button").click()
        self.page.wait_for_function(
            "() => document.querySelector('.graphiql-response .CodeMirror')"
            ".CodeMirror.getValue().includes('\"data\"')",
            timeout=20_000,
        )
        result: dict[str, Any] = json.loads(self.value(".graphiql-response"))
        return result


@pytest.fixture()
def browser(served: str) -> Iterator[Browser]:
    host = urlsplit(served).netloc
    blocked: list[str] = []
    violations: list[str] = []
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            # Root in CI containers: chromium's sandbox needs user namespaces it lacks.
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            context = chromium.new_context()

            def only_the_app(route: Any) -> None:
                if urlsplit(route.request.url).netloc == host or route.request.url.startswith(
                    "data:"
                ):
                    route.continue_()
                else:
                    blocked.append(route.request.url)
                    route.abort("internetdisconnected")

            context.route("**/*", only_the_app)
            context.add_init_script(
                "document.addEventListener('securitypolicyviolation', e => "
                "(window.__violations = window.__violations || [])"
                ".push(e.violatedDirective + ' ' + e.blockedURI));"
            )
            page = context.new_page()
            page.set_default_timeout(20_000)
            yield Browser(page, blocked, violations)
            violations.extend(page.evaluate("() => window.__violations || []"))
        finally:
            chromium.close()


def _ready(browser: Browser, url: str) -> None:
    browser.page.goto(url)
    browser.page.wait_for_selector(".graphiql-query-editor .CodeMirror")


def test_graphiql_loads_offline_and_runs_a_query_with_a_typed_bearer_token(
    browser: Browser, served: str
) -> None:
    _ready(browser, f"{served}/graphql")
    browser.page.get_by_role("button", name="Headers").click()
    header = json.dumps({"Authorization": f"Bearer {token('sp-admin')}"})
    browser.type_into(".graphiql-editor-tool", header)
    browser.type_into(".graphiql-query-editor", QUERY)
    result = browser.run_query()
    assert result["data"]["viewer"] == {"login": "sp-admin", "role": "admin"}
    assert len(result["data"]["customers"]["edges"]) == 2
    page_violations = browser.page.evaluate("() => window.__violations || []")
    assert page_violations == []
    assert browser.blocked == []


def test_graphiql_signs_in_as_a_demo_login_and_shows_the_schema(
    browser: Browser, served: str
) -> None:
    _ready(browser, f"{served}/graphql")
    browser.page.select_option("#demo-login", "sp-operator")
    browser.page.wait_for_selector("#sign-in .status:has-text('signed in as sp-operator')")
    browser.page.wait_for_selector(".graphiql-query-editor .CodeMirror")
    browser.page.get_by_role("button", name="Headers").click()
    headers = json.loads(browser.value(".graphiql-editor-tool"))
    assert headers["Authorization"].startswith("Bearer ")
    # The schema was fetched with the token: the documentation explorer lists Query.
    browser.page.get_by_role("button", name="Show Documentation Explorer").click()
    browser.page.wait_for_selector(".graphiql-doc-explorer >> text=Query")
    browser.type_into(".graphiql-query-editor", QUERY)
    result = browser.run_query()
    assert result["data"]["viewer"]["login"] == "sp-operator"
    assert browser.page.evaluate("() => window.__violations || []") == []
    assert browser.blocked == []


def test_a_ready_link_signs_in_on_load(browser: Browser, served: str) -> None:
    _ready(browser, f"{served}/graphql?login=sp-admin")
    browser.page.wait_for_selector("#sign-in .status:has-text('signed in as sp-admin')")
    browser.type_into(".graphiql-query-editor", "{ viewer { login } }")
    assert browser.run_query()["data"]["viewer"]["login"] == "sp-admin"
    assert browser.blocked == []


def test_the_page_policy_refuses_scripts_from_elsewhere_and_inline(
    browser: Browser, served: str
) -> None:
    """The guards above can fail: a CDN script and an inline script are both refused."""
    _ready(browser, f"{served}/graphql")
    browser.page.evaluate("""() => {
        const cdn = document.createElement('script');
        cdn.src = 'https://unpkg.com/react@18.2.0/umd/react.production.min.js';
        document.head.appendChild(cdn);
        const inline = document.createElement('script');
        inline.textContent = 'window.__inline_ran = true';
        document.head.appendChild(inline);
    }""")
    browser.page.wait_for_function("() => (window.__violations || []).length >= 2")
    violations = browser.page.evaluate("() => window.__violations")
    assert any(v.startswith("script-src") and "unpkg.com" in v for v in violations)
    assert any(v.startswith("script-src") and v.endswith("inline") for v in violations)
    assert browser.page.evaluate("() => window.__inline_ran === undefined")
