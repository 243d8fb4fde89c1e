"""One neuron learning a He_3 single-index target by one-pass SGD on the sphere (seed 001).

Setting (spec/single_index.md): x ~ N(0, I_d), target direction theta* = e_1, label
y = sigma(<x, theta*>) with sigma = s He_3, He_3(t) = t^3 - 3t, and a student neuron w on the
unit sphere with overlap m = <w, theta*>. Every step takes one fresh sample, z = <x, w>, and
moves w <- normalise(w + gamma psi (x - z w)); the algorithms differ only in psi:

- A0 online SGD on the correlation loss: psi = y sigma'(z);
- A1 batch reuse: a look-ahead step on the same sample, z1 = z + eta y sigma'(z) |x|^2
  ("plain"; or "spherical": the look-ahead projected on the tangent space and normalised),
  then psi = y sigma'(z1);
- A2 alternating (layer-wise): a second-layer step a~ = a + eta y sigma(z), then
  psi = y a~ sigma'(z); a either restarts from a_0 every step or carries a~ over.

Two engines give the hitting time (samples until m >= threshold) of many independent runs at
once, each run with its own eta and gamma: `FullEngine` moves the d-dimensional w; the
`ReducedEngine` moves only m, which is an exact Markov chain: with u = <x, theta*>, v the
component of x along w's part orthogonal to theta*, and r2 ~ chi^2(d - 2) the rest of |x|^2,
z = m u + sqrt(1 - m^2) v and
m <- (m + gamma psi (u - z m)) / sqrt(1 + gamma^2 psi^2 (|x|^2 - z^2)),
so one step costs O(1) whatever d is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

log = logging.getLogger(__name__)

ALGORITHMS = ("A0", "A1", "A2")
STEP_RULES = ("fixed", "information", "theorem")
LOOKAHEADS = ("plain", "spherical")


@dataclass(frozen=True)
class SingleIndexModel:
    """Target, student and what counts as learnt; the [U] choices of the spec are fields."""

    threshold: float = 0.5  # learnt once m >= threshold
    link_scale: float = 1.0  # sigma = link_scale * He_3 (1: unnormalised, 1/sqrt(6): unit variance)
    a0: float = 1.0  # second-layer weight at start (A2)
    carry_a: bool = False  # A2: a~ carries over to the next step (else a = a0 every step)
    lookahead: str = "plain"  # A1: "plain" or "spherical" look-ahead

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold < 1.0:
            raise ValueError(f"threshold must be in (0, 1), got {self.threshold}")
        if self.lookahead not in LOOKAHEADS:
            raise ValueError(f"lookahead must be one of {LOOKAHEADS}, got {self.lookahead!r}")

    def link(self, t: torch.Tensor) -> torch.Tensor:
        """sigma(t) = link_scale (t^3 - 3t)."""
        return self.link_scale * t * (t * t - 3.0)

    def link_prime(self, t: torch.Tensor) -> torch.Tensor:
        """sigma'(t) = 3 link_scale (t^2 - 1)."""
        return 3.0 * self.link_scale * (t * t - 1.0)


