"""The Tensor API as PyTorch spells it: the traps a numpy dialect falls into silently, the graph
(grad_fn, is_leaf, retain_grad, backward(gradient=)), grad modes, in-place operators, and the errors
a user's mistakes get (naming the op as the user wrote it, the shapes or dims, and the fix).
"""

import threading

import numpy as np
import pytest

import autograd as ag

try:
    import torch
except ImportError:
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


def x23(T=ag):
    return T.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])


# ---- the silent traps of the numpy dialect ----------------------------------------------------------

# each runs in PyTorch's spelling; the value is what PyTorch gives (written out by hand)
TRAPS = [
    pytest.param(lambda T: x23(T).sum(dim=1).tolist(), [6.0, 15.0], id="sum(dim=1)"),
    pytest.param(lambda T: x23(T).sum(1, keepdim=True).tolist(), [[6.0], [15.0]], id="sum(1, keepdim=True)"),
    pytest.param(lambda T: x23(T).sum(axis=0).tolist(), [5.0, 7.0, 9.0], id="axis= alias"),
    pytest.param(lambda T: x23(T).mean(0, keepdims=True).tolist(), [[2.5, 3.5, 4.5]], id="keepdims= alias"),
    pytest.param(lambda T: x23(T).size(), (2, 3), id="size()"),
    pytest.param(lambda T: x23(T).size(1), 3, id="size(1)"),
    pytest.param(lambda T: x23(T).size(-1), 3, id="size(-1)"),
    pytest.param(lambda T: x23(T).size(dim=0), 2, id="size(dim=0)"),
    pytest.param(lambda T: x23(T).size().numel(), 6, id="size().numel()"),
    pytest.param(lambda T: x23(T).shape[0], 2, id="shape[0]"),
    pytest.param(lambda T: x23(T).numel(), 6, id="numel()"),
    pytest.param(lambda T: x23(T).dim(), 2, id="dim()"),
    pytest.param(lambda T: x23(T).ndim, 2, id="ndim"),
    pytest.param(lambda T: len(x23(T)), 2, id="len"),
    pytest.param(lambda T: x23(T).view(3, 2).tolist(), [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], id="view(3, 2)"),
    pytest.param(lambda T: x23(T).view(-1).shape, (6,), id="view(-1)"),
    pytest.param(lambda T: x23(T).permute(1, 0).shape, (3, 2), id="permute(1, 0)"),
    pytest.param(lambda T: x23(T).transpose(0, 1).tolist(), [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]],
                 id="transpose(0, 1) swaps a 2-D tensor (not the identity)"),
    pytest.param(lambda T: x23(T).transpose(1, 0).tolist(), [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]],
                 id="transpose(1, 0) swaps too"),
    pytest.param(lambda T: x23(T).T.shape, (3, 2), id=".T"),
    pytest.param(lambda T: T.tensor([1.0, 2.0, 3.0, 4.0]).var().item(), pytest.approx(5 / 3),
                 id="var() is unbiased (correction=1)"),
    pytest.param(lambda T: T.tensor([1.0, 2.0, 3.0, 4.0]).var(unbiased=False).item(), 1.25, id="var(unbiased=False)"),
    pytest.param(lambda T: T.tensor([1.0, 2.0, 3.0, 4.0]).var(correction=0).item(), 1.25, id="var(correction=0)"),
    pytest.param(lambda T: T.tensor([1.0, 2.0, 3.0, 4.0]).std().item(), pytest.approx((5 / 3) ** 0.5),
                 id="std() is unbiased"),
    pytest.param(lambda T: T.tensor([1.0, 3.0]).var(0, correction=2).item(), float("inf"), id="var(correction=n)"),
    pytest.param(lambda T: str(T.tensor([1, 2, 3]).dtype).removeprefix("torch."), "int64", id="tensor(ints) int64"),
    pytest.param(lambda T: str(T.tensor([1.0]).dtype).removeprefix("torch."), "float32", id="tensor(floats) float32"),
    pytest.param(lambda T: str(T.tensor([True]).dtype).removeprefix("torch."), "bool", id="tensor(bools) bool"),
    pytest.param(lambda T: x23(T).max(dim=1).values.tolist(), [3.0, 6.0], id="max(dim).values"),
    pytest.param(lambda T: x23(T).max(dim=1).indices.tolist(), [2, 2], id="max(dim).indices"),
    pytest.param(lambda T: [t.tolist() for t in x23(T).min(0)], [[1.0, 2.0, 3.0], [0, 0, 0]],
                 id="min(dim) unpacks as (values, indices)"),
    pytest.param(lambda T: x23(T).max().item(), 6.0, id="max() is a tensor"),
    pytest.param(lambda T: x23(T).argmax().item(), 5, id="argmax() of the flattened tensor"),
    pytest.param(lambda T: x23(T).requires_grad_().requires_grad, True, id="requires_grad_() returns the tensor"),
    pytest.param(lambda T: x23(T).requires_grad_(False).requires_grad, False, id="requires_grad_(False)"),
    pytest.param(lambda T: x23(T).squeeze(0).shape, (2, 3), id="squeeze of a non-1 dim keeps it"),
    pytest.param(lambda T: x23(T).unsqueeze(-1).shape, (2, 3, 1), id="unsqueeze(-1) appends"),
    pytest.param(lambda T: x23(T).flatten(1).shape, (2, 3), id="flatten(1)"),
    pytest.param(lambda T: x23(T).repeat(2, 1).shape, (4, 3), id="repeat tiles (not numpy's repeat)"),
    pytest.param(lambda T: [p.shape[1] for p in x23(T).split(2, dim=1)], [2, 1], id="split(size) pieces"),
    pytest.param(lambda T: len(x23(T).chunk(3, dim=1)), 3, id="chunk(n)"),
    pytest.param(lambda T: x23(T)[:, T.tensor([2, 0])].tolist(), [[3.0, 1.0], [6.0, 4.0]], id="index by tensor"),
    pytest.param(lambda T: x23(T)[x23(T) > 2].tolist(), [3.0, 4.0, 5.0, 6.0], id="bool mask"),
    pytest.param(lambda T: x23(T).flip(0)[0].tolist(), [4.0, 5.0, 6.0], id="flip(0)"),
    pytest.param(lambda T: T.tensor([3.0, 1.0, 2.0]).sort(descending=True).indices.tolist(), [0, 2, 1],
                 id="sort(descending=True)"),
    pytest.param(lambda T: T.tensor([3.0, 1.0, 2.0]).topk(2).values.tolist(), [3.0, 2.0], id="topk"),
    pytest.param(lambda T: T.tensor([2.5, 3.5, -0.5]).round().tolist(), [2.0, 4.0, -0.0], id="round half to even"),
    pytest.param(lambda T: T.tensor([-7, 7]).div(2, rounding_mode="floor").tolist(), [-4, 3], id="div floor"),
    pytest.param(lambda T: T.tensor([-7, 7]).div(2, rounding_mode="trunc").tolist(), [-3, 3], id="div trunc"),
    pytest.param(lambda T: (T.tensor([1, 2]) / 2).tolist(), [0.5, 1.0], id="int / int is true division"),
    pytest.param(lambda T: T.tensor([1.0, 2.0]).clamp(max=1.5).tolist(), [1.0, 1.5], id="clamp(max=)"),
    pytest.param(lambda T: T.arange(6).reshape(2, 3).tril().tolist(), [[0, 0, 0], [3, 4, 0]], id="tril"),
    pytest.param(lambda T: T.cat([x23(T), x23(T)], dim=1).shape, (2, 6), id="cat(dim=1)"),
    pytest.param(lambda T: T.stack([x23(T), x23(T)], -1).shape, (2, 3, 2), id="stack(-1)"),
    pytest.param(lambda T: x23(T).expand(4, 2, 3).shape, (4, 2, 3), id="expand"),
    pytest.param(lambda T: x23(T)[1, 2].item(), 6.0, id="item()"),
    pytest.param(lambda T: x23(T).tolist(), [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], id="tolist()"),
    pytest.param(lambda T: x23(T).is_floating_point(), True, id="is_floating_point()"),
    pytest.param(lambda T: x23(T).detach().requires_grad, False, id="detach()"),
    pytest.param(lambda T: x23(T).std(0, True).tolist(), [pytest.approx(2.1213203, rel=1e-6)] * 3,
                 id="std(dim, unbiased) positional (PyTorch's older form)"),
    pytest.param(lambda T: x23(T).var(1, False, True).tolist(), [[pytest.approx(2 / 3)]] * 2,
                 id="var(dim, unbiased, keepdim) positional"),
    pytest.param(lambda T: str(T.where(x23(T) > 2, 1.0, -1.0).dtype).removeprefix("torch."), "float32",
                 id="where of two floats is float32"),
    pytest.param(lambda T: str(T.tensor([-1, 2]).clamp(min=0.5).dtype).removeprefix("torch."), "float32",
                 id="clamp of ints to a float bound is float32"),
    pytest.param(lambda T: T.tensor([-1, 2]).clamp(0, 1).tolist(), [0, 1], id="clamp of ints to int bounds"),
    pytest.param(lambda T: (3.0 in x23(T), 7.0 in x23(T)), (True, False), id="in"),
]

