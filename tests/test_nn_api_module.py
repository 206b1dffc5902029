"""Module API as PyTorch: tree walking (memo/prefix, remove_duplicate), apply, requires_grad_, to(dtype),
zero_grad, in-place load_state_dict with version bumps, ModuleDict and Unflatten. Cross-checked against
torch where it is installed, and against values worked out here."""

from collections import OrderedDict

import numpy as np
import pytest

import nn
import optim
from autograd import Tensor, manual_seed


def _torch():
    return pytest.importorskip("torch")


def build(lib):
    """The same tree in seedgrad (lib=nn) or torch (lib=torch.nn): a block used twice, a Linear whose
    weight is tied to another's, a BatchNorm (buffers)."""
    block = lib.Sequential(lib.Linear(2, 2), lib.ReLU())
    model = lib.Sequential(OrderedDict(a=block, b=lib.Sequential(block, lib.BatchNorm1d(2)), c=lib.Linear(2, 2)))
    model.c.weight = model.a[0].weight
    return model


WALKS = [
    # (id, how to list, from our model / from torch's)
    ("named_modules", lambda m: [n for n, _ in m.named_modules()]),
    ("named_modules_prefix", lambda m: [n for n, _ in m.named_modules(prefix="net")]),
    ("named_modules_all", lambda m: [n for n, _ in m.named_modules(remove_duplicate=False)]),
    ("named_modules_memo", lambda m: [n for n, _ in m.named_modules({m.a}, "top")]),
    ("modules", lambda m: [type(x).__name__ for x in m.modules()]),
    ("named_children", lambda m: [n for n, _ in m.named_children()]),
    ("named_parameters", lambda m: [n for n, _ in m.named_parameters()]),
    ("named_parameters_all", lambda m: [n for n, _ in m.named_parameters(remove_duplicate=False)]),
    ("named_parameters_prefix", lambda m: [n for n, _ in m.named_parameters(prefix="p", recurse=True)]),
    ("named_parameters_local", lambda m: [n for n, _ in m.c.named_parameters(recurse=False)]),
    ("named_buffers", lambda m: [n for n, _ in m.named_buffers()]),
    ("named_buffers_all", lambda m: [n for n, _ in m.named_buffers(prefix="x", remove_duplicate=False)]),
    ("buffers", lambda m: [tuple(b.shape) for b in m.buffers()]),
    ("state_dict", lambda m: list(m.state_dict())),
]

# The names worked out by hand for `build` (seedgrad's side; torch must agree where installed).
EXPECTED = {
    "named_modules": ["", "a", "a.0", "a.1", "b", "b.1", "c"],
    "named_modules_prefix": ["net", "net.a", "net.a.0", "net.a.1", "net.b", "net.b.1", "net.c"],
    "named_modules_all": ["", "a", "a.0", "a.1", "b", "b.0", "b.0.0", "b.0.1", "b.1", "c"],
    "named_modules_memo": ["top", "top.b", "top.b.1", "top.c"],
    "modules": ["Sequential", "Sequential", "Linear", "ReLU", "Sequential", "BatchNorm1d", "Linear"],
    "named_children": ["a", "b", "c"],
    "named_parameters": ["a.0.weight", "a.0.bias", "b.1.weight", "b.1.bias", "c.bias"],
    "named_parameters_all": ["a.0.weight", "a.0.bias", "b.0.0.weight", "b.0.0.bias", "b.1.weight", "b.1.bias",
                             "c.weight", "c.bias"],
    "named_parameters_prefix": ["p.a.0.weight", "p.a.0.bias", "p.b.1.weight", "p.b.1.bias", "p.c.bias"],
    "named_parameters_local": ["weight", "bias"],
    "named_buffers": ["b.1.running_mean", "b.1.running_var", "b.1.num_batches_tracked"],
    "named_buffers_all": ["x.b.1.running_mean", "x.b.1.running_var", "x.b.1.num_batches_tracked"],
    "buffers": [(2,), (2,), ()],
    "state_dict": ["a.0.weight", "a.0.bias", "b.0.0.weight", "b.0.0.bias", "b.1.weight", "b.1.bias",
                   "b.1.running_mean", "b.1.running_var", "b.1.num_batches_tracked", "c.weight", "c.bias"],
}


@pytest.mark.parametrize("name, listing", WALKS, ids=[w[0] for w in WALKS])
def test_tree_walks_name_each_module_once_as_worked_out(name, listing):
    assert listing(build(nn)) == EXPECTED[name]


