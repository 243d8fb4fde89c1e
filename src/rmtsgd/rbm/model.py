"""Gaussian RBM learning a free lattice scalar field by persistent contrastive divergence.

The model (seed 002 Eq 10, bias 0) is p(phi, h) ~ exp(-S) with
S = mu^2/2 phi.phi + h.h/(2 sigma_h^2) - phi^T W h, W stored as (Nv, Nh). Integrating out h
gives a Gaussian for phi with precision mu^2 - sigma_h^2 W W^T. The target is the
periodic 1D lattice field with precision K = (2 + m^2) I - S - S^T (spec/rbm.md).

Every replica of a setting is trained at once: W has shape (R, Nv, Nh) and the persistent
chains (R, |B|, Nv), so one update is a handful of batched tensor operations whatever R is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from rmtsgd.training import NoiseBlocks, starting_weights


@dataclass(frozen=True)
class GaussianRBM:
    """Architecture and fixed hyperparameters of the RBM and of its lattice target."""

    nv: int = 10
    nh: int = 10
    mu2: float = 9.0
    sigma_h: float = 1.0
    m2: float = 4.0

    def kappa(self) -> np.ndarray:
        """Target eigenvalues, sorted ascending (see `lattice_kappa`)."""
        return lattice_kappa(self.nv, self.m2)


@dataclass(frozen=True)
class PCDSettings:
    """One training setting: learning rate alpha, number of persistent chains |B|, CD steps k."""

    lr: float
    batch: int
    k: int = 3
    init_std: float = 0.1


def lattice_kappa(n: int, m2: float) -> np.ndarray:
    """Eigenvalues kappa_n = m^2 + 2 - 2 cos(2 pi n / N) of the periodic lattice, ascending."""
    modes = np.arange(n)
    return np.sort(m2 + 2.0 - 2.0 * np.cos(2.0 * np.pi * modes / n))


def lattice_precision(n: int, m2: float) -> np.ndarray:
    """Precision matrix K = (2 + m^2) I - S - S^T of the free periodic lattice field."""
    shift = np.roll(np.eye(n), 1, axis=1)
    return (2.0 + m2) * np.eye(n) - shift - shift.T


class PCDTrainer:
    """Batched PCD training of R independent Gaussian RBMs sharing one setting.

    Each update advances every chain by one h-sample, then k rounds of (phi-sample, h-sample);
    the last phi samples give the model correlator. The data correlator is exactly K^{-1}.
    All Gaussian noise of an update comes in one block from `NoiseBlocks`; with float32 noise
    the arithmetic, the chains and the weights still stay in `dtype`.
    """

    def __init__(
        self,
        rbm: GaussianRBM,
        pcd: PCDSettings,
        replicas: int,
        seed: int,
        device: torch.device | str = "cpu",
        dtype: torch.dtype = torch.float64,
        noise_dtype: torch.dtype = torch.float32,
        initial_weights: torch.Tensor | None = None,
    ) -> None:
        self.rbm, self.pcd, self.replicas, self.seed = rbm, pcd, replicas, seed
        self.device, self.dtype = torch.device(device), dtype
        generator = torch.Generator(device=self.device).manual_seed(seed)
        self.weights = starting_weights(
            initial_weights, (replicas, rbm.nv, rbm.nh), pcd.init_std, generator, dtype
        )
        self.data_corr = torch.as_tensor(
            np.linalg.inv(lattice_precision(rbm.nv, rbm.m2)), dtype=dtype, device=self.device
        )
        self.phi = torch.ones(replicas, pcd.batch, rbm.nv, dtype=dtype, device=self.device)
        self.hidden = torch.empty(replicas, pcd.batch, rbm.nh, dtype=dtype, device=self.device)
        self._n_h = (pcd.k + 1) * replicas * pcd.batch * rbm.nh
        n_phi = pcd.k * replicas * pcd.batch * rbm.nv
        self.noise = NoiseBlocks(self._n_h + n_phi, generator, dtype, noise_dtype)
        self.diverged = torch.zeros(replicas, dtype=torch.bool, device=self.device)
        self.diverged_at = torch.full((replicas,), -1, dtype=torch.long, device=self.device)
        self.updates_done = 0

    def step(self) -> None:
        """One PCD update of every replica."""
        rbm, pcd = self.rbm, self.pcd
        block = self.noise.next()
        h_noise = block[: self._n_h].view(pcd.k + 1, self.replicas, pcd.batch, rbm.nh)
        phi_noise = block[self._n_h :].view(pcd.k, self.replicas, pcd.batch, rbm.nv)
        s, mu2 = rbm.sigma_h, rbm.mu2
        weights_t = self.weights.transpose(1, 2).contiguous()
        # h | phi ~ N(sigma_h^2 W^T phi, sigma_h^2);  phi | h ~ N(W h / mu^2, 1 / mu^2)
        torch.baddbmm(h_noise[0], self.phi, self.weights, beta=s, alpha=s * s, out=self.hidden)
        for r in range(pcd.k):
            torch.baddbmm(
                phi_noise[r], self.hidden, weights_t, beta=mu2**-0.5, alpha=1 / mu2, out=self.phi
            )
            torch.baddbmm(
                h_noise[r + 1], self.phi, self.weights, beta=s, alpha=s * s, out=self.hidden
            )
        # dW = alpha sigma_h^2 (<phi phi^T>_data - <phi phi^T>_model) W
        corr_gap = torch.baddbmm(
            self.data_corr, self.phi.transpose(1, 2), self.phi, alpha=-1.0 / pcd.batch
        )
        self.weights = torch.baddbmm(self.weights, corr_gap, self.weights, alpha=pcd.lr * s * s)
        self.updates_done += 1

    def largest_x(self) -> torch.Tensor:
        """Largest x = sigma_h^2 xi^2 per replica (NaN where weights are not finite)."""
        gram = self.weights.transpose(1, 2) @ self.weights
        finite = torch.isfinite(gram).all(dim=(1, 2))
        safe = torch.where(finite[:, None, None], gram, torch.zeros_like(gram))
        top = torch.linalg.eigvalsh(safe)[:, -1] * self.rbm.sigma_h**2
        return torch.where(finite, top, torch.full_like(top, float("nan")))

    def check_divergence(self) -> int:
        """Flag replicas with non-finite state or an x at or above mu^2; return how many new.

        A flagged replica is frozen (weights 0, chains reset) so that its inf/NaN values cannot
        slow the batched arithmetic; its snapshots from then on are NaN.
        """
        x_top = self.largest_x()
        chains_ok = torch.isfinite(self.phi).all(dim=(1, 2))
        bad = ~(x_top < self.rbm.mu2) | ~chains_ok
        new = bad & ~self.diverged
        if new.any():
            self.diverged |= new
            self.diverged_at[new] = self.updates_done
            self.weights[new] = 0.0
            self.phi[new] = 1.0
        return int(new.sum())

    def snapshot(self) -> np.ndarray:
        """Current weights as float64 numpy, NaN for diverged replicas."""
        weights = self.weights.detach().to("cpu", torch.float64).numpy().copy()
        weights[self.diverged.cpu().numpy()] = np.nan
        return weights
