"""The tanh teacher-student network and its batched SGD trainer: forward and gradient against
autograd, the teacher as a fixed point, batched against per-network updates, divergence,
reproducibility."""

import numpy as np
import pytest
import torch

from rmtsgd.phase_diagram.model import (
    Dataset,
    SGDTrainer,
    TanhNet,
    draw_teacher,
    hidden,
    initial_weights,
    loss_and_gradient,
    make_dataset,
    outputs,
    train,
)

NET = TanhNet()


@pytest.fixture(scope="module")
def teacher():
    return draw_teacher(NET, 7)


@pytest.fixture(scope="module")
def data(teacher):
    return make_dataset(teacher, 40, 8)


def _single(teacher, data, lr, w0, **kwargs) -> SGDTrainer:
    """A trainer whose networks all learn one teacher."""
    kwargs.setdefault("batch", 4)
    kwargs.setdefault("loss_threshold", 100.0)
    return SGDTrainer([teacher], [data], np.zeros(len(lr), int), lr, w0, **kwargs)


def _autograd_loss_and_grad(w: np.ndarray, data: Dataset, z: np.ndarray):
    """Half MSE and dL/dW from torch autograd, straight from the definition y = Z tanh(W phi0)."""
    weights = torch.tensor(w, requires_grad=True)
    phi0 = torch.tensor(data.features)
    y = torch.tanh(phi0 @ weights.transpose(-1, -2)) @ torch.tensor(z)
    loss = 0.5 * ((y - torch.tensor(data.targets)) ** 2).mean(-1)
    loss.sum().backward()
    return loss.detach().numpy(), weights.grad.numpy()


def test_teacher_and_data_follow_the_spec(teacher, data):
    assert teacher.m.shape == (32, 3) and teacher.z.shape == (16,) and teacher.w.shape == (16, 32)
    big = draw_teacher(TanhNet(inputs=3, hidden0=320, hidden=160), 1)
    assert np.var(big.m) == pytest.approx(1 / 3, rel=0.05)
    assert np.var(big.z) == pytest.approx(1 / 160, rel=0.25)
    assert np.var(big.w) == pytest.approx(1 / 320, rel=0.05)
    x = np.random.default_rng(8).standard_normal((40, 3))
    np.testing.assert_allclose(data.features, np.tanh(x @ teacher.m.T))
    np.testing.assert_allclose(data.targets, np.tanh(data.features @ teacher.w.T) @ teacher.z)


def test_forward_and_gradient_match_autograd(teacher, data):
    w = initial_weights(NET, [0.5, 2.0, 8.0], [1, 2, 3])
    loss, grad = loss_and_gradient(w, data, teacher.z)
    ref_loss, ref_grad = _autograd_loss_and_grad(w, data, teacher.z)
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-12)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-10, atol=1e-14)
    assert hidden(w, data.features).shape == (3, 40, 16)
    assert outputs(w, data.features, teacher.z).shape == (3, 40)


def test_student_equal_to_teacher_has_zero_loss_and_gradient(teacher, data):
    loss, grad = loss_and_gradient(teacher.w, data, teacher.z)
    assert loss == 0.0
    assert np.abs(grad).max() == 0.0
    trainer = _single(teacher, data, [0.5], teacher.w[None])
    trainer.epoch()
    np.testing.assert_allclose(trainer.weights()[0], teacher.w, atol=1e-6)


def test_initial_weights_scale_and_independence_from_sharding():
    w = initial_weights(TanhNet(hidden0=320, hidden=160), [2.0], [11])
    assert np.var(w) == pytest.approx(4.0 / 320, rel=0.05)
    a = initial_weights(NET, [1.0, 4.0], [5, 6])
    b = initial_weights(NET, [4.0], [6])
    np.testing.assert_array_equal(a[1], b[0])
    with pytest.raises(ValueError, match="sigma_W values"):
        initial_weights(NET, [1.0], [1, 2])


def _loop_sgd(w: np.ndarray, data: Dataset, z: np.ndarray, lr: float, batch: int, steps: int):
    """One network, one step at a time, gradients from autograd: the reference update."""
    w = w.copy()
    for s in range(steps):
        rows = slice(s * batch, (s + 1) * batch)
        part = Dataset(data.features[rows], data.targets[rows])
        _, grad = _autograd_loss_and_grad(w, part, z)
        w -= lr * grad
    return w