# a 0-d tensor takes dim 0 and -1 (as PyTorch): fn(T, x) with x = tensor(2.0)
ZERO_D = [
    pytest.param(lambda T, x: x.sum(0), 2.0, id="sum(0)"),
    pytest.param(lambda T, x: x.sum(-1, keepdim=True), 2.0, id="sum(-1, keepdim)"),
    pytest.param(lambda T, x: x.mean(dim=0), 2.0, id="mean"),
    pytest.param(lambda T, x: x.prod(0), 2.0, id="prod"),
    pytest.param(lambda T, x: x.max(0).values, 2.0, id="max(dim).values"),
    pytest.param(lambda T, x: x.min(dim=0, keepdim=True).indices, 0, id="min(dim).indices"),
    pytest.param(lambda T, x: x.amax(0), 2.0, id="amax"),
    pytest.param(lambda T, x: x.argmax(0), 0, id="argmax"),
    pytest.param(lambda T, x: x.logsumexp(0), 2.0, id="logsumexp"),
    pytest.param(lambda T, x: x.cumsum(0), 2.0, id="cumsum"),
    pytest.param(lambda T, x: x.var(0, correction=0), 0.0, id="var"),
    pytest.param(lambda T, x: (x > 1).any(0), True, id="any"),
    pytest.param(lambda T, x: x.flip(0), 2.0, id="flip"),
    pytest.param(lambda T, x: x.topk(1).values, 2.0, id="topk"),
    pytest.param(lambda T, x: x.sort(0).values, 2.0, id="sort"),
    pytest.param(lambda T, x: x.exp() / x.exp().sum(dim=-1, keepdim=True), 1.0, id="softmax by hand"),
    pytest.param(lambda T, x: x.unsqueeze(0).squeeze(0), 2.0, id="unsqueeze squeeze"),
    pytest.param(lambda T, x: x.flatten(), [2.0], id="flatten makes 1-D"),
]


