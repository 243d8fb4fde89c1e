"""Teacher-student tanh network of seed 000 (Park, Lucini, Aarts, arXiv 2509.01349), trained by
plain SGD; many students at once (spec/phase_diagram.md).

x in R^d, phi0 = tanh(M x) in R^L, phi = tanh(W phi0) in R^K, y = Z phi. M (L x d, entries
N(0, 1/d)) and Z (K, entries N(0, 1/K)) are fixed and shared by teacher and students; only W
(K x L) is trained. The teacher's W_t ~ N(0, 1/L); a student starts from W ~ N(0, sigma_W^2/L).
Loss: half the mean squared error of a batch; temperature T = eps/|B|.

Because M is fixed, phi0 of every training input is computed once. A trainer holds groups of
students, each group learning its own teacher (its own M, Z, W_t and fixed training set);
the students of a group share the group's batches. Every student's W is a column block of one
(G, L, N_g K) tensor, so one SGD step of all students is two batched matrix products with the
groups' (|B|, L) batch features plus a few elementwise operations; each student has its own
learning rate (the students of a trainer span many (eps, sigma_W) points).

dtype (measured, benchmarks/README.md): float32 is the default. A step is bound by memory
traffic over W, and float32 ran 2.9x as fast as float64 (2 processes on 2 cores). Rounding does
not show in the observables: on a 6 x 6 grid trained 100 epochs from the same seeds, the
per-point medians of test loss, mean x, q and gradient norm moved from float64 to float32 by as
much as they move when float64 starts from W0 x (1 + 1e-12) (mean shifts 0.06-0.46 of the
16-84 % half-width for both): at high T the dynamics is chaotic, so any rounding difference
decorrelates single trajectories without changing their statistics, and in the ordered phase
the updates stay far above float32 resolution. float64 stays selectable in the config.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import torch

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TanhNet:
    """Layer sizes: d inputs, L = r K first-layer units (fixed M), K trained hidden units."""

    inputs: int = 3
    hidden0: int = 32
    hidden: int = 16

    @property
    def ratio(self) -> float:
        """r = L / K."""
        return self.hidden0 / self.hidden


@dataclass(frozen=True)
class Teacher:
    """The fixed layers M (L, d) and Z (K,) shared by everyone, and the teacher's W (K, L)."""

    m: np.ndarray
    z: np.ndarray
    w: np.ndarray


@dataclass(frozen=True)
class Dataset:
    """Inputs as their fixed features phi0 = tanh(M x), (n, L), and the teacher's outputs (n,)."""

    features: np.ndarray
    targets: np.ndarray


@dataclass(frozen=True)
class Instance:
    """One problem instance: a teacher (with its fixed M and Z) and its training and test sets."""

    teacher: Teacher
    train: Dataset
    test: Dataset


def draw_teacher(net: TanhNet, seed: int) -> Teacher:
    """M ~ N(0, 1/d), Z ~ N(0, 1/K), W_t ~ N(0, 1/L), from one seeded generator."""
    rng = np.random.default_rng(seed)
    m = rng.normal(0.0, net.inputs**-0.5, (net.hidden0, net.inputs))
    z = rng.normal(0.0, net.hidden**-0.5, net.hidden)
    w = rng.normal(0.0, net.hidden0**-0.5, (net.hidden, net.hidden0))
    return Teacher(m=m, z=z, w=w)


def make_dataset(teacher: Teacher, n: int, seed: int) -> Dataset:
    """n inputs x ~ N(0, I_d) as features tanh(M x), labelled by the teacher."""
    x = np.random.default_rng(seed).standard_normal((n, teacher.m.shape[1]))
    features = np.tanh(x @ teacher.m.T)
    return Dataset(features=features, targets=outputs(teacher.w, features, teacher.z))


def make_instance(net: TanhNet, seeds: Mapping[str, int], n_train: int, n_test: int) -> Instance:
    """Teacher and data sets from their seeds (keys teacher, train, test)."""
    teacher = draw_teacher(net, seeds["teacher"])
    return Instance(
        teacher,
        make_dataset(teacher, n_train, seeds["train"]),
        make_dataset(teacher, n_test, seeds["test"]),
    )


def hidden(w: np.ndarray, features: np.ndarray) -> np.ndarray:
    """phi = tanh(W phi0) for weights (..., K, L) and features (n, L): shape (..., n, K)."""
    return np.tanh(features @ np.swapaxes(w, -1, -2))


def outputs(w: np.ndarray, features: np.ndarray, z: np.ndarray) -> np.ndarray:
    """y = Z phi for weights (..., K, L): shape (..., n)."""
    return hidden(w, features) @ z


