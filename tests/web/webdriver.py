"""Two small W3C WebDriver clients for the cross-engine test, on Debian's own browsers:

- Firefox ESR through WebDriver BiDi (the browser's own `--remote-debugging-port`, a WebSocket):
  Debian ships no geckodriver, and BiDi is the standard's current protocol, built into Firefox;
- WebKitGTK (Safari's engine) through classic WebDriver (HTTP), `WebKitWebDriver` from
  `webkit2gtk-driver`, driving its MiniBrowser on a virtual screen (`xvfb`).

Both offer the same four things the test needs: set the session cookie, open a page, evaluate an
expression, press keys (real key events through the protocol's input actions)."""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

# WebDriver's key codes (W3C WebDriver, "Keyboard actions").
KEYS = {"Enter": "\ue007", "Tab": "\ue004", "Control": "\ue009", "Alt": "\ue00a",
        "Shift": "\ue008", "Backspace": "\ue003"}
FIREFOX = shutil.which("firefox-esr") or "/usr/bin/firefox-esr"
WEBKIT_DRIVER = shutil.which("WebKitWebDriver") or "/usr/bin/WebKitWebDriver"
XVFB = shutil.which("Xvfb") or "/usr/bin/Xvfb"


def minibrowser() -> str | None:
    found = sorted(glob.glob("/usr/lib/*/webkit2gtk-4.*/MiniBrowser"))
    return found[-1] if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def key_actions(*presses: str) -> list[dict[str, str]]:
    """`"Control+a"`, `"Enter"`, or plain text (each character typed): keyDown/keyUp actions."""
    out: list[dict[str, str]] = []
    for press in presses:
        parts = press.split("+") if "+" in press and len(press) > 1 else [press]
        if len(parts) == 1 and parts[0] not in KEYS:
            for ch in parts[0]:
                out += [{"type": "keyDown", "value": ch}, {"type": "keyUp", "value": ch}]
            continue
        values = [KEYS.get(p, p) for p in parts]
        out += [{"type": "keyDown", "value": v} for v in values]
        out += [{"type": "keyUp", "value": v} for v in reversed(values)]
    return out


class FirefoxBiDi:
    """Firefox ESR, headless, driven through WebDriver BiDi."""

    name = "Firefox ESR"

    def __init__(self, tmp: Path) -> None:
        from websockets.sync.client import connect

        self.port = _free_port()
        profile = tmp / "firefox-profile"
        profile.mkdir(parents=True, exist_ok=True)
        self.log = (tmp / "firefox.log").open("ab")
        self.proc = subprocess.Popen(
            [FIREFOX, "--headless", "--no-remote", "--profile", str(profile),
             f"--remote-debugging-port={self.port}", "about:blank"],
            stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, "MOZ_HEADLESS": "1"},
            start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.ws = connect(f"ws://127.0.0.1:{self.port}/session", max_size=None,
                                  open_timeout=5)
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    if self.proc.poll() is None:
                        os.killpg(self.proc.pid, 9)
                    raise RuntimeError("Firefox did not open WebDriver BiDi") from None
                time.sleep(0.2)
        self.next_id = 0
        self.send("session.new", {"capabilities": {}})
        self.context = self.send("browsingContext.getTree", {})["contexts"][0]["context"]

    def send(self, method: str, params: dict[str, Any]) -> Any:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=60))
            if message.get("id") != self.next_id:
                continue  # an event
            if message.get("type") == "error":
                raise RuntimeError(f"{method}: {message.get('error')}: {message.get('message')}")
            return message["result"]

    def cookie(self, base: str, name: str, value: str) -> None:
        self.send("storage.setCookie", {"cookie": {
            "name": name, "value": {"type": "string", "value": value}, "domain": "127.0.0.1",
            "path": "/", "httpOnly": True, "secure": False, "sameSite": "strict"}})

    def goto(self, url: str) -> None:
        self.send("browsingContext.navigate", {"context": self.context, "url": url,
                                               "wait": "complete"})

    def eval(self, expression: str) -> Any:
        answer = self.send("script.evaluate", {
            "expression": expression, "target": {"context": self.context},
            "awaitPromise": True, "resultOwnership": "none"})
        if answer.get("type") == "exception":
            raise RuntimeError(answer["exceptionDetails"].get("text"))
        return answer["result"].get("value")

    def press(self, *presses: str) -> None:
        self.send("input.performActions", {"context": self.context, "actions": [
            {"type": "key", "id": "keyboard", "actions": key_actions(*presses)}]})
        self.send("input.releaseActions", {"context": self.context})

    def close(self) -> None:
        try:
            self.send("browser.close", {})
        except Exception:  # noqa: BLE001 - the process is ended below anyway
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            self.proc.wait(timeout=10)
        self.log.close()


class WebKitClassic:
    """WebKitGTK's MiniBrowser on Xvfb, through WebKitWebDriver (classic WebDriver, HTTP)."""

    name = "WebKitGTK"

    def __init__(self, tmp: Path) -> None:
        self.port = _free_port()
        self.log = (tmp / "webkit.log").open("ab")
        # MiniBrowser is a GTK window: it gets a virtual screen of its own (Xvfb picks a free
        # display number and writes it to the pipe).
        read, write = os.pipe()
        self.xvfb = subprocess.Popen([XVFB, "-displayfd", str(write), "-screen", "0",
                                      "1366x900x24", "-nolisten", "tcp"], pass_fds=(write,),
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        os.close(write)
        with os.fdopen(read) as pipe:
            display = pipe.readline().strip()
        if not display:
            raise RuntimeError("Xvfb did not start")
        self.proc = subprocess.Popen([WEBKIT_DRIVER, f"--port={self.port}"], stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True,
                                     env={**os.environ, "DISPLAY": f":{display}"})
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                self._call("GET", "/status")
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("WebKitWebDriver did not start") from None
                time.sleep(0.1)
        options = {"binary": minibrowser(), "args": ["--automation"]}
        self.session = ""
        try:
            answer = self._call("POST", "/session", {"capabilities": {"alwaysMatch": {
                "webkitgtk:browserOptions": options}}})
        except (OSError, RuntimeError):
            self.close()  # no driver or screen left behind
            raise
        self.session = f"/session/{answer['sessionId']}"

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read() or b"{}").get("value")
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{method} {path}: {exc.read().decode()[:500]}") from None

    def cookie(self, base: str, name: str, value: str) -> None:
        self.goto(f"{base}/healthz")  # a cookie is set for the page's own site
        self._call("POST", f"{self.session}/cookie", {"cookie": {
            "name": name, "value": value, "path": "/", "httpOnly": True, "secure": False,
            "sameSite": "Strict"}})

    def goto(self, url: str) -> None:
        self._call("POST", f"{self.session}/url", {"url": url})

    def eval(self, expression: str) -> Any:
        return self._call("POST", f"{self.session}/execute/sync",
                          {"script": f"return ({expression});", "args": []})

    def press(self, *presses: str) -> None:
        self._call("POST", f"{self.session}/actions", {"actions": [
            {"type": "key", "id": "keyboard", "actions": key_actions(*presses)}]})
        self._call("DELETE", f"{self.session}/actions")

    def close(self) -> None:
        if self.session:
            try:
                self._call("DELETE", self.session)
            except (OSError, RuntimeError):
                pass
        for proc in (self.proc, self.xvfb):
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait(timeout=10)
        self.log.close()