@pytest.mark.parametrize("fn, expected", ZERO_D)
def test_zero_d_tensors_take_dim_0(fn, expected):
    x = ag.tensor(2.0, requires_grad=True)
    out = fn(ag, x)
    assert out.tolist() == expected and out.shape == np.shape(expected)
    if out.dtype.kind == "f":
        out.sum().backward()
        assert x.grad.shape == ()


@needs_torch
@pytest.mark.parametrize("fn, expected", ZERO_D)
def test_zero_d_cases_are_pytorchs(fn, expected):
    out = fn(torch, torch.tensor(2.0))
    assert out.tolist() == expected and tuple(out.shape) == np.shape(expected)


def test_cat_of_0d_tensors_says_to_stack():
    with pytest.raises(ValueError, match="stack"):
        ag.cat([ag.tensor(1.0), ag.tensor(2.0)])


@pytest.mark.parametrize("fn, expected", TRAPS)
def test_pytorch_spelling(fn, expected):
    assert fn(ag) == expected


@needs_torch
@pytest.mark.filterwarnings("ignore:.*degrees of freedom:UserWarning")  # torch warns on var(correction=n)
@pytest.mark.parametrize("fn, expected", TRAPS)
def test_pytorch_spelling_is_pytorchs(fn, expected):
    assert fn(torch) == expected


