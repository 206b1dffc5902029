"""Data types as PyTorch names and promotes them (numpy dtypes underneath).

Construction: Python floats make float32 (the default dtype), Python ints int64, bools bool; numpy
arrays keep their dtype. Promotion of two operands, as ``torch.result_type``:
- a Python number never upcasts a tensor of its kind or above (``float32 * 2.5`` stays float32);
- an integer or bool tensor with a Python float becomes the default dtype, float32;
- integer with floating tensors gives the floating dtype (int64 + float32 is float32, not numpy's
  float64); otherwise the larger of the two;
- a 0-d tensor does not upcast a tensor of the same kind that has dimensions.
"""

from __future__ import annotations

import numbers

import numpy as np

float16 = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
bool_ = np.dtype(np.bool_)

DEFAULT_FLOAT = float32
_KIND_ORDER = {"b": 0, "u": 1, "i": 1, "f": 2}


class DtypeError(TypeError, RuntimeError):
    """A dtype that an operation cannot take (a TypeError, and a RuntimeError as PyTorch raises)."""


def as_dtype(dtype) -> np.dtype:
    """PyTorch's dtype arguments: our names, numpy dtypes, or Python's float/int/bool."""
    try:
        return np.dtype(dtype)
    except TypeError:
        raise DtypeError(f"dtype: {dtype!r} is not a data type") from None


def _kind(dtype: np.dtype) -> int:
    return _KIND_ORDER[dtype.kind]


def _number_kind(x) -> int:
    return 0 if isinstance(x, bool | np.bool_) else 1 if isinstance(x, numbers.Integral) else 2


def result_type(a, b) -> np.dtype:
    """The dtype of a binary operation on `a` and `b`, each a Tensor (anything with .data) or a number."""
    a_num, b_num = not hasattr(a, "data"), not hasattr(b, "data")
    if a_num and b_num:
        kind = max(_number_kind(a), _number_kind(b))
        return (bool_, int64, DEFAULT_FLOAT)[kind]
    if b_num or a_num:
        t, n = (a, b) if b_num else (b, a)
        dt = t.data.dtype
        kind = _number_kind(n)
        if kind <= _kind(dt):
            return dt
        return int64 if kind == 1 else DEFAULT_FLOAT
    da, db = a.data.dtype, b.data.dtype
    if da == db:
        return da
    ka, kb = _kind(da), _kind(db)
    if ka != kb:
        return da if ka > kb else db
    # same kind: a 0-d tensor yields to one with dimensions
    if a.data.ndim == 0 and b.data.ndim > 0:
        return db
    if b.data.ndim == 0 and a.data.ndim > 0:
        return da
    return np.promote_types(da, db)


def from_data(data, dtype=None) -> np.ndarray:
    """The array of a new tensor (always a copy): PyTorch's construction rules above."""
    if hasattr(data, "data") and isinstance(data.data, np.ndarray):
        data = data.data
    if dtype is not None:
        return np.array(data, dtype=as_dtype(dtype))
    if isinstance(data, np.ndarray | np.generic):
        arr = np.array(data)
    else:
        arr = np.array(data)
        if arr.dtype.kind == "f":
            arr = arr.astype(DEFAULT_FLOAT)
        elif arr.dtype.kind in "iu":
            arr = arr.astype(int64)
    if arr.dtype.kind not in "biuf":
        raise DtypeError(f"tensor: cannot make a tensor from {type(data).__name__} of dtype {arr.dtype}")
    return arr
