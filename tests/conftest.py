"""Shared fixtures: the --update-goldens flag, built sites and a browser."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sitegen.build.context import BuildContext
from sitegen.build.pipeline import BuildResult, build
from sitegen.config import Config
from sitegen.serve.session import PreviewSession

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add --update-goldens, which rewrites expected files from the current output."""
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="rewrite golden files (parser fixtures, golden site) from current output",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    """Return True when golden files should be rewritten."""
    return bool(request.config.getoption("--update-goldens"))


def build_into(config: Config, content: Path, output: Path, **options) -> BuildResult:
    """Build ``content`` into ``output`` with ``config``; ``options`` are BuildContext's (jobs, force...)."""
    return build(BuildContext(config, content, output, **options))


def preview_session(config: Path | None, content: Path, output: Path) -> PreviewSession:
    """Return the preview of ``content`` in ``output`` with the configuration file ``config`` (None: defaults)."""
    return PreviewSession(BuildContext.load(config, content, output))


def build_site(content: Path, output: Path, **settings) -> BuildResult:
    """Build ``content`` into ``output`` with the bundled theme and return the result.

    The demo and its copies use the demo's authority file (``entities.toml`` at the top of the
    repository); the test corpora under tests/ use the one beside them, which they do not have.
    """
    if (ROOT / "tests") in content.absolute().parents:
        settings.setdefault("entities", content.absolute().parent / "entities.toml")
    return build_into(Config(root=ROOT, **settings), content, output)


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the demo content built once for the session."""
    out = tmp_path_factory.mktemp("demo") / "site"
    build_site(ROOT / "content", out)
    return out


def serve_folder(folder: Path) -> tuple[str, ThreadingHTTPServer]:
    """Serve a folder over HTTP on a free loopback port; return its base URL and server."""
    handler = partial(_QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def browser():
    """Return headless Chromium driven by Playwright, or skip when unavailable.

    With SITEGEN_REQUIRE_BROWSER=1 (set by CI) a missing browser fails instead.
    """
    required = os.environ.get("SITEGEN_REQUIRE_BROWSER") == "1"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            pytest.fail("playwright is not installed")
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    if CHROMIUM is None:
        if required:
            pytest.fail("chromium is not installed")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def free_port() -> int:
    """Return a TCP port that is free on loopback right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