@pytest.mark.parametrize("name, listing", WALKS, ids=[w[0] for w in WALKS])
def test_tree_walks_match_torch(name, listing):
    torch = _torch()
    assert listing(build(nn)) == listing(build(torch.nn))


def test_apply_visits_children_first_then_the_module_like_torch():
    seen = []
    model = build(nn)
    assert model.apply(lambda m: seen.append(type(m).__name__)) is model
    # post-order, each module once per parent that reaches it (PyTorch's apply recurses over children)
    expected = ["Linear", "ReLU", "Sequential",  # a
                "Linear", "ReLU", "Sequential", "BatchNorm1d", "Sequential",  # b: the shared block again, BN, b
                "Linear", "Sequential"]  # c, then the model itself
    assert seen == expected
    try:
        import torch
    except ImportError:
        return
    theirs = []
    build(torch.nn).apply(lambda m: theirs.append(type(m).__name__))
    assert theirs == expected


def test_apply_for_custom_initialization():
    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))

    def init(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.5)
            nn.init.zeros_(m.bias)

    model.apply(init)
    assert all((p.data == 0.5).all() for n, p in model.named_parameters() if n.endswith("weight"))
    assert all((p.data == 0).all() for n, p in model.named_parameters() if n.endswith("bias"))


def test_requires_grad_freezes_and_unfreezes_and_returns_the_module():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    assert model.requires_grad_(False) is model
    assert [p.requires_grad for p in model.parameters()] == [False] * 4
    model[0].requires_grad_()
    assert [p.requires_grad for p in model.parameters()] == [True, True, False, False]


# ---- dtype casts -----------------------------------------------------------------------------------

CASTS = [
    # (id, call, expected floating dtype, version bumps of each parameter)
    ("double", lambda m: m.double(), np.float64, 1),
    ("to_float64", lambda m: m.to(np.float64), np.float64, 1),
    ("to_dtype_kw", lambda m: m.to(dtype=np.float64), np.float64, 1),
    ("to_device_and_dtype", lambda m: m.to("cpu", np.float64), np.float64, 1),
    ("to_tensor", lambda m: m.to(Tensor(np.zeros(1, dtype=np.float64))), np.float64, 1),
    ("double_then_float", lambda m: m.double().float(), np.float32, 2),
    ("to_float32_is_no_cast", lambda m: m.to(np.float32), np.float32, 0),
]


@pytest.mark.parametrize("call, dtype, bumps", [c[1:] for c in CASTS], ids=[c[0] for c in CASTS])
def test_cast_keeps_parameter_objects_and_integer_buffers(call, dtype, bumps):
    manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    before = dict(model.named_parameters())
    values = {n: p.data.copy() for n, p in before.items()}
    versions = {n: p._version for n, p in before.items()}  # (initializers bump them too)
    mean_version = model[1].running_mean._version
    model[0].weight.grad = np.ones((3, 2), dtype=np.float32)
    assert call(model) is model
    for name, param in model.named_parameters():
        assert param is before[name] and isinstance(param, nn.Parameter)
        assert param.dtype == dtype and param._version == versions[name] + bumps
        np.testing.assert_array_equal(param.data, values[name].astype(dtype))
    assert model[0].weight.grad.dtype == dtype
    assert model[1].running_mean.dtype == dtype and model[1].running_var.dtype == dtype
    assert model[1].running_mean._version == mean_version + bumps
    assert model[1].num_batches_tracked.dtype == np.int64  # integer buffers keep their dtype (PyTorch)


def test_an_optimizer_built_before_a_cast_still_updates_the_parameters():
    model = nn.Linear(2, 1)
    opt = optim.SGD(model.parameters(), lr=0.5)
    model.double()
    x = Tensor(np.array([[1.0, 2.0]]))
    model(x).sum().backward()
    w0 = model.weight.data.copy()
    opt.step()
    assert model.weight.dtype == np.float64
    np.testing.assert_allclose(model.weight.data, w0 - 0.5 * np.array([[1.0, 2.0]]))


