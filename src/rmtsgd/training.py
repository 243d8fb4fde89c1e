"""What every batched trainer shares: the device choice, the snapshot schedule, and the loop that
runs a trainer to its last snapshot while recording divergence.

A trainer advances all networks of an ensemble at once and provides `step()`,
`check_divergence()` (flag and freeze networks whose state is no longer finite or usable, return
how many are new), `snapshot()` (weights as float64 numpy, NaN for flagged networks), and the
attributes `replicas`, `updates_done`, `diverged`, `diverged_at` and `seed`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import torch

from rmtsgd.progress import Progress

log = logging.getLogger(__name__)


class BatchedTrainer(Protocol):
    """The interface `train_ensemble` drives (see the module docstring)."""

    replicas: int
    updates_done: int
    seed: int
    diverged: torch.Tensor
    diverged_at: torch.Tensor

    def step(self) -> None: ...

    def check_divergence(self) -> int: ...

    def snapshot(self) -> np.ndarray: ...


@dataclass
class Ensemble:
    """Weights of an ensemble at its snapshots, and which replicas diverged (and when)."""

    weights: np.ndarray  # (R, S, ...); NaN from a replica's divergence on
    snapshots: np.ndarray  # (S,) update counts
    diverged: np.ndarray  # (R,) bool
    diverged_at: np.ndarray  # (R,) update at which divergence was detected, -1 if never
    seed: int


def pick_device(preference: str = "auto") -> torch.device:
    """CUDA when available (or asked for), CPU otherwise."""
    if preference == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(preference)


class NoiseBlocks:
    """Blocks of standard normals, one block per PCD update, drawn from one seeded generator.

    Normals are drawn in `noise_dtype` and handed out in `dtype`: float32 uses torch's
    vectorised CPU sampler, about four times its float64 rate. Buffers are reused, so a block
    is valid until the next call.
    """

    def __init__(
        self, size: int, generator: torch.Generator, dtype: torch.dtype, noise_dtype: torch.dtype
    ) -> None:
        self.generator = generator
        self._raw = torch.empty(size, dtype=noise_dtype, device=generator.device)
        self._out = self._raw if noise_dtype == dtype else self._raw.to(dtype)

    def next(self) -> torch.Tensor:
        """The next block of standard normals."""
        self._raw.normal_(generator=self.generator)
        return self._out if self._out is self._raw else self._out.copy_(self._raw)


def starting_weights(
    initial: torch.Tensor | None,
    shape: tuple[int, ...],
    std: float,
    generator: torch.Generator,
    dtype: torch.dtype = torch.float64,
) -> torch.Tensor:
    """A copy of `initial` (checked against `shape`), or N(0, std^2) draws from `generator`."""
    if initial is not None:
        if tuple(initial.shape) != tuple(shape):
            raise ValueError(f"initial_weights must have shape {shape}, got {tuple(initial.shape)}")
        return initial.to(device=generator.device, dtype=dtype).clone()
    weights = torch.empty(shape, dtype=dtype, device=generator.device)
    return weights.normal_(0.0, std, generator=generator)


def train_ensemble(
    trainer: BatchedTrainer,
    snapshots: Sequence[int],
    check_every: int = 100,
    progress_seconds: float = 30.0,
) -> Ensemble:
    """Run the trainer up to the last snapshot, keeping weights at each snapshot.

    A snapshot at the trainer's current update count (0 for a new trainer: the initial weights)
    is taken before the first update. Divergence is checked every `check_every` updates and at
    every snapshot; progress (updates done, rate, time left, replicas diverged) goes to this
    module's logger every `progress_seconds` and every tenth of the run (a rule's log file in
    the pipeline).
    """
    snapshots = np.asarray(sorted(snapshots), dtype=np.int64)
    total = int(snapshots[-1])
    progress = Progress(total, log, every_seconds=progress_seconds)
    progress.update(trainer.updates_done)

    def diverged() -> str:  # called only when a progress line is due (a device sync on GPU)
        return f"diverged {int(trainer.diverged.sum())}/{trainer.replicas}"

    wanted = set(snapshots.tolist())
    kept = []
    if trainer.updates_done in wanted:
        trainer.check_divergence()
        kept.append(trainer.snapshot())
    for t in range(trainer.updates_done + 1, total + 1):
        trainer.step()
        if t % check_every == 0 or t in wanted:
            trainer.check_divergence()
        if t in wanted:
            kept.append(trainer.snapshot())
        progress.update(t, diverged)
    return Ensemble(
        weights=np.stack(kept, axis=1),
        snapshots=snapshots,
        diverged=trainer.diverged.cpu().numpy(),
        diverged_at=trainer.diverged_at.cpu().numpy(),
        seed=trainer.seed,
    )
