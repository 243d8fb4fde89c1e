"""Benchmark the DMFT module: solver iterations per second against the path count N and the
grid length T, and the batched finite-d simulator against a per-system loop.

1. `dmft`: one Picard iteration of rmtsgd.dmft.solver (the effective samples' fields, the
   kernels, the weight side) on the two-cluster logistic problem, persistent SGD (b = 0.5, tau =
   1, eta = 0.1), one group, every path also a response path, at several N and T; the response
   kernel costs O(N T^3) and the rest O(N T^2), so the report fits the exponents of T and N.
2. `simulation`: persistent SGD of S independent systems at dimension d (n = alpha d samples
   each): `batched` is rmtsgd's simulate (all systems in one tensor program); `per-system loop
   (original design)` steps one numpy system after the other with the same update. Rates are
   sample-steps per second (systems x n x steps / s), drawing the data included.

Usage: python benchmarks/bench_dmft.py [--threads 1] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import math

import numpy as np
import torch
from bench_rbm import elapsed, machine_info
from scipy.special import erfc

from rmtsgd.dmft.model import BatchProcess, Problem, Start, simulate
from rmtsgd.dmft.solver import Kernels, draw_paths, kernels_of, sample_side, weight_side

PROBLEM = Problem(clusters=2, alpha=2.0, delta=0.5)
BATCH = BatchProcess(b=0.5, tau=1.0, eta=0.1)
START = Start(s0=0.2)
SEED = 1234


def iteration_seconds(paths: int, steps: int, repeats: int) -> float:
    """Best-of-repeats seconds of one DMFT iteration with `paths` paths on `steps` steps."""
    drawn = draw_paths(PROBLEM, BATCH, 1, paths, steps, SEED, "cpu")
    weights = weight_side(Kernels.zeros(1, steps + 1, "cpu"), PROBLEM, START, BATCH.eta)

    def one() -> None:
        samples = sample_side(weights, drawn, PROBLEM, BATCH.eta)
        kernels = kernels_of(samples, weights, drawn, PROBLEM, BATCH.eta, paths, 250)
        weight_side(kernels, PROBLEM, START, BATCH.eta)

    one()  # warm-up
    return min(elapsed(one) for _ in range(repeats))


def loop_simulation(d: int, systems: int, steps: int) -> None:
    """The per-system design: numpy arrays of one system at a time, the same update and the
    same observables recorded at every step."""
    rng = np.random.default_rng(SEED)
    n = round(PROBLEM.alpha * d)
    for _ in range(systems):
        v = rng.standard_normal(d)
        c = np.where(rng.random(n) < 0.5, -1.0, 1.0)
        x = c[:, None] * v[None, :] / math.sqrt(d)
        x += math.sqrt(PROBLEM.delta) * rng.standard_normal((n, d))
        w = START.s0 * rng.standard_normal(d)
        s = (rng.random(n) < BATCH.b).astype(float)
        curves = np.empty((6, steps + 1))
        for k in range(steps + 1):
            h = x @ w / math.sqrt(d)
            m, q = w @ v / d, w @ w / d
            curves[:, k] = (
                m,
                q,
                np.logaddexp(0, -c * h).mean(),
                (c * h <= 0).mean(),
                0.5 * erfc(m / math.sqrt(2 * PROBLEM.delta * q)),
                s.mean(),
            )
            if k == steps:
                break
            d1 = -c / (1.0 + np.exp(c * h))
            w = w - BATCH.eta * (x.T @ (s * d1) / math.sqrt(d))
            u = rng.random(n)
            s = np.where(s > 0.5, u >= BATCH.leave, u < BATCH.join).astype(float)


def bench_simulation(d: int, systems: int, steps: int, repeats: int) -> dict:
    n = round(PROBLEM.alpha * d)
    work = systems * n * steps

    def batched() -> None:
        simulate(PROBLEM, BATCH, START, d, steps, systems, SEED)

    rates = {
        "batched": work / min(elapsed(batched) for _ in range(repeats)),
        "per-system loop (original design)": work
        / min(elapsed(lambda: loop_simulation(d, systems, steps)) for _ in range(repeats)),
    }
    return {"d": d, "systems": systems, "steps": steps, "sample_steps_per_s": rates}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--paths", type=int, nargs="+", default=[500, 1000, 2000, 4000])
    parser.add_argument("--steps", type=int, nargs="+", default=[20, 40, 80])
    parser.add_argument("--dims", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--systems", type=int, default=8)
    parser.add_argument("--sim-steps", type=int, default=40)
    parser.add_argument("--json", help="also write the results to this file")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    torch.set_num_threads(args.threads)
    dmft = []
    for steps in args.steps:
        for paths in args.paths:
            seconds = iteration_seconds(paths, steps, args.repeats)
            dmft.append({"paths": paths, "steps": steps, "seconds_per_iteration": seconds})
            print(
                f"DMFT  N = {paths:5d}  T = {steps:3d}: {seconds:8.4f} s per iteration, "
                f"{1 / seconds:8.2f} iterations/s",
                flush=True,
            )
    largest_n = [r for r in dmft if r["paths"] == max(args.paths)]
    longest_t = [r for r in dmft if r["steps"] == max(args.steps)]
    t_exp = np.polyfit(
        np.log([r["steps"] + 1 for r in largest_n]),
        np.log([r["seconds_per_iteration"] for r in largest_n]),
        1,
    )[0]
    n_exp = np.polyfit(
        np.log([r["paths"] for r in longest_t]),
        np.log([r["seconds_per_iteration"] for r in longest_t]),
        1,
    )[0]
    print(
        f"time per iteration ~ T^{t_exp:.2f} at N = {max(args.paths)}, "
        f"~ N^{n_exp:.2f} at T = {max(args.steps)}"
    )
    sims = []
    for d in args.dims:
        row = bench_simulation(d, args.systems, args.sim_steps, args.repeats)
        sims.append(row)
        rates = row["sample_steps_per_s"]
        ratio = rates["batched"] / rates["per-system loop (original design)"]
        print(
            f"simulation d = {d}: "
            + ", ".join(f"{k} {v:.3g}/s" for k, v in rates.items())
            + f"; batched / loop = {ratio:.2f}x",
            flush=True,
        )
    if args.json:
        result = {
            "machine": machine_info(args.threads),
            "dmft": dmft,
            "simulation": sims,
            "exponents": {"T": float(t_exp), "N": float(n_exp)},
        }
        with open(args.json, "w") as handle:
            json.dump(result, handle, indent=2)


if __name__ == "__main__":
    main()
