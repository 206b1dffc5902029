"""The stepper in a real browser: headless Chromium (the system's /usr/bin/chromium, driven by
Playwright) opens a saved stepper page and an executed HTML copy of notebook 01, with every
request that is not for a local file aborted and counted (there must be none). It moves the slider,
presses the arrow keys on the stepper and on its slider, clicks the buttons, and checks the
frames and captions, including micrograd's gradients 138.8338 and 645.5773.

Skips when Playwright or /usr/bin/chromium is missing (``apt-get install chromium``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install chromium)")

from graphs import karpathy, micrograd_expr  # noqa: E402

from autograd import Value, stepper  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NB01 = ROOT / "notebooks" / "01_backprop_by_hand.ipynb"
LOCAL = ("file:", "data:", "about:", "blob:")  # never the network






@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        # --no-sandbox: CI runs as root, where Chromium's sandbox cannot start
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield b
        b.close()


class Tab:
    """A page whose non-local requests are aborted and counted, with the stepper's state at hand."""

    def __init__(self, browser, path: Path, width: int = 1000):
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(r.url))
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")

    def _route(self, route):
        url = route.request.url
        if url.startswith(LOCAL):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def root(self, i: int):
        return self.page.locator(".seedgrad-stepper").nth(i)

    def state(self, i: int) -> dict:
        return self.root(i).evaluate("""root => {
            const frames = Array.from(root.querySelectorAll('.seedgrad-frame'));
            const shown = frames.map((f, k) => getComputedStyle(f).display !== 'none' ? k : -1).filter(k => k >= 0);
            const caption = root.querySelector('.seedgrad-caption');
            return {steps: +root.dataset.steps, step: +root.dataset.step, ready: root.dataset.ready,
                    frames: frames.length, shown: shown, slider: +root.querySelector('input[type=range]').value,
                    caption: caption.textContent, accum: caption.querySelectorAll('.seedgrad-accum').length,
                    width: root.getBoundingClientRect().width,
                    drawing: (frames[shown[0]].firstElementChild || frames[shown[0]]).getBoundingClientRect().width};
        }""")

    def slide(self, i: int, value: int) -> dict:
        self.root(i).locator("input[type=range]").evaluate(
            "(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', {bubbles: true})); }", value)
        return self.state(i)

    def close(self):
        self.context.close()


def assert_shows(state: dict, step: int) -> None:
    assert state["step"] == step and state["slider"] == step and state["shown"] == [step], state
    assert f"Step {step + 1} of {state['steps']}" in state["caption"]


def captions_by_node(tab: Tab, i: int) -> dict:
    """Move the slider over every step; {node name: (caption text, accumulation marks)} per step."""
    out = {}
    for k in range(tab.state(i)["steps"]):
        s = tab.slide(i, k)
        assert_shows(s, k)
        name = s["caption"].split("node ", 1)[1].split()[0]
        out.setdefault(name, []).append((s["caption"], s["accum"]))
    return out


@pytest.fixture(scope="module")
def saved_page(tmp_path_factory):
    """Two steppers on one page: micrograd's expression and Karpathy's L."""
    a, b = Value(-4.0, label="a"), Value(2.0, label="b")
    g = micrograd_expr(a, b)
    g.label = "g"
    first = stepper(g, rankdir="TB")
    path = first.save(tmp_path_factory.mktemp("stepper") / "stepper.html")
    second = stepper(karpathy()[0])
    text = path.read_text(encoding="utf-8").replace("</body>", second.html() + "\n</body>")
    path.write_text(text, encoding="utf-8")
    return path


def test_saved_page_slider_keys_buttons(browser, saved_page):
    tab = Tab(browser, saved_page)
    try:
        s = tab.state(0)
        assert s["ready"] == "1" and s["steps"] == s["frames"] == 39
        assert_shows(s, 0)
        assert "node g" in s["caption"]
        assert_shows(tab.slide(0, 5), 5)
        # keys on the focused stepper
        tab.root(0).focus()
        tab.page.keyboard.press("ArrowRight")
        assert_shows(tab.state(0), 6)
        tab.page.keyboard.press("ArrowLeft")
        tab.page.keyboard.press("ArrowLeft")
        assert_shows(tab.state(0), 4)
        # keys on the focused slider: one step per press, not two (its own arrow-key step is cancelled)
        tab.root(0).locator("input[type=range]").focus()
        tab.page.keyboard.press("ArrowRight")
        assert_shows(tab.state(0), 5)
        tab.page.keyboard.press("ArrowLeft")
        assert_shows(tab.state(0), 4)
        # buttons
        tab.root(0).locator(".seedgrad-next").click()
        assert_shows(tab.state(0), 5)
        tab.root(0).locator(".seedgrad-prev").click()
        tab.root(0).locator(".seedgrad-prev").click()
        assert_shows(tab.state(0), 3)
        tab.root(0).locator(".seedgrad-play").click()
        tab.page.wait_for_function("() => +document.querySelector('.seedgrad-stepper').dataset.step >= 5",
                                   timeout=10_000)
        tab.root(0).locator(".seedgrad-play").click()  # pause
        paused = tab.state(0)["step"]
        tab.page.wait_for_timeout(1500)
        assert tab.state(0)["step"] == paused
        # the ends clamp
        tab.slide(0, 38)
        tab.root(0).focus()
        tab.page.keyboard.press("ArrowRight")
        assert_shows(tab.state(0), 38)
        # the other stepper on the page was left alone, and steps on its own
        other = tab.state(1)
        assert other["steps"] == 7 and other["ready"] == "1"
        assert_shows(other, 0)
        tab.root(1).focus()
        tab.page.keyboard.press("ArrowRight")
        assert_shows(tab.state(1), 1)
        assert tab.state(0)["step"] == 38
        assert tab.blocked == [] and tab.errors == []
    finally:
        tab.close()


