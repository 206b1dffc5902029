"""A small CNN (LeNet-style: two conv-ReLU-maxpool blocks and a linear classifier) learns scikit-learn's
8x8 handwritten digits: >= 97 % accuracy on a fixed, stratified held-out quarter, seeded, in seconds.
Skipped cleanly when scikit-learn is not installed."""

import time

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
import optim
from autograd import Tensor

datasets = pytest.importorskip("sklearn.datasets")
model_selection = pytest.importorskip("sklearn.model_selection")
threadpoolctl = pytest.importorskip("threadpoolctl")  # a dependency of scikit-learn


def digits():
    """(X_train, X_test, y_train, y_test): 1797 images (N, 1, 8, 8) standardized by the training set."""
    data = datasets.load_digits()
    x = data.images.astype(np.float32)[:, None] / 16.0
    x_train, x_test, y_train, y_test = model_selection.train_test_split(
        x, data.target, test_size=0.25, random_state=0, stratify=data.target)
    mean, std = x_train.mean(), x_train.std()
    return (x_train - mean) / std, (x_test - mean) / std, y_train, y_test


def lenet() -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, 32, kernel_size=3, padding=1),   # (N, 32, 8, 8)
        nn.ReLU(),
        nn.MaxPool2d(2),                              # (N, 32, 4, 4)
        nn.Conv2d(32, 64, kernel_size=3, padding=1),  # (N, 64, 4, 4)
        nn.ReLU(),
        nn.MaxPool2d(2),                              # (N, 64, 2, 2)
        nn.Flatten(),
        nn.Linear(64 * 2 * 2, 10),
    )


def test_cnn_learns_digits():
    x_train, x_test, y_train, y_test = digits()
    autograd.manual_seed(0)
    model = lenet()
    epochs, batch = 12, 64
    opt = optim.AdamW(model.parameters(), lr=1e-2, weight_decay=1e-2)
    schedule = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    # One BLAS thread: these products are small, and on a loaded 2-core machine a second OpenBLAS thread
    # waiting for a core costs far more than it saves.
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        model.train()
        for _ in range(epochs):
            order = rng.permutation(len(x_train))
            for i in range(0, len(order), batch):
                rows = order[i:i + batch]
                loss = F.cross_entropy(model(Tensor(x_train[rows])), y_train[rows])
                opt.zero_grad()
                loss.backward()
                opt.step()
            schedule.step()
        model.eval()
        with autograd.no_grad():
            accuracy = (model(Tensor(x_test)).data.argmax(axis=1) == y_test).mean()
    seconds = time.perf_counter() - start
    print(f"digits CNN: test accuracy {accuracy:.4f} ({len(y_test)} images), trained in {seconds:.1f} s")
    assert accuracy >= 0.97
    assert seconds < 60
