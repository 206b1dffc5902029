"""Drawing computational graphs with Graphviz, for `Value` and `Tensor` graphs alike.

Each value is a record ``label | data | grad`` (a Tensor shows its shape and dtype and the norm of
its gradient instead of whole arrays) and each operation an ellipse between the values it read and
the value it made, as in micrograd's trace_graph notebook. The fill colour grows with the size of
the gradient, and a legend node says so. A graph larger than `max_nodes` is cut to the part nearest
the root, with a visible note saying how much was left out. The drawing is sized to fit a notebook
column (Graphviz's ``size`` attribute; it only ever shrinks a graph).
"""

from __future__ import annotations

import shutil
from collections import deque

import graphviz
import numpy as np

INSTALL_HINT = (
    "rendering a graph needs Graphviz's 'dot' program, which is not installed: install the system "
    "package 'graphviz' (apt-get install graphviz, brew install graphviz or conda install graphviz). "
    "The graph's DOT source is in its .source attribute meanwhile."
)

COLUMN_SIZE = "8.5,11"  # inches: a notebook column is about 850 px wide
HIGHLIGHT = "yellow"
FLOW = "#d62728"  # the edges that carry the current step's gradient shares


class Graph(graphviz.Digraph):
    """A graphviz.Digraph that explains a missing `dot` program instead of failing obscurely.

    In Jupyter it shows as SVG when `dot` is installed, else as its DOT source text.
    """

    def pipe(self, *args, **kwargs):
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise RuntimeError(f"draw_graph: {INSTALL_HINT}") from None

    def render(self, *args, **kwargs):
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound:
            raise RuntimeError(f"draw_graph: {INSTALL_HINT}") from None

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        if shutil.which("dot") is None:
            return {"text/plain": self.source}
        return super()._repr_mimebundle_(include, exclude, **kwargs)


# ---- reading nodes (the node interface: data, grad, label, _op, _parents) -----------------------

def _escape(text: str) -> str:
    """Backslash the characters that structure a Graphviz record label."""
    for c in "\\{}|<>":
        text = text.replace(c, "\\" + c)
    return text


def _is_node(x) -> bool:
    return hasattr(x, "_parents") and hasattr(x, "_describe")


def is_tensor(node) -> bool:
    """A Tensor (array data, `requires_grad`) rather than a scalar node such as `Value`."""
    return hasattr(node, "requires_grad") or isinstance(node.data, np.ndarray)


def fmt(x: float) -> str:
    """A number as the drawings and traces print it: 4 decimals, or 4 significant digits when tiny or huge."""
    x = float(x)
    if x == 0 or (1e-2 <= abs(x) < 1e5) or not np.isfinite(x):
        return f"{x:.4f}"
    return f"{x:.4g}"


def shape_text(node) -> str:
    return "x".join(map(str, np.shape(node.data))) or "scalar"


def grad_size(node) -> float:
    """|grad| for a Value, the gradient's norm for a Tensor; 0 when there is none."""
    g = node.grad
    if g is None:
        return 0.0
    return float(np.linalg.norm(g)) if np.ndim(g) else abs(float(g))


def _backward_has_run(nodes) -> bool:
    """Whether some leaf that requires a gradient has one (then a missing intermediate gradient
    was freed by the backward pass, not yet to come)."""
    return any(not n._parents and getattr(n, "requires_grad", True) and n.grad is not None for n in nodes)


def grad_text(node, backward_ran: bool = False) -> str:
    """The gradient field of a node's record."""
    if not is_tensor(node):
        return f"grad {fmt(node.grad)}"
    if node.grad is not None:
        if np.size(node.grad) == 1:
            return f"grad {fmt(np.asarray(node.grad).item())}"
        return f"|grad| {np.linalg.norm(node.grad):.4g}"
    if not getattr(node, "requires_grad", True):
        return "no grad (constant)"
    if node._parents and (backward_ran or "grad not retained" in " ".join(node._describe())):
        return "grad not retained"
    return "grad -"


