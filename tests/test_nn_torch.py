"""The graduation path: seedgrad models and functions agree with PyTorch (outputs and gradients), and a
state_dict loads into the equivalent PyTorch model. Skipped cleanly when torch is not installed."""

from collections import OrderedDict

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, manual_seed

torch = pytest.importorskip("torch")


def pair(shape, seed=0, scale=1.0):
    data = np.random.default_rng(seed).standard_normal(shape) * scale
    return Tensor(data, requires_grad=True, dtype=np.float64), torch.tensor(data, requires_grad=True)


def to_torch_state(module):
    return {k: torch.from_numpy(np.array(v.data)) for k, v in module.state_dict().items()}


def check(ours, theirs, atol=1e-10):
    np.testing.assert_allclose(np.asarray(ours), theirs.detach().numpy(), rtol=1e-7, atol=atol)


# (id, our module factory, torch module factory, input shape, train mode)
MODULE_CASES = [
    ("linear", lambda: nn.Linear(5, 3), lambda: torch.nn.Linear(5, 3), (4, 5), True),
    ("linear_no_bias", lambda: nn.Linear(5, 3, bias=False), lambda: torch.nn.Linear(5, 3, bias=False),
     (4, 5), True),
    ("batchnorm1d_train", lambda: nn.BatchNorm1d(3), lambda: torch.nn.BatchNorm1d(3), (6, 3), True),
    ("batchnorm1d_3d", lambda: nn.BatchNorm1d(3, momentum=0.3), lambda: torch.nn.BatchNorm1d(3, momentum=0.3),
     (4, 3, 5), True),
    ("batchnorm1d_cumulative", lambda: nn.BatchNorm1d(3, momentum=None),
     lambda: torch.nn.BatchNorm1d(3, momentum=None), (6, 3), True),
    ("batchnorm1d_eval", lambda: nn.BatchNorm1d(3), lambda: torch.nn.BatchNorm1d(3), (6, 3), False),
    ("batchnorm2d_train", lambda: nn.BatchNorm2d(2), lambda: torch.nn.BatchNorm2d(2), (3, 2, 4, 4), True),
    ("layernorm", lambda: nn.LayerNorm(6), lambda: torch.nn.LayerNorm(6), (3, 6), True),
    ("layernorm_2d", lambda: nn.LayerNorm((2, 3)), lambda: torch.nn.LayerNorm((2, 3)), (4, 2, 3), True),
    ("gelu", lambda: nn.GELU(), lambda: torch.nn.GELU(), (4, 5), True),
    ("gelu_tanh", lambda: nn.GELU("tanh"), lambda: torch.nn.GELU("tanh"), (4, 5), True),
    ("leaky_relu", lambda: nn.LeakyReLU(0.1), lambda: torch.nn.LeakyReLU(0.1), (4, 5), True),
    ("softmax", lambda: nn.Softmax(dim=1), lambda: torch.nn.Softmax(dim=1), (4, 5), True),
    ("mlp", lambda: nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 2)),
     lambda: torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.BatchNorm1d(8),
                                 torch.nn.ReLU(), torch.nn.Linear(8, 2)), (6, 4), True),
]


@pytest.mark.parametrize("ours, theirs, shape, training", [c[1:] for c in MODULE_CASES],
                         ids=[c[0] for c in MODULE_CASES])
def test_module_matches_torch(ours, theirs, shape, training):
    manual_seed(0)
    a, b = ours().double(), theirs().double()
    for p in a.parameters():  # affine parameters away from their 1/0 defaults
        p.data[...] = np.random.default_rng(p.numel()).uniform(0.5, 1.5, p.shape)
    b.load_state_dict(to_torch_state(a))  # the graduation path: same keys, same layouts
    a.train(training), b.train(training)
    for step in range(2):  # twice: the running statistics must evolve alike
        x, xt = pair(shape, seed=step)
        y, yt = a(x), b(xt)
        check(y.data, yt)
        w = np.random.default_rng(9).standard_normal(y.shape)
        (y * w).sum().backward()
        (yt * torch.from_numpy(w)).sum().backward()
        check(x.grad, xt.grad)
        theirs_params = dict(b.named_parameters())
        for name, p in a.named_parameters():
            check(p.grad, theirs_params[name].grad)
        a.zero_grad(), b.zero_grad()
    theirs_state = b.state_dict()
    for key, value in a.state_dict().items():
        check(value.data, theirs_state[key])


