"""stepper: the HTML contract (root, slider, buttons, one frame per step, captions with the chain rule
and marked accumulations), self-containment (no network reference), unique ids, the text fallback
without Graphviz, and gradients left as backward() would. The behaviour in a real browser is in
tests/test_browser.py."""

import re
import shutil
from html.parser import HTMLParser

import numpy as np
import pytest
from graphs import karpathy, micrograd_expr

from autograd import Stepper, Tensor, Value, stepper

has_dot = shutil.which("dot") is not None






class Elements(HTMLParser):
    """Every start tag as (tag, attributes), in document order (SVG included)."""

    def __init__(self, text):
        super().__init__()
        self.found = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def with_class(self, name):
        return [(t, a) for t, a in self.found if name in (a.get("class") or "").split()]


def micrograd_stepper():
    a, b = Value(-4.0, label="a"), Value(2.0, label="b")
    g = micrograd_expr(a, b)
    g.label = "g"
    return stepper(g), a, b


def test_dom_contract():
    st, a, b = micrograd_stepper()
    assert isinstance(st, Stepper) and len(st) == 39
    page = st._repr_html_()
    els = Elements(page)
    (root_tag, root), *_ = els.found
    assert "seedgrad-stepper" in root["class"].split() and root["data-steps"] == "39"
    assert root.get("tabindex") == "0" and root["id"]
    (slider,) = [a for t, a in els.found if t == "input"]
    assert slider["type"] == "range" and slider["min"] == "0" and slider["max"] == "38" and slider["value"] == "0"
    for cls in ("seedgrad-prev", "seedgrad-next", "seedgrad-play"):
        assert [t for t, _ in els.with_class(cls)] == ["button"]
    frames = els.with_class("seedgrad-frame")
    assert len(frames) == 39
    assert "hidden" not in frames[0][1] and all("hidden" in f[1] for f in frames[1:])
    assert len(els.with_class("seedgrad-caption")) == 1
    # the first caption is in the markup (shown before any script runs), the others in the script
    assert "Step 1 of 39" in page and "node <b>g</b>" in page
    # the leaves' captions carry their gradients; accumulations are marked
    assert any("node <b>a</b>" in c and "138.8338" in c for c in st.captions)
    assert any("node <b>b</b>" in c and "645.5773" in c for c in st.captions)
    assert sum(c.count('class="seedgrad-accum"') for c in st.captions) >= 8
    assert "<script>" in page and "<style>" in page


def test_captions_spell_out_the_chain_rule():
    L, n = karpathy()
    st = stepper(L)
    first = st.captions[0]
    assert "node <b>L</b>" in first and "∂L/∂L = 1.0000 (the seed" in first
    assert "∂L/∂d = ∂L/∂L × ∂L/∂d = 1.0000 × -2.0000 = <b>-2.0000</b>" in first
    e_step = next(c for c in st.captions if "node <b>e</b>" in c)
    assert "∂L/∂a = ∂L/∂e × ∂e/∂a = -2.0000 × -3.0000 = <b>6.0000</b>" in e_step
    leaf = next(c for c in st.captions if "node <b>a</b>" in c)
    assert "leaf" in leaf and "6.0000" in leaf
    x = Value(3.0, label="x")
    twice = stepper(x * x)
    assert twice.captions[0].count("seedgrad-accum") == 1 and "3.0000 → 6.0000" in twice.captions[0]


def test_self_contained_and_unique_ids(tmp_path):
    st, *_ = micrograd_stepper()
    one, two = st._repr_html_(), st._repr_html_()
    ids = [re.findall(r'\sid="([^"]+)"', page) for page in (one, two)]
    assert len(ids[0]) == 1 and len(ids[1]) == 1 and ids[0] != ids[1]  # the root only: SVG ids are stripped
    for page in (one,):
        assert not re.search(r"\s(?:src|href|xlink:href)\s*=", page)  # nothing to fetch
        assert not re.search(r"url\(|@import|fetch\(|XMLHttpRequest|import\(", page)
        assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
            'xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    path = st.save(tmp_path / "step.html")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert 'class="seedgrad-stepper"' in text


@pytest.mark.skipif(not has_dot, reason="Graphviz's dot program is not installed")
def test_svg_frames_share_one_layout_and_scale():
    st, *_ = micrograd_stepper()
    assert st.svg
    heads = {re.match(r"<svg[^>]*>", f).group(0) for f in st.frames}
    assert len(heads) == 1  # the same size in every frame: the drawing does not jump between steps
    assert all("<?xml" not in f and "<!--" not in f for f in st.frames)
    assert "max-width:100%" in st.html()


def test_text_frames_without_dot(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    L, _ = karpathy()
    st = stepper(L)
    assert not st.svg and len(st) == 7
    assert all(f.startswith('<pre class="seedgrad-text">') for f in st.frames)
    assert "&#9654; L" in st.frames[0] and "&#9654; a" in st.frames[-1]
    assert len(Elements(st.html()).with_class("seedgrad-frame")) == 7


def test_tensor_stepper_and_gradients_left_as_backward():
    w = Tensor(np.ones((3, 2)), requires_grad=True)
    x = Tensor(np.ones((4, 3)))
    h = x @ w
    loss = h.relu().sum()
    st = stepper(loss, params={"W": w}, rankdir="TB")
    assert len(st) == 5 and any("node <b>W</b>" in c and "‖∂L/∂W‖" in c for c in st.captions)
    np.testing.assert_allclose(w.grad, np.full((3, 2), 4.0))
    w2 = Tensor(np.ones((3, 2)), requires_grad=True)
    h2 = x @ w2
    h2.relu().sum().backward()
    assert (h.grad is None) == (h2.grad is None)


def test_refuses_large_graphs_and_non_nodes():
    x = Value(1.0)
    y = x
    for _ in range(300):
        y = y * 1.01
    with pytest.raises(ValueError, match="max_nodes=150"):
        stepper(y)
    with pytest.raises(TypeError, match="Value or a Tensor"):
        stepper(3.0)


def test_small_multiples_figure():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    L, _ = karpathy()
    fig = stepper(L).figure(columns=4)
    titled = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert len(titled) == 7 and titled[0].startswith("step 1: L") and "6.0000" in titled[-1]
    import matplotlib.pyplot as plt

    plt.close(fig)
