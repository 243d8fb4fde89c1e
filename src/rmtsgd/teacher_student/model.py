"""Linear teacher-student networks trained by mini-batch SGD with added gradient noise.

Model A (seed 002 Sec 4.2, Eqs 13-28): f(x) = Z W x, Z fixed and shared by teacher and student,
only W learnt. Model B (PRE 111 (2025) 015303): one layer, f(x) = W x, i.e. Z = I, with GOE-like
noise added to every sample's gradient. Both follow the half-MSE update (Eqs 15-18, 28)

    W' = W + alpha Z^T Z [(W_t - W) C - xi],    C = (1/|B|) sum_{p in B} x_p x_p^T,

with fresh inputs x_p ~ N(0, I) at every update and an added noise matrix xi:

- ``iid`` (Eq 28): entries N(0, noise_std^2), one draw per update;
- ``goe`` (PRE): symmetric, off-diagonal N(0, eps^2) and diagonal N(0, 2 eps^2) for every sample
  (``per_sample``), so the batch average is one such draw with eps / sqrt(|B|).

``gradient: expected`` replaces C by its mean, the identity (Eq 16): the limit Eq 28 is written in.
The batch enters only through C, which is drawn from its exact law, the Wishart distribution
(Bartlett decomposition): d(d+1)/2 random numbers per network and update instead of |B| d.

All networks of a setting form one tensor W[R, h, d], updated by one batched tensor program in
float64. ``quenched`` replays the batches and noise of the first epoch in every later epoch, as
the original code did (noise drawn once, data in a fixed order); it exists for comparison only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from rmtsgd.training import NoiseBlocks, starting_weights


@dataclass(frozen=True)
class LinearTeacherStudent:
    """Fixed parts of the network: the shared matrix Z (out x h), the teacher W_t (h x d) and the
    standard deviation of the student's initial weights."""

    z: np.ndarray
    teacher: np.ndarray
    init_std: float

    def __post_init__(self) -> None:
        if self.z.ndim != 2 or self.teacher.ndim != 2 or self.z.shape[1] != self.teacher.shape[0]:
            raise ValueError(
                f"Z (out x h) and the teacher (h x d) do not chain: {self.z.shape}, "
                f"{self.teacher.shape}"
            )

    @property
    def ztz(self) -> np.ndarray:
        """Z^T Z: the preconditioner of every update (Eq 18)."""
        return self.z.T @ self.z


def degenerate_teacher(size: int, singular_value: float) -> np.ndarray:
    """A square teacher whose singular values all equal `singular_value` (sqrt(kappa)).

    Any such matrix is singular_value times an orthogonal matrix; the identity is used: another
    orthogonal O is equivalent to replacing Z by Z O, and the PRE teacher O diag(2, 2) O^T is 2 I.
    """
    return singular_value * np.eye(size)


@dataclass(frozen=True)
class SGDSettings:
    """One training setting: learning rate alpha, batch size |B| and the added noise."""

    lr: float
    batch: int
    noise_std: float
    noise: str = "iid"  # iid | goe
    per_sample: bool = False  # noise drawn per sample and averaged over the batch
    gradient: str = "minibatch"  # minibatch | expected
    quenched: bool = False
    steps_per_epoch: int = 1

    def __post_init__(self) -> None:
        if self.noise not in ("iid", "goe"):
            raise ValueError(f"noise must be 'iid' or 'goe', got {self.noise!r}")
        if self.gradient not in ("minibatch", "expected"):
            raise ValueError(f"gradient must be 'minibatch' or 'expected', got {self.gradient!r}")

    @property
    def noise_scale(self) -> float:
        """Standard deviation of the noise in one update (per-sample noise averaged over |B|)."""
        return self.noise_std / np.sqrt(self.batch) if self.per_sample else self.noise_std