def fields(node, name: str = "", backward_ran: bool = False) -> list[str]:
    """The record of one node: its name (if any), its value, its gradient."""
    head = [name] if name else []
    if not is_tensor(node):
        return head + [f"data {fmt(node.data)}", grad_text(node)]
    data = np.asarray(node.data)
    if data.size == 1:
        value = f"{fmt(data.item())}  {shape_text(node)} {data.dtype}"
    else:
        value = f"{shape_text(node)} {data.dtype}"
    return head + [value, grad_text(node, backward_ran)]


def all_nodes(root) -> list:
    """Every node `root` depends on (breadth-first from the root, iterative)."""
    seen, queue, out = {root}, deque([root]), []
    while queue:
        node = queue.popleft()
        out.append(node)
        for p in node._parents:
            if p not in seen:
                seen.add(p)
                queue.append(p)
    return out


# ---- colours ------------------------------------------------------------------------------------

def grad_colour(size: float, largest: float) -> str:
    """White (no gradient) to strong orange (the largest gradient in the graph)."""
    if largest <= 0 or size == 0 or not np.isfinite(size):
        return "white"
    f = min(1.0, size / largest)  # white at 0, orange (#ff874b) at the largest, linearly
    return f"#ff{round(255 - 120 * f):02x}{round(255 - 180 * f):02x}"


def _legend(largest: float, tensors: bool, marked: bool, flow: bool, pending: bool = False) -> str:
    """An HTML-like Graphviz label that explains the fill colours."""
    what = "norm of grad" if tensors else "|grad|"
    if largest <= 0:
        return (f'<<table border="0" cellborder="1" cellspacing="0" cellpadding="3">'
                f"<tr><td>fill: {what}; all zero so far</td></tr></table>>")
    cells = "".join(f'<td bgcolor="{grad_colour(f * largest, largest) if f else "white"}">{f:g}</td>'
                    for f in (0, 0.25, 0.5, 0.75, 1))
    rows = [f'<tr><td colspan="5"><b>fill</b>: {what} / the largest {what} ({fmt(largest)})</td></tr>',
            f"<tr>{cells}</tr>"]
    if marked:
        rows.append(f'<tr><td colspan="5" bgcolor="{HIGHLIGHT}">yellow: the current step</td></tr>')
    if flow:
        rows.append(f'<tr><td colspan="5"><font color="{FLOW}">red edges: the shares it passes on</font></td></tr>')
    if pending:
        rows.append('<tr><td colspan="5" style="dashed">dashed: not reached yet (its gradient may still grow)'
                    "</td></tr>")
    return '<<table border="0" cellborder="1" cellspacing="0" cellpadding="3">' + "".join(rows) + "</table>>"


# ---- the graph ----------------------------------------------------------------------------------

