"""The batched PCD trainer: Gibbs sampler statistics, reproducibility, divergence handling."""

import numpy as np
import pytest
import torch

from rmtsgd.config import snapshot_schedule
from rmtsgd.models.rbm import (
    GaussianRBM,
    PCDSettings,
    PCDTrainer,
    lattice_kappa,
    lattice_precision,
)
from rmtsgd.models.training import train_ensemble

RBM = GaussianRBM()


def test_lattice_target_matches_spec():
    kappa = lattice_kappa(10, 4.0)
    expected = [4, 4.382, 4.382, 5.382, 5.382, 6.618, 6.618, 7.618, 7.618, 8]
    np.testing.assert_allclose(kappa, expected, atol=1e-3)
    np.testing.assert_allclose(np.linalg.eigvalsh(lattice_precision(10, 4.0)), kappa)


@pytest.mark.parametrize("noise_dtype", [torch.float32, torch.float64])
def test_gibbs_chains_sample_the_model_covariance(noise_dtype):
    """With alpha = 0 the chains sample p(phi) ~ exp(-phi^T (mu^2 - sigma_h^2 W W^T) phi / 2)."""
    rng = np.random.default_rng(5)
    w = rng.normal(0.0, 0.5, size=(RBM.nv, RBM.nh))
    w *= np.sqrt(6.0) / np.linalg.norm(w, 2)  # largest x = 6 < mu^2: strongly correlated chains
    expected = np.linalg.inv(RBM.mu2 * np.eye(RBM.nv) - RBM.sigma_h**2 * w @ w.T)
    trainer = PCDTrainer(
        RBM,
        PCDSettings(lr=0.0, batch=4000),
        replicas=1,
        seed=11,
        noise_dtype=noise_dtype,
        initial_weights=torch.as_tensor(w[None]),
    )
    for _ in range(20):  # burn in from phi = 1
        trainer.step()
    estimates = []
    for _ in range(40):
        trainer.step()
        phi = trainer.phi[0].numpy()
        estimates.append(phi.T @ phi / len(phi))
    estimates = np.array(estimates)
    mean = estimates.mean(axis=0)
    error = estimates.std(axis=0, ddof=1) / np.sqrt(len(estimates))
    pulls = (mean - expected) / error
    assert np.max(np.abs(pulls)) < 5.0, np.max(np.abs(pulls))
    # and the sampler is not trivially wrong by a scale factor
    np.testing.assert_allclose(np.diag(mean), np.diag(expected), rtol=0.03)


def _train(seed, steps=30, replicas=8):
    trainer = PCDTrainer(RBM, PCDSettings(lr=0.1, batch=8), replicas=replicas, seed=seed)
    return train_ensemble(trainer, snapshot_schedule(steps, 10))


def test_same_seed_gives_identical_weights():
    a, b = _train(seed=3), _train(seed=3)
    np.testing.assert_array_equal(a.weights, b.weights)
    assert a.seed == b.seed == 3
    assert not np.array_equal(a.weights, _train(seed=4).weights)


def test_learning_moves_x_towards_the_target():
    trainer = PCDTrainer(RBM, PCDSettings(lr=0.1, batch=16), replicas=16, seed=1)
    ensemble = train_ensemble(trainer, [3000])
    x = np.linalg.svd(ensemble.weights[:, -1], compute_uv=False) ** 2
    target = RBM.mu2 - lattice_kappa(RBM.nv, RBM.m2)  # descending x
    # the fast modes (largest x) have settled within a few tenths
    np.testing.assert_allclose(np.median(x, axis=0)[:5], target[:5], atol=0.3)


def test_diverging_replicas_are_recorded_not_fatal():
    replicas = 6
    weights = 0.1 * torch.randn(replicas, RBM.nv, RBM.nh, dtype=torch.float64)
    weights[0] = 3.2 * torch.eye(RBM.nv, dtype=torch.float64)  # x = 10.24 > mu^2 from the start
    weights[1] = 2.99 * torch.eye(RBM.nv, dtype=torch.float64)  # x = 8.94: pushed over by noise
    trainer = PCDTrainer(
        RBM, PCDSettings(lr=2.0, batch=1), replicas, seed=2, initial_weights=weights
    )
    ensemble = train_ensemble(trainer, snapshot_schedule(200, 50), check_every=10)
    assert ensemble.diverged[0] and ensemble.diverged_at[0] == 10
    assert ensemble.diverged[1]
    for r in range(replicas):
        if ensemble.diverged[r]:
            after = ensemble.snapshots >= ensemble.diverged_at[r]
            assert np.isnan(ensemble.weights[r, after]).all()
        else:
            assert np.isfinite(ensemble.weights[r]).all()
    assert torch.isfinite(trainer.weights).all()  # frozen replicas leave no inf/NaN behind


def test_snapshot_schedule():
    np.testing.assert_array_equal(snapshot_schedule(100, 30), [30, 60, 90, 100])
    with pytest.raises(ValueError, match="snapshot interval"):
        snapshot_schedule(100, 101)
