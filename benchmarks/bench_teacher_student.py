"""Benchmark the batched teacher-student trainer (models A and B) against a per-network loop.

Runs the same SGD work side by side in one process and reports network-updates per second:

1. `batched`: rmtsgd's TeacherStudentTrainer, every network in one tensor program, the batch
   covariance drawn from its Wishart law (Bartlett), float32 normals, float64 arithmetic.
2. `batched-f64noise`: the same with float64 normals.
3. `batched, explicit x`: the same update fed with explicit inputs x ~ N(0, I) per sample,
   C = x^T x / |B|: what the Wishart draw saves.
4. `per-network loop (original design)`: one student object per network with its own numpy
   weights, stepped in turn; each update draws its |B| inputs and its noise (numpy is faster
   than torch for 2 x 2 matrices, so this baseline is the kinder one); timed on fewer networks.

Model A: Z of Eq 27, Eq 28 noise (one draw per update). Model B: Z = I, GOE noise per sample.
Usage: python benchmarks/bench_teacher_student.py [--networks 3000] [--updates 2000] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from functools import partial

import numpy as np
import torch
from bench_rbm import elapsed, machine_info

from rmtsgd.teacher_student.model import (
    LinearTeacherStudent,
    SGDSettings,
    TeacherStudentTrainer,
    degenerate_teacher,
)

SEED = 1234
WARMUP_UPDATES = 5
Z27 = np.array([[-1.8198, 0.5861], [-0.6574, 0.0473]])
MODELS = {
    "A": {"z": Z27, "init_std": 1.0, "sgd": {"noise_std": 0.1, "noise": "iid"}},
    "B": {"z": np.eye(2), "init_std": 0.1, "sgd": {"noise_std": 0.1, "noise": "goe"}},
}


@dataclass
class Result:
    """Best-of-repeats timing of one contender."""

    model: str
    name: str
    networks: int
    updates: int
    seconds: float
    network_updates_per_s: float


def settings(model: str, batch: int) -> tuple[LinearTeacherStudent, SGDSettings]:
    spec = MODELS[model]
    net = LinearTeacherStudent(spec["z"], degenerate_teacher(2, 2.0), spec["init_std"])
    per_sample = spec["sgd"]["noise"] == "goe"
    return net, SGDSettings(lr=0.1, batch=batch, per_sample=per_sample, **spec["sgd"])


def make_trainer(model: str, networks: int, batch: int, noise_dtype) -> TeacherStudentTrainer:
    net, sgd = settings(model, batch)
    trainer = TeacherStudentTrainer(net, sgd, networks, seed=SEED, noise_dtype=noise_dtype)
    for _ in range(WARMUP_UPDATES):
        trainer.step()
    return trainer


def step_trainer(trainer: TeacherStudentTrainer, updates: int) -> None:
    for _ in range(updates):
        trainer.step()


def step_explicit(trainer: TeacherStudentTrainer, updates: int) -> None:
    """The trainer's update with C from |B| explicit inputs per network and its own noise."""
    shape = (trainer.replicas, trainer.sgd.batch, 2)
    for _ in range(updates):
        x = torch.randn(shape, generator=trainer.generator, dtype=torch.float64)
        covariance = x.transpose(1, 2) @ x / trainer.sgd.batch
        trainer.update(covariance, trainer.draw()[1])


class LoopStudent:
    """One network as a per-network code holds it: numpy weights and its own generator."""

    def __init__(self, model: str, batch: int, seed: int) -> None:
        net, self.sgd = settings(model, batch)
        self.rng = np.random.default_rng(seed)
        self.ztz, self.teacher = net.ztz, net.teacher
        self.w = self.rng.normal(0.0, net.init_std, (2, 2))

    def step(self) -> None:
        x = self.rng.standard_normal((self.sgd.batch, 2))
        noise = self.rng.standard_normal((2, 2))
        if self.sgd.noise == "goe":
            noise = (noise + noise.T) / np.sqrt(2.0)
        error = (self.teacher - self.w) @ (x.T @ x / self.sgd.batch) - self.sgd.noise_scale * noise
        self.w = self.w + self.sgd.lr * self.ztz @ error


def step_loop(students: list[LoopStudent], updates: int) -> None:
    for _ in range(updates):
        for student in students:
            student.step()


def best(run_factory, repeats: int) -> float:
    """Best wall time of `repeats` runs, each on a fresh state from `run_factory()`."""
    return min(elapsed(run_factory()) for _ in range(repeats))


def bench_model(model: str, args: argparse.Namespace) -> list[Result]:
    """Every contender on one model."""
    n, u = args.networks, args.updates
    timings = {
        "batched": (
            n,
            lambda: partial(step_trainer, make_trainer(model, n, args.batch, torch.float32), u),
        ),
        "batched-f64noise": (
            n,
            lambda: partial(step_trainer, make_trainer(model, n, args.batch, torch.float64), u),
        ),
        "batched, explicit x": (
            n,
            lambda: partial(step_explicit, make_trainer(model, n, args.batch, torch.float32), u),
        ),
        "per-network loop (original design)": (
            args.baseline_networks,
            lambda: partial(
                step_loop,
                [LoopStudent(model, args.batch, SEED + i) for i in range(args.baseline_networks)],
                u,
            ),
        ),
    }
    results = []
    for name, (networks, factory) in timings.items():
        seconds = best(factory, args.repeats)
        results.append(Result(model, name, networks, u, seconds, networks * u / seconds))
    return results


def print_report(info: dict, results: list[Result]) -> dict:
    """Print the table and return the speed-ups over the loop per model and contender."""
    print("machine: " + ", ".join(f"{key}={value}" for key, value in info.items()))
    header = (
        f"{'model':<6}{'contender':<38}{'networks':>9}{'updates':>8}{'best s':>9}"
        f"{'net-upd/s':>11}{'vs loop':>9}"
    )
    print(header)
    print("-" * len(header))
    speedups = {}
    for model in MODELS:
        rows = [r for r in results if r.model == model]
        loop = next(r for r in rows if r.name.startswith("per-network"))
        for r in rows:
            ratio = r.network_updates_per_s / loop.network_updates_per_s
            speedups[f"{model}: {r.name}"] = ratio
            print(
                f"{model:<6}{r.name:<38}{r.networks:>9}{r.updates:>8}{r.seconds:>9.3f}"
                f"{r.network_updates_per_s:>11.4g}{ratio:>8.1f}x"
            )
    return speedups


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=3000)
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--baseline-networks", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3, help="best of this many runs")
    parser.add_argument("--json", help="also write the results to this JSON file")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    torch.set_num_threads(args.threads)
    results = [r for model in MODELS for r in bench_model(model, args)]
    info = machine_info(torch.get_num_threads())
    speedups = print_report(info, results)
    if args.json:
        payload = {
            "machine": info,
            "args": vars(args),
            "contenders": [asdict(r) for r in results],
            "speedup_vs_loop": speedups,
        }
        with open(args.json, "w") as handle:
            json.dump(payload, handle, indent=2)


if __name__ == "__main__":
    main()
