"""seedgrad's engine: the scalar `Value` and the numpy `Tensor` on one backpropagation routine.

Where PyTorch has a name, this package uses it (``import autograd as torch`` runs ordinary PyTorch
code on small examples): every Tensor method is also a function here (``autograd.tanh(x)``).

Note: this is not the PyPI package `autograd` (HIPS); do not install both in one environment.
"""

from .creation import (
    arange,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    meshgrid,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .draw import draw_graph
from .dtypes import bool_ as bool  # noqa: A001  (PyTorch's name; the builtin is untouched elsewhere)
from .dtypes import float16, float32, float64, int8, int16, int32, int64, uint8
from .elementwise import (
    abs,
    add,
    allclose,
    ceil,
    clamp,
    clip,
    cos,
    div,
    divide,
    eq,
    equal,
    exp,
    floor,
    floor_divide,
    ge,
    gt,
    isfinite,
    isinf,
    isnan,
    le,
    log,
    log1p,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    maximum,
    minimum,
    mul,
    multiply,
    ne,
    neg,
    pow,
    relu,
    remainder,
    round,
    rsqrt,
    sigmoid,
    sign,
    sin,
    softplus,
    sqrt,
    sub,
    subtract,
    tanh,
    true_divide,
    trunc,
    where,
)
from .engine import (
    backward_steps,
    detect_anomaly,
    enable_grad,
    inference_mode,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
    topological_order,
)
from .function import Function
from .gradcheck import GradcheckError, gradcheck
from .indexing import argsort, gather, index_select, masked_fill, nonzero, one_hot, sort, topk, tril, triu
from .linalg import bmm, einsum, matmul, mm
from .reductions import (
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    count_nonzero,
    cumsum,
    logsumexp,
    max,
    mean,
    min,
    norm,
    prod,
    std,
    sum,
    var,
)
from .rng import Generator, default_generator, manual_seed
from .shape import (
    broadcast_to,
    cat,
    chunk,
    concat,
    concatenate,
    contiguous,
    expand,
    flatten,
    flip,
    movedim,
    permute,
    repeat,
    reshape,
    roll,
    split,
    squeeze,
    stack,
    t,
    transpose,
    unbind,
    unflatten,
    unsqueeze,
    view,
)
from .stepper import Stepper, stepper
from .tensor import GradFn, Size, Tensor, as_tensor  # noqa: I001  (Tensor first: the op files attach to it)
from .trace import BackwardTrace, backward_trace
from .value import Value

float = float32  # noqa: A001  (PyTorch's aliases)
double = float64
half = float16
long = int64
int = int32  # noqa: A001
swapaxes = transpose

__all__ = [name for name in dir() if not name.startswith("_")]