# (id, our loss, torch loss, target maker (ours, theirs))
CLASSES = np.array([0, 3, 1, 3, 2])
SOFT = np.random.default_rng(3).uniform(0, 1, (5, 4))
LOSS_CASES = [
    ("cross_entropy", lambda x: F.cross_entropy(x, CLASSES),
     lambda x: torch.nn.functional.cross_entropy(x, torch.from_numpy(CLASSES))),
    ("cross_entropy_sum_smooth", lambda x: F.cross_entropy(x, CLASSES, reduction="sum", label_smoothing=0.15),
     lambda x: torch.nn.functional.cross_entropy(x, torch.from_numpy(CLASSES), reduction="sum",
                                                 label_smoothing=0.15)),
    ("cross_entropy_none", lambda x: F.cross_entropy(x, CLASSES, reduction="none"),
     lambda x: torch.nn.functional.cross_entropy(x, torch.from_numpy(CLASSES), reduction="none")),
    ("nll_loss", lambda x: F.nll_loss(F.log_softmax(x, dim=1), CLASSES),
     lambda x: torch.nn.functional.nll_loss(torch.log_softmax(x, 1), torch.from_numpy(CLASSES))),
    ("mse", lambda x: F.mse_loss(x, SOFT), lambda x: torch.nn.functional.mse_loss(x, torch.from_numpy(SOFT))),
    ("l1", lambda x: F.l1_loss(x, SOFT, reduction="sum"),
     lambda x: torch.nn.functional.l1_loss(x, torch.from_numpy(SOFT), reduction="sum")),
    ("bce_with_logits", lambda x: F.binary_cross_entropy_with_logits(x, SOFT),
     lambda x: torch.nn.functional.binary_cross_entropy_with_logits(x, torch.from_numpy(SOFT))),
    ("log_softmax", lambda x: F.log_softmax(x, axis=0), lambda x: torch.log_softmax(x, 0)),
]


@pytest.mark.parametrize("ours, theirs", [c[1:] for c in LOSS_CASES], ids=[c[0] for c in LOSS_CASES])
@pytest.mark.parametrize("scale", [1.0, 1e4])
def test_loss_matches_torch(ours, theirs, scale):
    x, xt = pair((5, 4), scale=scale)
    y, yt = ours(x), theirs(xt)
    check(y.data, yt, atol=1e-10 * scale)
    w = np.random.default_rng(1).standard_normal(y.shape)
    (y * w).sum().backward()
    (yt * torch.from_numpy(w)).sum().backward()
    check(x.grad, xt.grad)


def test_float32_training_step_matches_torch():
    """The default precision end to end: one SGD step of an MLP on cross-entropy."""
    manual_seed(0)
    a = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3))
    b = torch.nn.Sequential(torch.nn.Linear(6, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    b.load_state_dict(to_torch_state(a))
    X = np.random.default_rng(0).standard_normal((8, 6)).astype(np.float32)
    y = np.random.default_rng(1).integers(0, 3, 8)
    loss = F.cross_entropy(a(Tensor(X)), y)
    loss_t = torch.nn.functional.cross_entropy(b(torch.from_numpy(X)), torch.from_numpy(y))
    loss.backward()
    loss_t.backward()
    assert loss.item() == pytest.approx(loss_t.item(), rel=1e-6)
    for (name, p), q in zip(a.named_parameters(), b.parameters()):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-5, atol=1e-7, err_msg=name)


def test_state_dict_loads_both_ways_with_identical_keys():
    ours = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.LayerNorm(4), nn.Linear(4, 2))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.ReLU(),
                                 torch.nn.LayerNorm(4), torch.nn.Linear(4, 2))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    theirs.train()(torch.randn(5, 3))  # move torch's running stats, then bring them back into seedgrad
    ours.load_state_dict(theirs.state_dict())  # torch tensors are accepted directly
    ours.eval(), theirs.eval()
    x = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-5,
                               atol=1e-6)


def test_repr_matches_torch():
    ours = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Dropout(0.5), nn.LayerNorm(4),
                         nn.GELU(), nn.Flatten(), nn.Softmax(dim=1))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.ReLU(),
                                 torch.nn.Dropout(0.5), torch.nn.LayerNorm(4), torch.nn.GELU(),
                                 torch.nn.Flatten(), torch.nn.Softmax(dim=1))
    assert repr(ours) == repr(theirs)


def test_clip_grad_norm_matches_torch():
    from nn.utils import clip_grad_norm_

    for norm_type in (2.0, 1.0, float("inf")):
        grads = [np.random.default_rng(i).standard_normal(s) for i, s in enumerate([(3, 4), (4,), (2, 2)])]
        ours = [Tensor(np.zeros_like(g), requires_grad=True) for g in grads]
        theirs = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
        for p, q, g in zip(ours, theirs, grads):
            p.grad, q.grad = g.copy(), torch.from_numpy(g.copy())
        total = clip_grad_norm_(ours, 1.5, norm_type)
        total_t = torch.nn.utils.clip_grad_norm_(theirs, 1.5, norm_type)
        assert total == pytest.approx(total_t.item())
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(p.grad, q.grad.numpy())


