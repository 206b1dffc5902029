"""Module, Parameter, Sequential, ModuleList: registration, names, modes, state_dict, repr."""

from collections import OrderedDict

import numpy as np
import pytest

import nn
from autograd import Tensor, manual_seed


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
        self.drop = nn.Dropout(0.5)
        self.head = nn.Linear(4, 2)
        self.scale = nn.Parameter(np.ones(1))
        self.register_buffer("steps", Tensor(np.zeros(1)))
        self.register_buffer("cache", Tensor(np.zeros(2)), persistent=False)

    def forward(self, x):
        return self.head(self.drop(self.encoder(x))) * self.scale


def test_named_parameters_use_pytorch_dotted_names_in_registration_order():
    names = [n for n, _ in Net().named_parameters()]
    assert names == ["scale", "encoder.0.weight", "encoder.0.bias", "encoder.1.weight", "encoder.1.bias",
                     "head.weight", "head.bias"]


def test_state_dict_keys_include_buffers_like_pytorch():
    keys = list(Net().state_dict())
    assert keys == ["scale", "steps", "encoder.0.weight", "encoder.0.bias", "encoder.1.weight",
                    "encoder.1.bias",
                    "encoder.1.running_mean", "encoder.1.running_var", "encoder.1.num_batches_tracked",
                    "head.weight", "head.bias"]  # "cache" is not persistent


def test_named_buffers_and_modules_and_children():
    net = Net()
    assert [n for n, _ in net.named_buffers()] == ["steps", "cache", "encoder.1.running_mean",
                                                  "encoder.1.running_var", "encoder.1.num_batches_tracked"]
    assert [n for n, _ in net.named_modules()] == ["", "encoder", "encoder.0", "encoder.1", "drop", "head"]
    assert [type(m).__name__ for m in net.children()] == ["Sequential", "Dropout", "Linear"]
    assert len(list(net.modules())) == 6


def test_shared_parameters_are_listed_once():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(model.parameters())) == 2
    model2 = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    model2[1].weight = model2[0].weight
    assert [n for n, _ in model2.named_parameters()] == ["0.weight", "0.bias", "1.bias"]


def test_parameter_is_a_float32_tensor_requiring_grad():
    p = nn.Parameter([1, 2, 3])
    assert isinstance(p, Tensor) and p.requires_grad and p.dtype == np.float32
    assert nn.Parameter(np.zeros(2, dtype=np.int64)).dtype == np.float32
    assert nn.Parameter(np.zeros(2)).dtype == np.float64  # a float64 array keeps its precision
    assert repr(p).startswith("Parameter containing:\ntensor(")


def test_train_and_eval_propagate():
    net = Net()
    assert net.training and net.drop.training
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError):
        net.train("no")


def test_zero_grad():
    net = Net()
    net(Tensor(np.ones((3, 3)))).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all((p.grad == 0).all() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_assigning_a_tensor_to_a_parameter_name_is_a_type_error():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="parameter 'weight'"):
        layer.weight = Tensor(np.ones((2, 2)))
    layer.bias = None
    assert [n for n, _ in layer.named_parameters()] == ["weight"]


def test_forgetting_super_init_is_a_clear_error():
    class Bad(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Bad()


def test_module_without_forward():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(1)


def test_delattr_unregisters():
    net = Net()
    del net.head
    assert "head.weight" not in dict(net.named_parameters())


def test_sequential_indexing_len_iter_slice():
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]
    model = nn.Sequential(*layers)
    assert len(model) == 3 and model[0] is layers[0] and model[-1] is layers[2]
    assert list(model) == layers
    head = model[1:]
    assert isinstance(head, nn.Sequential) and len(head) == 2 and head[0] is layers[1]
    with pytest.raises(IndexError):
        model[3]
    x = Tensor(np.ones((4, 2), dtype=np.float32))
    np.testing.assert_allclose(model(x).data, layers[2](layers[1](layers[0](x))).data)
    named = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.Tanh())]))
    assert [n for n, _ in named.named_parameters()] == ["fc.weight", "fc.bias"]


def test_module_list():
    blocks = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    blocks.append(nn.ReLU())
    assert len(blocks) == 4 and isinstance(blocks[-1], nn.ReLU)
    assert [n for n, _ in blocks.named_parameters()][:2] == ["0.weight", "0.bias"]
    blocks.insert(0, nn.Tanh())
    assert isinstance(blocks[0], nn.Tanh) and [n for n, _ in blocks.named_parameters()][0] == "1.weight"
    assert repr(nn.ModuleList([nn.ReLU(), nn.ReLU()])) == "ModuleList(\n  (0-1): 2 x ReLU()\n)"


def _types(container):
    return [type(m).__name__ for m in container]


def _param_layer():
    layer = nn.Linear(2, 3)
    layer.weight = nn.Parameter(np.zeros((3, 2), np.float32))
    return layer