@pytest.mark.parametrize("args, kwargs, error, match", [
    ((np.int64,), {}, TypeError, "only accepts floating point dtypes, but got desired dtype=int64"),
    ((), {"dtype": np.bool_}, TypeError, "floating point"),
    (("cuda",), {}, ValueError, "CPU only.*'cuda'"),
    ((), {"device": "mps"}, ValueError, "'mps'"),
    ((np.float32, np.float64), {}, TypeError, "two dtypes"),
    (("float16x",), {}, ValueError, "CPU only"),  # a string is a device, never a dtype (as PyTorch)
    ((), {"colour": 1}, TypeError, "colour"),
])
def test_to_rejects_what_torch_rejects_and_changes_nothing(args, kwargs, error, match):
    model = nn.Linear(2, 2)
    version = model.weight._version
    with pytest.raises(error, match=match):
        model.to(*args, **kwargs)
    assert model.weight.dtype == np.float32 and model.weight._version == version


def test_to_cpu_is_a_no_op():
    model = nn.Linear(2, 2)
    version = model.weight._version
    assert model.to("cpu") is model and model.to(device="cpu") is model
    assert model.weight.dtype == np.float32 and model.weight._version == version


def test_module_to_matches_torch_on_parameter_identity_and_integer_buffers():
    torch = _torch()
    theirs = torch.nn.BatchNorm1d(3)
    w = theirs.weight
    theirs.double()
    ours = nn.BatchNorm1d(3)
    v = ours.weight
    ours.double()
    assert (theirs.weight is w) == (ours.weight is v) is True
    assert str(theirs.num_batches_tracked.dtype) == "torch.int64" and ours.num_batches_tracked.dtype == np.int64
    with pytest.raises(TypeError):
        theirs.to(torch.int64)


# ---- zero_grad -------------------------------------------------------------------------------------

def test_zero_grad_sets_to_none_by_default_and_zeros_on_request():
    model = nn.Linear(2, 2)
    for p in model.parameters():
        p.grad = np.ones(p.shape, dtype=np.float32)
    grad = model.weight.grad
    model.zero_grad(set_to_none=False)
    assert model.weight.grad is grad and (grad == 0).all()
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


# ---- load_state_dict: in place, versions bumped ----------------------------------------------------

def test_load_state_dict_writes_into_the_same_arrays_and_bumps_versions():
    manual_seed(0)
    model, source = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)), nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    source[1].running_mean.data[...] = [3.0, 4.0]
    source[1].num_batches_tracked.data[...] = 7
    live = model.state_dict(keep_vars=True)
    arrays = {k: v.data for k, v in live.items()}
    versions = {k: v._version for k, v in live.items()}
    model.load_state_dict(source.state_dict())
    for key, tensor in model.state_dict(keep_vars=True).items():
        assert tensor is live[key] and tensor.data is arrays[key], key
        assert tensor._version == versions[key] + 1, key
        np.testing.assert_array_equal(tensor.data, source.state_dict()[key].data)
    assert model[1].num_batches_tracked.dtype == np.int64 and int(model[1].num_batches_tracked.data) == 7


def test_a_failed_load_bumps_no_version():
    model = nn.Linear(2, 2)
    versions = [model.weight._version, model.bias._version]
    bad = {"weight": np.zeros((2, 2)), "bias": np.zeros(3)}
    with pytest.raises(nn.StateDictError, match="size mismatch for bias"):
        model.load_state_dict(bad)
    assert [model.weight._version, model.bias._version] == versions


def test_load_state_dict_of_live_tensors_that_swap_places():
    # each value is another parameter's own array: a naive in-order copy would load b's new value into a
    model = nn.Linear(2, 2, bias=False)
    other = nn.Module()
    other.a, other.b = nn.Parameter(np.array([1.0, 2.0])), nn.Parameter(np.array([3.0, 4.0]))
    live = other.state_dict(keep_vars=True)
    other.load_state_dict({"a": live["b"], "b": live["a"]})
    assert other.a.data.tolist() == [3.0, 4.0] and other.b.data.tolist() == [1.0, 2.0]
    version = model.weight._version
    weight = model.weight.data.copy()
    model.load_state_dict(model.state_dict(keep_vars=True))  # loading itself is harmless
    assert model.weight._version == version + 1 and (model.weight.data == weight).all()


def _engine_checks_versions() -> bool:
    w = Tensor(np.ones(2), requires_grad=True)
    y = (w * w).sum()
    w._version += 1
    try:
        y.backward()
    except RuntimeError:
        return True
    return False


def test_a_load_between_forward_and_backward_is_detected():
    if not _engine_checks_versions():
        pytest.skip("the engine does not check saved tensors' versions yet")
    model = nn.Linear(2, 1)
    loss = model(Tensor(np.ones((1, 2)))).sum()
    model.load_state_dict(nn.Linear(2, 1).state_dict())
    with pytest.raises(RuntimeError):
        loss.backward()