@pytest.mark.parametrize("ours, theirs", [
    (lambda: nn.BatchNorm1d(3, bias=False), lambda: torch.nn.BatchNorm1d(3, bias=False)),
    (lambda: nn.BatchNorm2d(3, affine=False), lambda: torch.nn.BatchNorm2d(3, affine=False)),
    (lambda: nn.BatchNorm1d(3, track_running_stats=False),
     lambda: torch.nn.BatchNorm1d(3, track_running_stats=False)),
    (lambda: nn.LayerNorm(3, bias=False), lambda: torch.nn.LayerNorm(3, bias=False)),
    (lambda: nn.LayerNorm(3, elementwise_affine=False),
     lambda: torch.nn.LayerNorm(3, elementwise_affine=False)),
    (lambda: nn.Linear(3, 2, bias=False), lambda: torch.nn.Linear(3, 2, bias=False)),
    (lambda: nn.ReLU(inplace=True), lambda: torch.nn.ReLU(inplace=True)),
    (lambda: nn.LeakyReLU(0.2, inplace=True), lambda: torch.nn.LeakyReLU(0.2, inplace=True)),
    (lambda: nn.Dropout(0.3, inplace=True), lambda: torch.nn.Dropout(0.3, inplace=True)),
    (lambda: nn.Dropout(), lambda: torch.nn.Dropout()),
])
def test_options_give_torch_keys_and_repr(ours, theirs):
    a, b = ours(), theirs()
    assert list(a.state_dict()) == list(b.state_dict())
    assert repr(a) == repr(b)


def _edit(lib, container, edit):
    """Build the same container in seedgrad (lib=nn) or torch (lib=torch.nn) and apply `edit`."""
    layers = [lib.Linear(2, 2), lib.ReLU(), lib.Tanh(), lib.GELU()]
    made = lib.Sequential(*layers) if container == "Sequential" else lib.ModuleList(layers)
    if container == "named":
        made = lib.Sequential(OrderedDict(zip("abcd", layers)))
    edit(made, lib)
    return made


def _set(index):
    def edit(container, lib):
        container[index] = lib.Sigmoid()
    return edit


def _del(index):
    def edit(container, lib):
        del container[index]
    return edit


@pytest.mark.parametrize("container", ["Sequential", "named", "ModuleList"])
@pytest.mark.parametrize("edit", [_set(0), _set(-1), _del(0), _del(-2), _del(slice(1, 3)),
                                  _del(slice(None, None, 2))],
                         ids=["set0", "set-1", "del0", "del-2", "del1:3", "del::2"])
def test_container_setitem_and_delitem_match_torch(container, edit):
    ours, theirs = _edit(nn, container, edit), _edit(torch.nn, container, edit)
    assert repr(ours) == repr(theirs)  # the names and the order of the children
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_reassigned_parameter_keeps_its_place_like_torch():
    ours, theirs = nn.Linear(2, 3), torch.nn.Linear(2, 3)
    ours.weight = nn.Parameter(np.zeros((3, 2), np.float32))
    theirs.weight = torch.nn.Parameter(torch.zeros(3, 2))
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight", "bias"]


def test_tied_model_state_dict_loads_strictly_both_ways():
    shared, shared_t = nn.Linear(2, 2), torch.nn.Linear(2, 2)
    ours = nn.Sequential(shared, nn.Tanh(), shared)
    theirs = torch.nn.Sequential(shared_t, torch.nn.Tanh(), shared_t)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    theirs.load_state_dict(to_torch_state(ours))  # strict by default
    ours.load_state_dict(theirs.state_dict())
    x = np.random.default_rng(0).standard_normal((3, 2)).astype(np.float32)
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-6)


def test_float_into_integer_buffer_is_rejected_where_torch_truncates():
    """A deliberate difference: torch silently loads 5.7 as 5; seedgrad refuses and loads nothing."""
    theirs = torch.nn.BatchNorm1d(3)
    sd = theirs.state_dict()
    sd["num_batches_tracked"] = torch.tensor(5.7)
    ours = nn.BatchNorm1d(3)
    with pytest.raises(nn.StateDictError, match="num_batches_tracked"):
        ours.load_state_dict(sd)
    assert int(ours.num_batches_tracked.data) == 0
