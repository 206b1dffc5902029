"""Drawing computational graphs with Graphviz, for `Value` and `Tensor` graphs alike.

Each value is a record ``label | data | grad`` and each operation an ellipse between the values it
read and the value it made, as in micrograd's trace_graph notebook. A graph larger than `max_nodes`
is cut to the part nearest the root, with a visible note saying how much was left out.
"""

from __future__ import annotations

import shutil
from collections import deque

import graphviz
import numpy as np

from .engine import topological_order

INSTALL_HINT = (
    "rendering a graph needs Graphviz's 'dot' program, which is not installed: install the system "
    "package 'graphviz' (apt-get install graphviz, brew install graphviz or conda install graphviz). "
    "The graph's DOT source is in its .source attribute meanwhile."
)


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


def _escape(text: str) -> str:
    """Backslash the characters that structure a Graphviz record label."""
    for c in "\\{}|<>":
        text = text.replace(c, "\\" + c)
    return text


def _is_node(x) -> bool:
    return hasattr(x, "_parents") and hasattr(x, "_describe")


def _nearest(root, max_nodes: int) -> list:
    """Up to `max_nodes` nodes, breadth-first from the root (the part of the graph nearest the loss)."""
    kept, seen, queue = [], {root}, deque([root])
    while queue and len(kept) < max_nodes:
        node = queue.popleft()
        kept.append(node)
        for p in node._parents:
            if p not in seen:
                seen.add(p)
                queue.append(p)
    return kept


def _grad_colour(node, largest: float) -> str:
    """Light to strong orange by |grad| relative to the largest in the graph."""
    g = node.grad
    size = 0.0 if g is None else float(np.max(np.abs(g))) if np.ndim(g) else abs(g)
    if largest <= 0 or size == 0:
        return "white"
    level = int(255 - 120 * min(1.0, size / largest))
    return f"#ff{level:02x}{max(level - 60, 0):02x}"


def draw_graph(root, rankdir: str = "LR", max_nodes: int = 200, highlight=None, params: dict | None = None) -> Graph:
    """The computational graph that produced `root`, as a graphviz.Digraph (display it, or
    ``.render()`` it to a file).

    - rankdir: "LR" (left to right) or "TB" (top to bottom).
    - max_nodes: draw at most this many values, those nearest the root, and say how many were left out.
    - highlight: a node (or several) to mark, e.g. the current step of `backward_steps`.
    - params: {name: tensor}, e.g. ``dict(model.named_parameters())``, to label parameters by name.
    """
    if not _is_node(root):
        raise TypeError(f"draw_graph: expected a Value or a Tensor, got {type(root).__name__}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"draw_graph: rankdir must be 'LR', 'TB', 'RL' or 'BT', got {rankdir!r}")
    if not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"draw_graph: max_nodes must be a positive integer, got {max_nodes!r}")
    marked = set(map(id, highlight if isinstance(highlight, list | tuple | set) else [highlight]))
    names = {id(t): name for name, t in (params or {}).items()}

    total = len(topological_order(root))
    kept = _nearest(root, max_nodes)
    ids = {id(n): f"n{i}" for i, n in enumerate(kept)}
    grads = [n.grad for n in kept if n.grad is not None]
    largest = max((float(np.max(np.abs(g))) for g in grads), default=0.0)

    dot = Graph(graph_attr={"rankdir": rankdir}, node_attr={"fontname": "Helvetica", "fontsize": "11"})
    for node in kept:
        nid = ids[id(node)]
        label = names.get(id(node)) or node.label
        fields = [_escape(f) for f in ([label] if label else []) + node._describe()]
        # A record's fields run across the rank direction, so braces turn them to read left to right.
        dot.node(nid, "{" + " | ".join(fields) + "}" if rankdir in ("LR", "RL") else " | ".join(fields),
                 shape="record", style="filled",
                 fillcolor="yellow" if id(node) in marked else _grad_colour(node, largest),
                 penwidth="3" if id(node) in marked else "1")
        if node._op:
            dot.node(nid + "op", _escape(node._op), shape="ellipse")
            dot.edge(nid + "op", nid)
        for parent in node._parents:
            if id(parent) in ids:
                dot.edge(ids[id(parent)], nid + "op")
            else:
                dot.edge("cut", nid + "op", style="dashed")
    if total > len(kept):
        dot.node("cut", f"... {total - len(kept)} more values not drawn (max_nodes={max_nodes})",
                 shape="note", style="filled", fillcolor="lightgrey")
    return dot