def chi2_draws(replicas: int, batch: int, dim: int, generator: torch.Generator) -> torch.Tensor:
    """chi^2(|B| - i) for i = 0 .. dim-1, one row per replica: (R, d); chi^2(0) is 0."""
    dof = batch - torch.arange(dim, dtype=torch.float64, device=generator.device)
    shape = 0.5 * dof.clamp(min=0.0).expand(replicas, dim).contiguous()
    # chi^2(k) = 2 Gamma(k/2); the shape is kept positive for the sampler and zeroed after
    gamma = torch._standard_gamma(shape.clamp(min=1e-300), generator=generator)
    return torch.where(shape > 0, 2.0 * gamma, torch.zeros_like(gamma))


def wishart_batch_covariance(chi2: torch.Tensor, lower: torch.Tensor, batch: int) -> torch.Tensor:
    """C = (1/|B|) sum_p x_p x_p^T for |B| inputs x_p ~ N(0, I_d), one per replica: (R, d, d).

    Bartlett: sum_p x_p x_p^T = L L^T with L lower triangular, L_ii^2 = chi2[:, i] ~
    chi^2(|B| - i) and the d(d-1)/2 entries below the diagonal, `lower`, standard normal
    (row-major order). Exact for |B| >= d - 1.
    """
    replicas, dim = chi2.shape
    if batch < dim - 1:
        raise ValueError(f"the Bartlett draw needs |B| >= d - 1 = {dim - 1}, got {batch}")
    factor = torch.diag_embed(chi2.sqrt())
    rows, cols = torch.tril_indices(dim, dim, offset=-1, device=chi2.device)
    factor[:, rows, cols] = lower
    return factor @ factor.transpose(1, 2) / batch