def test_size_is_a_tuple_subclass_as_torch_size():
    s = x23().size()
    assert isinstance(s, tuple) and type(s) is ag.Size and s == (2, 3) and s[1] == 3
    assert isinstance(x23().shape, ag.Size)
    a, b = s  # unpacks like a tuple
    assert (a, b) == (2, 3)
    if torch is not None:
        assert torch.Size([2, 3]) == s and isinstance(torch.Size([2, 3]), tuple)


def test_module_functions_take_the_same_arguments():
    x = x23()
    assert ag.sum(x, dim=1).tolist() == [6.0, 15.0]
    assert ag.mean(x, 0, keepdim=True).shape == (1, 3)
    assert ag.transpose(x, 0, 1).shape == (3, 2)
    assert ag.max(x, dim=1).indices.tolist() == [2, 2]
    assert ag.tanh(x).tolist() == np.tanh(x.data).tolist()


# ---- the graph ------------------------------------------------------------------------------------


def test_grad_fn_names_the_op_and_leaves_have_none():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y.sum()
    assert x.grad_fn is None and x.is_leaf
    assert "MulBackward" in y.grad_fn.name() and "SumBackward" in z.grad_fn.name()
    assert "Mul" in repr(y.grad_fn)
    assert not y.is_leaf and not z.is_leaf
    assert ag.tensor([1.0]).is_leaf and (ag.tensor([1.0]) * 2).is_leaf  # no grad required: a leaf
    with ag.no_grad():
        assert (x * 2).grad_fn is None and (x * 2).is_leaf
    assert z.grad_fn.next_functions[0][0].name() == y.grad_fn.name()


@needs_torch
def test_grad_fn_names_are_torchs():
    for T in (ag, torch):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        names = [(x * 2).grad_fn.name(), (x + 1).grad_fn.name(), (x * 2).sum().grad_fn.name(),
                 x.exp().grad_fn.name()]
        if T is ag:
            mine = names
    assert mine == names


def test_retain_grad_keeps_one_intermediate_gradient():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    z = y * y
    loss = z.sum()
    loss.backward()
    assert y.grad.tolist() == [6.0, 12.0]  # dloss/dy = 2y
    assert z.grad is None and loss.grad is None  # the others are freed, as PyTorch
    assert x.grad.tolist() == [18.0, 36.0]


def test_backward_with_a_gradient_for_a_non_scalar():
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    y.backward(gradient=ag.tensor([1.0, 0.5, 0.0]))
    assert x.grad.tolist() == [2.0, 2.0, 0.0]
    x.grad = None
    (x * 2).backward(ag.ones(3))  # positional, as PyTorch
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_backward_of_a_non_scalar_without_gradient_says_what_to_pass():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="gradient="):
        (x * 2).backward()


def test_gradients_accumulate_and_can_be_reset():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    (w * w).sum().backward()
    assert w.grad.tolist() == [4.0, 8.0]
    w.grad = None
    (w * 3).sum().backward()
    assert w.grad.tolist() == [3.0, 3.0]
    w.grad[...] = 0  # .grad is a numpy array: reset it in place (PyTorch: w.grad.zero_())
    assert w.grad.tolist() == [0.0, 0.0]


