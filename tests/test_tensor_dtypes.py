"""dtypes as PyTorch makes and promotes them (numpy dtypes underneath).

Hand-written tables of what PyTorch gives, and, where torch is installed, every pairing of operand
kinds through every binary operation compared with torch's result dtype.
"""

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


def name(dtype) -> str:
    return str(dtype).removeprefix("torch.")


# ---- names ---------------------------------------------------------------------------------------

NAMES = [("float32", np.float32), ("float64", np.float64), ("int64", np.int64), ("int32", np.int32),
         ("bool", np.bool_), ("float", np.float32), ("double", np.float64), ("long", np.int64), ("int", np.int32),
         ("float16", np.float16), ("half", np.float16), ("uint8", np.uint8), ("int8", np.int8), ("int16", np.int16)]


@pytest.mark.parametrize("attr, dtype", NAMES)
def test_dtype_names_as_pytorch(attr, dtype):
    assert getattr(ag, attr) == np.dtype(dtype)
    assert ag.zeros(1, dtype=getattr(ag, attr)).dtype == dtype
    if torch is not None:
        assert name(getattr(torch, attr)) == str(np.dtype(dtype))


def test_builtins_are_untouched():
    """`autograd.bool/float/int` are dtypes; Python's own bool/float/int stay what they are."""
    import builtins
    assert ag.bool is not builtins.bool and bool(1) is True and float("1.5") == 1.5 and int("3") == 3


# ---- construction --------------------------------------------------------------------------------

CONSTRUCTION = [
    ([1, 2, 3], None, "int64"), ([1.0], None, "float32"), ([True, False], None, "bool"), (3, None, "int64"),
    (2.5, None, "float32"), (True, None, "bool"), ([1, 2.5], None, "float32"), ([True, 2], None, "int64"),
    ([[1, 2], [3, 4]], None, "int64"), ([], None, "float32"),
    (np.array([1.0]), None, "float64"), (np.array([1], np.int32), None, "int32"), (np.float64(2.0), None, "float64"),
    (np.array([1.0], np.float32), None, "float32"), (np.array([True]), None, "bool"),
    ([1, 2], "float32", "float32"), ([1.5, 2.5], "int64", "int64"), ([1.0], "float64", "float64"),
    ([0, 1], "bool", "bool"),
]


@pytest.mark.parametrize("data, dtype, expected", CONSTRUCTION)
def test_construction(data, dtype, expected):
    out = ag.tensor(data, dtype=None if dtype is None else getattr(ag, dtype))
    assert str(out.dtype) == expected
    assert str(Tensor(data, dtype=None if dtype is None else getattr(ag, dtype)).dtype) == expected
    if torch is not None:
        assert name(torch.tensor(data, dtype=None if dtype is None else getattr(torch, dtype)).dtype) == expected


def test_construction_copies():
    a = np.array([1.0, 2.0])
    t = ag.tensor(a)
    a[0] = 99.0
    assert t.tolist() == [1.0, 2.0]
    assert ag.from_numpy(a).data is a  # from_numpy shares, as PyTorch


# ---- promotion -----------------------------------------------------------------------------------

V = ag.tensor  # short for the table


def t(dtype, zero_d=False):
    return ag.tensor(np.array(1 if zero_d else [1, 2]).astype(dtype))


