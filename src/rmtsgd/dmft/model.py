"""A single-layer classifier of a high-dimensional Gaussian mixture trained by persistent SGD
(seed 003, Mignacco, Krzakala, Urbani, Zdeborova, NeurIPS 2020; spec/dmft_gaussian_mixture.md).

Data: n = alpha d samples x_mu = c_mu v* / sqrt(d) + sqrt(Delta) z_mu with v*, z_mu ~ N(0, I_d).
K = 2: c = +-1 (equally likely), label y = c. K = 3: c in {-1, 0, +1} with probabilities
(rho/2, 1 - rho, rho/2), y = +1 for |c| = 1 and -1 for c = 0. The classifier reads
h = w.x / sqrt(d) through phi(h) (linear: phi = h; even: phi = h^2 - offset) and predicts
sign(phi(h)).

Training minimises sum_mu s_mu(t) l(y_mu, phi(h_mu)) + lambda |w|^2 / 2 by steps of size eta,
where s_mu(t) in {0, 1} is the persistent batch process: s(0) ~ Bernoulli(b); every step a
sample leaves (1 -> 0) with probability (1 - b) eta / (b tau) and joins (0 -> 1) with
probability eta / tau. b = 1 is gradient descent, tau = eta / b plain SGD with a fresh
Bernoulli(b) batch every step. Time is t = eta x steps.

Everything the dynamics needs of the loss is l'(h) and l''(h), derivatives with respect to h
through the read-out; `Problem.loss_terms` gives them for any pair of loss and read-out.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import torch
from scipy import optimize
from scipy.special import erfc

from rmtsgd.progress import Progress

log = logging.getLogger(__name__)

LOSSES = ("logistic", "square")
READOUTS = ("linear", "even")


# --------------------------------------------------------------------------- losses, read-outs


def loss_in_phi(name: str, y: torch.Tensor, phi: torch.Tensor):
    """l(y, phi) and its first two derivatives in phi, for labels y = +-1."""
    if name == "logistic":
        margin = y * phi
        value = torch.nn.functional.softplus(-margin)  # log(1 + e^{-y phi}), stable
        wrong = torch.sigmoid(-margin)
        return value, -y * wrong, wrong * (1.0 - wrong)
    if name == "square":
        residual = phi - y
        return 0.5 * residual * residual, residual, torch.ones_like(phi)
    raise ValueError(f"unknown loss {name!r}, expected one of {LOSSES}")


def readout(name: str, h: torch.Tensor, offset: float):
    """phi(h) and its first two derivatives."""
    if name == "linear":
        return h, torch.ones_like(h), torch.zeros_like(h)
    if name == "even":
        return h * h - offset, 2.0 * h, torch.full_like(h, 2.0)
    raise ValueError(f"unknown read-out {name!r}, expected one of {READOUTS}")


@dataclass(frozen=True)
class Problem:
    """The mixture, the classifier and the loss; every [U] choice of the spec is a field."""

    clusters: int = 2  # K
    alpha: float = 2.0  # samples per dimension, n = alpha d
    delta: float = 0.5  # Delta, the clusters' variance
    rho: float = 0.5  # K = 3: probability of |c| = 1
    loss: str = "logistic"
    readout: str = "linear"
    offset: float = 1.0  # L of the even read-out phi = h^2 - L
    lam: float = 0.0  # lambda, ridge penalty

    def __post_init__(self) -> None:
        if self.clusters not in (2, 3):
            raise ValueError(f"clusters must be 2 or 3, got {self.clusters}")
        if self.alpha <= 0 or self.delta <= 0:
            raise ValueError(f"alpha and delta must be > 0, got {self.alpha}, {self.delta}")
        if self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}, expected one of {LOSSES}")
        if self.readout not in READOUTS:
            raise ValueError(f"unknown read-out {self.readout!r}, expected one of {READOUTS}")
        if self.clusters == 3 and not 0.0 < self.rho < 1.0:
            raise ValueError(f"rho must be in (0, 1), got {self.rho}")
        wanted = "linear" if self.clusters == 2 else "even"
        if self.readout != wanted:
            raise ValueError(
                f"{self.clusters} clusters need the {wanted} read-out (labels "
                f"{'y = c' if self.clusters == 2 else 'y = 2|c| - 1'}), got {self.readout!r}"
            )

    def sample_clusters(self, shape: tuple[int, ...], generator: torch.Generator) -> torch.Tensor:
        """Cluster labels c (float64): +-1 for K = 2; -1, 0, +1 for K = 3."""
        u = torch.rand(shape, generator=generator, dtype=torch.float64, device=generator.device)
        if self.clusters == 2:
            return torch.where(u < 0.5, -1.0, 1.0).to(torch.float64)
        half = self.rho / 2
        return (u >= 1.0 - half).to(torch.float64) - (u < half).to(torch.float64)

    def labels(self, c: torch.Tensor) -> torch.Tensor:
        """y = c for K = 2; y = +1 for |c| = 1 and -1 for c = 0 for K = 3."""
        return c if self.clusters == 2 else 2.0 * c.abs() - 1.0

    def loss_terms(self, h: torch.Tensor, y: torch.Tensor):
        """l, l' = dl/dh and l'' = d^2 l/dh^2 of samples with pre-activation h and label y."""
        phi, d_phi, dd_phi = readout(self.readout, h, self.offset)
        value, d1, d2 = loss_in_phi(self.loss, y, phi)
        return value, d1 * d_phi, d2 * d_phi * d_phi + d1 * dd_phi

    def misclassified(self, h: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """1 where sign(phi(h)) differs from y (phi = 0 counts as wrong), else 0."""
        phi, _, _ = readout(self.readout, h, self.offset)
        return (y * phi <= 0).to(h.dtype)

    def test_error(self, m: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Exact population error of weights with overlap m = w.v*/d and C = |w|^2/d.

        A fresh sample has h = c m + sqrt(Delta C) xi with xi ~ N(0, 1), at any d.
        """
        m, scale = np.asarray(m, float), np.sqrt(self.delta * np.asarray(q, float))
        if self.readout == "linear":  # K = 2 (validated): wrong when c h < 0
            return 0.5 * erfc(m / (np.sqrt(2.0) * scale))
        root = math.sqrt(self.offset)  # K = 3, even read-out: +1 iff h^2 > L
        outer_wrong = _gauss_cdf((root - m) / scale) - _gauss_cdf((-root - m) / scale)
        centre_wrong = 2.0 * _gauss_cdf(-root / scale)
        return self.rho * outer_wrong + (1.0 - self.rho) * centre_wrong

    def early_laws(self, b: float, weight: float = 1.0) -> tuple[float, float]:
        """Slopes of m ~ a_m t and C ~ a_C t^2 from w(0) = 0 while t << b tau (spec, K = 2):
        a_m = -alpha b l'(1, 0), a_C = alpha (alpha b^2 + Delta b) l'(1, 0)^2, with l' times the
        batch weight (1/b when the batch loss is divided by b)."""
        zero = torch.zeros(1, dtype=torch.float64)
        _, d1, _ = self.loss_terms(zero, torch.ones(1, dtype=torch.float64))
        slope = weight * float(d1[0])
        return (
            -self.alpha * b * slope,
            self.alpha * (self.alpha * b * b + self.delta * b) * slope**2,
        )


def _gauss_cdf(x: np.ndarray) -> np.ndarray:
    return 0.5 * erfc(-np.asarray(x) / np.sqrt(2.0))


# --------------------------------------------------------------------------- batch process


@dataclass(frozen=True)
class BatchProcess:
    """Persistent SGD's selection process s(t) in {0, 1} at step size eta (spec)."""

    b: float  # stationary batch fraction, in (0, 1]
    tau: float  # persistence time
    eta: float  # step size; t = eta x steps
    weight: float = 1.0  # a selected sample's loss enters the gradient times this (1/b: mean)

    def __post_init__(self) -> None:
        if not 0.0 < self.b <= 1.0:
            raise ValueError(f"b must be in (0, 1], got {self.b}")
        if self.tau <= 0 or self.eta <= 0:
            raise ValueError(f"tau and eta must be > 0, got {self.tau}, {self.eta}")
        if self.b < 1.0 and self.eta > self.max_eta(self.b, self.tau) * (1 + 1e-12):
            raise ValueError(
                f"eta = {self.eta} exceeds tau min(1, b/(1-b)) = "
                f"{self.max_eta(self.b, self.tau):.6g}: a flip probability would exceed 1"
            )

    @staticmethod
    def max_eta(b: float, tau: float) -> float:
        """Largest step size for which both flip probabilities are at most 1 (b < 1; at b = 1
        every sample stays selected and eta is unbounded)."""
        return tau if b >= 0.5 else tau * b / (1.0 - b)

    @property
    def join(self) -> float:
        """P(0 -> 1) per step."""
        return min(1.0, self.eta / self.tau)

    @property
    def leave(self) -> float:
        """P(1 -> 0) per step."""
        return min(1.0, (1.0 - self.b) * self.eta / (self.b * self.tau))

    def initial(self, shape: tuple[int, ...], generator: torch.Generator) -> torch.Tensor:
        """s(0) ~ Bernoulli(b), float64 zeros and ones."""
        u = torch.rand(shape, generator=generator, dtype=torch.float64, device=generator.device)
        return (u < self.b).to(torch.float64)

    def step(self, s: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """s at the next step."""
        u = torch.rand(s.shape, generator=generator, dtype=torch.float64, device=s.device)
        stay_in = (s > 0.5) & (u >= self.leave)
        join = (s < 0.5) & (u < self.join)
        return (stay_in | join).to(torch.float64)

    def autocovariance(self, lags: np.ndarray) -> np.ndarray:
        """Exact E[s_k s_{k+l}] - b^2 = b (1 - b) (1 - join - leave)^l of the chain; as eta -> 0
        this is the telegraph law b (1 - b) exp(-l eta / (b tau))."""
        return self.b * (1.0 - self.b) * (1.0 - self.join - self.leave) ** np.asarray(lags)


# --------------------------------------------------------------------------- initial weights


@dataclass(frozen=True)
class Start:
    """w(0) = m0 v* + s0 xi with xi ~ N(0, I_d): m(0) = m0 and C(0, 0) = m0^2 + s0^2 as d grows
    (m0 > 0 is the warm start an even read-out needs: m = 0 is a fixed point there)."""

    s0: float = 0.0
    m0: float = 0.0


# --------------------------------------------------------------------------- simulation


@dataclass
class Simulation:
    """Learning curves of independent finite-d systems (one per seed), every step recorded."""

    t: np.ndarray  # (T + 1,) times eta k
    m: np.ndarray  # (S, T + 1) w.v*/d
    q: np.ndarray  # (S, T + 1) C(t, t) = |w|^2/d
    train_loss: np.ndarray  # (S, T + 1) mean l(y, phi(h)) over the training set
    train_error: np.ndarray  # (S, T + 1) share of misclassified training samples
    test_error: np.ndarray  # (S, T + 1) exact population error (Problem.test_error)
    batch_fraction: np.ndarray  # (S, T + 1) share of samples with s = 1
    s_autocovariance: np.ndarray  # (S, L) measured autocovariance of s at lags 0..L-1
    diverged: np.ndarray  # (S,) bool: w stopped being finite
    diverged_at: np.ndarray  # (S,) step of divergence, -1 if never
    seed: int


def simulate(
    problem: Problem,
    batch: BatchProcess,
    start: Start,
    d: int,
    steps: int,
    seeds: int,
    seed: int,
    max_lag: int = 0,
    chunk: int | None = None,
    device: torch.device | str = "cpu",
    progress_seconds: float = 30.0,
) -> Simulation:
    """Persistent SGD of `seeds` independent systems of dimension d, batched: `chunk` systems
    (default all) advance together in one tensor program, chunks one after the other.

    Every system has its own v*, training set, initial weights and batch process (one seeded
    generator draws them, chunk by chunk). Observables are recorded at every step; `max_lag` > 0
    also measures the autocovariance of s over the whole run. A system whose weights stop
    being finite is frozen and recorded (`diverged`, NaN curves from then on).
    """
    gen = torch.Generator(device=device).manual_seed(seed)
    chunk = chunk or seeds
    sizes = [min(chunk, seeds - lo) for lo in range(0, seeds, chunk)]
    progress = Progress(
        max(steps, 1) * len(sizes), log, unit="step", every_seconds=progress_seconds
    )
    parts = [
        _simulate_systems(problem, batch, start, d, steps, size, gen, max_lag, progress, i)
        for i, size in enumerate(sizes)
    ]
    joined = {key: np.concatenate([part[key] for part in parts]) for key in parts[0]}
    return Simulation(t=batch.eta * np.arange(steps + 1), **joined, seed=seed)


def draw_data(problem: Problem, d: int, seeds: int, gen: torch.Generator):
    """v* (seeds, d), labels y (seeds, n) and samples x (seeds, n, d) of `seeds` independent
    systems with n = alpha d, drawn by `gen` in this order."""
    f64 = {"dtype": torch.float64, "device": gen.device}
    n = round(problem.alpha * d)
    v_star = torch.randn((seeds, d), generator=gen, **f64)
    c = problem.sample_clusters((seeds, n), gen)
    x = c[..., None] * v_star[:, None, :] / math.sqrt(d)
    # the data's noise from torch's float32 sampler (about 3.5x its float64 rate; 24-bit
    # resolution is far below anything a finite-d fluctuation resolves), arithmetic in float64
    noise = torch.randn((seeds, n, d), generator=gen, dtype=torch.float32, device=gen.device)
    x += math.sqrt(problem.delta) * noise
    return v_star, problem.labels(c), x


def _simulate_systems(problem, batch, start, d, steps, seeds, gen, max_lag, progress, done):
    """One chunk of `simulate`: its arrays by Simulation field (all but t and seed)."""
    device = gen.device
    f64 = {"dtype": torch.float64, "device": device}
    v_star, y, x = draw_data(problem, d, seeds, gen)
    n = y.shape[1]
    w = start.m0 * v_star + start.s0 * torch.randn((seeds, d), generator=gen, **f64)
    s = batch.initial((seeds, n), gen)

    curves = {k: np.full((seeds, steps + 1), np.nan) for k in _CURVES}
    s_history = torch.empty((steps + 1, seeds, n), dtype=torch.bool, device=device)
    diverged = torch.zeros(seeds, dtype=torch.bool, device=device)
    diverged_at = torch.full((seeds,), -1, dtype=torch.int64, device=device)
    for k in range(steps + 1):
        h = torch.einsum("snd,sd->sn", x, w) / math.sqrt(d)
        value, d1, _ = problem.loss_terms(h, y)
        _record(curves, k, problem, w, v_star, value, h, y, s, d)
        s_history[k] = s > 0.5
        if k == steps:
            break
        grad = batch.weight * torch.einsum("sn,snd->sd", s * d1, x) / math.sqrt(d)
        grad += problem.lam * w
        w = torch.where(diverged[:, None], w, w - batch.eta * grad)
        bad = ~torch.isfinite(w).all(dim=1) & ~diverged
        diverged_at[bad] = k + 1
        diverged |= bad
        s = batch.step(s, gen)
        progress.update(done * steps + k + 1)
    dead = diverged.cpu().numpy()
    for key in _CURVES:  # a diverged system's curves are NaN from its divergence on
        for i in np.flatnonzero(dead):
            curves[key][i, int(diverged_at[i]) :] = np.nan
    return {
        **curves,
        "s_autocovariance": _autocovariance(s_history, max_lag),
        "diverged": dead,
        "diverged_at": diverged_at.cpu().numpy(),
    }


_CURVES = ("m", "q", "train_loss", "train_error", "test_error", "batch_fraction")


def _record(curves, k, problem, w, v_star, value, h, y, s, d) -> None:
    """Write step k's observables of every system into `curves`."""
    m = ((w * v_star).sum(dim=1) / d).cpu().numpy()
    q = ((w * w).sum(dim=1) / d).cpu().numpy()
    curves["m"][:, k], curves["q"][:, k] = m, q
    curves["train_loss"][:, k] = value.mean(dim=1).cpu().numpy()
    curves["train_error"][:, k] = problem.misclassified(h, y).mean(dim=1).cpu().numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        curves["test_error"][:, k] = problem.test_error(m, q)
    curves["batch_fraction"][:, k] = s.mean(dim=1).cpu().numpy()


def _autocovariance(history: torch.Tensor, max_lag: int) -> np.ndarray:
    """Autocovariance of s at lags 0..max_lag-1 per system, pooled over its samples and time."""
    if max_lag <= 0:
        return np.zeros((history.shape[1], 0))
    s = history.to(torch.float64)
    s = s - s.mean(dim=(0, 2), keepdim=True)
    lags = range(min(max_lag, s.shape[0]))
    out = [(s[: s.shape[0] - lag] * s[lag:]).mean(dim=(0, 2)) for lag in lags]
    return torch.stack(out, dim=1).cpu().numpy()


# --------------------------------------------------------------------------- empirical risk


@dataclass
class Minimisers:
    """The empirical-risk minimisers of independent finite-d systems (one row per system)."""

    m: np.ndarray  # (S,) w*.v*/d
    q: np.ndarray  # (S,) |w*|^2/d
    train_loss: np.ndarray  # (S,) mean l(y, phi(h)) over the training set
    train_error: np.ndarray  # (S,) share of misclassified training samples
    test_error: np.ndarray  # (S,) exact population error
    bound: np.ndarray  # (S,) |grad| / (lambda sqrt(d)) >= |w - w*| / sqrt(d): the optimiser's
    #                    distance to the minimiser, which bounds its error in m and sqrt(q)
    iterations: np.ndarray  # (S,) L-BFGS iterations
    seed: int


def minimise(problem: Problem, d: int, systems: int, seed: int, gtol: float = 1e-9) -> Minimisers:
    """Minimise the full-batch risk sum_mu l(y_mu, phi(h_mu)) + lambda |w|^2 / 2 of `systems`
    independent systems of dimension d (data drawn as the simulator draws them) by L-BFGS.

    Needs a convex, strongly convex risk (linear read-out, lambda > 0): then the minimiser is
    unique and |w - w*| <= |grad| / lambda, recorded as `bound`. Raises if a system's bound
    exceeds 1e-6 (the optimiser stopped short).
    """
    if problem.readout != "linear" or problem.lam <= 0:
        raise ValueError(
            "the empirical-risk minimiser needs a strongly convex risk: a linear read-out and "
            f"lambda > 0, got read-out {problem.readout!r} and lambda = {problem.lam}"
        )
    gen = torch.Generator().manual_seed(seed)
    rows = []
    for _ in range(systems):  # one system's data at a time: memory alpha d^2 floats
        v_star, y, x = (a[0] for a in draw_data(problem, d, 1, gen))
        rows.append(_minimise_one(problem, v_star, y, x, gtol))
    columns = {key: np.array([row[key] for row in rows]) for key in rows[0]}
    return Minimisers(**columns, seed=seed)


def _minimise_one(problem, v_star, y, x, gtol) -> dict:
    """L-BFGS on one system; its observables at the minimiser and the distance bound."""
    d = v_star.shape[0]
    scale = 1.0 / math.sqrt(d)

    def risk(w_np: np.ndarray) -> tuple[float, np.ndarray]:
        w = torch.from_numpy(w_np)
        value, d1, _ = problem.loss_terms(x @ w * scale, y)
        grad = scale * (x.T @ d1) + problem.lam * w
        return float(value.sum() + 0.5 * problem.lam * w @ w), grad.numpy()

    result = optimize.minimize(
        risk,
        np.zeros(d),
        jac=True,
        method="L-BFGS-B",
        options={"gtol": gtol, "ftol": 0.0, "maxiter": 10_000},
    )
    w = torch.from_numpy(result.x)
    bound = float(np.linalg.norm(risk(result.x)[1])) * scale / problem.lam
    if not bound <= 1e-6:
        raise RuntimeError(
            f"L-BFGS stopped short of the minimiser ({result.message}): |w - w*|/sqrt(d) "
            f"<= {bound:.3g} > 1e-6"
        )
    h = x @ w * scale
    value, _, _ = problem.loss_terms(h, y)
    m, q = float(w @ v_star) / d, float(w @ w) / d
    return {
        "m": m,
        "q": q,
        "train_loss": float(value.mean()),
        "train_error": float(problem.misclassified(h, y).mean()),
        "test_error": float(problem.test_error(m, q)),
        "bound": bound,
        "iterations": int(result.nit),
    }


def from_spec(spec: dict) -> tuple[Problem, BatchProcess, Start]:
    """The problem, batch process and start of a job spec (rmtsgd.dmft.config.dmft_jobs)."""
    return Problem(**spec["problem"]), BatchProcess(**spec["batch"]), Start(**spec["start"])