def test_saved_page_captions_carry_the_gradients(browser, saved_page):
    tab = Tab(browser, saved_page)
    try:
        captions = captions_by_node(tab, 0)
        (a_caption, _), = captions["a"]
        (b_caption, _), = captions["b"]
        assert "∂g/∂a = 138.8338" in a_caption and "leaf" in a_caption
        assert "∂g/∂b = 645.5773" in b_caption
        marks = sum(n for entries in captions.values() for _, n in entries)
        assert marks >= 8  # accumulations, each marked in the caption of the step that made it
        karpathy_captions = captions_by_node(tab, 1)
        (e_caption, _), = karpathy_captions["e"]
        assert "∂L/∂a = ∂L/∂e × ∂e/∂a = -2.0000 × -3.0000 = 6.0000" in e_caption
        assert tab.blocked == [] and tab.errors == []
    finally:
        tab.close()


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")
def test_frames_scale_to_a_narrow_container(browser, saved_page):
    tab = Tab(browser, saved_page, width=420)
    try:
        for i in (0, 1):
            s = tab.state(i)
            assert 0 < s["drawing"] <= s["width"] + 0.5, s
        tab.root(0).locator(".seedgrad-zoom").click()  # full size: wider than the column, scrolls
        assert tab.state(0)["drawing"] > tab.state(0)["width"]
    finally:
        tab.close()


def test_text_frames_step_without_dot(browser, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    path = stepper(karpathy()[0]).save(tmp_path / "text.html")
    tab = Tab(browser, path)
    try:
        assert_shows(tab.state(0), 0)
        tab.root(0).focus()
        for k in range(1, 7):
            tab.page.keyboard.press("ArrowRight")
            assert_shows(tab.state(0), k)
        assert "node a" in tab.state(0)["caption"]
        assert tab.root(0).locator(".seedgrad-frame:visible pre").count() == 1
    finally:
        tab.close()


@pytest.fixture(scope="module")
def notebook_html(tmp_path_factory):
    """`make notebooks` for notebook 01 alone, into a temporary folder, then moved elsewhere (the folder
    must work wherever it is put)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    pytest.importorskip("jupyter_server_mathjax", reason="make notebooks needs jupyter-server-mathjax")
    pytest.importorskip("nbconvert")
    built = tmp_path_factory.mktemp("built")
    venv = Path(sys.prefix)
    done = subprocess.run(["make", "-s", "-C", str(ROOT), f"VENV={venv}", "-o", f"{venv}/.dev", "notebooks",
                           f"NB_OUT={built}", f"NB={NB01}"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    moved = tmp_path_factory.mktemp("moved") / "notebooks"
    shutil.copytree(built, moved)
    shutil.rmtree(built)
    return moved / "01_backprop_by_hand.html"


def test_executed_notebook_html_offline(browser, notebook_html):
    tab = Tab(browser, notebook_html, width=1100)
    try:
        tab.page.wait_for_function("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0 "
                                   "&& document.querySelectorAll('.MathJax').length > 20", timeout=30_000)
        steppers = tab.page.locator(".seedgrad-stepper")
        assert steppers.count() == 2
        small, big = tab.state(0), tab.state(1)
        assert small["steps"] == 7 and big["steps"] == 39 and small["ready"] == big["ready"] == "1"
        assert_shows(small, 0)
        assert_shows(tab.slide(0, 4), 4)
        assert "∂L/∂a = ∂L/∂e × ∂e/∂a = -2.0000 × -3.0000 = 6.0000" in tab.state(0)["caption"]
        tab.root(0).locator("input[type=range]").focus()
        tab.page.keyboard.press("ArrowRight")
        assert_shows(tab.state(0), 5)
        tab.root(0).focus()
        tab.page.keyboard.press("ArrowLeft")
        assert_shows(tab.state(0), 4)
        captions = captions_by_node(tab, 1)
        assert "∂g/∂a = 138.8338" in captions["a"][0][0]
        assert "∂g/∂b = 645.5773" in captions["b"][0][0]
        assert sum(n for entries in captions.values() for _, n in entries) >= 8
        assert tab.state(0)["step"] == 4  # the first stepper did not move with the second
        # the small-multiples strip is a plain image (for viewers that run no scripts)
        strip = tab.page.locator(".jp-CodeCell", has_text="steps.figure(")
        assert strip.count() == 1 and strip.locator("img[src^='data:image/png']").count() == 1
        assert tab.blocked == [], tab.blocked
        assert [u for u in tab.failed if not u.startswith("about:")] == []  # every local file was there
        assert tab.errors == []
    finally:
        tab.close()
