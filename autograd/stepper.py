"""Step through a backward pass in the browser: one drawing of the graph per step, a slider, buttons,
arrow keys and a caption that spells out each step's chain rule.

``stepper(loss)`` runs the backward pass (as ``loss.backward()``, through `backward_trace`), draws the
graph after every step with Graphviz, and returns a `Stepper`. In a notebook it shows itself
(`_repr_html_`); ``.save("page.html")`` writes the same as a standalone page. Everything is inline
(SVG frames, CSS, a little JavaScript): no network request, no kernel needed, so it keeps working in
a static HTML copy of a notebook. Without Graphviz's `dot` the frames are text.

The page (a contract other tests rely on): the root element has class ``seedgrad-stepper`` and
``data-steps``; an ``<input type="range">`` (0 .. steps-1) selects the step on its ``input`` event;
previous / play / next buttons; the left and right arrow keys step once per press while the stepper
(or its slider) has focus; one element of class ``seedgrad-frame`` per step, only the current one
shown; a ``seedgrad-caption`` names the current node and its gradient and gives that step's chain rule,
each accumulation marked by an element of class ``seedgrad-accum``.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import numpy as np

from .draw import _is_node, all_nodes, build, fields, fmt, grad_size, shape_text
from .trace import BackwardTrace, Step, _norm, backward_trace

MAX_NODES = 150
INTERVAL_MS = 900  # the play button's pace


class Stepper:
    """An interactive, self-contained view of one backward pass: `len()` steps, one frame each.

    Attributes: `trace` (the `BackwardTrace`), `sources` (the DOT source of each frame), `frames`
    (each frame's inline SVG, or text without `dot`), `captions` (each step's HTML caption).
    """

    def __init__(self, trace: BackwardTrace, sources: list[str], frames: list[str], svg: bool,
                 captions: list[str], title: str):
        self.trace, self.sources, self.frames, self.svg = trace, sources, frames, svg
        self.captions, self.title = captions, title

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        return (f"<Stepper: {len(self)} steps of the backward pass of {self.trace.root_name}; "
                "display it in a notebook or .save('page.html')>")

    # ---- HTML -------------------------------------------------------------------------------------

    def _repr_html_(self) -> str:
        return self.html()

    def html(self) -> str:
        """The stepper as one HTML fragment (a fresh element id each call: several on a page are independent)."""
        sid = "seedgrad-stepper-" + uuid.uuid4().hex[:12]
        n = len(self)
        hide = ' hidden style="display:none"'
        frames = "\n".join(f'<div class="seedgrad-frame" data-step="{i}"{"" if i == 0 else hide}>{frame}</div>'
                           for i, frame in enumerate(self.frames))
        captions = json.dumps(self.captions).replace("</", "<\\/")
        return f"""<div class="seedgrad-stepper" id="{sid}" data-steps="{n}" data-step="0" tabindex="0" role="group" \
aria-label="{html.escape(self.title)}: the backward pass step by step">
<style>{CSS}</style>
<div class="seedgrad-controls">
<button type="button" class="seedgrad-prev" title="previous step (left arrow)"
 aria-label="previous step">&#9664;</button>
<button type="button" class="seedgrad-play" title="play the steps" aria-label="play">&#9654; play</button>
<button type="button" class="seedgrad-next" title="next step (right arrow)" aria-label="next step">&#9654;</button>
<input type="range" class="seedgrad-slider" min="0" max="{n - 1}" step="1" value="0" aria-label="step">
<span class="seedgrad-counter">step 1 of {n}</span>
<button type="button" class="seedgrad-zoom" title="fit the drawing to the width, or show it at full size"
 aria-label="zoom">full size</button>
