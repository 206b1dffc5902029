"""The one backpropagation routine, shared by the scalar `Value` and the numpy `Tensor`.

Reverse-mode automatic differentiation in two passes:

1. order the graph topologically (every node after all the nodes it was computed from): find its
   nodes with an explicit stack, so that a chain of 10^6 nodes needs no recursion, and sort them by
   when they were made (a node is always made after its parents);
2. walk that order backwards. When a node is reached its gradient dL/dnode is complete, so the chain
   rule can hand each parent its share, dL/dparent += dL/dnode * dnode/dparent. Shares are *added*:
   a node used twice (``a * a``, a diamond) receives one share per use.

A node is anything with this small interface (see `Node`). `Value` and `Tensor` implement it, and so
`backward`, `backward_steps`, `gradcheck` and `draw_graph` are written once, for both.

Grad mode (`no_grad`, `enable_grad`, `inference_mode`, `detect_anomaly`) is per thread, as PyTorch's.
"""

from __future__ import annotations

import contextvars
import functools
import itertools
import operator
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
    # An operation's place in creation order (a number from `clock`, taken when it is made; leaves
    # need none): sorting by it is the topological order.
    _stamp: int

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


# Two switches that every operation reads: record the graph? check for NaN and inf? They are bit flags
# in one context variable, so an operation reads both with one C call, `grad_mode()` (a thread-local
# attribute costs several times more, twice per operation). A context variable is per thread, as
# PyTorch's grad mode: a new thread starts from the defaults (recording on, no anomaly checks).

RECORD, ANOMALY = 1, 2
_mode = contextvars.ContextVar("seedgrad_grad_mode", default=RECORD)
grad_mode = _mode.get  # () -> the flags now in force
_set_mode = _mode.set


class _Replaced(threading.local):
    """The flags that the open `with` blocks of this thread replaced, innermost last."""

    def __init__(self):
        self.stack: list[int] = []


_replaced = _Replaced()


def is_grad_enabled() -> bool:
    return bool(grad_mode() & RECORD)


def is_anomaly_enabled() -> bool:
    return bool(grad_mode() & ANOMALY)


def _switched(flags: int, flag: int, on: bool) -> int:
    """`flags` with `flag` set (`on`) or cleared."""
    return flags | flag if on else flags & ~flag


class _Switch:
    """Sets one grad-mode switch inside a `with` block or a decorated function, and restores it after,
    also on an exception. Reusable and re-entrant (the replaced value is kept per thread, not in the
    object), and usable as ``with no_grad():``, ``@no_grad()`` and bare ``@no_grad``."""

    _flag = RECORD
    _value = False

    def __new__(cls, func: Callable | None = None):
        self = super().__new__(cls)
        return self(func) if callable(func) else self

    def __enter__(self) -> None:
        flags = grad_mode()
        _replaced.stack.append(flags)
        _set_mode(_switched(flags, self._flag, self._value))

    def __exit__(self, *exc) -> None:
        _set_mode(_replaced.stack.pop())

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

    _flag = ANOMALY
    _value = True


class set_grad_enabled(_Switch):
    """``with set_grad_enabled(False):`` as `no_grad`, ``set_grad_enabled(True)`` as `enable_grad`;
    called on its own (not in a `with`), it sets the mode for this thread, as in PyTorch."""

    def __new__(cls, mode: bool):
        self = object.__new__(cls)
        self._value = bool(mode)
        self._previous = grad_mode()
        _set_mode(_switched(self._previous, RECORD, self._value))
        return self

    def __enter__(self) -> None:
        _replaced.stack.append(self._previous)

    def __call__(self, func: Callable) -> Callable:
        _set_mode(self._previous)  # used as a decorator: only inside the function
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


# Every operation's node takes the next number of this clock when it is made (its `_stamp`). A node is
# always made after the nodes it is computed from, so a graph's operations ordered by stamp are in a
# topological order: PyTorch's autograd numbers its nodes the same way (`sequence_nr`, torch/csrc/
# autograd/function.h) and runs the later-made first. `next(clock)` is atomic, so threads may share it.
clock = itertools.count()
_by_stamp = operator.attrgetter("_stamp")


def topological_order(root: Node, reset_grads: bool = False, leaves: bool = True) -> list[Node]:
    """Every node `root` depends on, each after all of its parents: the operations in the order they
    were made, each leaf just before the first operation that uses it.

    The order needs no depth-first search: an operation's node is stamped when it is made, after its
    parents, so the search only *finds* the nodes (each once, with an explicit stack: a chain of 10^6
    nodes needs no recursion) and then sorts the operations by stamp.

    With `reset_grads` the gradients of intermediate nodes are reset on the way, so that a second
    backward pass through the same graph (``retain_graph=True``) accumulates only into the leaves,
    as in PyTorch. Without `leaves` only the operations are returned (a plain backward has nothing to
    do at a leaf: weights, inputs, constants).
    """
    found = {root}
    todo = [root]
    ops = []
    see, push, pop = found.add, todo.append, todo.pop
    while todo:
        node = pop()
        a, b, more = node._a, node._b, node._more
        if a is None and b is None and more is None:  # a leaf: nothing more to find from it
            continue
        ops.append(node)
        if reset_grads:
            g = node.grad  # left by an earlier pass? (a node nothing reached has None, or 0.0 for a Value)
            if g is not None and (type(g) is not float or g):
                node.zero_grad()
        if a is not None and a not in found:
            see(a)
            push(a)
        if b is not None and b not in found:
            see(b)
            push(b)
        if more is not None:
            for p in more:
                if p is not None and p not in found:
                    see(p)
                    push(p)
    ops.sort(key=_by_stamp)
    if not leaves:
        return ops
    if not ops:  # the root is a leaf
        return [root]
    # Each leaf goes just before the first operation that uses it: walking backwards, a leaf then
    # comes right after its last share has arrived (what the stepper shows).
    order, placed = [], set()
    for op in ops:
        for p in parents(op):
            if p._a is None and p._b is None and p._more is None and p not in placed:
                placed.add(p)
                order.append(p)
        order.append(op)
    return order


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
    checked = grad_mode() & ANOMALY
    for node in _reverse_order(root, grad):
        token = ieee_silently()  # each step, not the caller's code between steps (see `backward`)
        try:
            if checked:
                _propagate_checked(node, retain_graph, keep_grads)
            else:
                node._propagate(retain_graph, keep_grads)
        finally:
            ieee_restore(token)
        yield node


def backward(root: Node, grad: Any = None, retain_graph: bool = False) -> None:
    """Fill in dL/dnode for every node `root` = L depends on: the steps of `backward_steps`, run
    without pausing (and, for tensors, freeing intermediate gradients once passed on).

    The whole pass runs in IEEE arithmetic without numpy's warnings (a gradient of inf - inf is nan
    silently, as in PyTorch), switched on once for the pass rather than once per node."""
    token = ieee_silently()
    try:
        if grad_mode() & ANOMALY:
            for node in _reverse_order(root, grad, leaves=False):
                _propagate_checked(node, retain_graph, False)
        else:
            for node in _reverse_order(root, grad, leaves=False):
                node._propagate(retain_graph, False)
    finally:
        ieee_restore(token)


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
