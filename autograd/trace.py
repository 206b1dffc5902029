"""The backward pass as data: what every step of backpropagation hands to whom.

``backward_trace(root)`` runs one backward pass (the same as ``root.backward()``) and records, for each
node in the order backprop visits it, its gradient when reached and, for each of its parents, the
chain rule's share::

    dL/dparent  +=  dL/dnode  x  dnode/dparent
    (contribution)  (upstream)   (local derivative)

and whether that share was the parent's first or was *accumulated* onto an earlier one (a value
used twice gets one share per use). ``print(trace)`` shows it as a table.

How it is measured: gradients are zeroed first, so every parent's gradient before and after a step
can be compared (contribution = after - before). A `Value` also knows its exact local derivatives;
for a `Tensor` the local derivative is a Jacobian that is never formed, so the trace shows norms.
After the pass the gradients are what ``root.backward()`` would have left: leaves accumulate onto the
gradients they had before (as PyTorch's do), and intermediate Tensors forget theirs unless
``retain_grad()`` was called.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .draw import all_nodes, fmt, is_tensor, shape_text
from .engine import backward_steps


@dataclass
class Share:
    """One application of the chain rule: the share that `node` passes to `parent`."""

    parent: Any
    name: str  # the parent's name (label, parameter name, else its op)
    upstream: Any  # dL/dnode (float, or the gradient array of a Tensor)
    local: float | None  # dnode/dparent for a Value (None for a Tensor: a Jacobian, not formed)
    contribution: Any  # upstream x local: what was added to dL/dparent (float or array)
    first: bool  # True: the parent's first share; False: accumulated onto earlier shares
    before: Any  # dL/dparent before this share (0 / None if it is the first)
    after: Any  # dL/dparent after it
    uses: int = 1  # a Tensor used twice by one op (x * x) gets both uses' shares summed in one

    @property
    def accumulated(self) -> bool:
        """Added onto an earlier share (or, for a Tensor used twice by one op, the sum of its uses)."""
        return not self.first or self.uses > 1


@dataclass
class Step:
    """One node of the backward pass: reached with its gradient complete, it passes its shares on."""

    index: int
    node: Any
    name: str
    op: str
    grad: Any  # dL/dnode when reached (a copy)
    shares: list[Share] = field(default_factory=list)

    @property
    def is_leaf(self) -> bool:
        return not self.node._parents


def node_name(node, names: dict) -> str:
    """A parameter name, else the node's label, else its op, else a leaf's value (or shape)."""
    name = names.get(id(node)) or node.label or node._op
    if name:
        return name
    if is_tensor(node):
        return f"leaf {shape_text(node)}"
    return f"leaf {fmt(node.data)}"


def _copy(g):
    if g is None:
        return None
    return np.array(g) if isinstance(g, np.ndarray | np.generic) else float(g)


def _norm(g) -> float:
    return 0.0 if g is None else float(np.linalg.norm(g))


class BackwardTrace(Sequence):
    """The steps of one backward pass (a sequence of `Step`); ``print()`` it for a table."""

    def __init__(self, root, steps: list[Step], names: dict):
        self.root = root
        self.steps = steps
        self.root_name = names.get(id(root)) or root.label or "L"
        self.tensor = is_tensor(root)

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, i):
        return self.steps[i]

    def __repr__(self) -> str:
        return f"<BackwardTrace of {self.root_name}: {len(self)} steps; print() it for the table>"

    def step_of(self, node) -> Step:
        """The step at which `node` was reached."""
        for step in self.steps:
            if step.node is node:
                return step
        raise KeyError(f"backward_trace: {node!r} is not in this graph")

    # ---- text -----------------------------------------------------------------------------------

    def __str__(self) -> str:
        return self.table()

    def table(self) -> str:
        """One block per step: the node and its gradient, then one line per share it passes on."""
        L = self.root_name
        if self.tensor:
            head = (f"{'step':>4}  {'node':<14} {'shape':<9} {'|dL/dnode|':>11}   {'-> parent':<14} "
                    f"{'|upstream|':>10} {'|contribution|':>14}  share")
        else:
            head = (f"{'step':>4}  {'node':<12} {'dL/dnode':>11}   {'-> parent':<12} "
                    f"{'upstream':>11} x {'local':>11} = {'contribution':>12}  share")
        lines = [f"backward pass of {L}: {len(self)} steps, in the order backprop visits the nodes "
                 f"(upstream = dL/dnode, local = dnode/dparent)", head, "-" * len(head)]
        for step in self.steps:
            if self.tensor:
                g = "-" if step.grad is None else f"{_norm(step.grad):.4g}"
                left = f"{step.index:>4}  {step.name[:14]:<14} {shape_text(step.node):<9} {g:>11}   "
            else:
                left = f"{step.index:>4}  {step.name[:12]:<12} {fmt(step.grad):>11}   "
            if not step.shares:
                lines.append(left + _nothing(step))
            for k, s in enumerate(step.shares):
                kind = "first" if s.first else "accumulated"
                if s.uses > 1:
                    kind += f" (the sum of {s.uses} uses)"
                if self.tensor:
                    right = (f"{s.name[:14]:<14} {_norm(s.upstream):>10.4g} {_norm(s.contribution):>14.4g}  {kind}")
                else:
                    local = "?" if s.local is None else fmt(s.local)
                    right = (f"{s.name[:12]:<12} {fmt(s.upstream):>11} x {local:>11} = "
                             f"{fmt(s.contribution):>12}  {kind}")
                    if not s.first:
                        right += f" ({fmt(s.before)} -> {fmt(s.after)})"
                lines.append((left if k == 0 else " " * len(left)) + right)
        return "\n".join(lines)

    def chain_rule(self, i: int) -> list[str]:
        """Step `i` spelled out, one line per share (plain text)."""
        return [text for text, _ in _explain(self, self.steps[i])]


def _nothing(step: Step) -> str:
    """Why a step passes no share on."""
    if getattr(step.node, "requires_grad", True) is False:
        return "data: needs no gradient"
    if step.is_leaf:
        return "leaf: its gradient is final"
    return "passes nothing on (no parent needs a gradient)"


def _explain(trace: BackwardTrace, step: Step) -> list[tuple[str, bool]]:
    """(line, is_accumulation) for each line of a step's chain rule."""
    L = trace.root_name
    out = []
    for s in step.shares:
        if trace.tensor:
            text = (f"d{L}/d{s.name} {'=' if s.first else '+='} d{L}/d{step.name} . d{step.name}/d{s.name}: "
                    f"|upstream| {_norm(s.upstream):.4g}, |share| {_norm(s.contribution):.4g}")
            if s.uses > 1:
                text += f" (the sum of {s.uses} uses)"
        else:
            local = "?" if s.local is None else fmt(s.local)
            text = (f"d{L}/d{s.name} {'=' if s.first else '+='} d{L}/d{step.name} x d{step.name}/d{s.name}"
                    f" = {fmt(s.upstream)} x {local} = {fmt(s.contribution)}")
        if not s.first:
            before = f"{_norm(s.before):.4g}" if trace.tensor else fmt(s.before)
            after = f"{_norm(s.after):.4g}" if trace.tensor else fmt(s.after)
            text += f"  (accumulated: {before} -> {after})"
        out.append((text, s.accumulated))
    return out


