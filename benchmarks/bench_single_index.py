"""Benchmark the single-index engines against per-run Python loops on the same work.

Every contender advances runs of A2 (eta = 0.01, gamma = 0.002 d^{-3/2}, He_3 link) by a fixed
number of steps from a uniform start, with no hitting checks, and reports run-steps per second
of CPU time (and of wall time):

1. `reduced (batched)`: rmtsgd's ReducedEngine, the exact overlap chain, all runs batched.
2. `full (batched)`: rmtsgd's FullEngine, the d-dimensional loop, all runs batched.
3. `per-run loop, full d`: one numpy vector w per run, stepped in turn (timed on fewer runs).
4. `per-run loop, reduced`: the overlap chain of one run at a time in plain Python floats.

Usage: python benchmarks/bench_single_index.py [--runs 1024] [--steps 2000] [--dims 50 200]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
import torch

from rmtsgd.single_index.model import ENGINES, SingleIndexModel, step_size

SEED = 1234
ETA, C = 0.01, 0.002
CHUNK = 128  # steps per batch of draws, as in the pipeline
MODEL = SingleIndexModel()


@dataclass
class Result:
    """Best-of-repeats timing of one contender at one d."""

    name: str
    d: int
    runs: int
    steps: int
    cpu_seconds: float
    wall_seconds: float
    run_steps_per_cpu_s: float
    run_steps_per_wall_s: float


def timed(run: Callable[[], object]) -> tuple[float, float]:
    """CPU and wall seconds of one call of `run`."""
    cpu, wall = time.process_time(), time.perf_counter()
    run()
    return time.process_time() - cpu, time.perf_counter() - wall


def batched(engine: str, d: int, runs: int, steps: int) -> Callable[[], None]:
    """A fresh batched engine, advanced `steps` steps in chunks when called."""
    gamma = step_size(MODEL, "information", C, d, ETA)
    batch = ENGINES[engine](
        MODEL,
        "A2",
        d,
        torch.full((runs,), ETA, dtype=torch.float64),
        torch.full((runs,), gamma, dtype=torch.float64),
        SEED,
        "cpu",
        torch.float64,
    )

    def run() -> None:
        for start in range(0, steps, CHUNK):
            batch.advance(min(CHUNK, steps - start))

    return run


def loop_full(d: int, runs: int, steps: int) -> Callable[[], None]:
    """One numpy vector per run, each run stepped in turn (the straightforward design)."""
    gamma = step_size(MODEL, "information", C, d, ETA)
    rng = np.random.default_rng(SEED)
    ws = [w / np.linalg.norm(w) for w in rng.standard_normal((runs, d))]

    def run() -> None:
        for w in ws:
            for _ in range(steps):
                x = rng.standard_normal(d)
                z = x @ w
                y = x[0] ** 3 - 3.0 * x[0]
                psi = y * (1.0 + ETA * y * (z**3 - 3.0 * z)) * 3.0 * (z * z - 1.0)
                w += gamma * psi * (x - z * w)
                w /= np.linalg.norm(w)

    return run


def loop_reduced(d: int, runs: int, steps: int) -> Callable[[], None]:
    """The overlap chain of one run at a time, plain Python floats and `random` draws."""
    gamma = step_size(MODEL, "information", C, d, ETA)
    draw = random.Random(SEED)

    def run() -> None:
        for _ in range(runs):
            m = 1.0 / math.sqrt(d)
            for _ in range(steps):
                u, v = draw.gauss(0.0, 1.0), draw.gauss(0.0, 1.0)
                r2 = 2.0 * draw.gammavariate(0.5 * (d - 2), 1.0)
                s = math.sqrt(1.0 - m * m)
                z, q = m * u + s * v, s * u - m * v
                y = u**3 - 3.0 * u
                psi = y * (1.0 + ETA * y * (z**3 - 3.0 * z)) * 3.0 * (z * z - 1.0)
                step, perp2 = gamma * psi, q * q + r2
                m = (m + step * s * q) / math.sqrt(1.0 + step * step * perp2)

    return run


def bench(name: str, make, d: int, runs: int, steps: int, repeats: int) -> Result:
    """Best of `repeats` fresh timings (by CPU time) of `runs` runs x `steps` steps."""
    cpu, wall = min(timed(make(d, runs, steps)) for _ in range(repeats))
    work = runs * steps
    return Result(name, d, runs, steps, cpu, wall, work / cpu, work / wall)


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1024, help="runs of the batched engines")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--dims", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--loop-runs", type=int, default=4, help="runs of the per-run loops")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    parser.add_argument("--json", help="also write the results to this JSON file")
    return parser.parse_args()


def main() -> None:
    """Run every contender at every d and report."""
    args = parse_args()
    torch.set_num_threads(args.threads)
    load_before = os.getloadavg()
    results = []
    for d in args.dims:
        results += [
            bench(
                "reduced (batched)",
                lambda *a: batched("reduced", *a),
                d,
                args.runs,
                args.steps,
                args.repeats,
            ),
            bench(
                "full (batched)",
                lambda *a: batched("full", *a),
                d,
                args.runs,
                args.steps,
                args.repeats,
            ),
            bench("per-run loop, full d", loop_full, d, args.loop_runs, args.steps, args.repeats),
            bench(
                "per-run loop, reduced", loop_reduced, d, args.loop_runs, args.steps, args.repeats
            ),
        ]
    info = {
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "torch_threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
    }
    print("machine: " + ", ".join(f"{key}={value}" for key, value in info.items()))
    header = (
        f"{'contender':<24} {'d':>4} {'runs':>5} {'steps':>6} {'cpu s':>7} {'wall s':>7} "
        f"{'run-steps/cpu-s':>15} {'vs loop full':>12} {'vs loop red':>11}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        same_d = {x.name: x.run_steps_per_cpu_s for x in results if x.d == r.d}
        print(
            f"{r.name:<24} {r.d:>4} {r.runs:>5} {r.steps:>6} {r.cpu_seconds:>7.2f} "
            f"{r.wall_seconds:>7.2f} {r.run_steps_per_cpu_s:>15.4g} "
            f"{r.run_steps_per_cpu_s / same_d['per-run loop, full d']:>11.1f}x "
            f"{r.run_steps_per_cpu_s / same_d['per-run loop, reduced']:>10.1f}x"
        )
    if args.json:
        with open(args.json, "w") as handle:
            payload = {"machine": info, "args": vars(args), "results": [asdict(r) for r in results]}
            json.dump(payload, handle, indent=2)


if __name__ == "__main__":
    main()
