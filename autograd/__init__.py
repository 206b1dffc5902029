"""seedgrad's engine: the scalar `Value` and the numpy `Tensor` on one backpropagation routine.

Note: this is not the PyPI package `autograd` (HIPS); do not install both in one environment.
"""

from .creation import arange, eye, ones, ones_like, rand, randn, tensor, zeros, zeros_like
from .draw import draw_graph
from .stepper import Stepper, stepper
from .trace import BackwardTrace, backward_trace
from .engine import backward_steps, detect_anomaly, enable_grad, no_grad, topological_order
from .gradcheck import GradcheckError, gradcheck
from .rng import default_generator, manual_seed
from .tensor import Tensor, concatenate, maximum, minimum, stack, where
from .value import Value

__all__ = [
    "Value", "Tensor", "no_grad", "enable_grad", "detect_anomaly", "gradcheck", "GradcheckError", "draw_graph",
    "backward_trace", "BackwardTrace", "stepper", "Stepper",
    "backward_steps", "topological_order", "manual_seed", "default_generator",
    "tensor", "zeros", "ones", "randn", "rand", "arange", "eye", "zeros_like", "ones_like",
    "stack", "concatenate", "where", "maximum", "minimum",
]