def psi(
    model: SingleIndexModel,
    algorithm: str,
    y: torch.Tensor,
    z: torch.Tensor,
    norm2: torch.Tensor,
    perp2: torch.Tensor,
    a: torch.Tensor,
    eta: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Coefficient psi of the step along x - z w, and the second-layer weight afterwards.

    norm2 = |x|^2 and perp2 = |x - z w|^2 = |x|^2 - z^2 (the look-ahead of A1 needs them).
    """
    if algorithm == "A0":
        return y * model.link_prime(z), a
    if algorithm == "A1":
        kick = eta * y * model.link_prime(z)
        if model.lookahead == "plain":
            z1 = z + kick * norm2
        else:  # w1 = normalise(w + kick (x - z w)), z1 = <x, w1>
            z1 = (z + kick * perp2) / (1.0 + kick * kick * perp2) ** 0.5
        return y * model.link_prime(z1), a
    if algorithm == "A2":
        a_new = a + eta * y * model.link(z)
        return y * a_new * model.link_prime(z), (a_new if model.carry_a else a)
    raise ValueError(f"unknown algorithm {algorithm!r}, expected one of {ALGORITHMS}")


def drift(model: SingleIndexModel, algorithm: str, m: np.ndarray, eta: float) -> np.ndarray:
    """E[psi (u - z m)] at overlap m: the mean change of m per unit gamma as gamma -> 0.

    A0: 18 s^2 m^2 (1 - m^2); A2 (a = a0 fixed):
    18 m (1 - m^2) (a0 s^2 m + eta s^4 (36 + 216 m^2 + 120 m^4)) (spec, derived from the
    Hermite expansions of He_3 and He_3^2; s is the link's scale).
    """
    m = np.asarray(m, dtype=float)
    s2 = model.link_scale**2
    if algorithm == "A0":
        return 18.0 * s2 * m**2 * (1.0 - m**2)
    if algorithm == "A2":
        generative = eta * s2 * s2 * (36.0 + 216.0 * m**2 + 120.0 * m**4)
        return 18.0 * m * (1.0 - m**2) * (model.a0 * s2 * m + generative)
    raise ValueError(f"no closed-form drift for algorithm {algorithm!r}")


def step_size(model: SingleIndexModel, rule: str, c: float, d: int, eta: float) -> float:
    """gamma of a step-size rule (spec G1-G3).

    fixed: gamma = c; information: gamma = c d^{-3/2} for every eta; theorem:
    gamma = c max(mu_3 d^{-3/2}, mu_2(eta) d^{-1}) with mu_3 = 18 a0 s^2 and
    mu_2(eta) = 648 eta s^4, the coefficients of m^2 and m in A2's drift at small m (our
    reading of the rule: the two branches cross where the two drift terms balance at
    m = d^{-1/2}).
    """
    if rule == "fixed":
        return c
    if rule == "information":
        return c * d**-1.5
    if rule == "theorem":
        s2 = model.link_scale**2
        return c * max(18.0 * model.a0 * s2 * d**-1.5, 648.0 * eta * s2 * s2 / d)
    raise ValueError(f"unknown step-size rule {rule!r}, expected one of {STEP_RULES}")


class NoiseSource:
    """Standard normals and chi-square draws from one seeded stream.

    On the CPU the draws come from numpy's PCG64 generator (its normal and gamma samplers are
    about twice as fast as torch's there) and are handed out as tensors sharing the memory; on
    CUDA from a torch generator on the device. Either way one seed gives one stream.
    """

    def __init__(self, seed: int, device: torch.device, dtype: torch.dtype) -> None:
        self.device, self.dtype = device, dtype
        if device.type == "cpu":
            self.rng = np.random.Generator(np.random.PCG64(seed))
        else:
            self.generator = torch.Generator(device=device).manual_seed(seed)

    def normals(self, *shape: int) -> torch.Tensor:
        if self.device.type == "cpu":
            return torch.from_numpy(self.rng.standard_normal(shape)).to(self.dtype)
        out = torch.empty(shape, dtype=self.dtype, device=self.device)
        return out.normal_(generator=self.generator)

    def chi2(self, dof: int, *shape: int) -> torch.Tensor:
        """chi^2 with `dof` degrees of freedom, drawn as 2 Gamma(dof / 2)."""
        if self.device.type == "cpu":
            return torch.from_numpy(2.0 * self.rng.standard_gamma(0.5 * dof, shape)).to(self.dtype)
        alpha = torch.full(shape, 0.5 * dof, dtype=self.dtype, device=self.device)
        return 2.0 * torch._standard_gamma(alpha, generator=self.generator)


@dataclass
class HittingTimes:
    """Samples each run needed to reach the threshold; censored runs carry the budget."""

    samples: np.ndarray  # (N,) int64: first step with m >= threshold, or the budget if censored
    hit: np.ndarray  # (N,) bool: reached the threshold within the budget
    diverged: np.ndarray  # (N,) bool: state became non-finite before reaching the threshold
    final_overlap: np.ndarray  # (N,) m when the run stopped (NaN if diverged)
    budget: int
    seed: int


class _Engine:
    """Shared state of both engines: per-run eta, gamma, second-layer weight, one noise source."""

    def __init__(
        self,
        model: SingleIndexModel,
        algorithm: str,
        d: int,
        eta: torch.Tensor,
        gamma: torch.Tensor,
        seed: int,
        device: torch.device | str,
        dtype: torch.dtype,
    ) -> None:
        if algorithm not in ALGORITHMS:
            raise ValueError(f"unknown algorithm {algorithm!r}, expected one of {ALGORITHMS}")
        if d < 3:
            raise ValueError(f"dimension d must be at least 3, got {d}")
        self.model, self.algorithm, self.d, self.seed = model, algorithm, d, seed
        self.device, self.dtype = torch.device(device), dtype
        self.noise = NoiseSource(seed, self.device, dtype)
        self.eta = torch.as_tensor(eta, dtype=dtype, device=self.device).clone()
        self.gamma = torch.as_tensor(gamma, dtype=dtype, device=self.device).clone()
        if self.eta.shape != self.gamma.shape or self.eta.ndim != 1:
            raise ValueError("eta and gamma must be 1-D tensors of the same length")
        self.a = torch.full_like(self.eta, model.a0)

    @property
    def size(self) -> int:
        return int(self.eta.numel())

    def _psi(self, y, z, norm2, perp2) -> torch.Tensor:
        value, self.a = psi(self.model, self.algorithm, y, z, norm2, perp2, self.a, self.eta)
        return value

    def keep(self, mask: torch.Tensor) -> None:
        """Drop the runs where `mask` is False (finished runs leave the batch)."""
        self.eta, self.gamma, self.a = self.eta[mask], self.gamma[mask], self.a[mask]


class ReducedEngine(_Engine):
    """The exact Markov chain of the overlap: O(1) work per run and step at any d."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        g = self.noise.normals(self.size)
        rest = self.noise.chi2(self.d - 1, self.size)
        self.m = g.abs() / torch.sqrt(g * g + rest)  # first coordinate of a uniform w, sign > 0

    def overlap(self) -> torch.Tensor:
        return self.m

    def advance(self, steps: int) -> torch.Tensor:
        """Run `steps` steps; return the overlap after each, shape (steps, runs).

        Everything that does not depend on m (labels, |x|^2) is computed for the whole chunk
        at once; the loop over steps does only the m-dependent arithmetic. On the CPU that
        loop runs on numpy views of the same memory: numpy's per-call overhead is about a
        third of torch's at these array sizes, and the arithmetic is the same float64.
        """
        n = self.size
        u_all, v_all = self.noise.normals(steps, n), self.noise.normals(steps, n)
        r2_all = self.noise.chi2(self.d - 2, steps, n)
        y_all = self.model.link(u_all)
        norm2_all = u_all * u_all + v_all * v_all + r2_all
        out = torch.empty(steps, n, dtype=self.dtype, device=self.device)
        view = _host_view if self.device.type == "cpu" else _same
        u_all, v_all, r2_all, y_all, norm2_all, path = map(
            view, (u_all, v_all, r2_all, y_all, norm2_all, out)
        )
        m, a, eta, gamma = map(view, (self.m, self.a, self.eta, self.gamma))
        model, algorithm = self.model, self.algorithm
        with np.errstate(invalid="ignore", over="ignore"):  # diverged runs are flagged later
            for t in range(steps):
                u, v = u_all[t], v_all[t]
                s = abs(1.0 - m * m) ** 0.5
                z = m * u + s * v
                q = s * u - m * v  # x - z w within span(theta*, w): q^2 = u^2 + v^2 - z^2
                perp2 = q * q + r2_all[t]
                value, a = psi(model, algorithm, y_all[t], z, norm2_all[t], perp2, a, eta)
                step = gamma * value
                m = (m + step * s * q) / (1.0 + step * step * perp2) ** 0.5
                path[t] = m
        self.m, self.a = torch.as_tensor(m), torch.as_tensor(a)
        return out

    def keep(self, mask: torch.Tensor) -> None:
        super().keep(mask)
        self.m = self.m[mask]


class FullEngine(_Engine):
    """The d-dimensional loop: w of every run, a fresh x ~ N(0, I_d) per run and step."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        w = self.noise.normals(self.size, self.d)
        w = w / torch.linalg.vector_norm(w, dim=1, keepdim=True)
        self.w = w * torch.where(w[:, :1] < 0, -1.0, 1.0)

    def overlap(self) -> torch.Tensor:
        return self.w[:, 0]

    def advance(self, steps: int) -> torch.Tensor:
        """Run `steps` steps; return the overlap after each, shape (steps, runs)."""
        out = torch.empty(steps, self.size, dtype=self.dtype, device=self.device)
        for t in range(steps):
            x = self.noise.normals(self.size, self.d)
            z = (x * self.w).sum(dim=1)
            norm2 = (x * x).sum(dim=1)
            step = self.gamma * self._psi(self.model.link(x[:, 0]), z, norm2, norm2 - z * z)
            w = self.w + step[:, None] * (x - z[:, None] * self.w)
            self.w = w / torch.linalg.vector_norm(w, dim=1, keepdim=True)
            out[t] = self.w[:, 0]
        return out

    def keep(self, mask: torch.Tensor) -> None:
        super().keep(mask)
        self.w = self.w[mask]


def _host_view(tensor: torch.Tensor) -> np.ndarray:
    """The numpy array sharing a CPU tensor's memory."""
    return tensor.numpy()


def _same(tensor: torch.Tensor) -> torch.Tensor:
    return tensor


ENGINES: dict[str, Callable[..., _Engine]] = {"reduced": ReducedEngine, "full": FullEngine}


def _first_index(flags: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per column: whether any row is True, and the first such row (0 where none)."""
    return flags.any(dim=0), flags.to(torch.uint8).argmax(dim=0)


def hitting_times(
    engine: _Engine, budget: int, chunk: int = 128, progress_every: int | None = None
) -> HittingTimes:
    """Run every run of `engine` until m >= threshold or `budget` samples, whichever first.

    Steps go in chunks; after each chunk, runs that crossed (the first crossing step is kept)
    or became non-finite leave the batch, so the batch shrinks as runs finish. Censored runs
    keep samples = budget and hit = False; diverged runs are flagged and counted as not hit.
    """
    if budget < 1 or chunk < 1:
        raise ValueError(f"budget and chunk must be positive, got {budget} and {chunk}")
    n = engine.size
    samples = np.full(n, budget, dtype=np.int64)
    hit = np.zeros(n, dtype=bool)
    diverged = np.zeros(n, dtype=bool)
    final = np.full(n, np.nan)
    threshold = engine.model.threshold
    active = np.arange(n)
    start = engine.overlap().cpu().numpy()
    done_at_start = start >= threshold
    hit[done_at_start], samples[done_at_start] = True, 0
    final[done_at_start] = start[done_at_start]
    engine.keep(torch.as_tensor(~done_at_start, device=engine.device))
    active = active[~done_at_start]
    progress_every = progress_every or max(chunk, budget // 10)
    t = 0
    while t < budget and active.size:
        steps = min(chunk, budget - t)
        path = engine.advance(steps)
        crossed, first_cross = _first_index(path >= threshold)
        broken, first_broken = _first_index(~torch.isfinite(path))
        good = crossed & (~broken | (first_cross < first_broken))
        bad = broken & ~good
        done = (good | bad).cpu().numpy()
        good, bad = good.cpu().numpy(), bad.cpu().numpy()
        runs = active[good]
        hit[runs] = True
        samples[runs] = t + 1 + first_cross.cpu().numpy()[good]
        final[runs] = path.gather(0, first_cross[None]).squeeze(0).cpu().numpy()[good]
        diverged[active[bad]] = True
        engine.keep(torch.as_tensor(~done, device=engine.device))
        active = active[~done]
        t += steps
        if t % progress_every < steps:
            log.info("step %d/%d: %d of %d runs still running", t, budget, active.size, n)
    final[active] = engine.overlap().cpu().numpy()
    return HittingTimes(samples, hit, diverged, final, budget, engine.seed)


def run_grid(
    model: SingleIndexModel,
    algorithm: str,
    rule: str,
    c: float,
    d: int,
    etas: Sequence[float],
    runs: int,
    budget: int,
    seed: int,
    engine: str = "reduced",
    chunk: int = 128,
    device: torch.device | str = "cpu",
) -> dict[str, np.ndarray]:
    """Hitting times of `runs` runs at every eta of a grid, all in one batched engine.

    Returns arrays of shape (n_eta, runs) (samples, hit, diverged, final_overlap) and the
    per-eta step sizes gamma of the rule.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}, expected one of {sorted(ENGINES)}")
    etas = np.asarray(etas, dtype=float)
    gamma = np.array([step_size(model, rule, c, d, eta) for eta in etas])
    batch = ENGINES[engine](
        model,
        algorithm,
        d,
        torch.as_tensor(np.repeat(etas, runs)),
        torch.as_tensor(np.repeat(gamma, runs)),
        seed,
        device,
        torch.float64,
    )
    times = hitting_times(batch, budget, chunk)
    shape = (len(etas), runs)
    return {
        "eta": etas,
        "gamma": gamma,
        "samples": times.samples.reshape(shape),
        "hit": times.hit.reshape(shape),
        "diverged": times.diverged.reshape(shape),
        "final_overlap": times.final_overlap.reshape(shape),
    }
