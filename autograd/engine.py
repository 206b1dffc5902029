"""The one backpropagation routine, shared by the scalar `Value` and the numpy `Tensor`.

Reverse-mode automatic differentiation in two passes:

1. order the graph topologically (every node after all the nodes it was computed from), with an
   explicit stack so that a chain of 10^6 nodes needs no recursion;
2. walk that order backwards. When a node is reached its gradient dL/dnode is complete, so the chain
   rule can hand each parent its share, dL/dparent += dL/dnode * dnode/dparent. Shares are *added*:
   a node used twice (``a * a``, a diamond) receives one share per use.

A node is anything with this small interface (see `Node`). `Value` and `Tensor` implement it, and so
`backward`, `backward_steps`, `gradcheck` and `draw_graph` are written once, for both.
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Iterator
from typing import Any, Protocol

import numpy as np


class Node(Protocol):
    """What the engine needs from a value in a computational graph."""

    data: Any
    grad: Any
    label: str
    _op: str  # the operation that made this node ("" for a leaf)
    _parents: tuple  # the nodes it was computed from (empty for a leaf or a constant)

    def _propagate(self, retain_graph: bool) -> None:
        """The chain rule at this node: add dL/dnode * dnode/dparent to each parent's gradient
        (nothing for a leaf). Unless `retain_graph`, release what it saved for this; raise
        `freed_graph_error` if that was already released."""

    def _seed_grad(self, grad: Any) -> Any:
        """dL/dL for the root of a backward pass: 1 for a scalar, else the `grad` given (checked)."""

    def _add_grad(self, grad: Any) -> None:
        """Accumulate a gradient contribution (never overwrite)."""

    def zero_grad(self) -> None:
        """Forget the gradient."""


class GradMode:
    """Global switches read by every operation: record the graph? check for NaN/inf?"""

    enabled = True
    anomaly = False


@contextlib.contextmanager
def _switch(name: str, value: bool) -> Iterator[None]:
    """Set one GradMode switch for the duration of a `with` block (also usable as a decorator)."""
    previous = getattr(GradMode, name)
    setattr(GradMode, name, value)
    try:
        yield
    finally:
        setattr(GradMode, name, previous)


def no_grad() -> contextlib.AbstractContextManager:
    """Within this block operations record no graph: for evaluation and for parameter updates.

    >>> with no_grad():
    ...     y = x * 2          # y has no parents; y.backward() would do nothing useful
    """
    return _switch("enabled", False)


def enable_grad() -> contextlib.AbstractContextManager:
    """Record the graph again inside a `no_grad` block (e.g. an optimizer's loss closure)."""
    return _switch("enabled", True)


def detect_anomaly() -> contextlib.AbstractContextManager:
    """Within this block the first NaN or inf made by an operation, in the forward pass or in a
    gradient of the backward pass, raises a RuntimeError naming that operation."""
    return _switch("anomaly", True)


def freed_graph_error(op: str) -> RuntimeError:
    return RuntimeError(f"backward: the graph through '{op}' was already freed by a backward pass; "
                        "call backward(retain_graph=True) the first time to go through it twice")


def check_finite(value: Any, op: str, where: str) -> None:
    """Raise if `value` holds a NaN or inf (used only under `detect_anomaly`)."""
    if not np.all(np.isfinite(value)):
        raise RuntimeError(f"detect_anomaly: '{op}' produced a NaN or inf in the {where} pass")


def topological_order(root: Node, reset_grads: bool = False) -> list[Node]:
    """Every node `root` depends on, each after all of its parents (iterative depth-first search).

    With `reset_grads` the gradients of intermediate nodes are reset on the way, so that a second
    backward pass through the same graph (``retain_graph=True``) accumulates only into the leaves,
    as in PyTorch.
    """
    order = []
    visited = {root}
    parents = root._parents
    stack = [(root, parents, iter(parents))]
    while stack:
        node, parents, unplaced = stack[-1]
        for parent in unplaced:
            if parent not in visited:
                visited.add(parent)
                grandparents = parent._parents
                stack.append((parent, grandparents, iter(grandparents)))
                break
        else:  # all parents are placed: the node can follow them
            stack.pop()
            if reset_grads and parents:
                node.zero_grad()
            order.append(node)
    return order


def backward_steps(root: Node, grad: Any = None, retain_graph: bool = False) -> Iterator[Node]:
    """Run backpropagation from `root` one node at a time.

    Yields each node in the order backprop visits it (the root first), right after the node has
    passed its gradient on to its parents, so the gradients filled in so far can be inspected or
    drawn: ``for node in backward_steps(loss): display(draw_graph(loss, highlight=node))``.
    `grad` is dL/droot (default 1 for a scalar root).
    """
    seed = root._seed_grad(grad)
    order = topological_order(root, reset_grads=True)
    root._add_grad(seed)
    anomaly = GradMode.anomaly
    for node in reversed(order):
        node._propagate(retain_graph)
        if anomaly:
            for parent in node._parents:
                if parent.grad is not None:  # constants and data have no gradient
                    check_finite(parent.grad, node._op, "backward")
        yield node


def backward(root: Node, grad: Any = None, retain_graph: bool = False) -> None:
    """Fill in dL/dnode for every node `root` = L depends on (all steps of `backward_steps`)."""
    deque(backward_steps(root, grad, retain_graph), maxlen=0)
