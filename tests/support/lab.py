"""JupyterLab in headless Chromium, for browser tests: a lab server on a free loopback port
over a folder, Debian's Chromium through Playwright (no browser download), and helpers to
open a notebook, run it, and fail on any traceback in any output."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import ROOT, free_port

CHROMIUM = os.environ.get("WORKBENCH_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@contextlib.contextmanager
def jupyterlab(root: Path, env: dict | None = None):
    """A JupyterLab server over `root`; yields (base url, token)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's chromium (scripts/test does)"
        )
    port, token = free_port(), secrets.token_hex(16)
    log = open(root / "lab.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--allow-root",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            f"--ServerApp.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.news_url=",
            "--ServerApp.open_browser=False",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=root,
        env={**os.environ, **(env or {})},
    )
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"JupyterLab exited: {(root / 'lab.log').read_text()[-2000:]}")
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}", token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextlib.contextmanager
def chromium_page(width: int = 1400, height: int = 1100):
    """A page in headless Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


def open_notebook(page, lab, name: str) -> None:
    """Open `name` in JupyterLab and wait for its kernel."""
    url, token = lab
    # `reset`: a fresh workspace, so notebooks opened by earlier tests are not restored beside
    # this one (their hidden panels would match every selector too).
    page.goto(f"{url}/lab/tree/{name}?reset&token={token}")
    page.wait_for_selector(".jp-Notebook", timeout=90_000)
    page.wait_for_selector(".jp-KernelName:has-text('Python 3')", timeout=90_000)
    # Its kernel started and idle (on a loaded machine a kernel takes a while to start, and
    # "Run All Cells" sent before it is ready queues nothing).
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-StatusBar-Item')]"
        ".some(e => /\\| Idle/.test(e.innerText))",
        timeout=180_000,
    )


def run_all_cells(page) -> None:
    page.click("li.lm-MenuBar-item:has-text('Run')")
    page.click("li.lm-Menu-item:has-text('Run All Cells')")


def wait_until_idle(page, timeout_ms: int = 300_000) -> None:
    """Until no cell is queued or running (`[*]` prompts gone) and the kernel is idle."""
    page.wait_for_function(
        "() => ![...document.querySelectorAll('.jp-InputPrompt')]"
        ".some(p => p.innerText.includes('*'))",
        timeout=timeout_ms,
    )


def assert_no_traceback(page) -> None:
    """No cell shows an error output (a traceback, or stderr with 'Traceback')."""
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    texts = [errors.nth(i).inner_text() for i in range(errors.count())]
    tracebacks = page.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']")
    shown = [tracebacks.nth(i).inner_text()[:2000] for i in range(tracebacks.count())]
    shown += [t[:2000] for t in texts if "Traceback" in t or "Error" in t]
    assert not shown, "\n---\n".join(shown)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