# expression, the dtype PyTorch gives
PROMOTION = [
    pytest.param(lambda: t("float32") * 2.5, "float32", id="a Python float never upcasts float32"),
    pytest.param(lambda: 2.5 + t("float32"), "float32", id="reflected"),
    pytest.param(lambda: t("float32") * 2, "float32", id="a Python int keeps float32"),
    pytest.param(lambda: t("float64") * 2.5, "float64", id="float64 stays float64"),
    pytest.param(lambda: t("float32") * np.float64(2.5), "float32", id="a numpy scalar is a Python number"),
    pytest.param(lambda: t("int64") * 2.5, "float32", id="int tensor * float -> float32"),
    pytest.param(lambda: t("int32") * 2, "int32", id="int32 * int stays int32"),
    pytest.param(lambda: t("int64") + True, "int64", id="int + bool"),
    pytest.param(lambda: t("bool") + 1, "int64", id="bool tensor + int -> int64"),
    pytest.param(lambda: t("bool") * 1.5, "float32", id="bool tensor * float -> float32"),
    pytest.param(lambda: t("int64") + t("float32"), "float32", id="int64 + float32 -> float32 (not float64)"),
    pytest.param(lambda: t("int32") + t("int64"), "int64", id="int32 + int64 -> int64"),
    pytest.param(lambda: t("float32") + t("float64"), "float64", id="float32 + float64 -> float64"),
    pytest.param(lambda: t("float64", True) * t("float32"), "float32", id="0-d float64 * float32 -> float32"),
    pytest.param(lambda: t("float32", True) * t("float64", True), "float64", id="two 0-d: the larger"),
    pytest.param(lambda: t("int64", True) * t("float32"), "float32", id="0-d int * float32"),
    pytest.param(lambda: t("float64", True) * t("int64"), "float64", id="0-d float64 upcasts an int tensor"),
    pytest.param(lambda: t("int64") / 2, "float32", id="int / int -> float32"),
    pytest.param(lambda: t("int64") / t("int64"), "float32", id="int tensor / int tensor -> float32"),
    pytest.param(lambda: t("int64") // 2, "int64", id="int // int -> int64"),
    pytest.param(lambda: t("int64") % 2, "int64", id="int % int"),
    pytest.param(lambda: t("int64") ** 2, "int64", id="int ** int"),
    pytest.param(lambda: t("int64") ** 0.5, "float32", id="int ** float"),
    pytest.param(lambda: 2 ** t("float32"), "float32", id="int ** float32"),
    pytest.param(lambda: t("float32") @ t("float64"), "float64", id="matmul promotes"),
    pytest.param(lambda: t("int64").exp(), "float32", id="exp of ints is float32"),
    pytest.param(lambda: t("int64").sqrt(), "float32", id="sqrt of ints"),
    pytest.param(lambda: t("int64").sigmoid(), "float32", id="sigmoid of ints"),
    pytest.param(lambda: t("int32").sum(), "int64", id="sum of int32 is int64"),
    pytest.param(lambda: t("bool").sum(), "int64", id="sum of bools is int64"),
    pytest.param(lambda: t("float32").sum(dtype=ag.float64), "float64", id="sum dtype="),
    pytest.param(lambda: t("int64").cumsum(0), "int64", id="cumsum of ints"),
    pytest.param(lambda: t("int64").prod(), "int64", id="prod of ints"),
    pytest.param(lambda: t("int64").max(), "int64", id="max of ints"),
    pytest.param(lambda: t("float32").argmax(), "int64", id="argmax is int64"),
    pytest.param(lambda: t("float32").max(dim=0).indices, "int64", id="max(dim) indices int64"),
    pytest.param(lambda: t("float32") > 1, "bool", id="comparison is bool"),
    pytest.param(lambda: t("float32").isnan(), "bool", id="isnan is bool"),
    pytest.param(lambda: t("int64").abs(), "int64", id="abs keeps ints"),
    pytest.param(lambda: t("int64").relu(), "int64", id="relu keeps ints"),
    pytest.param(lambda: t("int64").clamp(0, 1), "int64", id="clamp keeps ints"),
    pytest.param(lambda: t("int64").floor(), "int64", id="floor keeps ints"),
    pytest.param(lambda: -t("int64"), "int64", id="neg keeps ints"),
    pytest.param(lambda: ag.where(t("bool"), t("int64"), 0.5), "float32", id="where promotes"),
    pytest.param(lambda: ag.where(t("bool"), t("float32"), t("float64")), "float64", id="where two tensors"),
    pytest.param(lambda: ag.cat([t("int64"), t("float32")]), "float32", id="cat promotes"),
    pytest.param(lambda: ag.stack([t("float32"), t("float64")]), "float64", id="stack promotes"),
    pytest.param(lambda: ag.maximum(t("int64"), t("float32")), "float32", id="maximum promotes"),
    pytest.param(lambda: t("float32").masked_fill(t("bool"), 2), "float32", id="masked_fill keeps the dtype"),
    pytest.param(lambda: t("int64").masked_fill(t("bool"), 2), "int64", id="masked_fill int"),
    pytest.param(lambda: t("float32").var(), "float32", id="var keeps float32"),
    pytest.param(lambda: t("float32").mean(), "float32", id="mean keeps float32"),
    pytest.param(lambda: t("int64").float(), "float32", id="float()"),
    pytest.param(lambda: t("float32").double(), "float64", id="double()"),
    pytest.param(lambda: t("float32").long(), "int64", id="long()"),
    pytest.param(lambda: t("float32").int(), "int32", id="int()"),
    pytest.param(lambda: t("float32").bool(), "bool", id="bool()"),
    pytest.param(lambda: t("float32").half(), "float16", id="half()"),
    pytest.param(lambda: t("int64").to(ag.float64), "float64", id="to(dtype)"),
    pytest.param(lambda: t("int64").to(dtype=ag.float32), "float32", id="to(dtype=)"),
    pytest.param(lambda: t("int64").to("cpu", ag.float64), "float64", id="to(device, dtype)"),
    pytest.param(lambda: t("int64").to(t("float64")), "float64", id="to(other)"),
    pytest.param(lambda: t("int64").type(ag.float32), "float32", id="type(dtype)"),
]


@pytest.mark.parametrize("expr, expected", PROMOTION)
def test_promotion(expr, expected):
    assert str(expr().dtype) == expected


def test_casts_keep_gradients_between_floats():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.dtype == np.float64 and y.grad_fn is not None
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.tolist() == [2.0, 4.0]
    assert not x.long().requires_grad  # an integer copy carries no gradient


def test_type_without_a_dtype_names_it():
    assert "float32" in ag.tensor([1.0]).type()
    if torch is not None:
        assert torch.tensor([1.0]).type() == "torch.FloatTensor"


def test_cast_of_the_same_dtype_is_the_tensor():
    x = ag.tensor([1.0])
    assert x.float() is x and x.to(ag.float32) is x  # as PyTorch: no copy when nothing changes


# ---- only floating tensors require gradients -----------------------------------------------------

INTEGER_LEAVES = [
    pytest.param(lambda: ag.tensor([1, 2], requires_grad=True), id="tensor(ints, requires_grad=True)"),
    pytest.param(lambda: ag.tensor([True], requires_grad=True), id="bools"),
    pytest.param(lambda: ag.zeros(2, dtype=ag.long, requires_grad=True), id="zeros(dtype=long)"),
    pytest.param(lambda: ag.arange(3, requires_grad=True), id="arange ints"),
    pytest.param(lambda: ag.tensor([1, 2]).requires_grad_(), id="requires_grad_() afterwards"),
    pytest.param(lambda: setattr(ag.tensor([1, 2]), "requires_grad", True), id="requires_grad = True afterwards"),
    pytest.param(lambda: ag.tensor([1.0]).long().requires_grad_(True), id="after a cast"),
]


@pytest.mark.parametrize("make", INTEGER_LEAVES)
def test_integer_tensors_cannot_require_grad(make):
    with pytest.raises(RuntimeError, match="floating point"):  # PyTorch's RuntimeError (and a TypeError here)
        make()


def test_integer_tensor_may_say_it_requires_no_grad():
    x = ag.tensor([1, 2])
    x.requires_grad = False
    assert not x.requires_grad_(False).requires_grad


# ---- against torch: every operand pairing through every binary operation ---------------------------

KINDS = ["bool", "uint8", "int32", "int64", "float32", "float64"]
OPERANDS = [(k, zero_d) for k in KINDS for zero_d in (False, True)] + [("python", v) for v in (True, 3, 2.5)]
BINARY = {
    "add": lambda T, a, b: a + b, "radd": lambda T, a, b: b + a, "mul": lambda T, a, b: a * b,
    "sub": lambda T, a, b: a - b, "div": lambda T, a, b: a / b, "floordiv": lambda T, a, b: a // b,
    "mod": lambda T, a, b: a % b, "pow": lambda T, a, b: a**b, "eq": lambda T, a, b: a == b,
    "lt": lambda T, a, b: a < b, "maximum": lambda T, a, b: T.maximum(a, b if hasattr(b, "shape") else T.tensor(b)),
    "where": lambda T, a, b: T.where(T.tensor([True, False]), a, b),
}


def operand(T, kind, value):
    if kind == "python":
        return value
    data = np.array(1 if value else [1, 2]).astype(kind)
    return T.tensor(data)


@needs_torch
@pytest.mark.parametrize("op", BINARY)
def test_result_dtypes_are_torchs(op):
    """Where PyTorch gives a result, seedgrad gives the same dtype (it may allow a little more: bool - bool)."""
    fn = BINARY[op]
    checked = 0
    for left in OPERANDS[:-3]:
        for right in OPERANDS:
            try:
                expected = fn(torch, operand(torch, *left), operand(torch, *right)).dtype
            except (RuntimeError, NotImplementedError):
                continue
            got = fn(ag, operand(ag, *left), operand(ag, *right)).dtype
            if op == "pow" and left[0] == "bool" and right == ("python", True):
                continue  # bool ** True: torch keeps bool, numpy gives int8 (a known, harmless difference)
            assert str(got) == name(expected), (op, left, right)
            checked += 1
    assert checked > 100