# ---- running the pass -------------------------------------------------------------------------

def _zero(node) -> None:
    node.grad = None if is_tensor(node) else 0.0


def _trace_steps(root, names: dict, grad=None, retain_graph: bool = False) -> Iterator[Step]:
    """Run backward from `root` and yield each Step while every gradient is live (for drawing).

    The gradients are zeroed first; when the generator is exhausted they are put back as
    ``root.backward()`` leaves them (leaves accumulate onto what they had; intermediate Tensors
    forget theirs unless they retain it).
    """
    if is_tensor(root) and not getattr(root, "requires_grad", True):
        raise RuntimeError("backward_trace: this tensor does not require grad (no input of it had requires_grad=True)")
    nodes = all_nodes(root)
    saved = {}  # a leaf's gradient before the pass (restored, plus this pass's, at the end)
    for n in nodes:
        if not n._parents and n.grad is not None:
            saved[id(n)] = n.grad
        _zero(n)
    # A Value's exact local derivatives (read before backward frees them); absent: contribution / upstream
    local = {}
    for n in nodes:
        if not is_tensor(n) and n._parents:
            ds = (getattr(n, "_da", None), getattr(n, "_db", None))
            if all(isinstance(d, int | float) for d in ds[: len(n._parents)]):
                local[id(n)] = tuple(float(d) for d in ds[: len(n._parents)])
    last = {id(n): None if is_tensor(n) else 0.0 for n in nodes}  # each gradient as last seen
    received = set()
    try:
        for index, node in enumerate(backward_steps(root, grad, retain_graph)):
            upstream = _copy(node.grad)
            step = Step(index, node, node_name(node, names), node._op, upstream)
            parents = node._parents
            exact = local.get(id(node))
            for parent in dict.fromkeys(parents):  # each distinct parent once, in order
                if is_tensor(parent) and not getattr(parent, "requires_grad", True):
                    continue  # data and constants receive no gradient
                before, after = last[id(parent)], _copy(parent.grad)
                pname = node_name(parent, names)
                uses = [i for i, p in enumerate(parents) if p is parent]
                if is_tensor(parent):
                    if after is None:
                        continue
                    contribution = after if before is None else after - before
                    step.shares.append(Share(parent, pname, upstream, None, contribution,
                                             id(parent) not in received, before, after, len(uses)))
                elif exact is not None:  # one share per use, with the exact local derivative
                    running = before
                    for i in uses:
                        c = upstream * exact[i]
                        step.shares.append(Share(parent, pname, upstream, exact[i], c, id(parent) not in received,
                                                 running, running + c))
                        received.add(id(parent))
                        running += c
                    step.shares[-1].after = after
                else:
                    contribution = after - before
                    ratio = contribution / upstream if upstream else None
                    step.shares.append(Share(parent, pname, upstream, ratio, contribution,
                                             id(parent) not in received, before, after))
                received.add(id(parent))
                last[id(parent)] = after
            yield step
    finally:
        for n in nodes:
            if id(n) in saved:
                old = saved[id(n)]
                if is_tensor(n):
                    if n.grad is not None:
                        old += n.grad  # in place, as backward accumulates into an existing .grad
                    n.grad = old
                else:
                    n.grad = old + n.grad
            elif n._parents:
                forget = getattr(n, "_forget_grad", None)
                if forget is not None:
                    forget()  # what a plain backward() does: frees an intermediate Tensor's gradient


def backward_trace(root, params: dict | None = None, grad=None, retain_graph: bool = False,
                   on_step: Callable[[Step], None] | None = None) -> BackwardTrace:
    """Run the backward pass from `root` (as ``root.backward()``) and return it as data.

    - params: {name: node} (e.g. ``dict(model.named_parameters())``) to name nodes; else labels, else ops.
    - grad: dL/droot for a non-scalar Tensor root; retain_graph: as in ``backward()``.
    - on_step: called with each `Step` while the gradients are live (as in `backward_steps`).

    The result is a sequence of `Step` (node, name, op, grad when reached, shares); each `Share` has the
    parent, upstream gradient, local derivative (Value only), contribution and whether it was the
    parent's first share or an accumulation. ``print(trace)`` shows the table.

    Gradients are zeroed before the pass and afterwards are what ``root.backward()`` would have left:
    leaves add this pass's gradient onto the ones they had, intermediate Tensors forget theirs
    (unless ``retain_grad()``), Values keep theirs.
    """
    names = {id(t): name for name, t in (params or {}).items()}
    steps = []
    for step in _trace_steps(root, names, grad, retain_graph):
        if on_step is not None:
            on_step(step)
        steps.append(step)
    return BackwardTrace(root, steps, names)