def test_a_cast_between_forward_and_backward_is_detected():
    if not _engine_checks_versions():
        pytest.skip("the engine does not check saved tensors' versions yet")
    model = nn.Linear(2, 1)
    loss = model(Tensor(np.ones((1, 2)))).sum()
    model.double()
    with pytest.raises(RuntimeError):
        loss.backward()


# ---- names: PyTorch's checks -------------------------------------------------------------------------

@pytest.mark.parametrize("register, error, match", [
    (lambda m: m.add_module("a.b", nn.ReLU()), KeyError, 'module name can.{1,2}t contain ".", got: a.b'),
    (lambda m: m.add_module("", nn.ReLU()), KeyError, "module name can.{1,2}t be empty string"),
    (lambda m: m.add_module(3, nn.ReLU()), TypeError, "module name should be a string. Got int"),
    (lambda m: m.add_module("train", nn.ReLU()), KeyError, "attribute 'train' already exists"),
    (lambda m: m.register_buffer("weight", Tensor(np.zeros(1))), KeyError, "attribute 'weight' already exists"),
    (lambda m: m.register_parameter("in_features", None), KeyError, "attribute 'in_features' already exists"),
    (lambda m: m.register_buffer(1, None), TypeError, "buffer name should be a string"),
])
def test_registration_names_are_checked_as_torch(register, error, match):
    model = nn.Linear(2, 2)
    with pytest.raises(error, match=match):
        register(model)
    assert [n for n, _ in model.named_parameters()] == ["weight", "bias"]


def test_registering_a_name_again_in_its_own_registry_is_allowed():
    model = nn.Linear(2, 2)
    model.register_parameter("bias", None)
    assert model.bias is None and [n for n, _ in model.named_parameters()] == ["weight"]
    model.add_module("extra", nn.ReLU())
    model.add_module("extra", nn.Tanh())
    assert isinstance(model.extra, nn.Tanh)


# ---- ModuleDict ------------------------------------------------------------------------------------

def _dict_edits(lib):
    """The same edits on a ModuleDict of either library; the keys after each."""
    d = lib.ModuleDict({"enc": lib.Linear(2, 3), "act": lib.ReLU()})
    trace = [list(d.keys())]
    d["dec"] = lib.Linear(3, 2)
    trace.append(list(d))
    d.update([("act", lib.Tanh()), ("out", lib.Sigmoid())])  # replacing keeps the key's place
    trace.append([(k, type(v).__name__) for k, v in d.items()])
    d.update(OrderedDict(z=lib.Identity()))
    trace.append(list(d))
    trace.append(type(d.pop("enc")).__name__)
    del d["z"]
    trace.append([list(d), len(d), "dec" in d, "enc" in d, [type(v).__name__ for v in d.values()]])
    trace.append([n for n, _ in d.named_parameters()])
    trace.append(repr(d))
    d.clear()
    trace.append([len(d), repr(d)])
    return trace


def test_module_dict_worked_out():
    trace = _dict_edits(nn)
    assert trace[0] == ["enc", "act"]
    assert trace[1] == ["enc", "act", "dec"]
    assert trace[2] == [("enc", "Linear"), ("act", "Tanh"), ("dec", "Linear"), ("out", "Sigmoid")]
    assert trace[3] == ["enc", "act", "dec", "out", "z"]
    assert trace[4] == "Linear"
    assert trace[5] == [["act", "dec", "out"], 3, True, False, ["Tanh", "Linear", "Sigmoid"]]
    assert trace[6] == ["dec.weight", "dec.bias"]
    assert trace[7] == ("ModuleDict(\n  (act): Tanh()\n  (dec): Linear(in_features=3, out_features=2, bias=True)\n"
                        "  (out): Sigmoid()\n)")
    assert trace[8] == [0, "ModuleDict()"]


def test_module_dict_matches_torch():
    torch = _torch()
    assert _dict_edits(nn) == _dict_edits(torch.nn)


def test_module_dict_registers_for_state_dict_and_has_no_forward():
    d = nn.ModuleDict({"a": nn.Linear(2, 2)})
    assert list(d.state_dict()) == ["a.weight", "a.bias"]
    assert d.a is d["a"]
    with pytest.raises(NotImplementedError, match='ModuleDict.*"forward"'):
        d(Tensor(np.zeros(2)))