</div>
<div class="seedgrad-caption" aria-live="polite">{self.captions[0]}</div>
<div class="seedgrad-frames">
{frames}
</div>
<script>{JS.replace("__ID__", sid).replace("__CAPTIONS__", captions).replace("__MS__", str(INTERVAL_MS))}</script>
</div>"""

    def save(self, path) -> Path:
        """Write the stepper as a standalone HTML page (one file, nothing else needed to view it)."""
        path = Path(path)
        page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(self.title)}</title>
</head>
<body style="margin: 16px; font-family: system-ui, sans-serif">
{self.html()}
</body>
</html>
"""
        path.write_text(page, encoding="utf-8")
        return path

    # ---- a still picture of every step, for viewers that run no scripts ---------------------------

    def figure(self, columns: int = 2, width: float = 12.0):
        """All frames as a small-multiples strip (a matplotlib Figure), titled by step, node and gradient.

        For places that run no JavaScript (GitHub's notebook view, a PDF): the stepper's pictures,
        side by side, each value showing its name and gradient (the data is left out to keep them
        legible when small). Needs matplotlib; without `dot` the panels are the text frames.
        """
        import matplotlib.image as mpimg
        import matplotlib.pyplot as plt

        n = len(self)
        columns = max(1, min(columns, n))
        rows = -(-n // columns)
        images = None
        if self.svg:
            from io import BytesIO

            sources = self._compact() if hasattr(self, "_compact") else self.sources
            images = [mpimg.imread(BytesIO(_dot(source, "png", dpi=110)), format="png") for source in sources]
            aspect = max(img.shape[0] / img.shape[1] for img in images)
        else:
            aspect = 0.8
        panel = width / columns
        fig, axes = plt.subplots(rows, columns, figsize=(width, rows * (panel * aspect + 0.45)), squeeze=False)
        for i, ax in enumerate(axes.flat):
            ax.set_axis_off()
            if i >= n:
                continue
            step = self.trace[i]
            if images is not None:
                ax.imshow(images[i])
            else:
                ax.text(0, 1, html.unescape(re.sub(r"<[^>]+>", "", self.frames[i])), family="monospace",
                        fontsize=6, va="top", transform=ax.transAxes)
            ax.set_title(f"step {i + 1}: {step.name}, grad {_grad_text(self.trace, step)}", fontsize=9)
        fig.suptitle(f"The backward pass of {self.trace.root_name}, one step per panel. Yellow: the node just "
                     "processed; red edges: the shares it passed on;\ndashed: not reached yet; fill: |grad| "
                     "relative to the largest (white = 0)", fontsize=10)
        fig.tight_layout()
        return fig


# ---- building a stepper -------------------------------------------------------------------------

def stepper(root, params: dict | None = None, *, rankdir: str = "LR", grad=None, retain_graph: bool = False,
            max_nodes: int = MAX_NODES, title: str | None = None) -> Stepper:
    """Run the backward pass from `root` and return an interactive `Stepper` over its steps.

    - params: {name: node} to name nodes (e.g. ``dict(model.named_parameters())``).
    - rankdir: "LR" or "TB", as in `draw_graph`; grad, retain_graph: as in ``backward()``.
    - max_nodes: a stepper draws one frame per node, so it refuses graphs larger than this.

    Gradients afterwards are what ``root.backward()`` would have left (see `backward_trace`).
    """
    if not _is_node(root):
        raise TypeError(f"stepper: expected a Value or a Tensor, got {type(root).__name__}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"stepper: rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    every = all_nodes(root)
    if len(every) > max_nodes:
        raise ValueError(f"stepper: the graph has {len(every)} values and a stepper draws one frame per value; "
                         f"step through a smaller graph (at most max_nodes={max_nodes}), or use "
                         "draw_graph(root, max_nodes=...) for one picture")
    names = {id(t): name for name, t in (params or {}).items()}
    snapshots = []

    def snapshot(step: Step) -> None:
        snapshots.append({id(n): (fields(n, names.get(id(n)) or n.label), grad_size(n)) for n in every})

    trace = backward_trace(root, params, grad=grad, retain_graph=retain_graph, on_step=snapshot)
    largest = max((s for snap in snapshots for _, s in snap.values() if np.isfinite(s)), default=0.0)
    reached_at = {id(step.node): step.index for step in trace}
    svg = shutil.which("dot") is not None

    def sources_with(widths):
        out = []
        for step, snap in zip(trace, snapshots):
            pending = {i for i, k in reached_at.items() if k > step.index}
            graph = build(root, every, len(every), snap, rankdir=rankdir, max_nodes=max_nodes,
                          marked={id(step.node)}, flow_into=step.node if step.shares else None, size=None,
                          largest=largest, widths=widths, pending=pending, full_legend=True)
            out.append(graph.source)
        return out

    sources = sources_with(None)
    if svg:
        # Every frame gets the same layout: each record as wide as its widest text in any frame,
        # as measured by dot itself; then one more dot run draws them all.
        widths = _widest(sources, every)
        sources = sources_with(widths)
        frames = _render_svgs(sources)
    else:
        frames = [_text_frame(trace, step, snap, every, names) for step, snap in zip(trace, snapshots)]
    captions = [caption(trace, step) for step in trace]
    result = Stepper(trace, sources, frames, svg, captions, title or f"backward pass of {trace.root_name}")
    result._compact = lambda: _compact_sources(trace, snapshots, every, root, rankdir, largest, reached_at)
    return result


def _compact_sources(trace, snapshots, every, root, rankdir, largest, reached_at) -> list[str]:
    """The frames for the still strip: each record only its name and gradient (the data field is
    dropped, so the drawing is narrower and its text larger in a small panel), no legend."""
    out = []
    for step, snap in zip(trace, snapshots):
        compact = {k: (texts[:-2] + texts[-1:], size) for k, (texts, size) in snap.items()}
        pending = {i for i, k in reached_at.items() if k > step.index}
        graph = build(root, every, len(every), compact, rankdir=rankdir, marked={id(step.node)},
                      flow_into=step.node if step.shares else None, size=None, legend=False, largest=largest,
                      pending=pending, full_legend=True)
        out.append(graph.source)
    return out


def _widest(sources: list[str], every: list) -> dict:
    """{id(node): the largest width (inches) that dot gives its record in any of the frames}."""
    plain = _dot("\n".join(sources), "plain").decode("utf-8")
    widest: dict[str, float] = {}
    for line in plain.splitlines():
        parts = line.split()
        if len(parts) > 4 and parts[0] == "node" and parts[1].startswith("n") and parts[1][1:].isdigit():
            widest[parts[1]] = max(widest.get(parts[1], 0.0), float(parts[4]))
    return {id(n): widest[f"n{i}"] + 0.01 for i, n in enumerate(every) if f"n{i}" in widest}


def _dot(source: str, fmt_: str, **attrs) -> bytes:
    args = ["dot", f"-T{fmt_}"] + [f"-G{k}={v}" for k, v in attrs.items()]
    done = subprocess.run(args, input=source.encode(), capture_output=True, timeout=120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"stepper: dot failed: {done.stderr.decode(errors='replace')[:500]}")
    return done.stdout


def _render_svgs(sources: list[str]) -> list[str]:
    """Every frame through one `dot` process (it renders a stream of graphs), as clean inline SVG."""
    out = _dot("\n".join(sources), "svg").decode("utf-8")
    docs = [d for d in re.split(r"(?=<\?xml)", out) if "<svg" in d]
    if len(docs) != len(sources):
        raise RuntimeError(f"stepper: dot returned {len(docs)} drawings for {len(sources)} frames")
    return [_clean_svg(d) for d in docs]


_COORDS = re.compile(r'(\s(?:points|d|x|y|cx|cy|rx|ry|transform)=")([^"]*)"')
_DECIMALS = re.compile(r"(\d\.\d)\d+")


def _clean_svg(svg: str) -> str:
    """Inline-ready SVG: no XML prolog, comments, ids (they would repeat across frames and steppers)
    or tooltips; it scales down to its container's width (CSS) and keeps its aspect ratio."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    svg = re.sub(r"<title>.*?</title>\s*", "", svg, flags=re.S)
    svg = re.sub(r'\s(?:id|class)="[^"]*"', "", svg)
    svg = svg.replace(' font-family="Helvetica,sans-Serif"', "")  # set once by the stepper's CSS
    svg = _COORDS.sub(lambda m: m.group(1) + _DECIMALS.sub(r"\1", m.group(2)) + '"', svg)  # to 0.1 pt
    svg = svg.replace("<svg", '<svg class="seedgrad-svg" role="img"', 1)
    return svg.strip()


def _text_frame(trace: BackwardTrace, step: Step, snap: dict, every: list, names: dict) -> str:
    """A frame without Graphviz: every value in visiting order, the current one marked."""
    order = [s.node for s in trace] + [n for n in every if all(n is not s.node for s in trace)]
    rows = []
    for n in order:
        k = next((s.index for s in trace if s.node is n), None)
        mark = "&#9654;" if n is step.node else "&#10003;" if k is not None and k < step.index else "&middot;"
        texts = snap[id(n)][0]
        op = f"  ({html.escape(n._op)})" if n._op else ""
        rows.append(f"{mark} " + " | ".join(html.escape(t) for t in texts) + op)
    legend = "&#9654; this step   &#10003; done   &middot; not reached yet"
    return f'<pre class="seedgrad-text">{legend}\n\n' + "\n".join(rows) + "</pre>"


# ---- captions -----------------------------------------------------------------------------------

def _grad_text(trace: BackwardTrace, step: Step) -> str:
    if step.grad is None:
        return "none"
    if trace.tensor and np.size(step.grad) != 1:
        return f"‖·‖ {_norm(step.grad):.4g}"
    return fmt(np.asarray(step.grad).item() if trace.tensor else step.grad)


def _symbol(name: str) -> str:
    """A name as it reads inside ∂L/∂x: a plain name as is, anything else (an op, "leaf 2.0") in parentheses."""
    text = html.escape(name)
    return text if re.fullmatch(r"[A-Za-z_][\w.\-]*", name) else f"({text})"


def caption(trace: BackwardTrace, step: Step) -> str:
    """The HTML caption of one step: the node, its gradient, and each share it passes on."""
    e = html.escape
    L = _symbol(trace.root_name)
    name = e(step.name)
    sym = _symbol(step.name)
    d = lambda x: f"∂{L}/∂{x}"  # noqa: E731
    n = len(trace)
    what = f" (<code>{e(step.op)}</code>)" if step.op and step.op != step.name else ""
    if trace.tensor:
        shape = f", {shape_text(step.node)}"
        grad = ("no gradient" if step.grad is None else
                f"{d(sym)} = {fmt(np.asarray(step.grad).item())}" if np.size(step.grad) == 1 else
                f"‖{d(sym)}‖ = {_norm(step.grad):.4g}")
    else:
        shape = ""
        grad = f"{d(sym)} = {fmt(step.grad)}"
    head = (f'<div class="seedgrad-head"><b>Step {step.index + 1} of {n}</b>: node <b>{name}</b>{what}{shape} '
            f"&mdash; {grad}")
    if step.index == 0:
        head += " (the seed of the backward pass)"
    head += "</div>"
    if not step.shares:
        if getattr(step.node, "requires_grad", True) is False:
            body = "Data: it needs no gradient."
        elif step.is_leaf:
            body = f"A leaf: every use has reported, so {grad} is final. It passes nothing on."
        else:
            body = "None of its inputs needs a gradient: nothing is passed on."
        return head + f'<div class="seedgrad-rule">{body}</div>'
    lines = []
    for s in step.shares:
        p = _symbol(s.name)
        op = "=" if s.first else "+="
        if trace.tensor:
            text = (f"{d(p)} {op} {d(sym)} · ∂{sym}/∂{p}: ‖upstream‖ {_norm(s.upstream):.4g} "
                    f"→ ‖share‖ {_norm(s.contribution):.4g}")
            if s.uses > 1:
                text += f' <span class="seedgrad-accum">the sum of its {s.uses} uses</span>'
        else:
            local = "?" if s.local is None else fmt(s.local)
            text = (f"{d(p)} {op} {d(sym)} × ∂{sym}/∂{p} = {fmt(s.upstream)} × {local} = "
                    f"<b>{fmt(s.contribution)}</b>")
        if s.first:
            text += ' <span class="seedgrad-first">(first share)</span>'
        else:
            before = f"‖{_norm(s.before):.4g}‖" if trace.tensor else fmt(s.before)
            after = f"‖{_norm(s.after):.4g}‖" if trace.tensor else fmt(s.after)
            text += (f' <span class="seedgrad-accum">accumulates: {d(p)} {before} → {after}</span>')
        lines.append(f"<li>{text}</li>")
    rule = f"chain rule: {d('parent')} += {d('node')} × ∂node/∂parent"
    return (head + f'<div class="seedgrad-rule">It passes one share to each input ({rule}):</div>'
            f'<ul>{"".join(lines)}</ul>')


CSS = """
.seedgrad-stepper{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;font-size:14px;
 line-height:1.4;max-width:100%;box-sizing:border-box;border:1px solid #c8c8c8;border-radius:6px;padding:8px;
 margin:4px 0;background:#fff;color:#222}
.seedgrad-stepper:focus,.seedgrad-stepper:focus-within{outline:2px solid #4a90d9;outline-offset:1px}
.seedgrad-controls{display:flex;align-items:center;gap:6px;flex-wrap:wrap;margin-bottom:6px}
.seedgrad-controls button{font:inherit;padding:2px 10px;border:1px solid #999;border-radius:4px;background:#f4f4f4;
 color:#222;cursor:pointer}
.seedgrad-controls button:hover{background:#e6e6e6}
.seedgrad-slider{flex:1 1 160px;min-width:120px;margin:0 4px}
.seedgrad-counter{font-variant-numeric:tabular-nums;min-width:7em;color:#444}
.seedgrad-caption{min-height:4.5em;padding:6px 8px;margin-bottom:6px;background:#f7f7fb;border-left:4px solid #4a90d9}
.seedgrad-caption ul{margin:2px 0 0 0;padding-left:1.4em}
.seedgrad-caption code{font-size:95%}
.seedgrad-first{color:#666}
.seedgrad-accum{background:#ffe08a;border-radius:3px;padding:0 4px;font-weight:600;color:#5a3d00}
.seedgrad-frames{width:100%;overflow:hidden}
.seedgrad-natural .seedgrad-frames{overflow:auto;max-height:85vh}
.seedgrad-natural .seedgrad-frame svg{max-width:none}
.seedgrad-frame svg text{font-family:Helvetica,Arial,sans-serif}
.seedgrad-frame[hidden]{display:none !important}
.seedgrad-frame svg{display:block;max-width:100%;height:auto;margin:0 auto}
.seedgrad-text{font-size:12px;white-space:pre;overflow-x:auto;margin:0}
"""

JS = """
(function () {
  var id = "__ID__";
  var here = document.currentScript;
  var scope = here && here.getRootNode ? here.getRootNode() : document;
  var root = (scope && scope.getElementById ? scope.getElementById(id) : null) || document.getElementById(id);
  if (!root || root.getAttribute("data-ready") === "1") { return; }
  root.setAttribute("data-ready", "1");
  var captions = __CAPTIONS__;
  var frames = root.querySelectorAll(".seedgrad-frame");
  var slider = root.querySelector(".seedgrad-slider");
  var caption = root.querySelector(".seedgrad-caption");
  var counter = root.querySelector(".seedgrad-counter");
  var play = root.querySelector(".seedgrad-play");
  var n = frames.length, current = 0, timer = null;
  function show(i) {
    i = Math.max(0, Math.min(n - 1, parseInt(i, 10) || 0));
    current = i;
    for (var k = 0; k < n; k++) {
      var on = k === i;
      frames[k].hidden = !on;
      frames[k].style.display = on ? "" : "none";
    }
    if (String(slider.value) !== String(i)) { slider.value = String(i); }
    caption.innerHTML = captions[i];
    counter.textContent = "step " + (i + 1) + " of " + n;
    root.setAttribute("data-step", String(i));
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    play.innerHTML = "&#9654; play";
    play.setAttribute("aria-label", "play");
  }
  function start() {
    if (current >= n - 1) { show(0); }
    play.innerHTML = "&#10074;&#10074; pause";
    play.setAttribute("aria-label", "pause");
    timer = setInterval(function () {
      if (current >= n - 1) { stop(); } else { show(current + 1); }
    }, __MS__);
  }
  slider.addEventListener("input", function () { stop(); show(slider.value); });
  slider.addEventListener("change", function () { show(slider.value); });
  root.querySelector(".seedgrad-prev").addEventListener("click", function () { stop(); show(current - 1); });
  root.querySelector(".seedgrad-next").addEventListener("click", function () { stop(); show(current + 1); });
  var zoom = root.querySelector(".seedgrad-zoom");
  zoom.addEventListener("click", function () {
    var natural = root.classList.toggle("seedgrad-natural");
    zoom.textContent = natural ? "fit width" : "full size";
  });
  play.addEventListener("click", function () { if (timer === null) { start(); } else { stop(); } });
  // One handler on the root sees the keys of the slider and buttons too (they bubble); it cancels the
  // slider's own arrow-key step, so each press moves exactly one step, and keeps the notebook's shortcuts out.
  root.addEventListener("keydown", function (e) {
    var k = e.key, by = 0;
    if (k === "ArrowRight" || k === "Right") { by = 1; }
    else if (k === "ArrowLeft" || k === "Left") { by = -1; }
    if (!by) { return; }
    e.preventDefault();
    e.stopPropagation();
    stop();
    show(current + by);
  });
  show(0);
})();
"""