def _bn_buffer():
    bn = nn.BatchNorm1d(3)
    bn.running_mean = Tensor(np.ones(3, np.float32))
    bn.register_buffer("running_var", Tensor(np.ones(3, np.float32)))
    return bn


def _registered_again():
    layer = nn.Linear(2, 3)
    layer.register_parameter("weight", nn.Parameter(np.zeros((3, 2), np.float32)))
    return layer


def _child_replaced():
    net = Net()
    net.encoder = nn.Linear(3, 4)
    return net


def _kind_changed():
    layer = nn.Linear(2, 3)
    layer.weight = nn.Linear(2, 3)  # parameter -> module: now a child, after the own parameters
    return layer


# (id, build: the module after a re-assignment, what to list, the order PyTorch keeps)
REASSIGN_CASES = [
    ("parameter", _param_layer, lambda m: list(m.state_dict()), ["weight", "bias"]),
    ("register_parameter", _registered_again, lambda m: list(m.state_dict()), ["weight", "bias"]),
    ("buffer", _bn_buffer, lambda m: list(m.state_dict()),
     ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]),
    ("child", _child_replaced, lambda m: [n for n, _ in m.named_children()], ["encoder", "drop", "head"]),
    ("kind_change", _kind_changed, lambda m: list(m.state_dict()), ["bias", "weight.weight", "weight.bias"]),
    ("sequential_setitem", lambda: _setitem(nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Tanh()), 0), _types,
     ["Sigmoid", "ReLU", "Tanh"]),
    ("sequential_setitem_named", lambda: _setitem(nn.Sequential(OrderedDict(a=nn.ReLU(), b=nn.Tanh())), -2),
     lambda m: list(m._modules), ["a", "b"]),
    ("modulelist_setitem", lambda: _setitem(nn.ModuleList([nn.ReLU(), nn.Tanh(), nn.GELU()]), -2), _types,
     ["ReLU", "Sigmoid", "GELU"]),
]


def _setitem(container, index):
    container[index] = nn.Sigmoid()
    assert isinstance(container[index], nn.Sigmoid)
    return container


@pytest.mark.parametrize("build, listing, expected", [c[1:] for c in REASSIGN_CASES],
                         ids=[c[0] for c in REASSIGN_CASES])
def test_reassignment_keeps_the_position(build, listing, expected):
    assert listing(build()) == expected


# (id, container, index to delete, remaining types) -- PyTorch renumbers what remains, Sequential too
DELITEM_CASES = [
    ("sequential_first", lambda: nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Tanh()), 0, ["ReLU", "Tanh"]),
    ("sequential_middle", lambda: nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 2)), 1,
     ["Linear", "Linear"]),
    ("sequential_last", lambda: nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Tanh()), -1, ["Linear", "ReLU"]),
    ("sequential_slice", lambda: nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Tanh()), slice(0, 2), ["Tanh"]),
    ("sequential_named", lambda: nn.Sequential(OrderedDict(fc=nn.Linear(2, 2), act=nn.ReLU(), out=nn.Tanh())),
     0, ["ReLU", "Tanh"]),
    ("modulelist", lambda: nn.ModuleList([nn.Linear(2, 2), nn.ReLU(), nn.Tanh()]), 0, ["ReLU", "Tanh"]),
    ("modulelist_step", lambda: nn.ModuleList([nn.Linear(2, 2), nn.ReLU(), nn.Tanh(), nn.GELU()]),
     slice(None, None, 2), ["ReLU", "GELU"]),
]


@pytest.mark.parametrize("build, index, remaining", [c[1:] for c in DELITEM_CASES],
                         ids=[c[0] for c in DELITEM_CASES])
def test_delitem_removes_and_renumbers(build, index, remaining):
    container = build()
    kept = list(container)
    del container[index]
    assert _types(container) == remaining
    names = [str(i) for i in range(len(remaining))]
    assert list(container._modules) == names
    for name, module in zip(names, container):  # the attributes follow the new names
        assert getattr(container, name) is module
    assert all(any(m is k for k in kept) for m in container)
    assert [n for n, _ in container.named_modules()][1:] == names


def test_delitem_out_of_range_is_an_index_error_and_deleting_keeps_it_usable():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    with pytest.raises(IndexError, match="out of range"):
        del model[3]
    del model[1]
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias", "1.weight", "1.bias"]
    assert not hasattr(model, "2")
    assert model(Tensor(np.ones((4, 2), np.float32))).shape == (4, 1)  # Linear(2, 3) then Linear(3, 1)


def test_nested_repr_matches_pytorch_layout():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Dropout(0.25)))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): Sequential(\n"
        "    (0): ReLU()\n"
        "    (1): Dropout(p=0.25, inplace=False)\n"
        "  )\n"
        ")")


# ---- state_dict round trip and errors ------------------------------------------------------------


