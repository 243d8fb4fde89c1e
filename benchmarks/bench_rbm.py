"""Benchmark the batched Gaussian-RBM PCD trainer against the original per-replica design.

Runs the same PCD work side by side in one process (spec/rbm.md) and reports, for each
contender, replica-updates per second and Gaussian normals drawn per second:

1. `batched`: rmtsgd's PCDTrainer, every replica in one tensor program, float32 noise.
2. `batched-f64noise`: the same with float64 noise.
3. `per-replica loop (original design)`: one model object per replica, stepped in turn in a
   Python loop, sampling with `torch.normal(mean, std)`; timed on fewer replicas.
4. `raw Gaussian sampling`: torch and numpy standard-normal generators on their own, giving
   the fastest rate at which this machine can produce the normals a PCD update needs.

Usage: python benchmarks/bench_rbm.py [--replicas 1000] [--updates 1000] [--threads 2] ...
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial

import numpy as np
import torch

from rmtsgd.rbm.config import normals_per_replica_update
from rmtsgd.rbm.model import (
    GaussianRBM,
    PCDSettings,
    PCDTrainer,
    lattice_precision,
)

LR = 0.01  # small enough that no replica diverges during the timed updates
WARMUP_UPDATES = 5
SEED = 1234
LARGE_BLOCK = 4 * 1024 * 1024
RAW_NORMALS_PER_TIMING = 1 << 25  # normals drawn per raw-sampling timing


@dataclass
class Result:
    """Best-of-repeats timing of one contender."""

    name: str
    replicas: int
    updates: int
    seconds: float
    replica_updates_per_s: float
    normals_per_s: float


@dataclass
class RawResult:
    """Best-of-repeats rate of one raw Gaussian source."""

    name: str
    block: int
    normals_per_s: float


def elapsed(run: Callable[[], object]) -> float:
    """Wall-clock seconds of one call of `run`."""
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def repeat_draws(draw: Callable[[], object], draws: int) -> None:
    """Call `draw` `draws` times."""
    for _ in range(draws):
        draw()


class LoopRBM:
    """One replica as the original code held it: its own W and its own |B| persistent chains.

    Each Gibbs step samples with `torch.normal(mean, std)`; all arithmetic is float64.
    """

    def __init__(self, rbm: GaussianRBM, pcd: PCDSettings, data_corr: torch.Tensor) -> None:
        self.rbm, self.pcd, self.data_corr = rbm, pcd, data_corr
        self.W = torch.randn(rbm.nv, rbm.nh, dtype=torch.float64) * pcd.init_std
        self.phi = torch.ones(pcd.batch, rbm.nv, dtype=torch.float64)
        self.h_std = torch.full((pcd.batch, rbm.nh), rbm.sigma_h, dtype=torch.float64)
        self.phi_std = torch.full((pcd.batch, rbm.nv), rbm.mu2**-0.5, dtype=torch.float64)

    def sample_h(self, phi: torch.Tensor) -> torch.Tensor:
        """h | phi ~ N(sigma_h^2 W^T phi, sigma_h^2)."""
        return torch.normal(self.rbm.sigma_h**2 * (phi @ self.W), self.h_std)

    def sample_phi(self, h: torch.Tensor) -> torch.Tensor:
        """phi | h ~ N(W h / mu^2, 1 / mu^2)."""
        return torch.normal((h @ self.W.T) / self.rbm.mu2, self.phi_std)

    def step(self) -> None:
        """One PCD update: one h-sample, k rounds of (phi, h), then the gradient step on W."""
        h = self.sample_h(self.phi)
        for _ in range(self.pcd.k):
            self.phi = self.sample_phi(h)
            h = self.sample_h(self.phi)
        model_corr = self.phi.T @ self.phi / self.pcd.batch
        grad = self.rbm.sigma_h**2 * (self.data_corr - model_corr) @ self.W
        self.W = self.W + self.pcd.lr * grad


def make_loop_models(rbm: GaussianRBM, pcd: PCDSettings, replicas: int) -> list[LoopRBM]:
    """Fresh per-replica models sharing the exact data correlator K^{-1}."""
    torch.manual_seed(SEED)
    data_corr = torch.as_tensor(np.linalg.inv(lattice_precision(rbm.nv, rbm.m2)))
    return [LoopRBM(rbm, pcd, data_corr) for _ in range(replicas)]


def step_loop(models: list[LoopRBM], updates: int) -> None:
    """Advance the per-replica models `updates` times, each replica in turn."""
    for _ in range(updates):
        for model in models:
            model.step()


def step_trainer(trainer: PCDTrainer, updates: int) -> None:
    """Advance the batched trainer `updates` times."""
    for _ in range(updates):
        trainer.step()


def make_trainer(
    rbm: GaussianRBM, pcd: PCDSettings, replicas: int, noise_dtype: torch.dtype
) -> PCDTrainer:
    """A fresh batched trainer on the CPU, float64 arithmetic, warmed up by a few steps."""
    trainer = PCDTrainer(rbm, pcd, replicas, seed=SEED, device="cpu", noise_dtype=noise_dtype)
    step_trainer(trainer, WARMUP_UPDATES)
    return trainer


def bench_batched(
    name: str, rbm: GaussianRBM, pcd: PCDSettings, args: argparse.Namespace, noise: torch.dtype
) -> Result:
    """Time `args.updates` steps of a fresh batched trainer over `args.replicas` replicas."""
    times = []
    for _ in range(args.repeats):
        trainer = make_trainer(rbm, pcd, args.replicas, noise)
        times.append(elapsed(partial(step_trainer, trainer, args.updates)))
    return make_result(name, rbm, pcd, args.replicas, args.updates, min(times))


def bench_loop(rbm: GaussianRBM, pcd: PCDSettings, args: argparse.Namespace) -> Result:
    """Time the per-replica loop on `args.baseline_replicas` replicas."""
    times = []
    for _ in range(args.repeats):
        models = make_loop_models(rbm, pcd, args.baseline_replicas)
        step_loop(models, WARMUP_UPDATES)
        times.append(elapsed(partial(step_loop, models, args.updates)))
    name = "per-replica loop (original design)"
    return make_result(name, rbm, pcd, args.baseline_replicas, args.updates, min(times))


def make_result(
    name: str, rbm: GaussianRBM, pcd: PCDSettings, replicas: int, updates: int, seconds: float
) -> Result:
    """Turn a timing of `updates` updates of `replicas` replicas into rates."""
    rate = replicas * updates / seconds
    normals = rate * normals_per_replica_update(rbm.nv, rbm.nh, pcd.batch, pcd.k)
    return Result(name, replicas, updates, seconds, rate, normals)


def torch_source(block: int, dtype: torch.dtype) -> Callable[[], None]:
    """One draw of `block` normals in place with torch's `Tensor.normal_`."""
    generator = torch.Generator().manual_seed(SEED)
    buffer = torch.empty(block, dtype=dtype)
    return lambda: buffer.normal_(generator=generator)


