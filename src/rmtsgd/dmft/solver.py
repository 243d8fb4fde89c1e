"""Dynamical mean-field theory of persistent SGD on a Gaussian mixture (seed 003; equations in
spec/dmft_gaussian_mixture.md), solved on the algorithm's own time grid.

As d -> infinity the weights reduce to order parameters m(t), C(t, t') and the response
R(t, t'), and every training sample to an effective process: with omega a Gaussian path of
covariance C,

    h_k = c m_k + sqrt(Delta) omega_k - eta Delta sum_{j<k} R(k, j) s_j l'(h_j),

and its response chi(k, j) = -Delta R(k, j) s_j l''_j - eta Delta sum_{j<u<k} R(k, u) s_u l''_u
chi(u, j). The kernels are sample means over such paths: mu_k = alpha E[s_k c l'_k],
nu_k = alpha E[s_k l''_k], M_C(k, j) = alpha E[s_k s_j l'_k l'_j],
M_R(k, j) = alpha E[s_k l''_k chi(k, j)]. The weight side is then a linear Gaussian process,

    w_{k+1} = (1 - eta (lambda + Delta nu_k)) w_k - eta^2 Delta sum_{j<k} M_R(k, j) w_j
              - eta mu_k v* + n_k,     E[n_k n_j] = eta^2 Delta M_C(k, j),

whose response R (R(k+1, k) = 1) and propagator P of w(0) give, for w(0) = m0 v* + s0 xi,
m = m0 P - eta R mu and C = s0^2 P P^T + m m^T + eta^2 Delta R M_C R^T (positive
semi-definite by construction). The grid step is the learning rate eta, so these are the
exact large-d equations of the discrete algorithm the simulator runs (their continuous-time
limit is the spec's); plain SGD (tau = eta / b) is therefore represented exactly.

Solution: Picard iteration from the kernels of the free dynamics (all zero), kernels mixed
with `damping` of the old ones. Every group of paths keeps its random numbers (clusters,
batch-process paths, the standard normals behind omega, coloured through a Cholesky factor of
C), so the iteration is a deterministic, causal map that converges to a fixed point; groups
are independent Monte-Carlo solutions whose spread is the error of the estimate.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np
import torch

from rmtsgd.dmft.model import BatchProcess, Problem, Start

log = logging.getLogger(__name__)


class DMFTNotConverged(RuntimeError):
    """The iteration did not reach its tolerance within the allowed iterations."""


@dataclass
class Kernels:
    """Memory kernels of one or several groups (leading axis), on the grid k = 0..T."""

    mu: torch.Tensor  # (G, T + 1)
    nu: torch.Tensor  # (G, T + 1)
    m_r: torch.Tensor  # (G, T + 1, T + 1), strictly lower triangular (j < k)
    m_c: torch.Tensor  # (G, T + 1, T + 1)

    @classmethod
    def zeros(cls, groups: int, points: int, device) -> Kernels:
        vec = torch.zeros((groups, points), dtype=torch.float64, device=device)
        mat = torch.zeros((groups, points, points), dtype=torch.float64, device=device)
        return cls(vec, vec.clone(), mat, mat.clone())

    def mixed(self, new: Kernels, damping: float) -> Kernels:
        """(1 - damping) new + damping self."""
        return Kernels(
            *(
                torch.lerp(getattr(new, k), getattr(self, k), damping)
                for k in ("mu", "nu", "m_r", "m_c")
            )
        )


@dataclass
class WeightSide:
    """Order parameters of the weights given the kernels."""

    response: torch.Tensor  # R (G, T + 1, T + 1), R[k, j] = dw_k / d(increment at step j)
    m: torch.Tensor  # (G, T + 1)
    c: torch.Tensor  # (G, T + 1, T + 1)


def weight_side(kernels: Kernels, problem: Problem, start: Start, eta: float) -> WeightSide:
    """R, the propagator of w(0), m and C from the kernels (causal recursions, one step each)."""
    groups, points = kernels.mu.shape
    delta = problem.delta
    decay = 1.0 - eta * (problem.lam + delta * kernels.nu)  # (G, T + 1)
    memory = eta * eta * delta * kernels.m_r
    response = torch.zeros_like(kernels.m_r)
    propagator = torch.zeros_like(kernels.mu)
    propagator[:, 0] = 1.0
    for k in range(points - 1):
        past = memory[:, k, :k]  # (G, k)
        response[:, k + 1] = decay[:, k, None] * response[:, k] - torch.einsum(
            "gu,guj->gj", past, response[:, :k]
        )
        response[:, k + 1, k] = 1.0
        propagator[:, k + 1] = decay[:, k] * propagator[:, k] - (past * propagator[:, :k]).sum(-1)
    m = start.m0 * propagator - eta * torch.einsum("gkj,gj->gk", response, kernels.mu)
    noise = eta * eta * delta * response @ kernels.m_c @ response.transpose(1, 2)
    c = start.s0**2 * propagator[:, :, None] * propagator[:, None, :]
    c = c + m[:, :, None] * m[:, None, :] + noise
    return WeightSide(response, m, 0.5 * (c + c.transpose(1, 2)))


@dataclass
class Paths:
    """Random numbers of the effective samples, fixed for the whole iteration."""

    c: torch.Tensor  # (G, N) cluster
    y: torch.Tensor  # (G, N) label
    s: torch.Tensor  # (G, N, T + 1) batch process times its weight
    xi: torch.Tensor  # (G, N, T + 1) standard normals behind omega


def draw_paths(
    problem: Problem, batch: BatchProcess, groups: int, paths: int, steps: int, seed: int, device
) -> Paths:
    """Clusters, batch-process paths and normals of `groups` x `paths` effective samples.

    Antithetic pairs: path 2i + 1 repeats path 2i with the normals negated, which removes the
    odd part of the Monte-Carlo noise (e.g. the sampled E[c omega], which drives m directly);
    s(0) is stratified (exactly a share b of the pairs selected).
    """
    if paths % 2:
        raise ValueError(f"paths must be even (antithetic pairs), got {paths}")
    gen = torch.Generator(device=device).manual_seed(seed)
    half = (groups, paths // 2)
    c = problem.sample_clusters(half, gen)
    s = [_stratified_start(batch.b, half, gen)]
    for _ in range(steps):
        s.append(batch.step(s[-1], gen))
    xi = torch.randn((*half, steps + 1), generator=gen, dtype=torch.float64, device=device)

    def pairs(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return torch.stack((a, b), dim=2).flatten(1, 2)

    c = pairs(c, c)
    s = batch.weight * torch.stack(s, dim=-1)
    return Paths(c, problem.labels(c), pairs(s, s), pairs(xi, -xi))


def _stratified_start(b: float, shape: tuple[int, int], gen: torch.Generator) -> torch.Tensor:
    """s(0) with exactly round(b N) selected paths per group at random places: Bernoulli(b)
    marginals with no sampling error in the selected share (a stratified draw)."""
    order = torch.rand(shape, generator=gen, device=gen.device).argsort(dim=1)
    s = torch.zeros(shape, dtype=torch.float64, device=gen.device)
    return s.scatter_(1, order[:, : round(b * shape[1])], 1.0)


def causal_factor(c: torch.Tensor) -> torch.Tensor:
    """Lower-triangular L with L L^T = C (+ a jitter of 1e-12 of the largest variance, raised
    until the factorisation succeeds: C may be singular, e.g. C(0, 0) = 0 from w(0) = 0). Row k
    of L depends on C up to time k only, which keeps the iteration causal."""
    scale = torch.diagonal(c, dim1=1, dim2=2).amax(dim=1).clamp_min(1.0)[:, None, None]
    eye = torch.eye(c.shape[-1], dtype=c.dtype, device=c.device)
    jitter = 1e-12
    while jitter < 1e-3:
        factor, info = torch.linalg.cholesky_ex(c + jitter * scale * eye)
        if not bool(info.any()):
            return factor
        jitter *= 100.0
    raise DMFTNotConverged("the covariance C(t, t') is not positive semi-definite")


@dataclass
class SampleSide:
    """The effective samples' fields and loss terms on the grid."""

    h: torch.Tensor  # (G, N, T + 1)
    loss: torch.Tensor
    d1: torch.Tensor  # l'(h)
    d2: torch.Tensor  # l''(h)


