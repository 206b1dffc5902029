"""Linear algebra: the matrix product and einsum."""

from __future__ import annotations

import numpy as np

from .elementwise import _promote
from .function import Function
from .tensor import Tensor, attach_methods


class Matmul(Function):
    """C = A @ B (numpy's rules: 1-D, 2-D, batched): dL/dA = dL/dC @ Bᵀ, dL/dB = Aᵀ @ dL/dC."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad[:2]
        # A 1-D operand is a row (left) or a column (right) whose extra dimension the result dropped.
        A = a if a.ndim > 1 else a[np.newaxis, :]
        B = b if b.ndim > 1 else b[:, np.newaxis]
        if b.ndim == 1:
            g = g[..., np.newaxis]
        if a.ndim == 1:
            g = g[..., np.newaxis, :]
        ga = gb = None
        if need_a:
            ga = g @ np.swapaxes(B, -1, -2)
            ga = ga[..., 0, :] if a.ndim == 1 else ga
        if need_b:
            gb = np.swapaxes(A, -1, -2) @ g
            gb = gb[..., 0] if b.ndim == 1 else gb
        return ga, gb


def matmul(input, other) -> Tensor:
    a, b, _ = _promote(input, other)
    if not isinstance(a, Tensor) or not isinstance(b, Tensor) or a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul: both arguments need at least one dimension (use * to scale)")
    inner_a = a.shape[-1]
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    try:
        if inner_a != inner_b:
            raise ValueError
        np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(f"matmul: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be multiplied "
                         f"({inner_a} columns against {inner_b} rows)") from None
    return Matmul.apply(a, b)


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    if input.ndim != 2 or mat2.ndim != 2:
        raise ValueError(f"mm: expects two matrices, got shapes {tuple(input.shape)} and {tuple(mat2.shape)}")
    return matmul(input, mat2)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    if input.ndim != 3 or mat2.ndim != 3:
        raise ValueError(f"bmm: expects two batches of matrices (3-D), got shapes {tuple(input.shape)} and "
                         f"{tuple(mat2.shape)}")
    return matmul(input, mat2)


def _rmatmul(self, other) -> Tensor:
    return matmul(other, self)


class Einsum(Function):
    """out = einsum(subscripts, *ops): the gradient of operand i is the einsum of dL/dout with the
    other operands into operand i's subscripts (indices summed only within operand i are broadcast back)."""

    @staticmethod
    def forward(ctx, *arrays, inputs, output):
        ctx.save_for_backward(inputs, output, *arrays)
        return np.einsum(",".join(inputs) + "->" + output, *arrays)

    @staticmethod
    def backward(ctx, g):
        inputs, output, *arrays = ctx.saved_tensors
        grads = []
        for i, (subs, x) in enumerate(zip(inputs, arrays)):
            if not ctx.needs_input_grad[i]:
                grads.append(None)
                continue
            others = [s for j, s in enumerate(inputs) if j != i]
            available = set(output).union(*others)
            kept = "".join(c for c in subs if c in available)
            spec = ",".join([output] + others) + "->" + kept
            grad = np.einsum(spec, g, *[a for j, a in enumerate(arrays) if j != i])
            if kept != subs:  # indices summed within this operand only: every entry got the same share
                grad = np.expand_dims(grad, [k for k, c in enumerate(subs) if c not in available])
                grad = np.broadcast_to(grad, x.shape)
            grads.append(grad)
        return tuple(grads)


def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation, as ``torch.einsum("ij,jk->ik", a, b)`` (operands also as one list)."""
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = tuple(operands[0])
    operands = [x if isinstance(x, Tensor) else Tensor(x) for x in operands]
    equation = equation.replace(" ", "")
    if "..." in equation:
        raise ValueError("einsum: '...' is not supported; name every dimension")
    lhs, _, output = equation.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(operands):
        raise ValueError(f"einsum: the equation {equation!r} names {len(inputs)} operands, got {len(operands)}")
    if not _:
        output = "".join(sorted(c for c in set(lhs) - {","} if lhs.count(c) == 1))
    for subs, x in zip(inputs, operands):
        if len(subs) != x.ndim:
            raise ValueError(f"einsum: subscripts {subs!r} for an operand of shape {tuple(x.shape)}")
        if len(set(subs)) != len(subs):
            raise ValueError(f"einsum: repeated index in {subs!r} (diagonals) is not supported")
    sizes = {}
    for subs, x in zip(inputs, operands):
        for c, n in zip(subs, x.shape):
            if sizes.setdefault(c, n) != n:
                shapes = [tuple(x.shape) for x in operands]
                raise ValueError(f"einsum: index {c!r} of {equation!r} has sizes {sizes[c]} and {n} "
                                 f"in operands of shapes {shapes}")
    dtype = np.result_type(*[x.dtype for x in operands])
    operands = [x.type(dtype) for x in operands]
    return Einsum.apply(*operands, inputs=tuple(inputs), output=output)


attach_methods({"matmul": matmul, "__matmul__": matmul, "__rmatmul__": _rmatmul, "mm": mm, "bmm": bmm})
