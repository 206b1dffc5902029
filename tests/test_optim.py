"""Tests of the optimizers: tables of (optimizer, options) rows.

Every row is checked against a numpy reference written here, straight from the equations of
REFERENCE.md (not from optim's code), against torch.optim when torch is installed, for
convergence on a parabola and on Rosenbrock's function (Tensor and Value parameters), and for a
bit-identical resume from a state_dict.
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest

import optim
from autograd import Tensor, Value, no_grad

# ---- independent numpy references (REFERENCE.md, "Optimizers") ------------------------------------
# Each takes θ (a float64 array) and a sequence of gradients and yields θ after every step.


def _grad(theta, g, weight_decay, maximize):
    g = -g if maximize else g
    return g + weight_decay * theta


def ref_sgd(theta, grads, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False,
            maximize=False):
    b = None
    for g in grads:
        g = _grad(theta, g, weight_decay, maximize)
        if momentum != 0:
            b = g if b is None else momentum * b + (1 - dampening) * g
            g = g + momentum * b if nesterov else b
        theta = theta - lr * g
        yield theta


def ref_adagrad(theta, grads, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                eps=1e-10, maximize=False):
    s = np.full_like(theta, initial_accumulator_value)
    for t, g in enumerate(grads, start=1):
        g = _grad(theta, g, weight_decay, maximize)
        lr_t = lr / (1 + (t - 1) * lr_decay)
        s = s + g**2
        theta = theta - lr_t * g / (np.sqrt(s) + eps)
        yield theta


def ref_adadelta(theta, grads, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
    v = u = np.zeros_like(theta)
    for g in grads:
        g = _grad(theta, g, weight_decay, maximize)
        v = rho * v + (1 - rho) * g**2
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta**2
        theta = theta - lr * delta
        yield theta


def ref_rmsprop(theta, grads, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False,
                maximize=False):
    v = g_mean = b = np.zeros_like(theta)
    for g in grads:
        g = _grad(theta, g, weight_decay, maximize)
        v = alpha * v + (1 - alpha) * g**2
        v_tilde = v
        if centered:
            g_mean = alpha * g_mean + (1 - alpha) * g
            v_tilde = v - g_mean**2
        if momentum > 0:
            b = momentum * b + g / (np.sqrt(v_tilde) + eps)
            theta = theta - lr * b
        else:
            theta = theta - lr * g / (np.sqrt(v_tilde) + eps)
        yield theta


def ref_adam(theta, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
             maximize=False, decoupled_weight_decay=False, bias_correction=True):
    b1, b2 = betas
    m = v = v_max = np.zeros_like(theta)
    for t, g in enumerate(grads, start=1):
        g = -g if maximize else g
        if decoupled_weight_decay:
            theta = theta - lr * weight_decay * theta
        else:
            g = g + weight_decay * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        c1, c2 = (1 - b1**t, 1 - b2**t) if bias_correction else (1.0, 1.0)
        m_hat = m / c1
        if amsgrad:
            v_max = np.maximum(v_max, v)
            v_hat = v_max / c2
        else:
            v_hat = v / c2
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        yield theta


def ref_adamw(theta, grads, weight_decay=1e-2, **options):
    return ref_adam(theta, grads, weight_decay=weight_decay, decoupled_weight_decay=True, **options)


REFERENCES = {"SGD": ref_sgd, "Adagrad": ref_adagrad, "Adadelta": ref_adadelta, "RMSprop": ref_rmsprop,
              "Adam": ref_adam, "AdamW": ref_adamw}

# ---- the table: one row per (optimizer, options) -------------------------------------------------

ROWS = [
    ("SGD", {}),
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.5)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, weight_decay=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.8, weight_decay=0.1, maximize=True)),
    ("SGD", dict(lr=0.1, momentum=0.8, nesterov=True, weight_decay=0.05, maximize=True)),
    ("Adagrad", {}),
    ("Adagrad", dict(lr=0.1, lr_decay=0.1)),
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.5)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.1, eps=1e-3)),
    ("Adagrad", dict(lr=0.1, maximize=True)),
    ("Adadelta", {}),
    ("Adadelta", dict(rho=0.5)),
    ("Adadelta", dict(lr=0.5, eps=1e-3, weight_decay=0.1)),
    ("Adadelta", dict(maximize=True)),
    ("RMSprop", {}),
    ("RMSprop", dict(alpha=0.9, eps=1e-3)),
    ("RMSprop", dict(centered=True)),
    ("RMSprop", dict(momentum=0.9)),
    ("RMSprop", dict(momentum=0.9, centered=True, weight_decay=0.1)),
    ("RMSprop", dict(weight_decay=0.1, maximize=True)),
    ("Adam", {}),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99))),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, eps=1e-3, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1, maximize=True)),
    ("Adam", dict(lr=0.01, bias_correction=False)),
    ("Adam", dict(lr=0.01, amsgrad=True, bias_correction=False)),
    ("AdamW", {}),
    ("AdamW", dict(lr=0.01, weight_decay=0.1)),
    ("AdamW", dict(lr=0.01, amsgrad=True, maximize=True)),
    ("AdamW", dict(lr=0.01, bias_correction=False)),
]
IDS = [f"{name}-{','.join(f'{k}={v}' for k, v in opts.items()) or 'defaults'}" for name, opts in ROWS]
SHAPES = [(3,), (2, 4), ()]
STEPS = 6


def problem(seed=0, steps=STEPS):
    """Starting values for a few parameters and a fixed gradient sequence for each (float64)."""
    rng = np.random.default_rng(seed)
    thetas = [rng.standard_normal(shape) for shape in SHAPES]
    grads = [[rng.standard_normal(shape) for _ in range(steps)] for shape in SHAPES]
    return thetas, grads


def tensors(thetas):
    return [Tensor(np.array(theta, dtype=np.float64), requires_grad=True) for theta in thetas]


def run(opt, params, grads, steps):
    """`steps` optimizer steps with the given gradients; the parameter values after each step."""
    trajectory = []
    for k in range(steps):
        for p, gs in zip(params, grads):
            p.grad = gs[k].copy()
        opt.step()
        trajectory.append([np.array(p.data, dtype=np.float64) for p in params])
    return trajectory


@pytest.mark.parametrize("name, options", ROWS, ids=IDS)
def test_matches_numpy_reference_tensor(name, options):
    thetas, grads = problem()
    params = tensors(thetas)
    ours = run(getattr(optim, name)(params, **options), params, grads, STEPS)
    for i, (theta, gs) in enumerate(zip(thetas, grads)):
        for step, expected in enumerate(REFERENCES[name](theta, gs, **options)):
            np.testing.assert_allclose(ours[step][i], expected, rtol=1e-12, atol=1e-14,
                                       err_msg=f"parameter {i}, step {step + 1}")


@pytest.mark.parametrize("name, options", ROWS, ids=IDS)
def test_matches_numpy_reference_value(name, options):
    rng = np.random.default_rng(1)
    thetas = rng.standard_normal(2)
    grads = rng.standard_normal((2, STEPS))
    params = [Value(float(t)) for t in thetas]
    ours = run(getattr(optim, name)(params, **options), params, [list(g) for g in grads], STEPS)
    for i in range(2):
        expected = list(REFERENCES[name](np.array(thetas[i]), grads[i], **options))
        np.testing.assert_allclose([step[i] for step in ours], expected, rtol=1e-12, atol=1e-14)
        assert isinstance(params[i].data, float)


@pytest.mark.parametrize("name, options", ROWS, ids=IDS)
def test_matches_torch(name, options):
    torch = pytest.importorskip("torch")
    if "bias_correction" in options:
        pytest.skip("bias_correction=False is ours only (teaching); PyTorch has no such flag")
    thetas, grads = problem()
    params = tensors(thetas)
    ours = run(getattr(optim, name)(params, **options), params, grads, STEPS)
    theirs = [torch.tensor(theta, dtype=torch.float64, requires_grad=True) for theta in thetas]
    opt = getattr(torch.optim, name)(theirs, **options)
    for step in range(STEPS):
        for p, gs in zip(theirs, grads):
            p.grad = torch.tensor(gs[step])
        opt.step()
        for i, p in enumerate(theirs):
            np.testing.assert_allclose(ours[step][i], p.detach().numpy(), rtol=1e-10, atol=1e-12,
                                       err_msg=f"parameter {i}, step {step + 1}")


@pytest.mark.parametrize("name, options", ROWS, ids=IDS)
def test_state_dict_resume_is_bit_identical(name, options):
    k, total = 3, 7
    thetas, grads = problem(seed=2, steps=total)
    params = tensors(thetas)
    whole = run(getattr(optim, name)(params, **options), params, grads, total)

    params = tensors(thetas)
    first = getattr(optim, name)(params, **options)
    run(first, params, grads, k)
    saved = first.state_dict()
    copies = [Tensor(p.data.copy(), requires_grad=True) for p in params]
    resumed = getattr(optim, name)(copies, **options)
    resumed.load_state_dict(saved)
    rest = run(resumed, copies, [gs[k:] for gs in grads], total - k)
    for a, b in zip(whole[k:], rest):
        for x, y in zip(a, b):
            assert np.array_equal(x, y)


def test_state_dict_is_a_copy():
    params = tensors(problem()[0])
    opt = optim.Adam(params, lr=0.1)
    for p in params:
        p.grad = np.ones_like(p.data)
    opt.step()
    saved = opt.state_dict()
    before = saved["state"][0]["exp_avg"].copy()
    opt.step()
    assert np.array_equal(saved["state"][0]["exp_avg"], before)
    assert saved["state"][0]["step"] == 1
    assert saved["param_groups"][0]["params"] == [0, 1, 2]
    assert saved["optimizer"] == "Adam"


# ---- convergence: parabola and Rosenbrock, Tensor and Value parameters ---------------------------


def parabola(x, y):
    return (x - 1) ** 2 + 4 * (y + 2) ** 2


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


# name, options, steps, tolerance on the distance to the optimum
CONVERGENCE = {
    "parabola": (parabola, (-2.0, 1.5), (1.0, -2.0), [
        ("SGD", dict(lr=0.05), 500, 1e-8),
        ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True), 500, 1e-8),
        ("Adagrad", dict(lr=0.5), 500, 1e-8),
        ("Adadelta", dict(lr=10.0), 1000, 1e-8),
        ("RMSprop", dict(lr=0.01), 1000, 1e-8),
        ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5), 1000, 1e-8),
        ("Adam", dict(lr=0.05), 1000, 1e-8),
        ("Adam", dict(lr=0.05, amsgrad=True), 1000, 1e-8),
        ("AdamW", dict(lr=0.05, weight_decay=1e-4), 1000, 1e-3),
    ]),
    "rosenbrock": (rosenbrock, (-1.0, 1.5), (1.0, 1.0), [
        ("SGD", dict(lr=1e-3, momentum=0.9), 5000, 1e-6),
        ("SGD", dict(lr=1e-3, momentum=0.9, nesterov=True), 5000, 1e-6),
        ("Adagrad", dict(lr=0.5), 20000, 1e-3),
        ("Adadelta", dict(lr=0.02, rho=0.5), 10000, 2e-2),
        ("RMSprop", dict(lr=1e-3, momentum=0.9), 5000, 2e-3),
        ("RMSprop", dict(lr=1e-3, centered=True, momentum=0.9), 5000, 2e-3),
        ("Adam", dict(lr=0.02), 5000, 1e-6),
        ("Adam", dict(lr=0.05, amsgrad=True), 5000, 1e-4),
        ("AdamW", dict(lr=0.02, weight_decay=1e-4), 5000, 1e-3),
    ]),
}
CONVERGENCE_ROWS = [(fn, *row) for fn, (_, _, _, rows) in CONVERGENCE.items() for row in rows]


def test_convergence_table_covers_every_optimizer():
    for _, _, _, rows in CONVERGENCE.values():
        assert {row[0] for row in rows} == set(REFERENCES)


@pytest.mark.parametrize("kind", ["value", "tensor"])
@pytest.mark.parametrize("function, name, options, steps, tolerance", CONVERGENCE_ROWS,
                         ids=[f"{r[0]}-{r[1]}-{r[2]}" for r in CONVERGENCE_ROWS])
def test_converges(kind, function, name, options, steps, tolerance):
    f, start, optimum, _ = CONVERGENCE[function]
    if kind == "value":
        x, y = Value(start[0]), Value(start[1])
    else:  # two 0-d float64 tensors
        x, y = (Tensor(s, requires_grad=True, dtype=np.float64) for s in start)
    opt = getattr(optim, name)([x, y], **options)
    for _ in range(steps):
        opt.zero_grad()
        f(x, y).backward()
        opt.step()
    distance = math.hypot(float(x.data) - optimum[0], float(y.data) - optimum[1])
    assert distance < tolerance


# ---- validation -----------------------------------------------------------------------------------

w = Tensor(np.ones(3), requires_grad=True)

INVALID = [
    ("SGD", dict(lr=-1.0), "Invalid learning rate: -1.0"),
    ("Adam", dict(lr=float("nan")), "Invalid learning rate: nan"),
    ("SGD", dict(momentum=-0.5), "Invalid momentum value: -0.5"),
    ("RMSprop", dict(momentum=-0.1), "Invalid momentum value: -0.1"),
    ("SGD", dict(weight_decay=-1e-3), "Invalid weight_decay value: -0.001"),
    ("AdamW", dict(weight_decay=-0.1), "Invalid weight_decay value: -0.1"),
    ("Adam", dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    ("Adam", dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    ("Adam", dict(betas=(float("nan"), 0.9)), "Invalid beta parameter at index 0: nan"),
    ("Adam", dict(betas=(0.9, "0.99")), "Invalid beta parameter at index 1: 0.99"),
    ("Adam", dict(betas=(0.9,)), "Invalid betas: (0.9,); expected two values"),
    ("AdamW", dict(betas=(0.9, 0.99, 0.999)), "Invalid betas: (0.9, 0.99, 0.999)"),
    ("Adam", dict(betas=0.9), "Invalid betas: 0.9"),
    ("Adam", dict(eps=-1e-8), "Invalid epsilon value: -1e-08"),
    ("Adagrad", dict(eps=-1.0), "Invalid epsilon value: -1.0"),
    ("Adagrad", dict(lr_decay=-1.0), "Invalid lr_decay value: -1.0"),
    ("Adagrad", dict(initial_accumulator_value=-1.0), "Invalid initial_accumulator_value value: -1.0"),
    ("Adadelta", dict(rho=1.5), "Invalid rho value: 1.5"),
    ("Adadelta", dict(lr=-0.1), "Invalid learning rate: -0.1"),
    ("RMSprop", dict(alpha=-0.1), "Invalid alpha value: -0.1"),
    ("SGD", dict(momentum=0.0, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    ("SGD", dict(momentum=0.9, dampening=0.1, nesterov=True), "Nesterov momentum requires"),
]


@pytest.mark.parametrize("name, options, message", INVALID, ids=[m for _, _, m in INVALID])
def test_invalid_hyperparameters(name, options, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        getattr(optim, name)([w], **options)


def test_invalid_hyperparameter_in_a_group():
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        optim.SGD([{"params": [w], "lr": -1}])
    with pytest.raises(ValueError, match="Invalid betas"):
        optim.Adam([w]).add_param_group({"params": [Value(0.0)], "betas": [0.9]})


# (A Tensor that does not require grad is accepted, as in PyTorch, and skipped at step(): freezing;
# see tests/test_integrity_optim.py.)
BAD_PARAMS = [
    ([], ValueError, "empty parameter list"),
    ([1.0], TypeError, "can only optimize Tensors or Values"),
    ([np.ones(3)], TypeError, "can only optimize Tensors or Values"),
    ([Tensor(np.ones(3), requires_grad=True) * 2], ValueError, "non-leaf"),
    (w, TypeError, "single Tensor"),
    ([w, w], ValueError, "more than once"),
]


@pytest.mark.parametrize("params, error, message", BAD_PARAMS, ids=[m for _, _, m in BAD_PARAMS])
def test_invalid_parameters(params, error, message):
    with pytest.raises(error, match=message):
        optim.Adam(params)


def test_set_of_parameters_in_a_group_is_rejected():
    with pytest.raises(TypeError, match="ordered"):
        optim.SGD([{"params": {w}}])


# ---- behaviour of the base ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_parameter_without_gradient_is_skipped(name):
    a, b = tensors([np.ones(3), np.ones(2)])
    opt = getattr(optim, name)([a, b], lr=0.1)
    a.grad = np.full(3, 0.5)
    opt.step()
    assert np.array_equal(b.data, np.ones(2)) and b not in opt.state
    assert not np.array_equal(a.data, np.ones(3)) and a in opt.state
    assert opt.state_dict()["state"].keys() == {0}


@pytest.mark.parametrize("name, options", ROWS, ids=IDS)
def test_step_leaves_gradient_unchanged(name, options):
    thetas, grads = problem()
    params = tensors(thetas)
    opt = getattr(optim, name)(params, **options)
    for _ in range(2):
        for p, gs in zip(params, grads):
            p.grad = gs[0].copy()
        opt.step()
        for p, gs in zip(params, grads):
            assert np.array_equal(p.grad, gs[0])


# optimizer, options, groups of (parameter: an array for a Tensor or a float for a Value, its bad
# gradient), the error
BAD_GRADIENTS = [
    ("Adam", dict(lr=0.1), [[(np.zeros(2), np.ones(2)), (np.zeros(3), np.ones(2))]],
     r"parameter 1 of param_groups\[0\] has shape \(2,\).*the parameter has shape \(3,\)"),
    ("SGD", dict(lr=0.1, momentum=0.9), [[(np.zeros(3), np.ones(1))]],  # numpy would broadcast it
     r"parameter 0 of param_groups\[0\] has shape \(1,\).*the parameter has shape \(3,\)"),
    ("SGD", dict(lr=0.1), [[(np.zeros((2, 2)), np.ones(4))]], r"has shape \(4,\).*the parameter has shape \(2, 2\)"),
    ("RMSprop", dict(momentum=0.9, centered=True), [[(np.zeros(()), np.ones(1))]],
     r"has shape \(1,\).*the parameter has shape \(\)"),
    ("Adagrad", dict(lr=0.1), [[(np.zeros(2), np.ones(2))], [(0.5, 1.0), (0.5, np.ones(2))]],
     r"parameter 1 of param_groups\[1\] \(a Value\) must be a real number, got ndarray of shape \(2,\)"),
    ("Adadelta", {}, [[(0.5, "1.0")]], r"\(a Value\) must be a real number, got str"),
    ("AdamW", dict(amsgrad=True), [[(np.zeros(2), np.ones(2) * 1j)]], "dtype complex128"),
    ("SGD", {}, [[(np.zeros(2), np.array([True, False]))]], "dtype bool"),
]


@pytest.mark.parametrize("name, options, groups, message", BAD_GRADIENTS, ids=[m for *_, m in BAD_GRADIENTS])
def test_bad_gradient_raises_and_changes_nothing(name, options, groups, message):
    params = [[Tensor(p.copy(), requires_grad=True) if isinstance(p, np.ndarray) else Value(p) for p, _ in group]
              for group in groups]
    flat = [p for group in params for p in group]
    opt = getattr(optim, name)([{"params": group} for group in params], **options)
    for p in flat:  # one good step first, so that there is state to keep
        p.grad = np.ones_like(p.data) if isinstance(p, Tensor) else 1.0
    opt.step()
    data, before = [np.array(p.data) for p in flat], opt.state_dict()
    for p, (_, grad) in zip(flat, (spec for group in groups for spec in group)):
        p.grad = grad
    with pytest.raises(ValueError, match=message):
        opt.step()
    assert all(np.array_equal(p.data, d) for p, d in zip(flat, data))
    after = opt.state_dict()["state"]
    assert after.keys() == before["state"].keys()
    for i, state in before["state"].items():
        assert after[i].keys() == state.keys()
        assert all(np.array_equal(after[i][key], value) for key, value in state.items())


def test_value_gradient_zero_is_a_gradient():
    x = Value(1.0)
    opt = optim.SGD([x], lr=0.1, weight_decay=1.0)
    opt.step()  # grad 0.0, but weight decay still pulls x towards 0
    assert x.data == pytest.approx(0.9) and opt.state[x]["step"] == 1


def test_float32_parameters_stay_float32():
    p = Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    data = p.data
    opt = optim.Adam([p], lr=0.1, amsgrad=True)
    p.grad = np.ones((2, 3), dtype=np.float32)
    opt.step()
    assert p.data is data and p.data.dtype == np.float32  # updated in place
    assert all(s.dtype == np.float32 for s in opt.state[p].values() if isinstance(s, np.ndarray))


def test_zero_grad():
    t, v = Tensor(np.ones(2), requires_grad=True), Value(1.0)
    opt = optim.SGD([t, v])
    t.grad, v.grad = np.ones(2), 3.0
    grad = t.grad
    opt.zero_grad(set_to_none=False)
    assert t.grad is grad and np.array_equal(grad, np.zeros(2)) and v.grad == 0.0
    v.grad = 3.0
    opt.zero_grad()
    assert t.grad is None and v.grad == 0.0


def test_step_with_closure_returns_loss_and_records_graph_under_no_grad():
    x = Value(3.0)
    opt = optim.SGD([x], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = x * x
        loss.backward()
        return loss

    with no_grad():
        loss = opt.step(closure)
    assert loss.data == 9.0 and x.data == 3.0 - 0.25 * 6.0
    assert optim.SGD([x]).step() is None


def test_param_groups_have_their_own_options():
    a, b = Value(1.0), Value(1.0)
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1)
    a.grad = b.grad = 1.0
    opt.step()
    assert (a.data, b.data) == (0.9, 0.5)
    assert opt.param_groups[1]["momentum"] == 0.0


def test_add_param_group():
    a, b = Value(1.0), Value(1.0)
    opt = optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": [b], "lr": 0.2})
    assert len(opt.param_groups) == 2 and opt.param_groups[1]["betas"] == (0.9, 0.999)
    a.grad = b.grad = 1.0
    opt.step()
    assert a.data == pytest.approx(0.9) and b.data == pytest.approx(0.8)
    with pytest.raises(ValueError, match="more than once"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(TypeError, match="must be a dict"):
        opt.add_param_group([b])


def test_custom_optimizer_needs_only_an_update():
    class SignSGD(optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, dict(lr=lr))

        def _update(self, p, g, state, group):
            p -= group["lr"] * np.sign(g)

    x = Value(1.0)
    opt = SignSGD([x])
    x.grad = 5.0
    opt.step()
    assert x.data == 0.9 and "SignSGD" in repr(opt)


# ---- load_state_dict of something else: ValueError, nothing changed ---------------------------------


def _stepped(opt_cls, params, **options):
    opt = opt_cls(params, **options)
    for p in params:
        p.grad = np.ones_like(p.data)
    opt.step()
    return opt


def _mismatches():
    """(case, a state dict that an Adam of parameters of shapes (3,) and (2,) must refuse, message)."""
    a, b = tensors([np.ones(3), np.ones(2)])
    yield "another optimizer", _stepped(optim.SGD, [a, b], momentum=0.9).state_dict(), "is from SGD, not Adam"
    yield "Adam into AdamW", _stepped(optim.AdamW, [a, b]).state_dict(), "is from AdamW, not Adam"
    yield "fewer parameters", _stepped(optim.Adam, [a]).state_dict(), "group 0 has 1 parameters"
    yield ("another shape", _stepped(optim.Adam, tensors([np.ones(3), np.ones(4)])).state_dict(),
           "state 'exp_avg' of parameter 1 has shape (4,), the parameter has shape (2,)")
    two_groups = optim.Adam([{"params": [a]}, {"params": [b]}]).state_dict()
    yield "more groups", two_groups, "has 2 parameter groups"
    yield "not a state dict", {"state": {}}, "not an optimizer state dict"
    missing = _stepped(optim.Adam, [a, b]).state_dict()
    del missing["param_groups"][0]["betas"]
    yield "missing option", missing, "group 0 lacks the options ['betas']"
    bad_betas = _stepped(optim.Adam, [a, b]).state_dict()
    bad_betas["param_groups"][0]["betas"] = (0.9,)
    yield "invalid option", bad_betas, "group 0: Invalid betas: (0.9,)"
    # per-parameter state without a key that the next step needs (it would raise KeyError there)
    for key in ["exp_avg_sq", "step"]:
        lacking = _stepped(optim.Adam, [a, b]).state_dict()
        del lacking["state"][1][key]
        yield f"state lacks {key}", lacking, f"the state of parameter 1 lacks ['{key}']"
    lacking = _stepped(optim.Adam, [a, b], amsgrad=True).state_dict()  # the saved group decides: amsgrad
    del lacking["state"][0]["max_exp_avg_sq"]
    yield "amsgrad state lacks max_exp_avg_sq", lacking, "the state of parameter 0 lacks ['max_exp_avg_sq']"


MISMATCHES = list(_mismatches())


@pytest.mark.parametrize("case, state_dict, message", MISMATCHES, ids=[case for case, _, _ in MISMATCHES])
def test_load_mismatched_state_dict_raises_and_changes_nothing(case, state_dict, message):
    params = tensors([np.zeros(3), np.zeros(2)])
    opt = _stepped(optim.Adam, params, lr=0.01)
    before = opt.state_dict()
    with pytest.raises(ValueError, match=r"Adam\.load_state_dict: .*" + re.escape(message)):
        opt.load_state_dict(state_dict)
    after = opt.state_dict()
    assert after["param_groups"] == before["param_groups"]
    for i, state in before["state"].items():
        assert after["state"][i].keys() == state.keys()
        for key, value in state.items():
            assert np.array_equal(after["state"][i][key], value)


def test_load_state_dict_restores_hyperparameters_and_casts_dtype():
    p = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    saved = _stepped(optim.SGD, [Tensor(np.ones(3), requires_grad=True)], lr=0.5, momentum=0.9).state_dict()
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    opt.load_state_dict(saved)
    assert opt.param_groups[0]["lr"] == 0.5 and opt.param_groups[0]["params"] == [p]
    assert opt.state[p]["momentum_buffer"].dtype == np.float32


def test_value_state_dict_round_trip():
    x, y = Value(0.5), Value(-0.5)
    opt = optim.Adam([x, y], lr=0.1)
    x.grad, y.grad = 1.0, -1.0
    opt.step()
    x2, y2 = Value(x.data), Value(y.data)
    opt2 = optim.Adam([x2, y2], lr=0.1)
    opt2.load_state_dict(opt.state_dict())
    for o, (a, b) in [(opt, (x, y)), (opt2, (x2, y2))]:
        a.grad, b.grad = 0.5, 0.25
        o.step()
    assert (x.data, y.data) == (x2.data, y2.data)


def test_no_warnings_for_zero_gradients():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, options in ROWS:
            x = Value(0.0)
            getattr(optim, name)([x], **options).step()  # grad 0.0 from the start: no 0/0
            assert x.data == 0.0