def sample_side(weights: WeightSide, paths: Paths, problem: Problem, eta: float) -> SampleSide:
    """h of every effective sample, step by step (each step feels its own past gradients)."""
    delta = problem.delta
    omega = torch.einsum("gkj,gnj->gnk", causal_factor(weights.c), paths.xi)
    base = paths.c[..., None] * weights.m[:, None, :] + math.sqrt(delta) * omega
    points = base.shape[-1]
    h = torch.empty_like(base)
    force = torch.zeros_like(base)  # s_j l'(h_j)
    for k in range(points):
        feedback = torch.einsum("gj,gnj->gn", weights.response[:, k, :k], force[..., :k])
        h[..., k] = base[..., k] - eta * delta * feedback
        _, d1, _ = problem.loss_terms(h[..., k], paths.y)
        force[..., k] = paths.s[..., k] * d1
    loss, d1, d2 = problem.loss_terms(h, paths.y[..., None])
    return SampleSide(h, loss, d1, d2)


def kernels_of(
    samples: SampleSide,
    weights: WeightSide,
    paths: Paths,
    problem: Problem,
    eta: float,
    response_paths: int,
    chunk: int,
) -> Kernels:
    """Kernels as sample means over the effective samples.

    mu, nu and M_C cost O(N T^2); the response chi costs O(T^3) per path, so M_R averages over
    the first `response_paths` paths of every group only, in chunks (chi is chunk x T^2).
    """
    alpha, delta = problem.alpha, problem.delta
    force = paths.s * samples.d1  # s l'
    curvature = paths.s * samples.d2  # s l''
    n = force.shape[1]
    mu = alpha * (paths.c[..., None] * force).mean(dim=1)
    nu = alpha * curvature.mean(dim=1)
    m_c = alpha * torch.einsum("gnk,gnj->gkj", force, force) / n
    m_r = torch.zeros_like(m_c)
    points = force.shape[-1]
    eye = torch.eye(points, dtype=force.dtype, device=force.device)
    used = min(response_paths, n)
    for lo in range(0, used, chunk):
        g = curvature[:, lo : min(lo + chunk, used)]  # (G, n_c, T + 1)
        scaled = weights.response[:, None] * g[:, :, None, :]  # R(k, u) s_u l''_u
        # chi = -Delta (I + eta Delta R g)^{-1} R g: a unit lower-triangular solve
        chi = torch.linalg.solve_triangular(
            eye + eta * delta * scaled, -delta * scaled, upper=False, unitriangular=True
        )
        m_r += alpha * torch.einsum("gnk,gnkj->gkj", g, chi) / used
    return Kernels(mu, nu, torch.tril(m_r, diagonal=-1), m_c)


