"""Port by changing imports: a short, typical PyTorch program runs once with ``import torch`` and once
with ``import autograd as torch``, and the two give the same results.

The program is source text (what a learner copies), run with `exec` under each import line. Random
numbers differ between the libraries (different generators), so the random part is compared by
shape, dtype and reproducibility; everything computed from fixed data is compared by value.
The seedgrad half runs without PyTorch installed.
"""

import numpy as np
import pytest

try:
    import torch
except ImportError:
    torch = None

PROGRAM = '''
results = {}

# ---- tensors, arithmetic, reductions, indexing
x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
results["dtype"] = x.dtype
results["is float32"] = x.dtype == torch.float32
results["int dtype"] = torch.tensor([1, 2, 3]).dtype
results["size"] = tuple(x.size())
results["size(1)"] = x.size(1)
results["numel"] = x.numel()
results["arith"] = (x * 2 + 1 - x / 4).tolist()
results["int arith"] = (torch.arange(6).reshape(2, 3) // 2 + torch.arange(3) % 2).tolist()
results["int * float dtype"] = (torch.arange(3) * 2.5).dtype
results["sum(dim=1)"] = x.sum(dim=1).tolist()
results["mean(0, keepdim)"] = x.mean(0, keepdim=True).tolist()
results["var"] = x.var().item()
results["std(dim=1, unbiased=False)"] = x.std(dim=1, unbiased=False).tolist()
values, indices = x.max(dim=1)
results["max(dim)"] = (values.tolist(), indices.tolist())
results["amax"] = x.amax(dim=0).tolist()
results["argmin"] = x.argmin().item()
results["view"] = x.view(3, 2).tolist()
results["view(-1)"] = x.view(-1).tolist()
results["transpose"] = x.transpose(0, 1).tolist()
results["permute"] = x.unsqueeze(0).permute(2, 0, 1).shape
results["t()"] = x.t().tolist()
results["matmul"] = (x @ x.T).tolist()
results["column"] = x[:, 1].tolist()
results["mask"] = x[x > 2].tolist()
results["rows"] = x[torch.tensor([1, 0, 1])].tolist()
results["None"] = x[None, :, 1:].shape
results["gather"] = x.gather(1, torch.tensor([[2], [0]])).tolist()
results["where"] = torch.where(x > 3, x, torch.zeros_like(x)).tolist()
results["cat"] = torch.cat([x, x], dim=0).shape
results["stack"] = torch.stack([x, x], dim=-1).shape
results["clamp"] = x.clamp(min=2, max=5).tolist()
results["cumsum"] = x.cumsum(dim=1).tolist()
results["softmax"] = (x.exp() / x.exp().sum(dim=1, keepdim=True)).tolist()
results["logsumexp"] = x.logsumexp(dim=1).tolist()
results["sort"] = x.sort(dim=1, descending=True).indices.tolist()
results["topk"] = x.topk(2, dim=1).values.tolist()
results["split"] = [p.shape for p in x.split(2, dim=1)]
results["casts"] = (x.long().dtype, x.double().dtype, x.to(torch.float64).dtype, x.int().dtype, (x > 2).dtype)
results["one element"] = torch.tensor([2.5]).item()

# ---- gradients
a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
h = a * a
h.retain_grad()
out = (h.sin() + h.sqrt()).sum()
out.backward()
results["a.grad"] = a.grad.tolist()
results["h.grad"] = h.grad.tolist()
results["leaves"] = (a.is_leaf, h.is_leaf, a.grad_fn is None, h.grad_fn is not None)
b = torch.tensor([1.0, -2.0], requires_grad=True)
(b * b).backward(gradient=torch.tensor([1.0, 0.5]))
results["b.grad"] = b.grad.tolist()
with torch.no_grad():
    results["no_grad"] = (a * 2).requires_grad
results["detach"] = (a.detach() * 2).requires_grad

# ---- a training loop: linear regression, parameters updated under no_grad
X = torch.linspace(-1, 1, 20).unsqueeze(1)
Y = 3 * X - 0.5
w = torch.zeros(1, 1, requires_grad=True)
bias = torch.zeros(1, requires_grad=True)
for step in range(100):
    loss = ((X @ w + bias - Y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.5 * w.grad
        bias -= 0.5 * bias.grad
    w.grad = None
    bias.grad = None
results["regression"] = (w.item(), bias.item(), loss.item(), w.requires_grad, w.is_leaf)

# ---- a classifier: softmax regression by hand on fixed data
labels = torch.arange(8) % 3
data = torch.sin(torch.arange(24.0).reshape(8, 3)) * 0.5
data[torch.arange(8), labels] += 1.0  # each class a little apart
W = torch.zeros(3, 3, requires_grad=True)
losses = []
for step in range(30):
    logits = data @ W
    loss = (logits.logsumexp(dim=1) - logits.gather(1, labels.unsqueeze(1)).squeeze(1)).mean()
    losses.append(loss.item())
    loss.backward()
    with torch.no_grad():
        W -= 1.0 * W.grad
    W.grad = None


@torch.no_grad()
def accuracy(inputs, targets):
    return ((inputs @ W).argmax(dim=1) == targets).float().mean().item()


results["classifier"] = (losses[0], losses[-1], accuracy(data, labels))

# ---- random numbers: seeded, and a generator of one's own
torch.manual_seed(0)
first = torch.randn(2, 3)
torch.manual_seed(0)
again = torch.randn(2, 3)
g = torch.Generator().manual_seed(42)
draws = (torch.rand(4, generator=g), torch.randint(0, 10, (5,), generator=g),
         torch.multinomial(torch.tensor([0.2, 0.8]), 3, replacement=True, generator=g))
results["random"] = (first.shape, first.dtype, torch.equal(first, again), [d.shape for d in draws],
                     [d.dtype for d in draws])
results["random values"] = (first.tolist(), [d.tolist() for d in draws])
'''