def draw_graph(root, rankdir: str = "LR", max_nodes: int = 200, highlight=None, params: dict | None = None,
               size: str | None = COLUMN_SIZE, legend: bool = True) -> Graph:
    """The computational graph that produced `root`, as a graphviz.Digraph (display it, or
    ``.render()`` it to a file).

    - rankdir: "LR" (left to right) or "TB" (top to bottom; better for deep, narrow graphs).
    - max_nodes: draw at most this many values, those nearest the root, and say how many were left out.
    - highlight: a node (or several) to mark, e.g. the current step of `backward_steps`.
    - params: {name: node}, e.g. ``dict(model.named_parameters())``, to label parameters (or any
      node of the graph, intermediate ones included) by name; a node's own `.label` is used otherwise.
    - size: Graphviz's "width,height" in inches that the drawing is shrunk to fit (never enlarged);
      the default fits a notebook column. None draws at natural size.
    - legend: add a node that explains the colour scale.

    Each value shows its name, its data (a Tensor: shape and dtype) and its gradient (a Tensor: the
    norm; "grad not retained" for an intermediate Tensor whose gradient a plain ``backward()``
    freed, as PyTorch does; call ``.retain_grad()`` on it before backward to keep it).
    """
    if not _is_node(root):
        raise TypeError(f"draw_graph: expected a Value or a Tensor, got {type(root).__name__}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"draw_graph: rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    if not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw_graph: max_nodes must be a positive integer, got {max_nodes!r}")
    marked = highlight if isinstance(highlight, list | tuple | set) else [] if highlight is None else [highlight]
    names = {id(t): name for name, t in (params or {}).items()}
    every = all_nodes(root)
    kept = every[:max_nodes]  # breadth-first from the root: the part nearest the loss
    ran = _backward_has_run(every)
    snapshot = {id(n): (fields(n, names.get(id(n)) or n.label, ran), grad_size(n)) for n in kept}
    return build(root, kept, len(every), snapshot, rankdir=rankdir, max_nodes=max_nodes,
                 marked={id(n) for n in marked}, size=size, legend=legend)


def build(root, kept: list, total: int, snapshot: dict, *, rankdir: str = "LR", max_nodes: int = 200,
          marked: set = frozenset(), flow_into=None, size: str | None = COLUMN_SIZE, legend: bool = True,
          largest: float | None = None, widths: dict | None = None, pending: set = frozenset(),
          full_legend: bool = False) -> Graph:
    """The Graphviz graph of `kept` nodes from a snapshot {id(node): (fields, gradient size)}.

    Used by `draw_graph` and by the stepper, which draws many snapshots of one graph: it fixes the
    colour scale (`largest`) and minimum node widths (`widths`, inches) so that every frame has the same
    layout, marks with `flow_into` the node whose shares the current step passes on, and draws
    `pending` nodes (not reached yet) with a dashed outline; `full_legend` explains all of these
    in every frame (a legend that changed size would move the layout).
    """
    ids = {id(n): f"n{i}" for i, n in enumerate(kept)}
    if largest is None:
        largest = max((s for _, s in snapshot.values() if np.isfinite(s)), default=0.0)
    graph_attr = {"rankdir": rankdir}
    if size:
        graph_attr["size"] = size
    dot = Graph(graph_attr=graph_attr, node_attr={"fontname": "Helvetica", "fontsize": "11"},
                edge_attr={"arrowsize": "0.7"})
    for node in kept:
        nid = ids[id(node)]
        texts, grad_size_ = snapshot[id(node)]
        texts = [_escape(t) for t in texts]
        # A record's fields run across the rank direction, so braces turn them to read left to right.
        label = "{" + " | ".join(texts) + "}" if rankdir in ("LR", "RL") else " | ".join(texts)
        attrs = {"shape": "record", "style": "filled",
                 "fillcolor": HIGHLIGHT if id(node) in marked else grad_colour(grad_size_, largest),
                 "penwidth": "3" if id(node) in marked else "1"}
        if full_legend:  # a stepper frame: a thick border would move the layout by a point or two
            attrs["penwidth"] = "1"
            if id(node) in marked:
                attrs["color"] = "#b03000"
        if id(node) in pending and id(node) not in marked:
            attrs["style"] = "filled,dashed"
        if widths and id(node) in widths:
            attrs["width"] = f"{widths[id(node)]:.2f}"
        dot.node(nid, label, **attrs)
        if node._op:
            dot.node(nid + "op", _escape(node._op), shape="ellipse")
            dot.edge(nid + "op", nid)
        flowing = flow_into is not None and node is flow_into
        for parent in node._parents:
            if id(parent) in ids:
                if flowing:
                    # (drawn as thick as the others in a stepper frame: a thicker edge moves the layout)
                    dot.edge(ids[id(parent)], nid + "op", color=FLOW, penwidth="1.5" if full_legend else "2.5")
                else:
                    dot.edge(ids[id(parent)], nid + "op")
            else:
                dot.edge("cut", nid + "op", style="dashed")
    if total > len(kept):
        dot.node("cut", f"... {total - len(kept)} more values not drawn (max_nodes={max_nodes})",
                 shape="note", style="filled", fillcolor="lightgrey")
    if legend:
        dot.node("legend", _legend(largest, is_tensor(root), full_legend or bool(marked),
                                   full_legend or flow_into is not None, full_legend or bool(pending)),
                 shape="plaintext", fontsize="9")
    return dot