def test_state_dict_round_trip_including_buffers():
    manual_seed(0)
    a, b = Net(), Net()
    a(Tensor(np.random.default_rng(0).standard_normal((5, 3))))  # moves the running stats
    a.steps.data[...] = 7
    b.load_state_dict(a.state_dict())
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert ka == kb
        np.testing.assert_array_equal(va.data, vb.data)
    assert int(b.encoder[1].num_batches_tracked.data) == 1


def test_state_dict_lists_a_shared_module_under_each_name_like_pytorch():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert len(list(model.parameters())) == 2 and len(list(model.modules())) == 3  # these stay unique
    model.load_state_dict(model.state_dict())  # strict: every key is expected
    source = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    model = nn.Sequential(shared, shared)
    model.load_state_dict(source.state_dict())  # both names write the one module; the last one wins
    np.testing.assert_array_equal(shared.weight.data, source[1].weight.data)


def test_state_dict_values_are_copies():
    layer = nn.Linear(2, 2)
    sd = layer.state_dict()
    layer.weight.data += 1
    assert not np.allclose(sd["weight"].data, layer.weight.data)


def test_load_state_dict_keeps_the_model_dtype_and_writes_in_place():
    layer = nn.Linear(2, 2)
    weight_array = layer.weight.data
    layer.load_state_dict({"weight": np.ones((2, 2)), "bias": np.zeros(2)})
    assert layer.weight.data is weight_array and layer.weight.dtype == np.float32
    np.testing.assert_array_equal(layer.weight.data, 1)


NBT = "encoder.1.num_batches_tracked"


def _snapshot(model):
    return {k: v.data.copy() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("edit, match", [
    (lambda sd: sd.pop("head.bias"), r'Missing key\(s\) in state_dict: "head.bias"'),
    (lambda sd: sd.__setitem__("extra", np.ones(1)), r'Unexpected key\(s\) in state_dict: "extra"'),
    (lambda sd: sd.__setitem__("head.weight", np.ones((3, 4))),
     r"size mismatch for head.weight.*\(3, 4\).*\(2, 4\)"),
    (lambda sd: sd.__setitem__("steps", np.array(["x"])), "steps"),
    (lambda sd: sd.__setitem__("steps", [[1.0], [2.0, 3.0]]), "steps: cannot be read as an array"),
    (lambda sd: sd.__setitem__("steps", None), "steps: expected numbers"),
    # an integer buffer takes only values it holds exactly (no silent truncation of 5.7 to 5)
    (lambda sd: sd.__setitem__(NBT, Tensor(np.array(5.7))), f"{NBT}: the values .*float.* int64"),
    (lambda sd: sd.__setitem__(NBT, np.array(np.nan)), NBT),
    (lambda sd: sd.__setitem__(NBT, np.array(2.0**70)), NBT),
    (lambda sd: sd.__setitem__(NBT, np.array(2**64 - 1, dtype=np.uint64)), NBT),
])
def test_bad_state_dict_raises_and_changes_nothing(edit, match):
    manual_seed(1)
    source = Net()
    target = Net()
    sd = source.state_dict()
    sd["encoder.0.weight"] = Tensor(np.full((4, 3), 5.0))  # a valid entry that must NOT be loaded
    edit(sd)
    before = _snapshot(target)
    with pytest.raises(nn.StateDictError, match=match) as info:
        target.load_state_dict(sd)
    assert isinstance(info.value, RuntimeError) and isinstance(info.value, ValueError)
    after = _snapshot(target)
    for k in before:
        np.testing.assert_array_equal(before[k], after[k])


@pytest.mark.parametrize("value, expected", [
    (Tensor(np.array(5.0)), 5),  # an integral float is exact: accepted
    (np.array(True), 1),
    (np.array(7, dtype=np.uint8), 7),
    (2**40, 2**40),
])
def test_integer_buffer_takes_values_it_holds_exactly(value, expected):
    bn = nn.BatchNorm1d(3)
    sd = bn.state_dict()
    sd["num_batches_tracked"] = value
    bn.load_state_dict(sd)
    assert bn.num_batches_tracked.dtype == np.int64 and int(bn.num_batches_tracked.data) == expected


def test_load_state_dict_lists_every_problem():
    sd = Net().state_dict()
    sd.pop("head.bias")
    sd.pop("scale")
    sd["x"] = np.ones(1)
    sd["head.weight"] = np.ones((1, 1))
    with pytest.raises(nn.StateDictError) as info:
        Net().load_state_dict(sd)
    message = str(info.value)
    for part in ['"head.bias"', '"scale"', '"x"', "size mismatch for head.weight"]:
        assert part in message


def test_load_state_dict_non_strict_reports_keys():
    sd = nn.Linear(2, 2).state_dict()
    sd.pop("bias")
    sd["other"] = np.ones(1)
    result = nn.Linear(2, 2).load_state_dict(sd, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["other"]
    with pytest.raises(nn.StateDictError, match="size mismatch"):
        nn.Linear(2, 2).load_state_dict({"weight": np.ones((3, 3))}, strict=False)