def loss_and_gradient(w: np.ndarray, data: Dataset, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Half mean squared error over `data` and its gradient dL/dW, for weights (..., K, L).

    dL/dW_kl = mean_n err_n Z_k (1 - phi_nk^2) phi0_nl, err = y - y_teacher.
    """
    phi = hidden(w, data.features)
    err = phi @ z - data.targets
    loss = 0.5 * np.mean(err**2, axis=-1)
    delta = err[..., None] * z * (1.0 - phi**2)  # (..., n, K)
    grad = np.swapaxes(delta, -1, -2) @ data.features / data.features.shape[0]
    return loss, grad


def initial_weights(net: TanhNet, sigma_w: Sequence[float], seeds: Sequence[int]) -> np.ndarray:
    """Students' W = sigma_W / sqrt(L) times a standard-normal draw from each network's seed:
    W ~ N(0, sigma_W^2 / L), shape (N, K, L). One generator per network makes a network's start
    independent of how the grid is sharded; networks given the same seed start from the same
    draw, scaled by their own sigma_W."""
    if len(sigma_w) != len(seeds):
        raise ValueError(f"{len(sigma_w)} sigma_W values for {len(seeds)} seeds")
    shape = (net.hidden, net.hidden0)
    draws = [np.random.default_rng(int(seed)).standard_normal(shape) for seed in seeds]
    scale = np.asarray(sigma_w, dtype=float)[:, None, None] / np.sqrt(net.hidden0)
    return scale * np.array(draws).reshape(len(seeds), *shape)


def _tensor(array, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    return torch.as_tensor(np.asarray(array), dtype=dtype, device=device)


@dataclass
class Run:
    """Weights of every network at its snapshots, and which networks diverged (and when)."""

    weights: np.ndarray  # (N, S, K, L); NaN from a network's divergence on
    snapshots: np.ndarray  # (S,) epochs
    diverged: np.ndarray  # (N,) bool
    diverged_epoch: np.ndarray  # (N,) epoch in which the threshold was passed, -1 if never


class SGDTrainer:
    """Plain SGD with batch |B| of N students in G groups; group g learns teacher g from its
    training set; every student has its own learning rate.

    Groups hold equally many students. Their W are stored as the columns of a (G, L, N_g K)
    tensor, so a step of all students is two batched matrix products over the groups (each
    with its batch's (|B|, L) features) plus a few elementwise operations. Step s of an epoch
    uses training rows s|B| ... (s+1)|B| - 1 of each group (fixed order, every epoch the same).
    The largest batch loss of every student is tracked on the device at each step;
    `check_divergence` (once per epoch in `epoch`) flags students whose largest batch loss
    passed `loss_threshold` or was not finite. A flagged student is frozen (lr 0, W 0, so that
    it costs nothing and leaves no inf/NaN in the batch) and its later snapshots are NaN.
    """

    def __init__(
        self,
        teachers: Sequence[Teacher],
        train_sets: Sequence[Dataset],
        groups: Sequence[int],
        lr: Sequence[float],
        weights: np.ndarray,
        batch: int,
        loss_threshold: float,
        device: torch.device | str = "cpu",
        dtype: torch.dtype = torch.float32,
    ) -> None:
        n_train = {len(d.targets) for d in train_sets}
        if len(n_train) != 1 or batch < 1 or n_train.pop() % batch:
            raise ValueError(f"training sets must be equal multiples of the batch {batch}")
        self.networks, self.hidden, self.hidden0 = weights.shape
        groups = np.asarray(groups)
        if len(lr) != self.networks or len(groups) != self.networks:
            raise ValueError(
                f"need a learning rate and a group for each of {self.networks} networks"
            )
        counts = np.bincount(groups, minlength=len(teachers))
        if len(counts) != len(teachers) or counts.min() != counts.max():
            raise ValueError(f"groups 0..{len(teachers) - 1} must hold equally many networks")
        self.n_groups, self.per_group = len(teachers), int(counts[0])
        self.order = np.argsort(groups, kind="stable")  # group-major position -> network
        self.batch, self.loss_threshold = batch, loss_threshold
        self.steps_per_epoch = len(train_sets[0].targets) // batch
        self.device, self.dtype = torch.device(device), dtype
        as_tensor = partial(_tensor, dtype=dtype, device=self.device)
        self.features = as_tensor(np.stack([d.features for d in train_sets]))  # (G, n, L)
        self.features_t = self.features.transpose(1, 2).contiguous()  # (G, L, n)
        self.targets = as_tensor(np.stack([d.targets for d in train_sets]))[:, :, None]
        self.z = as_tensor(np.stack([t.z for t in teachers]))  # (G, K)
        shape = (self.n_groups, self.per_group, self.hidden, self.hidden0)
        grouped = weights[self.order].reshape(shape).transpose(0, 3, 1, 2)  # (G, L, N_g, K)
        self.weights_t = as_tensor(grouped.reshape(self.n_groups, self.hidden0, -1)).contiguous()
        self.lr = as_tensor(np.asarray(lr)[self.order].reshape(self.n_groups, 1, -1))
        self._coef = -self.lr / batch  # dW = -(eps/|B|) sum over the batch
        self._pre = torch.empty(
            self.n_groups, batch, self.per_group * self.hidden, dtype=dtype, device=self.device
        )
        self._max_loss = torch.zeros(self.n_groups, self.per_group, dtype=dtype, device=device)
        self.diverged = np.zeros(self.networks, dtype=bool)
        self.diverged_epoch = np.full(self.networks, -1, dtype=np.int64)
        self.epochs_done = 0

    def step(self, s: int) -> None:
        """SGD step s of the epoch, every network at once."""
        rows = slice(s * self.batch, (s + 1) * self.batch)
        torch.bmm(self.features[:, rows], self.weights_t, out=self._pre)
        phi = self._pre.tanh_().view(self.n_groups, self.batch, self.per_group, self.hidden)
        err = torch.matmul(phi, self.z[:, None, :, None]).squeeze(-1)  # (G, |B|, N_g)
        err.sub_(self.targets[:, rows])
        torch.maximum(self._max_loss, err.square().mean(1).mul_(0.5), out=self._max_loss)
        scaled = err.mul_(self._coef)[..., None] * self.z[:, None, None, :]  # -(eps/|B|) err Z
        delta = scaled.addcmul_(scaled, phi * phi, value=-1.0)  # ... (1 - phi^2)
        self.weights_t.baddbmm_(
            self.features_t[:, :, rows], delta.view(self.n_groups, self.batch, -1)
        )

    def epoch(self) -> None:
        """One pass over the training sets, then the divergence check."""
        for s in range(self.steps_per_epoch):
            self.step(s)
        self.epochs_done += 1
        self.check_divergence()

    def check_divergence(self) -> int:
        """Flag and freeze networks whose largest batch loss since the last check passed the
        threshold or was not finite; return how many were new."""
        worst = np.empty(self.networks)
        worst[self.order] = self._max_loss.cpu().numpy().ravel()
        new = ~(worst <= self.loss_threshold) & ~self.diverged
        if new.any():
            self.diverged |= new
            self.diverged_epoch[new] = self.epochs_done
            position = np.empty(self.networks, dtype=np.int64)
            position[self.order] = np.arange(self.networks)
            g, j = np.divmod(position[new], self.per_group)
            g, j = torch.as_tensor(g, device=self.device), torch.as_tensor(j, device=self.device)
            self.lr[g, 0, j] = 0.0
            self._coef[g, 0, j] = 0.0
            columns = self.weights_t.view(self.n_groups, self.hidden0, self.per_group, self.hidden)
            columns[g, :, j] = 0.0
        self._max_loss.zero_()
        return int(new.sum())

    def weights(self) -> np.ndarray:
        """Current W of every network as float64 (N, K, L), NaN for diverged networks."""
        w = self.weights_t.detach().to("cpu", torch.float64).numpy()
        w = w.reshape(self.n_groups, self.hidden0, self.per_group, self.hidden)
        grouped = w.transpose(0, 2, 3, 1).reshape(self.networks, self.hidden, self.hidden0)
        out = np.empty_like(grouped)
        out[self.order] = grouped
        out[self.diverged] = np.nan
        return out


def train(trainer: SGDTrainer, snapshots: Sequence[int], progress_every: int | None = None) -> Run:
    """Run the trainer up to the last snapshot epoch, keeping W at every snapshot epoch
    (epoch 0 is the initial W). Progress goes to this module's logger."""
    snapshots = np.asarray(sorted(set(int(s) for s in snapshots)), dtype=np.int64)
    if snapshots[0] < trainer.epochs_done:
        raise ValueError(f"snapshot {snapshots[0]} lies before epoch {trainer.epochs_done}")
    total = int(snapshots[-1])
    progress_every = progress_every or max(1, total // 10)
    kept = []
    for epoch in snapshots:
        while trainer.epochs_done < epoch:
            trainer.epoch()
            if trainer.epochs_done % progress_every == 0:
                n_div = int(trainer.diverged.sum())
                log.info(
                    "epoch %d/%d, diverged %d/%d",
                    trainer.epochs_done,
                    total,
                    n_div,
                    trainer.networks,
                )
        kept.append(trainer.weights())
    return Run(
        weights=np.stack(kept, axis=1),
        snapshots=snapshots,
        diverged=trainer.diverged.copy(),
        diverged_epoch=trainer.diverged_epoch.copy(),
    )