@pytest.mark.parametrize(
    ("dtype", "large_lr"),
    # float32 rounding is amplified ~1e3-fold by ten steps at lr = 32: compared in float64 only
    [(torch.float64, 32.0), (torch.float32, 4.0)],
)
def test_batched_update_equals_per_network_update(teacher, data, dtype, large_lr):
    """Six networks in two groups (two teachers, interleaved): each equals its own loop."""
    other = draw_teacher(NET, 8)
    datasets = [data, make_dataset(other, 40, 9)]
    lrs = [0.125, 2.0, large_lr, 0.5, large_lr, 1.0]
    sigmas = [0.125, 1.0, 4.0, 256.0, 0.5, 2.0]
    groups = [0, 1, 0, 1, 1, 0]
    w0 = initial_weights(NET, sigmas, range(21, 27))
    trainer = SGDTrainer(
        [teacher, other], datasets, groups, lrs, w0, batch=4, loss_threshold=100.0, dtype=dtype
    )
    for s in range(trainer.steps_per_epoch):
        trainer.step(s)
    batched = trainer.weights()
    tolerance = 1e-10 if dtype == torch.float64 else 2e-4
    for n, (lr, g) in enumerate(zip(lrs, groups, strict=True)):
        z = (teacher, other)[g].z
        reference = _loop_sgd(w0[n], datasets[g], z, lr, 4, trainer.steps_per_epoch)
        scale = np.abs(reference).max()
        np.testing.assert_allclose(batched[n], reference, atol=tolerance * scale)


def test_trainer_rejects_inconsistent_input(teacher, data):
    with pytest.raises(ValueError, match="multiples of the batch"):
        _single(teacher, data, [0.1], teacher.w[None], batch=3)
    with pytest.raises(ValueError, match="learning rate and a group"):
        SGDTrainer([teacher], [data], [0], [0.1, 0.2], teacher.w[None], 4, 1.0)
    w = np.stack([teacher.w] * 3)
    with pytest.raises(ValueError, match="equally many"):
        SGDTrainer([teacher, teacher], [data, data], [0, 1, 1], [0.1] * 3, w, 4, 1.0)


def test_divergence_is_recorded_not_raised(teacher, data):
    """Network 0 (sigma_W = 4) cannot get its batch losses under a threshold of 1e-3; network 1
    has an infinite learning rate, so its W turns non-finite; network 2 starts next to the
    teacher (losses ~1e-7) and trains on until the threshold is lowered to 1e-12."""
    near_teacher = teacher.w + 1e-3 * np.random.default_rng(0).standard_normal(teacher.w.shape)
    w0 = np.concatenate([initial_weights(NET, [4.0, 4.0], [1, 2]), near_teacher[None]])
    trainer = _single(teacher, data, [0.1, np.inf, 0.1], w0, loss_threshold=1e-3)
    run = train(trainer, [0, 1, 2])
    assert run.diverged.tolist() == [True, True, False]
    assert run.diverged_epoch.tolist() == [1, 1, -1]
    assert np.isfinite(run.weights[:, 0]).all()  # the initial snapshot is kept
    assert np.isnan(run.weights[:2, 1:]).all()
    assert np.isfinite(run.weights[2]).all()
    assert torch.isfinite(trainer.weights_t).all()  # frozen networks leave no inf/NaN behind
    trainer.loss_threshold = 1e-12  # a later divergence records its own epoch
    run = train(trainer, [3])
    assert run.diverged_epoch.tolist() == [1, 1, 3]


def test_same_seeds_give_identical_runs(teacher, data):
    def run():
        w0 = initial_weights(NET, [0.5, 8.0], [3, 4])
        trainer = _single(teacher, data, [1.0, 4.0], w0)
        return train(trainer, [0, 2, 5])

    a, b = run(), run()
    np.testing.assert_array_equal(a.weights, b.weights)
    np.testing.assert_array_equal(a.snapshots, [0, 2, 5])
    assert not np.array_equal(a.weights[:, 0], a.weights[:, -1])


def test_learning_at_low_temperature_lowers_the_test_loss(teacher):
    train_set, test = make_dataset(teacher, 400, 1), make_dataset(teacher, 128, 2)
    w0 = initial_weights(NET, [0.125] * 4, range(4))
    trainer = _single(teacher, train_set, [0.5] * 4, w0)
    run = train(trainer, [0, 40])
    before, _ = loss_and_gradient(run.weights[:, 0], test, teacher.z)
    after, _ = loss_and_gradient(run.weights[:, 1], test, teacher.z)
    assert np.all(after < before / 10)
