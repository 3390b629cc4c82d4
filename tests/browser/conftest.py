"""Browser journeys: Chromium (through Playwright) against the product as `make run` serves it.

One server for the whole session: `bin/serve` (Daphne, the task worker, localstripe, demo_seed) on
free ports, with its own SQLite database and localstripe state in a temporary folder, so a
developer's `make run` and its var/ are never touched. Emails print to that server's log, where
the journeys read sign-up links.

Every page opened here fails its test on an uncaught script error, a console error (which is how
Chromium reports Content-Security-Policy violations) or a 5xx answer.

Without /usr/bin/chromium the journeys are skipped, unless COOP_REQUIRE_BROWSER=1 (CI), where a
missing browser is a failure. COOP_BROWSER_URL (with COOP_BROWSER_LOG, the server's output) runs
them against a server that is already running, which is quicker while writing a journey.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, ROOT, VIEWPORTS, Server, log_in

SERVER_START_SECONDS = 300


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives Chromium against a served co-op (tests/browser)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own loopback URL)
            return bool(response.status == 200)
    except OSError:
        return False


def _serve_env(var_dir: Path, port: int, localstripe_port: int) -> dict[str, str]:
    # Only what `make run` gets on a bare machine: no DATABASE_URL or REDIS_URL (the embedded
    # default), no Stripe keys (localstripe), and none of the test settings pytest has exported.
    keep = ("HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(
        PATH=f"{ROOT / '.venv' / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        HOST="127.0.0.1",
        PORT=str(port),
        LOCALSTRIPE_PORT=str(localstripe_port),
        VAR_DIR=str(var_dir),
        PYTHONUNBUFFERED="1",
    )
    return env


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if url := os.environ.get("COOP_BROWSER_URL"):
        yield Server(url=url.rstrip("/"), log=Path(os.environ["COOP_BROWSER_LOG"]))
        return
    var_dir = tmp_path_factory.mktemp("served-coop")
    port, localstripe_port = _free_port(), _free_port()
    log = var_dir / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 (our own script, no shell)
            [str(ROOT / "bin" / "serve")],
            cwd=ROOT,
            env=_serve_env(var_dir, port, localstripe_port),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: Daphne, worker and localstripe
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not _answers(url + "/healthz"):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-4000:]
                pytest.fail(f"bin/serve did not answer /healthz; its output ends with:\n{tail}")
            time.sleep(0.5)
        yield Server(url=url, log=log)
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        reason = f"browser journeys need Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("COOP_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + "; COOP_REQUIRE_BROWSER=1 makes it required")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 (only when Chromium exists)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Problems:
    """What went wrong in the pages of one test, reported together at its end."""

    found: list[str] = field(default_factory=list)

    def watch(self, page: Any, who: str) -> None:
        page.on("pageerror", lambda error: self.found.append(f"{who}: script error: {error}"))
        page.on(
            "console",
            lambda message: (
                self.found.append(f"{who}: console error at {page.url}: {message.text}")
                if message.type == "error"
                else None
            ),
        )
        page.on(
            "response",
            lambda response: (
                self.found.append(f"{who}: {response.status} from {response.url}")
                if response.status >= 500
                else None
            ),
        )


OpenPage = Callable[..., Any]


@pytest.fixture
def open_page(browser: Any, server: Server) -> Iterator[OpenPage]:
    """open_page(viewport, login=(email, password) or None) -> a Playwright page of its own.

    Each call is a separate browser context (its own cookies), so one test can be two people.
    """
    problems = Problems()
    contexts: list[Any] = []

    def open_(viewport: str, login: tuple[str, str] | None = None) -> Any:
        context = browser.new_context(
            base_url=server.url, locale="en-GB", timezone_id="Europe/Madrid", **VIEWPORTS[viewport]
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        problems.watch(page, f"{login[0] if login else 'visitor'} ({viewport})")
        if login:
            log_in(page, *login)
        return page

    yield open_
    for context in contexts:
        context.close()
    assert problems.found == [], "\n".join(problems.found)


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)
