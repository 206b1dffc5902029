"""seedgrad's optimizers: PyTorch's names, defaults and update rules, as small numpy updates.

>>> from optim import Adam
>>> opt = Adam(model.parameters(), lr=1e-3)
>>> for x, y in data:
...     opt.zero_grad()
...     loss_fn(model(x), y).backward()
...     opt.step()
"""

from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "lr_scheduler"]