def run(import_line: str) -> dict:
    namespace: dict = {}
    exec(compile(import_line + "\n" + PROGRAM, f"<{import_line}>", "exec"), namespace)
    return namespace["results"]


def plain(value):
    """Results in library-independent form: dtypes by name, sizes as tuples, floats as floats."""
    if isinstance(value, tuple | list):
        return type(value)(plain(v) for v in value) if not hasattr(value, "numel") else tuple(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, np.dtype) or (torch is not None and isinstance(value, torch.dtype)):
        return str(value).removeprefix("torch.")
    return value


def test_the_program_runs_on_seedgrad():
    """The seedgrad half (also without PyTorch): the program runs and learns."""
    results = run("import autograd as torch")
    w, b, loss, requires_grad, is_leaf = results["regression"]
    assert w == pytest.approx(3.0, abs=1e-3) and b == pytest.approx(-0.5, abs=1e-3) and loss < 1e-6
    assert requires_grad and is_leaf
    first, last, accuracy = results["classifier"]
    assert last < first and accuracy > 0.5
    assert results["random"][2]  # manual_seed repeats
    assert plain(results["random"][1]) == "float32"


def test_seeded_runs_repeat_exactly():
    assert plain(run("import autograd as torch")["random values"]) == plain(
        run("import autograd as torch")["random values"])


@pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
def test_the_program_gives_pytorchs_results():
    ours, theirs = plain(run("import autograd as torch")), plain(run("import torch"))
    ours.pop("random values"), theirs.pop("random values")  # different generators: different numbers
    assert ours.keys() == theirs.keys()
    for key in theirs:
        assert _close(ours[key], theirs[key]), (key, ours[key], theirs[key])


def _close(a, b) -> bool:
    if isinstance(b, tuple | list):
        return isinstance(a, tuple | list) and len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(b, float):
        return isinstance(a, float) and bool(np.isclose(a, b, rtol=1e-5, atol=1e-6))
    return type(a) is type(b) and a == b