@pytest.mark.parametrize("make, error, match", [
    (lambda: nn.ModuleDict({"keys": nn.ReLU()}), KeyError, "attribute 'keys' already exists"),
    (lambda: nn.ModuleDict({"a.b": nn.ReLU()}), KeyError, "can.{1,2}t contain"),
    (lambda: nn.ModuleDict({"a": 3}), TypeError, "int is not a Module subclass"),
    (lambda: nn.ModuleDict(5), TypeError, "iterable of key/value pairs, but got int"),
    (lambda: nn.ModuleDict([1]), TypeError, "element #0 should be Iterable; is int"),
    (lambda: nn.ModuleDict([("a", nn.ReLU()), ("b",)]), ValueError, "element #1 has length 1; 2 is required"),
    (lambda: nn.ModuleDict()["missing"], KeyError, "missing"),
    (lambda: nn.ModuleDict().pop("missing"), KeyError, "missing"),
    (lambda: nn.ModuleDict().__delitem__("missing"), KeyError, "missing"),
])
def test_module_dict_errors_as_torch(make, error, match):
    with pytest.raises(error, match=match):
        make()


# ---- Unflatten ---------------------------------------------------------------------------------------

UNFLATTEN = [
    # (dim, unflattened_size, input shape, output shape)
    (1, (2, 5), (3, 10), (3, 2, 5)),
    (1, [2, 5], (3, 10), (3, 2, 5)),
    (-1, (2, -1), (3, 4, 6), (3, 4, 2, 3)),
    (0, (1, 3), (3,), (1, 3)),
    (1, (4,), (2, 4, 3), (2, 4, 3)),
    (-3, (3, 1, 1), (3, 2, 2), (3, 1, 1, 2, 2)),
    (1, (0, 7), (2, 0), (2, 0, 7)),
]


@pytest.mark.parametrize("dim, sizes, shape, expected", UNFLATTEN)
def test_unflatten_shapes_and_values(dim, sizes, shape, expected):
    x = Tensor(np.arange(float(np.prod(shape))).reshape(shape), requires_grad=True)
    y = nn.Unflatten(dim, sizes)(x)
    assert tuple(y.shape) == expected
    np.testing.assert_array_equal(y.data.reshape(-1), x.data.reshape(-1))  # same order of elements
    (y * Tensor(np.arange(float(y.data.size)).reshape(expected))).sum().backward()
    np.testing.assert_array_equal(x.grad.reshape(-1), np.arange(float(x.data.size)))


@pytest.mark.parametrize("dim, sizes, shape, expected", UNFLATTEN)
def test_unflatten_matches_torch(dim, sizes, shape, expected):
    torch = _torch()
    assert tuple(torch.nn.Unflatten(dim, sizes)(torch.zeros(shape)).shape) == expected
    assert repr(nn.Unflatten(dim, sizes)) == repr(torch.nn.Unflatten(dim, sizes))


@pytest.mark.parametrize("dim, sizes, shape, error, match", [
    (1, (2, 4), (3, 10), ValueError, r"Provided sizes \[2, 4\] don't multiply up to the size of dim 1 \(10\)"),
    (1, (-1, -1), (3, 10), ValueError, "at most one -1"),
    (1, (3, -1), (3, 10), ValueError, "cannot infer"),
    (2, (2, 5), (3, 10), IndexError, r"dim 2 is out of range for input of shape \(3, 10\)"),
    (-3, (2, 5), (3, 10), ValueError, "out of range"),
    (0, (1,), (), IndexError, "no dimensions"),
])
def test_unflatten_bad_input(dim, sizes, shape, error, match):
    with pytest.raises(error, match=match):
        nn.Unflatten(dim, sizes)(Tensor(np.zeros(shape)))


@pytest.mark.parametrize("sizes, match", [
    (5, "must be a tuple of ints, but found type int"),
    ((2, "a"), "found element of type str at pos 1"),
    ((2.0, 5), "found element of type float at pos 0"),
])
def test_unflatten_checks_its_sizes_when_built(sizes, match):
    with pytest.raises(TypeError, match=match):
        nn.Unflatten(1, sizes)


def test_flatten_then_unflatten_round_trips():
    x = Tensor(np.arange(24.0).reshape(2, 3, 4))
    model = nn.Sequential(nn.Flatten(), nn.Unflatten(1, (3, 4)))
    np.testing.assert_array_equal(model(x).data, x.data)
