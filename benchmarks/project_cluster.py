"""Projected cost of a config on a cluster: CPU time of every training shard and the wall time
on N nodes, from the measured training throughput (benchmarks/README.md, "Pipeline jobs").

Each training shard is one single-threaded SLURM job; shards are packed onto N x cores slots
longest first (what a scheduler with enough queued jobs achieves); the analysis after training
(spectra, fits, claims, figures: seconds per job) is added as a measured tail.

Usage: python benchmarks/project_cluster.py [--configfile config/config.yaml config/paper.yaml]
           [--nodes 1 2 4 8 16] [--cores 16] [--normals-per-cpu-s 1.6e8]
"""

from __future__ import annotations

import argparse
import heapq
from collections import Counter

from rmtsgd.config import load_config, shard_sizes
from rmtsgd.progress import format_duration
from rmtsgd.rbm.config import rbm_settings, training_normals

MEASURED_NORMALS_PER_CPU_S = 1.6e8  # training throughput, one thread (benchmarks/README.md)
ANALYSIS_TAIL_S = 120.0  # spectra + fit + claims + figure after the last shard, measured


def shard_costs(config: dict, normals_per_cpu_s: float) -> list[tuple[str, float]]:
    """(setting name, CPU seconds) of every training shard of the config."""
    rbm = config["rbm"]
    return [
        (setting.name, training_normals(rbm, setting, replicas) / normals_per_cpu_s)
        for setting in rbm_settings(rbm)
        for replicas in shard_sizes(rbm["training"])
    ]


def makespan(seconds: list[float], slots: int) -> float:
    """Wall time of running the jobs on `slots` single-core slots, longest job first."""
    finish = [0.0] * min(slots, len(seconds))
    for cost in sorted(seconds, reverse=True):
        heapq.heapreplace(finish, finish[0] + cost)
    return max(finish)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--configfile", nargs="+", default=["config/config.yaml", "config/paper.yaml"]
    )
    parser.add_argument("--nodes", nargs="+", type=int, default=[1, 2, 4, 8, 16])
    parser.add_argument("--cores", type=int, default=16, help="cores per node")
    parser.add_argument("--normals-per-cpu-s", type=float, default=MEASURED_NORMALS_PER_CPU_S)
    args = parser.parse_args()
    costs = shard_costs(load_config(*args.configfile), args.normals_per_cpu_s)
    seconds = [cost for _, cost in costs]
    print(f"config {' + '.join(args.configfile)}: {len(costs)} training shards")
    print("\n| setting | shards | CPU time per shard |\n| --- | --- | --- |")
    shards = Counter(name for name, _ in costs)
    for name, cost in dict(costs).items():
        print(f"| {name} | {shards[name]} | {format_duration(cost)} |")
    longest = format_duration(max(seconds))
    print(f"\ntraining: {sum(seconds) / 3600:.1f} CPU hours; longest shard {longest}")
    print(f"\n| nodes x {args.cores} cores | projected wall time |\n| --- | --- |")
    for nodes in args.nodes:
        wall = makespan(seconds, nodes * args.cores) + ANALYSIS_TAIL_S
        print(f"| {nodes} | {format_duration(wall)} |")


if __name__ == "__main__":
    main()