class TeacherStudentTrainer:
    """Batched SGD of R independent students of one setting (see the module docstring).

    The normals of an update (the Wishart factor's lower triangle and the noise) come in one
    block from `NoiseBlocks`, drawn in `noise_dtype`; the chi^2 draws and all arithmetic are
    float64. Divergence: a network whose weights turn non-finite or whose largest singular value
    passes `divergence_threshold` is flagged with its update count and frozen at W = 0, so that
    its values cannot slow the batched arithmetic; its snapshots from then on are NaN.
    """

    def __init__(
        self,
        net: LinearTeacherStudent,
        sgd: SGDSettings,
        replicas: int,
        seed: int,
        device: torch.device | str = "cpu",
        noise_dtype: torch.dtype = torch.float32,
        divergence_threshold: float = 1e3,
        initial_weights: torch.Tensor | None = None,
    ) -> None:
        self.net, self.sgd, self.replicas, self.seed = net, sgd, replicas, seed
        self.device = torch.device(device)
        self.threshold = divergence_threshold
        self.generator = torch.Generator(device=self.device).manual_seed(seed)
        as_tensor = {"dtype": torch.float64, "device": self.device}
        ztz = torch.as_tensor(net.ztz, **as_tensor)
        self.ztz = None if torch.equal(ztz, torch.eye(len(ztz), **as_tensor)) else ztz
        self.teacher = torch.as_tensor(net.teacher, **as_tensor)
        self.shape = tuple(net.teacher.shape)
        self.weights = starting_weights(
            initial_weights, (replicas, *self.shape), net.init_std, self.generator
        )
        dim = self.shape[1]
        self._n_lower = replicas * dim * (dim - 1) // 2 if sgd.gradient == "minibatch" else 0
        block = self._n_lower + replicas * self.shape[0] * dim
        self.normals = NoiseBlocks(block, self.generator, torch.float64, noise_dtype)
        self.diverged = torch.zeros(replicas, dtype=torch.bool, device=self.device)
        self.diverged_at = torch.full((replicas,), -1, dtype=torch.long, device=self.device)
        self.updates_done = 0
        self._epoch_draws = self._draw_epoch() if sgd.quenched else None

    def draw(self) -> tuple[torch.Tensor | None, torch.Tensor]:
        """Batch covariance C (None for the expected gradient) and noise xi of one update.

        Both are fresh tensors (the normals' buffer is reused by the next draw).
        """
        block = self.normals.next()
        covariance = None
        if self.sgd.gradient == "minibatch":
            chi2 = chi2_draws(self.replicas, self.sgd.batch, self.shape[1], self.generator)
            lower = block[: self._n_lower].view(self.replicas, -1)
            covariance = wishart_batch_covariance(chi2, lower, self.sgd.batch)
        normal = block[self._n_lower :].view(self.replicas, *self.shape)
        if self.sgd.noise == "goe":
            # (g + g^T)/sqrt 2: off-diagonal N(0, 1), diagonal N(0, 2)
            normal = (normal + normal.transpose(1, 2)) / np.sqrt(2.0)
        return covariance, self.sgd.noise_scale * normal

    def _draw_epoch(self) -> list[tuple[torch.Tensor | None, torch.Tensor]]:
        return [self.draw() for _ in range(self.sgd.steps_per_epoch)]

    def update(self, covariance: torch.Tensor | None, noise: torch.Tensor) -> None:
        """W <- W + alpha Z^T Z [(W_t - W) C - xi] for every replica."""
        error = self.teacher - self.weights
        if covariance is None:
            error -= noise
        else:
            error = torch.baddbmm(noise, error, covariance, beta=-1.0)
        if self.ztz is not None:
            error = self.ztz @ error
        self.weights.add_(error, alpha=self.sgd.lr)

    def step(self) -> None:
        """One update of every replica, with fresh (or, quenched, replayed) batch and noise."""
        if self._epoch_draws is None:
            covariance, noise = self.draw()
        else:
            covariance, noise = self._epoch_draws[self.updates_done % self.sgd.steps_per_epoch]
        self.update(covariance, noise)
        self.updates_done += 1

    def check_divergence(self) -> int:
        """Flag replicas with non-finite weights or a singular value above the threshold."""
        finite = torch.isfinite(self.weights).all(dim=(1, 2))
        safe = torch.where(finite[:, None, None], self.weights, torch.zeros_like(self.weights))
        largest = torch.linalg.matrix_norm(safe, ord=2)
        new = (~finite | (largest > self.threshold)) & ~self.diverged
        if new.any():
            self.diverged |= new
            self.diverged_at[new] = self.updates_done
            self.weights[new] = 0.0
        return int(new.sum())

    def snapshot(self) -> np.ndarray:
        """Current weights as float64 numpy, NaN for diverged replicas."""
        weights = self.weights.detach().to("cpu").numpy().copy()
        weights[self.diverged.cpu().numpy()] = np.nan
        return weights


def trainer_from_spec(spec: dict, device: torch.device | str = "cpu") -> TeacherStudentTrainer:
    """A trainer from the plain settings a pipeline rule passes (see workflow/rules).

    Keys: z, teacher_singular_value, init_std, lr, batch, noise_std, noise, per_sample,
    gradient, quenched, steps_per_epoch, networks, seed, noise_dtype, divergence_threshold.
    """
    z = np.asarray(spec["z"], dtype=np.float64)
    net = LinearTeacherStudent(
        z, degenerate_teacher(z.shape[1], spec["teacher_singular_value"]), spec["init_std"]
    )
    sgd = SGDSettings(
        lr=spec["lr"],
        batch=spec["batch"],
        noise_std=spec["noise_std"],
        noise=spec["noise"],
        per_sample=spec["per_sample"],
        gradient=spec["gradient"],
        quenched=spec["quenched"],
        steps_per_epoch=spec["steps_per_epoch"],
    )
    return TeacherStudentTrainer(
        net,
        sgd,
        replicas=spec["networks"],
        seed=spec["seed"],
        device=device,
        noise_dtype=getattr(torch, spec["noise_dtype"]),
        divergence_threshold=spec["divergence_threshold"],
    )