@dataclass
class Solution:
    """A converged DMFT solution, every group separately (axis 0) and their mean."""

    t: np.ndarray  # (T + 1,)
    m: np.ndarray  # (G, T + 1)
    q: np.ndarray  # (G, T + 1) C(t, t)
    train_loss: np.ndarray  # (G, T + 1)
    train_error: np.ndarray  # (G, T + 1)
    test_error: np.ndarray  # (G, T + 1)
    correlation: np.ndarray  # (T + 1, T + 1) C(t, t'), mean over groups
    response: np.ndarray  # (T + 1, T + 1) R(t, t'), mean over groups
    iterations: int
    changes: list[float] = field(default_factory=list)  # change after every iteration


def solve(
    problem: Problem,
    batch: BatchProcess,
    start: Start,
    steps: int,
    paths: int,
    groups: int,
    seed: int,
    damping: float = 0.0,
    tolerance: float = 1e-8,
    max_iterations: int = 200,
    response_paths: int | None = None,
    chunk: int = 512,
    device: torch.device | str = "cpu",
    label: str = "DMFT",
) -> Solution:
    """Iterate the DMFT of `steps` steps of size batch.eta to its fixed point.

    `paths` effective samples in each of `groups` independent groups (`response_paths` of
    them, default all, also estimate the response kernel M_R). The change of an
    iteration is the largest |new - old| / (1 + |old|) of m(t) and C(t, t) over every group
    and time; the solution is accepted once it is at most `tolerance`, else DMFTNotConverged
    names `label` and the last change.
    """
    eta = batch.eta
    drawn = draw_paths(problem, batch, groups, paths, steps, seed, device)
    kernels = Kernels.zeros(groups, steps + 1, device)
    weights = weight_side(kernels, problem, start, eta)
    changes = []
    for iteration in range(1, max_iterations + 1):
        samples = sample_side(weights, drawn, problem, eta)
        fresh = kernels_of(samples, weights, drawn, problem, eta, response_paths or paths, chunk)
        kernels = kernels.mixed(fresh, damping)
        new = weight_side(kernels, problem, start, eta)
        change = _change(weights, new)
        changes.append(change)
        weights = new
        if not math.isfinite(change):
            raise DMFTNotConverged(
                f"{label}: the iteration diverged (non-finite m or C) at iteration {iteration}"
            )
        log.info("%s: iteration %d, change %.3g", label, iteration, change)
        if change <= tolerance:
            break
    else:
        raise DMFTNotConverged(
            f"{label}: no convergence within {max_iterations} iterations "
            f"(last change {changes[-1]:.3g} > tolerance {tolerance:g})"
        )
    samples = sample_side(weights, drawn, problem, eta)
    return _solution(weights, samples, drawn, problem, eta, iteration, changes)


def _change(old: WeightSide, new: WeightSide) -> float:
    diag_old = torch.diagonal(old.c, dim1=1, dim2=2)
    diag_new = torch.diagonal(new.c, dim1=1, dim2=2)
    dm = ((new.m - old.m).abs() / (1 + old.m.abs())).amax()
    dq = ((diag_new - diag_old).abs() / (1 + diag_old.abs())).amax()
    return float(torch.maximum(dm, dq))


def _solution(weights, samples, drawn, problem, eta, iterations, changes) -> Solution:
    m = weights.m.cpu().numpy()
    q = torch.diagonal(weights.c, dim1=1, dim2=2).cpu().numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        test_error = problem.test_error(m, q)
    wrong = problem.misclassified(samples.h, drawn.y[..., None])
    return Solution(
        t=eta * np.arange(m.shape[1]),
        m=m,
        q=q,
        train_loss=samples.loss.mean(dim=1).cpu().numpy(),
        train_error=wrong.mean(dim=1).cpu().numpy(),
        test_error=test_error,
        correlation=weights.c.mean(dim=0).cpu().numpy(),
        response=weights.response.mean(dim=0).cpu().numpy(),
        iterations=iterations,
        changes=changes,
    )
