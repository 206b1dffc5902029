"""The one backpropagation routine, shared by the scalar `Value` and the numpy `Tensor`.

Reverse-mode automatic differentiation in two passes:

1. order the graph topologically (every node after all the nodes it was computed from), with an
   explicit stack so that a chain of 10^6 nodes needs no recursion;
2. walk that order backwards. When a node is reached its gradient dL/dnode is complete, so the chain
   rule can hand each parent its share, dL/dparent += dL/dnode * dnode/dparent. Shares are *added*:
   a node used twice (``a * a``, a diamond) receives one share per use.

A node is anything with this small interface (see `Node`). `Value` and `Tensor` implement it, and so
`backward`, `backward_steps`, `gradcheck` and `draw_graph` are written once, for both.

Grad mode (`no_grad`, `enable_grad`, `inference_mode`, `detect_anomaly`) is per thread, as PyTorch's.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import numpy as np


class Node(Protocol):
    """What the engine needs from a value in a computational graph."""

    data: Any
    grad: Any
    label: str
    _op: str  # the operation that made this node ("" for a leaf)
    # The nodes it was computed from, in the node's own slots (no tuple per node): `_a` and `_b`
    # (None when absent) and `_more` (a tuple of further parents, or None).
    _a: Any
    _b: Any
    _more: tuple | None

    def _propagate(self, retain_graph: bool, keep_grads: bool) -> None:
        """The chain rule at this node: add dL/dnode * dnode/dparent to each parent's gradient
        (nothing for a leaf). Unless `retain_graph`, release what it saved for this; raise
        `freed_graph_error` if that was already released. Unless `keep_grads`, an intermediate
        node may forget its own gradient once it has passed it on."""

    def _seed_grad(self, grad: Any) -> Any:
        """dL/dL for the root of a backward pass: 1 for a scalar, else the `grad` given (checked)."""

    def _add_grad(self, grad: Any) -> None:
        """Accumulate a gradient contribution (never overwrite)."""

    def zero_grad(self) -> None:
        """Forget the gradient."""


# ---- grad mode ---------------------------------------------------------------------------------


class _GradMode(threading.local):
    """The switches every operation reads, one set per thread: record the graph? check for NaN/inf?"""

    enabled = True
    anomaly = False

    def __init__(self):
        self.saved: list[tuple[str, bool]] = []  # the values the open `with` blocks replaced


GradMode = _GradMode()


def is_grad_enabled() -> bool:
    return GradMode.enabled


class _Switch:
    """Sets one grad-mode switch inside a `with` block or a decorated function, and restores it after,
    also on an exception. Reusable and re-entrant (the replaced value is kept per thread, not in the
    object), and usable as ``with no_grad():``, ``@no_grad()`` and bare ``@no_grad``."""

    _name = "enabled"
    _value = False

    def __new__(cls, func: Callable | None = None):
        self = super().__new__(cls)
        return self(func) if callable(func) else self

    def __enter__(self) -> None:
        GradMode.saved.append((self._name, getattr(GradMode, self._name)))
        setattr(GradMode, self._name, self._value)

    def __exit__(self, *exc) -> None:
        name, previous = GradMode.saved.pop()
        setattr(GradMode, name, previous)

    def __call__(self, func: Callable) -> Callable:
        switch = type(self)

        @functools.wraps(func)
        def switched(*args, **kwargs):
            with switch():
                return func(*args, **kwargs)

        return switched


class no_grad(_Switch):
    """Within this block operations record no graph: for evaluation and for parameter updates.

    >>> with no_grad():
    ...     y = x * 2          # y.requires_grad is False: no graph was recorded
    """


class inference_mode(_Switch):
    """As `no_grad` (PyTorch's faster variant; here the two are the same)."""


class enable_grad(_Switch):
    """Record the graph again inside a `no_grad` block (e.g. an optimizer's loss closure)."""

    _value = True


class detect_anomaly(_Switch):
    """Within this block the first NaN or inf made by an operation, in the forward pass or in a
    gradient of the backward pass, raises a RuntimeError naming that operation."""

    _name = "anomaly"
    _value = True


class set_grad_enabled(_Switch):
    """``with set_grad_enabled(False):`` as `no_grad`, ``set_grad_enabled(True)`` as `enable_grad`;
    called on its own (not in a `with`), it sets the mode for this thread, as in PyTorch."""

    def __new__(cls, mode: bool):
        self = object.__new__(cls)
        self._value = bool(mode)
        self._previous = GradMode.enabled
        GradMode.enabled = self._value
        return self

    def __enter__(self) -> None:
        GradMode.saved.append(("enabled", self._previous))

    def __call__(self, func: Callable) -> Callable:
        GradMode.enabled = self._previous  # used as a decorator: only inside the function
        value = self._value

        @functools.wraps(func)
        def switched(*args, **kwargs):
            with set_grad_enabled(value):
                return func(*args, **kwargs)

        return switched


# ---- IEEE arithmetic without warnings --------------------------------------------------------------
# inf - inf, 0 * inf, exp(1000) give nan or inf silently in PyTorch; numpy prints a RuntimeWarning.
# Operations run with numpy's warnings off, for their own duration only (the caller's settings are
# untouched). numpy >= 2 keeps its error state in a context variable: setting it directly costs a
# fraction of `np.errstate`, which matters for tiny ops; older numpy has a thread-local `np.seterr`.

try:
    from numpy._core._ufunc_config import _extobj_contextvar as _numpy_errors
    from numpy._core.umath import _make_extobj

    # ieee_silently() turns numpy's floating-point warnings off and returns what ieee_restore(token)
    # needs to turn them back (C-level calls: this runs twice per operation).
    ieee_silently = functools.partial(_numpy_errors.set, _make_extobj(all="ignore"))
    ieee_restore = _numpy_errors.reset

except ImportError:  # numpy 1.x: a thread-local error state
    ieee_silently = functools.partial(np.seterr, all="ignore")

    def ieee_restore(token: Any) -> None:
        np.seterr(**token)


# ---- errors ------------------------------------------------------------------------------------


def freed_graph_error(op: str) -> RuntimeError:
    return RuntimeError(f"backward: the graph through '{op}' was already freed by a backward pass; "
                        "call backward(retain_graph=True) the first time to go through it twice")


def check_finite(value: Any, op: str, where: str) -> None:
    """Raise if `value` holds a NaN or inf (used only under `detect_anomaly`)."""
    if not np.all(np.isfinite(value)):
        raise RuntimeError(f"detect_anomaly: '{op}' produced a NaN or inf in the {where} pass")


# ---- the two passes ----------------------------------------------------------------------------


def topological_order(root: Node, reset_grads: bool = False, leaves: bool = True) -> list[Node]:
    """Every node `root` depends on, each after all of its parents (iterative depth-first search).

    The stack holds nodes only (no tuple or iterator per node): a node is *expanded* the first time
    it is on top (its parents are pushed above it) and *placed* the next time, when all of them are.
    A node pushed twice before it was expanded is placed once.

    With `reset_grads` the gradients of intermediate nodes are reset on the way, so that a second
    backward pass through the same graph (``retain_graph=True``) accumulates only into the leaves,
    as in PyTorch. Without `leaves` the order skips the leaves (a plain backward has nothing to do
    at a leaf, and in a scalar graph about half of the nodes are leaves: weights, inputs, constants).
    """
    order = []
    placed: dict = {}  # node -> False once expanded, True once placed
    stack = [root]
    push, pop, place = stack.append, stack.pop, order.append
    while stack:
        node = stack[-1]
        state = placed.get(node)
        if state is None:
            a, b, more = node._a, node._b, node._more
            if a is None and b is None and more is None:  # a leaf: placed at once, no second visit
                pop()
                placed[node] = True
                place(node)
                continue
            placed[node] = False  # expand: push the parents, the first one last so that it is placed first
            if more is not None:
                for p in reversed(more):
                    if p is not None and p not in placed and (leaves or not _is_leaf(p)):
                        push(p)
            if b is not None and b not in placed and (leaves or b._a is not None or b._b is not None
                                                      or b._more is not None):
                push(b)
            if a is not None and a not in placed and (leaves or a._a is not None or a._b is not None
                                                      or a._more is not None):
                push(a)
        else:
            pop()
            if not state:
                placed[node] = True
                if reset_grads:
                    node.zero_grad()
                place(node)
    return order


def _is_leaf(node: Node) -> bool:
    return node._a is None and node._b is None and node._more is None


def parents(node: Node) -> tuple:
    """The nodes `node` was computed from (a fresh tuple: for drawing and inspecting, not hot paths)."""
    found = (node._a, node._b) + (node._more or ())
    return tuple(p for p in found if p is not None)


def backward_steps(root: Node, grad: Any = None, retain_graph: bool = False,
                   keep_grads: bool = True) -> Iterator[Node]:
    """Run backpropagation from `root` one node at a time.

    Yields each node in the order backprop visits it (the root first), right after the node has
    passed its gradient on to its parents, so the gradients filled in so far can be inspected or
    drawn: ``for node in backward_steps(loss): display(draw_graph(loss, highlight=node))``.
    `grad` is dL/droot (default 1 for a scalar root). Stepping keeps every gradient, also those of
    intermediate Tensors that a plain ``backward()`` frees once passed on (`keep_grads`).
    """
    checked = GradMode.anomaly
    for node in _reverse_order(root, grad):
        if checked:
            _propagate_checked(node, retain_graph, keep_grads)
        else:
            node._propagate(retain_graph, keep_grads)
        yield node


def backward(root: Node, grad: Any = None, retain_graph: bool = False) -> None:
    """Fill in dL/dnode for every node `root` = L depends on: the steps of `backward_steps`, run
    without pausing (and, for tensors, freeing intermediate gradients once passed on)."""
    if GradMode.anomaly:
        for node in _reverse_order(root, grad, leaves=False):
            _propagate_checked(node, retain_graph, False)
    else:
        for node in _reverse_order(root, grad, leaves=False):
            node._propagate(retain_graph, False)


def _reverse_order(root: Node, grad: Any, leaves: bool = True) -> list[Node]:
    """Seed dL/dL and give the nodes in the order backprop visits them (reverse topological)."""
    seed = root._seed_grad(grad)
    order = topological_order(root, reset_grads=True, leaves=leaves)
    root._add_grad(seed)
    order.reverse()
    return order


def _propagate_checked(node: Node, retain_graph: bool, keep_grads: bool) -> None:
    """One step of the sweep under detect_anomaly: the node hands its gradient on, then its parents'
    gradients are checked for NaN/inf."""
    node._propagate(retain_graph, True)  # the gradients are checked first, then freed if asked
    for parent in parents(node):
        if parent.grad is not None:  # constants and data have no gradient
            check_finite(parent.grad, node._op, "backward")
    if not keep_grads:
        node._forget_grad()
