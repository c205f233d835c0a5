"""Shared fixtures: the real gazetteer, the bundled dataset, the CLI, a headless browser."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
]


@pytest.fixture(scope="session")
def gazetteer():
    import geo

    return geo.default()


@pytest.fixture(scope="session")
def dataset():
    from layers.dataset import load

    return load()


@pytest.fixture(scope="session")
def timeline(dataset):
    from layers.timeline import Timeline

    return Timeline.from_dataset(dataset)


def run_cli(*args: str, cwd: Path | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    """Run ``garrison ARGS`` in a fresh process, as a user would."""
    exe = Path(sys.executable).with_name("garrison")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=cwd, input=input,
                          timeout=600, env=os.environ.copy())


@pytest.fixture(scope="session")
def cli():
    return run_cli


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium driven by Playwright; skipped (never in CI) when absent.

    Playwright starts Chromium with a fresh temporary profile (user data dir) each launch.
    """
    exe = chromium_path()
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required in CI (the .ci/run script installs it)")
        pytest.skip("browser tests need Chromium: install it (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS[1:])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page that records every network request and script error."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    pg.requests = []
    pg.errors = []
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    ctx.close()


def remote_requests(urls: list[str]) -> list[str]:
    return [u for u in urls if not u.startswith(("file:", "data:", "about:", "blob:"))]
