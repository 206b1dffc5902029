"""`Function`: the form every differentiable Tensor operation is written in.

An operation is a class with two static methods side by side, as ``torch.autograd.Function``:

    class Mul(Function):
        '''d(ab)/da = b, d(ab)/db = a.'''

        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            return grad * b, grad * a

    Mul.apply(x, y)        # a new Tensor node; x or y may also be a Python number

- `forward` receives numpy arrays for the Tensor arguments (numbers and other arguments as they
  are) and returns the result array: an operation is numpy math plus its derivative.
- `backward` receives dL/dout and returns one gradient per positional argument (a single array
  for a one-argument operation; None for an argument that has none). It may return a gradient in
  the *broadcast* shape: the engine sums it back to the argument's shape, in one place.
- `ctx` is the output node itself, so an operation costs one object for Python's garbage collector:
  the node keeps its parents in its slots (`_a`, `_b`, `_more`), the class of the operation (`_fn`,
  shared by all its nodes, not a closure per call) and what `save_for_backward` was given (`_saved`).
- Arrays saved for backward that are an argument's (or the output's) own array are version-checked:
  if that tensor is changed in place before backward runs, backward raises instead of computing a
  wrong gradient (PyTorch's version counter).

Python numbers stay numbers: ``x * 2.0`` makes one node with one parent, not a constant Tensor.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .engine import ANOMALY, RECORD, check_finite, clock, grad_mode, ieee_restore, ieee_silently


class Function:
    """Base of every operation (see the module docstring). `name` is what errors, `grad_fn` and graph
    drawings call it; it defaults to the class name in lower case."""

    name = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = cls.__name__.lower()

    @staticmethod
    def forward(ctx, *args, **kwargs) -> np.ndarray:
        raise NotImplementedError(f"{type(ctx).__name__}: an operation defines forward(ctx, *args)")

    @staticmethod
    def backward(ctx, grad: np.ndarray) -> Any:
        raise RuntimeError("backward: this operation has no derivative")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run `forward` on the arguments' arrays and return the result as a Tensor node, joined to the
        graph (parents, operation, saved arrays) when grad mode is on and an argument requires grad."""
        node = _new(Tensor)
        node.grad = node._saved = node._versions = node._a = node._b = node._more = None
        node.label = ""
        node._version = 0
        node._retains_grad = False
        track = False
        mode = grad_mode()
        if mode & RECORD:
            for x in args:
                if isinstance(x, Tensor) and x._requires_grad:
                    track = True
                    break
        node._requires_grad = track
        node._fn = cls if track else None
        if len(args) == 1:  # the common cases without building a list
            arrays = (args[0].data,)
        elif len(args) == 2:
            a, b = args
            arrays = (a.data if isinstance(a, Tensor) else a, b.data if isinstance(b, Tensor) else b)
        else:
            arrays = [x.data if isinstance(x, Tensor) else x for x in args]
        token = ieee_silently()
        try:
            data = cls.forward(node, *arrays, **kwargs)
        finally:
            ieee_restore(token)
        if type(data) is not np.ndarray:  # numpy returns a scalar for 0-d results: keep an array
            data = np.asarray(data)
        node.data = data
        if track:
            node._stamp = next(clock)
            a = args[0]
            if isinstance(a, Tensor):
                node._a = a
            if len(args) > 1:
                b = args[1]
                if isinstance(b, Tensor):
                    node._b = b
                if len(args) > 2:
                    more = tuple(x if isinstance(x, Tensor) else None for x in args[2:])
                    if any(x is not None for x in more):
                        node._more = more
            if node._saved is not None:
                node._versions = _versions(node._saved, args, data)
        if mode & ANOMALY:
            check_finite(data, cls.name, "forward")
        return node


def _versions(saved: tuple, args: tuple, out: np.ndarray) -> tuple | None:
    """position, version, position, version, ... for each argument (position -1: the output) whose own
    array was saved, so that backward can tell if it was changed in place since; None if none was."""
    found = ()
    for array in saved:
        if type(array) is np.ndarray:
            for i, x in enumerate(args):
                if isinstance(x, Tensor) and x.data is array:
                    found += (i, x._version)
            if array is out:
                found += (-1, 0)
    return found or None


def check_versions(node) -> None:
    """Raise if a tensor whose array `node`'s operation saved was changed in place since."""
    versions = node._versions
    for position, expected in zip(versions[::2], versions[1::2]):
        t = node if position < 0 else node._a if position == 0 else node._b if position == 1 \
            else node._more[position - 2]
        if t._version != expected:
            name = f" '{t.label}'" if t.label else ""
            raise RuntimeError(
                f"backward: one of the tensors needed to differentiate '{node._fn.name}' has been changed in place: "
                f"the tensor{name} of shape {tuple(t.shape)} is at version {t._version}, expected version "
                f"{expected} (an optimizer step, load_state_dict, an nn.init call or an in-place op ran between "
                "the forward pass and backward); compute the forward pass again after changing it")


def _new(cls):
    return object.__new__(cls)


from .tensor import Tensor  # noqa: E402  (Tensor's methods are built from Functions)