def test_second_backward_through_a_freed_graph_suggests_retain_graph():
    x = ag.tensor([1.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


# ---- grad modes -----------------------------------------------------------------------------------


def test_no_grad_enable_grad_inference_mode_as_with_blocks():
    x = ag.tensor([1.0], requires_grad=True)
    with ag.no_grad():
        assert not (x * 2).requires_grad
        with ag.enable_grad():
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad
    with ag.inference_mode():
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad


@pytest.mark.parametrize("mode, records", [(ag.no_grad, False), (ag.inference_mode, False), (ag.enable_grad, True)])
def test_grad_modes_as_decorators(mode, records):
    x = ag.tensor([1.0], requires_grad=True)

    @mode()
    def called():
        return (x * 2).requires_grad

    @mode
    def bare():
        return (x * 2).requires_grad

    with ag.no_grad() if records else ag.enable_grad():
        assert called() is records and bare() is records
    assert bare.__name__ == "bare" and ag.is_grad_enabled()


def test_grad_mode_is_restored_after_an_exception_and_per_thread():
    with pytest.raises(ZeroDivisionError), ag.no_grad():
        _ = 1 / 0
    assert ag.is_grad_enabled()
    seen = []
    with ag.no_grad():
        t = threading.Thread(target=lambda: seen.append(ag.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


def test_a_grad_mode_object_is_reusable():
    mode = ag.no_grad()
    for _ in range(2):
        with mode:
            with mode:
                assert not ag.is_grad_enabled()
            assert not ag.is_grad_enabled()
        assert ag.is_grad_enabled()


# ---- in-place operators (x += y changes x, as PyTorch) ---------------------------------------------


def test_in_place_operators_change_the_tensor_itself():
    x = ag.zeros(3)
    alias = x
    x += 1
    x *= 4
    x -= ag.tensor([1.0, 2.0, 3.0])
    x /= 2
    x **= 2
    assert x is alias and x.tolist() == [2.25, 1.0, 0.25] and x.dtype == np.float32
    i = ag.tensor([7, 8])
    i //= 2
    i %= 3
    assert i.tolist() == [0, 1] and i.dtype == np.int64


def test_parameter_update_under_no_grad_keeps_the_leaf():
    """The manual training step: w -= lr * w.grad inside no_grad changes w in place."""
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    before = w
    with ag.no_grad():
        w -= 0.1 * ag.tensor(w.grad)
    assert w is before and w.requires_grad and w.is_leaf and w.grad_fn is None
    np.testing.assert_allclose(w.data, [0.8, 1.6])


def test_in_place_on_a_leaf_that_requires_grad_is_refused_outside_no_grad():
    w = ag.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="no_grad"):
        w += 1


def test_in_place_inside_the_graph_keeps_the_gradient_right():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h += 1
    h *= h
    h.sum().backward()
    assert x.grad.tolist() == [12.0, 20.0]  # d(2x+1)^2/dx = 4(2x+1)


def test_in_place_cannot_change_the_dtype():
    i = ag.tensor([1, 2])
    with pytest.raises(RuntimeError, match="can't be cast"):  # PyTorch's RuntimeError (a TypeError here too)
        i += 1.5
    with pytest.raises(RuntimeError, match="can't be cast"):
        i /= 2
    assert i.tolist() == [1, 2]


def test_in_place_change_of_a_saved_tensor_makes_backward_raise():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # saves its output
    z = y.sum()
    with ag.no_grad():
        y *= 2
    with pytest.raises(RuntimeError, match="changed in place"):
        z.backward()


# ---- bad input: errors name the op ------------------------------------------------------------------

X = ag.randn(2, 3)
BAD_DIM = [
    ("sum", lambda: X.sum(dim=2)), ("sum", lambda: X.sum(dim=(0, 2))), ("sum", lambda: X.sum(axis=-3)),
    ("mean", lambda: X.mean(2)), ("prod", lambda: X.prod(dim=2)), ("var", lambda: X.var(dim=2)),
    ("std", lambda: X.std(2)), ("max", lambda: X.max(dim=2)), ("min", lambda: X.min(2)),
    ("amax", lambda: X.amax(dim=2)), ("amin", lambda: X.amin(-3)), ("argmax", lambda: X.argmax(dim=2)),
    ("argmin", lambda: X.argmin(2)), ("logsumexp", lambda: X.logsumexp(dim=2)), ("any", lambda: (X > 0).any(dim=2)),
    ("all", lambda: (X > 0).all(2)), ("cumsum", lambda: X.cumsum(dim=2)), ("flatten", lambda: X.flatten(2)),
    ("unflatten", lambda: X.unflatten(2, (1, 3))), ("squeeze", lambda: X.squeeze(2)),
    ("unsqueeze", lambda: X.unsqueeze(3)), ("transpose", lambda: X.transpose(0, 2)),
    ("permute", lambda: X.permute(0, 2)), ("flip", lambda: X.flip(2)), ("roll", lambda: X.roll(1, 2)),
    ("split", lambda: X.split(1, dim=2)), ("chunk", lambda: X.chunk(2, dim=2)),
    ("gather", lambda: X.gather(2, ag.tensor([[0, 1, 0]]))), ("sort", lambda: X.sort(dim=2)),
    ("argsort", lambda: X.argsort(dim=2)), ("topk", lambda: X.topk(1, dim=2)), ("cat", lambda: ag.cat([X, X], dim=2)),
    ("stack", lambda: ag.stack([X, X], dim=3)), ("size", lambda: X.size(2)),
    ("index_select", lambda: X.index_select(2, ag.tensor([0]))), ("unbind", lambda: X.unbind(2)),
    ("movedim", lambda: X.movedim(0, 2)), ("norm", lambda: X.norm(dim=2)),
    ("count_nonzero", lambda: X.count_nonzero(dim=2)), ("softmax by hand", lambda: X.exp().sum(dim=-3)),
]


@pytest.mark.parametrize("op, call", BAD_DIM, ids=[f"{op} {i}" for i, (op, _) in enumerate(BAD_DIM)])
def test_a_bad_dim_is_an_index_and_value_error_naming_the_op(op, call):
    with pytest.raises(IndexError) as caught:
        call()
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert message.startswith(op.split()[0] if op != "softmax by hand" else "sum")
    assert "2 dimensions" in message and "out of range" in message


def test_bad_dims_are_also_pytorchs_index_errors():
    if torch is None:
        pytest.skip("PyTorch is not installed")
    with pytest.raises(IndexError):
        torch.randn(2, 3).sum(dim=2)


BAD_SHAPES = [
    pytest.param(lambda: ag.ones(2, 3) - ag.ones(4), r"^sub: shapes \(2, 3\) and \(4,\)", id="a - b says sub"),
    pytest.param(lambda: ag.ones(2, 3) / ag.ones(4), r"^div: shapes \(2, 3\) and \(4,\)", id="a / b says div"),
    pytest.param(lambda: ag.ones(2, 3) + ag.ones(4), r"^add: ", id="add"),
    pytest.param(lambda: ag.ones(2, 3) * ag.ones(4), r"^mul: ", id="mul"),
    pytest.param(lambda: ag.ones(2, 3) ** ag.ones(4), r"^pow: ", id="pow"),
    pytest.param(lambda: ag.ones(2, 3) // ag.ones(4), r"^floor_divide: ", id="floor_divide"),
    pytest.param(lambda: ag.ones(2, 3) % ag.ones(4), r"^remainder: ", id="remainder"),
    pytest.param(lambda: ag.ones(2, 3) == ag.ones(4), r"^eq: ", id="eq"),
    pytest.param(lambda: ag.ones(2, 3) < ag.ones(4), r"^lt: ", id="lt"),
    pytest.param(lambda: ag.maximum(ag.ones(2, 3), ag.ones(4)), r"^maximum: ", id="maximum"),
    pytest.param(lambda: ag.where(ag.ones(2, 3) > 0, ag.ones(4), 0.0), r"^where: ", id="where"),
    pytest.param(lambda: ag.ones(2, 3) @ ag.ones(4, 2), r"^matmul: shapes \(2, 3\) and \(4, 2\)", id="matmul"),
    pytest.param(lambda: ag.ones(2, 3).view(4, 2), r"^view: .*\(2, 3\).*\(4, 2\)", id="view names both shapes"),
    pytest.param(lambda: ag.ones(2, 3).reshape(5), r"^reshape: .*\(2, 3\).*\(5,\)", id="reshape names both shapes"),
    pytest.param(lambda: ag.ones(2, 3).expand(4, 3), r"^expand: .*\(2, 3\)", id="expand"),
    pytest.param(lambda: ag.cat([ag.ones(2, 3), ag.ones(2, 4)]), r"^cat: ", id="cat"),
    pytest.param(lambda: ag.stack([ag.ones(2, 3), ag.ones(2, 4)]), r"^stack: ", id="stack"),
    pytest.param(lambda: ag.ones(2, 3).masked_fill(ag.ones(4) > 0, 0.0), r"^masked_fill: ", id="masked_fill"),
    pytest.param(lambda: ag.einsum("ij,jk->ik", ag.ones(2, 3), ag.ones(4, 2)), r"^einsum: ", id="einsum"),
    pytest.param(lambda: ag.ones(2, 3).permute(1, 1), r"^permute: ", id="permute repeats a dim"),
    pytest.param(lambda: ag.ones(2, 3).split([1, 1], dim=1), r"^split: ", id="split sizes"),
    pytest.param(lambda: ag.ones(2, 3).flip((0, 0)), r"^flip: ", id="flip repeats a dim"),
    pytest.param(lambda: ag.ones(2, 3).gather(1, ag.tensor([[-1], [0]])), r"^gather: index -1 is out of bounds",
                 id="gather takes no negative index (as PyTorch)"),
    pytest.param(lambda: ag.ones(2, 3).index_select(1, ag.tensor([-1])), r"^index_select: index -1 is out",
                 id="index_select takes no negative index"),
]


@pytest.mark.parametrize("call, message", BAD_SHAPES)
def test_shape_errors_name_the_op_the_user_wrote(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_transpose_with_three_dims_says_to_use_permute():
    with pytest.raises(TypeError, match="permute"):
        ag.ones(2, 3, 4).transpose(0, 1, 2)


@pytest.mark.parametrize("call, message", [
    pytest.param(lambda: ag.tensor([1, 2]).mean(), "^mean: .*floating point", id="mean of ints"),
    pytest.param(lambda: ag.where(ag.tensor([1, 0]), 1.0, 0.0), "^where: .*bool", id="where of an int condition"),
    pytest.param(lambda: ag.ones(2).masked_fill(ag.tensor([1, 0]), 0.0), "^masked_fill: .*bool", id="int mask"),
    pytest.param(lambda: ag.ones(2, 2).gather(1, ag.tensor([[0.0], [1.0]])), "^gather: .*integer", id="float index"),
    pytest.param(lambda: ag.tensor([1, 2], requires_grad=True), "floating point", id="int requires_grad"),
])
def test_dtype_errors_are_runtime_errors_as_pytorch_and_type_errors(call, message):
    with pytest.raises(RuntimeError, match=message) as caught:
        call()
    assert isinstance(caught.value, TypeError)


def test_wrong_kinds_of_input():
    with pytest.raises(IndexError, match="long, int or bool"):
        ag.ones(3)[ag.tensor([0.0, 1.0])]
    with pytest.raises(IndexError, match="out of bounds"):
        ag.ones(3)[ag.tensor([3])]
    with pytest.raises(IndexError) as caught:
        ag.ones(2, 3).gather(1, ag.tensor([[3], [0]]))
    assert isinstance(caught.value, ValueError)
    with pytest.raises(ValueError, match="item"):
        ag.ones(2).item()
    with pytest.raises(TypeError, match="mask must be a bool"):
        ag.ones(2).masked_fill(ag.tensor([1, 0]), 0.0)


def test_setitem_writes_in_place():
    x = ag.zeros(2, 3)
    alias = x
    x[0, 1] = 5.0
    x[x < 1] = -1.0
    x[:, 2] = ag.tensor([7.0, 8.0])
    assert alias is x and x.tolist() == [[-1.0, 5.0, 7.0], [-1.0, -1.0, 8.0]] and x._version == 3


def test_setitem_of_a_value_that_requires_grad_is_refused_not_silently_cut():
    """PyTorch records x[i] = v in the graph; seedgrad cannot yet, and says so rather than lose dL/dv."""
    w = ag.tensor([2.0], requires_grad=True)
    x = ag.zeros(3)
    with pytest.raises(RuntimeError, match="where"):
        x[0] = w[0] * 3
    assert x.tolist() == [0.0, 0.0, 0.0]
    x[0] = (w[0] * 3).detach()  # no gradient wanted: fine
    with ag.no_grad():
        x[1] = w[0]  # nothing is recorded anyway
    assert x.tolist() == [6.0, 2.0, 0.0]
    y = ag.where(ag.arange(3) == 2, w * 3, x)  # the out-of-place way keeps the gradient
    y.sum().backward()
    assert w.grad.tolist() == [3.0]


def test_requires_grad_true_on_a_result_that_requires_grad_is_a_no_op():
    y = ag.tensor([1.0], requires_grad=True) * 2
    assert y.requires_grad_(True) is y and y.requires_grad_().requires_grad


def test_requires_grad_false_on_a_result_is_refused_with_the_fix():
    y = ag.tensor([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="detach"):
        y.requires_grad = False


# ---- the contract: every name DESIGN.md lists exists -----------------------------------------------

MODULE_NAMES = (
    "exp log log1p sqrt rsqrt abs sign sin cos tanh sigmoid relu softplus clamp clip floor ceil round trunc isnan "
    "isinf isfinite sum mean prod var std max min amax amin argmax argmin logsumexp any all cumsum reshape view "
    "flatten unflatten squeeze unsqueeze transpose permute t expand broadcast_to repeat flip roll split chunk gather "
    "masked_fill where tril triu sort argsort topk tensor zeros ones full empty randn rand randint arange linspace eye "
    "zeros_like ones_like full_like randn_like rand_like stack cat concatenate maximum minimum matmul einsum "
    "multinomial one_hot meshgrid manual_seed Generator no_grad enable_grad inference_mode detect_anomaly gradcheck "
    "draw_graph backward_steps stepper float32 float64 int64 int32 bool float double long int Tensor Value").split()
METHOD_NAMES = (
    "exp log log1p sqrt rsqrt abs sign sin cos tanh sigmoid relu softplus clamp clip floor ceil round trunc isnan "
    "isinf isfinite sum mean prod var std max min amax amin argmax argmin logsumexp any all cumsum reshape view "
    "flatten unflatten squeeze unsqueeze transpose permute t expand broadcast_to repeat flip roll split chunk "
    "gather masked_fill where tril triu sort argsort topk size dim numel item tolist numpy detach clone "
    "requires_grad_ retain_grad zero_grad backward float double long int bool to astype type shape ndim dtype T "
    "requires_grad is_leaf grad_fn data grad __add__ __sub__ __mul__ __truediv__ __floordiv__ __mod__ __pow__ "
    "__matmul__ __neg__ __pos__ __abs__ __radd__ __rsub__ __rmul__ __rtruediv__ __rpow__ __rmatmul__").split()


@pytest.mark.parametrize("name", MODULE_NAMES)
def test_module_level_name_exists(name):
    assert hasattr(ag, name)


@pytest.mark.parametrize("name", METHOD_NAMES)
def test_tensor_name_exists(name):
    assert hasattr(ag.Tensor, name) or hasattr(ag.ones(1), name)


def test_in_place_accumulation_of_a_loss_keeps_its_gradient():
    """total += loss (a running total that starts as a plain tensor) must not cut loss's gradient."""
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    total = ag.zeros(())
    for k in (1.0, 2.0):
        total += (w * k).sum()
    assert total.requires_grad and total.item() == 9.0
    total.backward()
    assert w.grad.tolist() == [3.0, 3.0]
