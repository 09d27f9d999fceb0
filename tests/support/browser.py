"""``worktop serve`` in a subprocess, Debian's headless chromium driven by selenium, and OCR of what it shows.

Nothing is downloaded: chromium and chromedriver are Debian's (``make test``
installs them where missing, with tesseract-ocr), and Selenium Manager is told
to stay offline.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support.agents import ROOT, worktop_env

WAIT = 90.0
"""Seconds to wait for a page, an app process or a redraw (chromium and OCR are slow on a loaded 2-core machine)."""

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,800")


def need_browser_tools() -> None:
    """Skip when chromium, its driver or tesseract is missing; under ``make test`` (which installs them,
    and sets ``WORKTOP_REQUIRE_BROWSER=1``) or CI, fail instead."""
    missing = [tool for tool in (CHROMIUM, CHROMEDRIVER) if not Path(tool).exists()]
    missing += [] if shutil.which("tesseract") else ["tesseract"]
    if missing:
        message = f"the browser test needs {', '.join(missing)} (apt-get install chromium chromium-driver tesseract-ocr)"
        if os.environ.get("WORKTOP_REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    """A running ``worktop serve``: its link (with the token) and its process."""

    def __init__(self, process: subprocess.Popen[str], link: str, port: int) -> None:
        self.process = process
        self.link = link
        self.port = port
        self.base = f"http://127.0.0.1:{port}"

    @property
    def token(self) -> str:
        return self.link.rsplit("token=", 1)[1]


@contextmanager
def served(workspace: Path, *args: str, user: str = "ana") -> Iterator[Served]:
    """``worktop -w WORKSPACE serve --port FREE ARGS`` until the block ends; then it and its tabs are stopped."""
    port = free_port()
    env = dict(os.environ, **worktop_env(WORKTOP_USER=user))
    process = subprocess.Popen([sys.executable, "-m", "tui.cli", "-w", str(workspace), "serve", "--port", str(port),
                                *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    said: list[str] = []
    try:
        deadline = time.monotonic() + WAIT
        link = None
        while link is None:
            line = process.stdout.readline() if process.stdout else ""
            if not line and process.poll() is not None:
                raise AssertionError(f"worktop serve exited {process.returncode}:\n{''.join(said)}")
            said.append(line)
            found = re.search(r"open (http://\S+)", line)
            link = found.group(1) if found else None
            assert time.monotonic() < deadline, f"no link from worktop serve:\n{''.join(said)}"
        yield Served(process, link, port)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # as ctrl+c: the tabs are told to quit
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if process.stdout:
            process.stdout.close()


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's chromium, headless, with a fresh profile, driven through Debian's chromedriver."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not try to fetch a browser or driver
    profile = tempfile.mkdtemp(prefix="worktop-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.set_page_load_timeout(WAIT)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def ocr(png: Path) -> str:
    """The text tesseract reads in a screenshot (one thread: the machine is shared)."""
    done = subprocess.run(["tesseract", str(png), "-", "-l", "eng"], capture_output=True, text=True, timeout=WAIT,
                          env=dict(os.environ, OMP_THREAD_LIMIT="1"))
    assert done.returncode == 0, done.stderr
    return done.stdout


def read_page_until(driver: Any, shot: Path, seen: Callable[[str], bool], what: str) -> str:
    """Screenshot and OCR the page until ``seen(text)``; returns that text (the last screenshot stays in ``shot``)."""
    deadline = time.monotonic() + WAIT
    text = ""
    while True:
        driver.save_screenshot(str(shot))
        text = ocr(shot)
        if seen(text):
            return text
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; the page read (screenshot {shot}):\n{text}")
        time.sleep(0.5)


def type_into_terminal(driver: Any, keys: str) -> None:
    """Keys as a person types them into the page (xterm.js takes them from its hidden textarea)."""
    from selenium.webdriver.common.by import By

    field = driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")
    driver.execute_script("arguments[0].focus()", field)
    for key in keys:
        field.send_keys(key)
        time.sleep(0.3)  # one at a time, as typed: a pane key first, then the action on it
