"""seedgrad's neural-network package, with PyTorch's names and semantics.

>>> import nn
>>> import nn.functional as F
>>> model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
>>> loss = F.cross_entropy(model(X), y)
"""

from . import data, functional, init, scalar, utils
from .dropout import Dropout
from .layers import GELU, Flatten, Identity, LeakyReLU, Linear, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .losses import BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from .module import IncompatibleKeys, Module, ModuleList, Parameter, Sequential, StateDictError
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .serialization import load, save

__all__ = [
    "Module",
    "Parameter",
    "Sequential",
    "ModuleList",
    "IncompatibleKeys",
    "StateDictError",
    "Linear",
    "Flatten",
    "Identity",
    "ReLU",
    "Tanh",
    "Sigmoid",
    "LeakyReLU",
    "GELU",
    "Softmax",
    "LogSoftmax",
    "Dropout",
    "BatchNorm1d",
    "BatchNorm2d",
    "LayerNorm",
    "MSELoss",
    "L1Loss",
    "CrossEntropyLoss",
    "NLLLoss",
    "BCEWithLogitsLoss",
    "save",
    "load",
    "functional",
    "init",
    "utils",
    "scalar",
    "data",
]