def numpy_source(block: int, dtype: type[np.floating]) -> Callable[[], None]:
    """One draw of `block` normals in place with numpy's `Generator.standard_normal`."""
    generator = np.random.default_rng(SEED)
    buffer = np.empty(block, dtype=dtype)
    return lambda: generator.standard_normal(out=buffer, dtype=dtype)


def bench_raw(trainer_block: int, repeats: int) -> list[RawResult]:
    """Normals/s of every raw Gaussian source, on a large block and on the trainer's block."""
    sources = {
        "torch normal_ float32": lambda n: torch_source(n, torch.float32),
        "torch normal_ float64": lambda n: torch_source(n, torch.float64),
        "numpy standard_normal float32": lambda n: numpy_source(n, np.float32),
        "numpy standard_normal float64": lambda n: numpy_source(n, np.float64),
    }
    results = []
    for block in (LARGE_BLOCK, trainer_block):
        draws = max(1, RAW_NORMALS_PER_TIMING // block)
        for name, make in sources.items():
            draw = make(block)
            draw()
            run = partial(repeat_draws, draw, draws)
            seconds = min(elapsed(run) for _ in range(repeats))
            results.append(RawResult(name, block, draws * block / seconds))
    return results


def machine_info(threads: int) -> dict[str, object]:
    """Versions and hardware the benchmark ran on."""
    return {
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "torch_threads": threads,
        "cpu_count": os.cpu_count(),
        "device": "cpu",
        "processor": platform.processor() or platform.machine(),
        "load_average": os.getloadavg(),
    }


def print_report(
    info: dict[str, object], results: list[Result], raw: list[RawResult], summary: dict
) -> None:
    """Print machine info, the contenders' table, the raw sources and the summary ratios."""
    print("machine: " + ", ".join(f"{key}={value}" for key, value in info.items()))
    print()
    loop_rate = summary["loop_replica_updates_per_s"]
    fastest = summary["fastest_raw_normals_per_s"]
    header = (
        f"{'contender':<36} {'replicas':>8} {'updates':>7} {'best s':>8} "
        f"{'repl-upd/s':>11} {'normals/s':>10} {'vs loop':>8} {'vs raw':>7}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r.name:<36} {r.replicas:>8} {r.updates:>7} {r.seconds:>8.3f} "
            f"{r.replica_updates_per_s:>11.4g} {r.normals_per_s:>10.4g} "
            f"{r.replica_updates_per_s / loop_rate:>7.1f}x {r.normals_per_s / fastest:>7.3f}"
        )
    print()
    print(f"{'raw Gaussian source':<36} {'block':>8} {'normals/s':>10}")
    for r in raw:
        print(f"{r.name:<36} {r.block:>8} {r.normals_per_s:>10.4g}")
    print()
    print(f"fastest raw source: {summary['fastest_raw']} ({fastest:.4g} normals/s)")
    print(f"speed-up of batched over the per-replica loop: {summary['speedup_vs_loop']:.1f}x")
    print(
        "batched draw rate as a fraction of the fastest raw source: "
        f"{summary['batched_fraction_of_raw']:.3f}"
    )
    print(f"float32 noise over float64 noise (batched): {summary['f32_over_f64_noise']:.2f}x")


def summarise(results: list[Result], raw: list[RawResult]) -> dict[str, object]:
    """Headline ratios: batched vs loop, batched vs the fastest raw source, f32 vs f64 noise."""
    by_name = {r.name: r for r in results}
    batched, f64 = by_name["batched"], by_name["batched-f64noise"]
    loop = by_name["per-replica loop (original design)"]
    best_raw = max(raw, key=lambda r: r.normals_per_s)
    return {
        "loop_replica_updates_per_s": loop.replica_updates_per_s,
        "fastest_raw": f"{best_raw.name} (block {best_raw.block})",
        "fastest_raw_normals_per_s": best_raw.normals_per_s,
        "speedup_vs_loop": batched.replica_updates_per_s / loop.replica_updates_per_s,
        "batched_fraction_of_raw": batched.normals_per_s / best_raw.normals_per_s,
        "f32_over_f64_noise": batched.replica_updates_per_s / f64.replica_updates_per_s,
    }


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=1000)
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=16, help="persistent chains |B|")
    parser.add_argument("--k", type=int, default=3, help="Gibbs rounds per update")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--baseline-replicas", type=int, default=20, help="replicas for the per-replica loop"
    )
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    parser.add_argument("--json", help="also write the results to this JSON file")
    return parser.parse_args()


def main() -> None:
    """Run every contender and report."""
    args = parse_args()
    torch.set_num_threads(args.threads)
    rbm = GaussianRBM()
    pcd = PCDSettings(lr=LR, batch=args.batch, k=args.k)
    results = [
        bench_batched("batched", rbm, pcd, args, torch.float32),
        bench_batched("batched-f64noise", rbm, pcd, args, torch.float64),
        bench_loop(rbm, pcd, args),
    ]
    trainer_block = args.replicas * normals_per_replica_update(rbm.nv, rbm.nh, pcd.batch, pcd.k)
    raw = bench_raw(trainer_block, args.repeats)
    info = machine_info(torch.get_num_threads())
    summary = summarise(results, raw)
    print_report(info, results, raw, summary)
    if args.json:
        payload = {
            "machine": info,
            "args": vars(args),
            "contenders": [asdict(r) for r in results],
            "raw": [asdict(r) for r in raw],
            "summary": summary,
        }
        with open(args.json, "w") as handle:
            json.dump(payload, handle, indent=2)


if __name__ == "__main__":
    main()
