"""Benchmark the batched tanh teacher-student SGD trainer against the original per-network design.

Runs the same SGD work (spec/phase_diagram.md: 3 -> 32 -> 16 -> 1, |B| = 4, fixed training
set) and reports network-steps per second:

1. `batched float32` / `batched float64`: rmtsgd's SGDTrainer, every network of a shard in one
   tensor program, one torch thread per process.
2. `per-network numpy loop (original design)`: one numpy network object per student with its
   own W, stepped in turn, the batch loss checked against the threshold at every step.

Each contender runs in `--processes` worker processes at once (the pipeline runs one training
shard per core), and the rates are summed. The paper grid's time on this machine is projected
from the batched float32 rate. `--compare-dtypes` trains a small grid in float32 and float64
from the same seeds and compares the per-point medians of the observables.

Usage: python benchmarks/bench_tanh_net.py [--networks 576] [--steps 2000] [--processes 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from dataclasses import asdict, dataclass
from multiprocessing import get_context

import numpy as np
import torch

from rmtsgd.phase_diagram import observables
from rmtsgd.phase_diagram.model import (
    SGDTrainer,
    TanhNet,
    draw_teacher,
    initial_weights,
    make_dataset,
    train,
)

SEED = 1234
BATCH = 4
N_TRAIN = 4000
LOSS_THRESHOLD = 100.0
PAPER_NETWORK_STEPS = 12 * 12 * 100 * 100_000 * 1000  # grid x networks x epochs x steps/epoch
NET = TanhNet()


@dataclass
class Result:
    """Aggregate rate of one contender over all worker processes."""

    name: str
    processes: int
    networks_per_process: int
    steps: int
    seconds: float  # slowest worker's time
    network_steps_per_s: float


def _problem(networks: int, groups: int):
    """Teachers with their training sets, and per network its group (teacher), learning rate
    and initial W, spread over the paper's grid."""
    teachers = [draw_teacher(NET, SEED + 2 * g) for g in range(groups)]
    data = [make_dataset(t, N_TRAIN, SEED + 2 * g + 1) for g, t in enumerate(teachers)]
    grid = 0.125 * 2.0 ** np.arange(12)
    index = np.arange(networks)
    lr, sigma = grid[index % 12], grid[(index // 12) % 12]
    return teachers, data, index % groups, lr, initial_weights(NET, sigma, index)


def time_batched(networks: int, groups: int, steps: int, dtype: str) -> float:
    """Seconds for `steps` SGD steps of `networks` networks in one SGDTrainer (1 thread)."""
    torch.set_num_threads(1)
    teachers, data, group, lr, w0 = _problem(networks, groups)
    trainer = SGDTrainer(
        teachers, data, group, lr, w0, BATCH, LOSS_THRESHOLD, dtype=getattr(torch, dtype)
    )
    for s in range(10):  # warm-up
        trainer.step(s)
    start = time.perf_counter()
    for s in range(steps):
        trainer.step(s % trainer.steps_per_epoch)
    return time.perf_counter() - start


class LoopNetwork:
    """One student as the original design held it: its own W, numpy, one step at a time."""

    def __init__(self, w: np.ndarray, lr: float, z: np.ndarray) -> None:
        self.w, self.lr, self.z = w.copy(), lr, z
        self.diverged = False

    def step(self, features: np.ndarray, targets: np.ndarray) -> None:
        """One SGD step on a batch (features (|B|, L), targets (|B|,)); stop past the threshold."""
        phi = np.tanh(self.w @ features.T)  # (K, |B|)
        err = self.z @ phi - targets
        if 0.5 * np.mean(err * err) > LOSS_THRESHOLD:
            self.diverged = True
            return
        delta = self.z[:, None] * (1.0 - phi * phi) * err
        self.w -= (self.lr / len(targets)) * (delta @ features)


def time_loop(networks: int, groups: int, steps: int, dtype: str) -> float:
    """Seconds for `steps` SGD steps of each of `networks` numpy networks, stepped in turn."""
    teachers, data, group, lr, w0 = _problem(networks, groups)
    models = [LoopNetwork(w0[n], lr[n], teachers[group[n]].z) for n in range(networks)]
    start = time.perf_counter()
    for s in range(steps):
        rows = slice((s % 1000) * BATCH, (s % 1000 + 1) * BATCH)
        for model, g in zip(models, group, strict=True):
            model.step(data[g].features[rows], data[g].targets[rows])
    return time.perf_counter() - start


CONTENDERS = {
    "batched float32": (time_batched, "float32"),
    "batched float64": (time_batched, "float64"),
    "per-network numpy loop (original design)": (time_loop, "float64"),
}


def _worker(job: tuple[str, int, int, int]) -> float:
    name, networks, groups, steps = job
    function, dtype = CONTENDERS[name]
    return function(networks, groups, steps, dtype)


def bench(
    name: str, networks: int, groups: int, steps: int, processes: int, repeats: int
) -> Result:
    """Best of `repeats` runs of `processes` simultaneous workers; rate summed over workers."""
    best = np.inf
    job = (name, networks, groups, steps)
    with get_context("spawn").Pool(processes) as pool:
        for _ in range(repeats):
            best = min(best, max(pool.map(_worker, [job] * processes)))
    rate = processes * networks * steps / best
    return Result(name, processes, networks, steps, best, rate)


def _grid_observables(w: np.ndarray, slot: np.ndarray, teachers, data, tests) -> dict:
    """Final test loss, mean x, q and gradient norm of every network of the comparison grid."""
    values = {key: np.empty(len(w)) for key in ("loss", "x", "q", "grad")}
    for k, teacher in enumerate(teachers):
        sel, z = slot == k, teacher.z
        values["loss"][sel] = observables.test_loss(w[sel, -1], tests[k], z)
        values["x"][sel] = observables.x_eigenvalues(w[sel, -1]).mean(axis=-1)
        values["q"][sel] = observables.overlap_q(w[sel, 0], w[sel, -1], tests[k])
        values["grad"][sel] = observables.loss_and_gradient_norm(w[sel, -1], data[k], z)[1]
    return {
        "log10 test loss": np.log10(values["loss"]),
        "log10 mean x": np.log10(values["x"]),
        "q": values["q"],
        "log10 gradient norm": np.log10(values["grad"]),
    }


def compare_dtypes(networks_per_point: int, epochs: int) -> dict[str, dict[str, float]]:
    """Train a 6 x 6 grid (every other point of the paper's) in float32, in float64, and in
    float64 from initial weights perturbed by 1e-12 (relative), all from the same seeds. Per
    observable: the largest and the mean |difference of per-point medians| against the float64
    run, in units of the point's 16-84 % half-width. At high T the dynamics is chaotic, so any
    rounding difference decorrelates single trajectories: the perturbed float64 run is the
    control that float32 is compared with."""
    torch.set_num_threads(1)
    teachers = [draw_teacher(NET, SEED + 3 * k) for k in range(networks_per_point)]
    data = [make_dataset(t, N_TRAIN, SEED + 3 * k + 1) for k, t in enumerate(teachers)]
    tests = [make_dataset(t, 128, SEED + 3 * k + 2) for k, t in enumerate(teachers)]
    values = 0.125 * 4.0 ** np.arange(6)
    eps = np.repeat(values, networks_per_point * 6)  # eps-major, then sigma_W, then slots
    sigma = np.tile(np.repeat(values, networks_per_point), 6)
    slot = np.tile(np.arange(networks_per_point), 36)
    w0 = initial_weights(NET, sigma, range(len(eps)))
    runs = {
        "float32": (torch.float32, w0),
        "float64": (torch.float64, w0),
        "float64, W0 x (1 + 1e-12)": (torch.float64, w0 * (1 + 1e-12)),
    }
    observables = {}
    for name, (dtype, start) in runs.items():
        trainer = SGDTrainer(teachers, data, slot, eps, start, BATCH, LOSS_THRESHOLD, dtype=dtype)
        w = train(trainer, [0, epochs]).weights
        observables[name] = _grid_observables(w, slot, teachers, data, tests)
    report = {}
    for name in ("float32", "float64, W0 x (1 + 1e-12)"):
        report[name] = {}
        for key, reference in observables["float64"].items():
            a = observables[name][key].reshape(36, networks_per_point)
            b = reference.reshape(36, networks_per_point)
            low, high = np.percentile(b, [16, 84], axis=1)
            gap = np.abs(np.median(a, 1) - np.median(b, 1)) / np.maximum((high - low) / 2, 1e-12)
            report[name][key] = {"max": float(gap.max()), "mean": float(gap.mean())}
    return report


def machine_info() -> dict[str, object]:
    """Versions and hardware the benchmark ran on."""
    return {
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "load_average_before": os.getloadavg(),
    }


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--networks", type=int, default=1152, help="networks per batched process (a shard)"
    )
    parser.add_argument("--groups", type=int, default=16, help="teachers per process (slots)")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--loop-networks", type=int, default=16, help="networks per loop process")
    parser.add_argument("--loop-steps", type=int, default=500)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    parser.add_argument("--compare-dtypes", action="store_true")
    parser.add_argument("--compare-networks", type=int, default=8)
    parser.add_argument("--compare-epochs", type=int, default=100)
    parser.add_argument("--json", help="also write the results to this JSON file")
    return parser.parse_args()


def main() -> None:
    """Run every contender and report."""
    args = parse_args()
    info = machine_info()
    results = []
    for name in CONTENDERS:
        loop = name.startswith("per-network")
        networks = args.loop_networks if loop else args.networks
        steps = args.loop_steps if loop else args.steps
        groups = min(args.groups, networks)
        results.append(bench(name, networks, groups, steps, args.processes, args.repeats))
    info["load_average_after"] = os.getloadavg()
    print("machine: " + ", ".join(f"{key}={value}" for key, value in info.items()))
    loop_rate = results[-1].network_steps_per_s
    print(
        f"{'contender':<42} {'procs':>5} {'nets':>5} {'steps':>6} {'best s':>8} "
        f"{'net-steps/s':>12} {'vs loop':>8}"
    )
    for r in results:
        print(
            f"{r.name:<42} {r.processes:>5} {r.networks_per_process:>5} {r.steps:>6} "
            f"{r.seconds:>8.3f} {r.network_steps_per_s:>12.4g} "
            f"{r.network_steps_per_s / loop_rate:>7.1f}x"
        )
    best = results[0].network_steps_per_s
    hours = PAPER_NETWORK_STEPS / best / 3600
    print(
        f"paper grid: {PAPER_NETWORK_STEPS:.3g} network-steps, {hours:.3g} h "
        f"({hours / 24:.3g} days) at the batched float32 rate on {args.processes} cores"
    )
    payload = {
        "machine": info,
        "args": vars(args),
        "contenders": [asdict(r) for r in results],
        "paper_grid_hours": hours,
    }
    if args.compare_dtypes:
        payload["dtype_comparison"] = compare_dtypes(args.compare_networks, args.compare_epochs)
        print("|median difference| from float64 / (16-84 % half-width), max and mean over points:")
        for name, table in payload["dtype_comparison"].items():
            for key, gap in table.items():
                print(f"  {name:<28} {key:<22} max {gap['max']:.2f}  mean {gap['mean']:.2f}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(payload, handle, indent=2)


if __name__ == "__main__":
    main()
