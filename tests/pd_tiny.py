"""A tiny phase-diagram run through the library exactly as the rules call it (shared by the
analysis and plotting tests): a 2 x 2 grid (T = 1/32, 4; sigma_W = 1/8, 256), 4 networks per
point, 12 epochs on 400 training inputs, two shards."""

import numpy as np
from conftest import ROOT

from rmtsgd.config import load_config
from rmtsgd.phase_diagram.analysis import network_observables
from rmtsgd.phase_diagram.config import pd_shard_networks, pd_shards, pd_slot_seeds, pd_snapshots
from rmtsgd.phase_diagram.model import SGDTrainer, TanhNet, initial_weights, make_instance, train


def tiny_run() -> tuple[dict, list[dict]]:
    """The phase_diagram config section of the run and the observables of its two shards."""
    config = load_config(ROOT / "config/config.yaml", ROOT / "config/smoke.yaml")
    pd = config["phase_diagram"]
    pd["grid"].update(eps=[0.125, 16.0], sigma_w=[0.125, 256.0], points_per_shard=2)
    pd["data"].update(n_train=400)
    pd["training"].update(epochs=12, snapshot_epochs=[1, 4])
    # 12 epochs bring the ordered point to a test loss of a few 1e-4
    pd["analysis"].update(
        growth_from_epoch=4, bootstrap=40, ordered_max_loss=1e-3, classifier_epoch=12
    )
    pd["analysis"]["points"]["paramagnetic"]["eps"] = 16.0
    net = TanhNet(**pd["model"])
    seeds = [pd_slot_seeds(1, k) for k in range(pd["grid"]["networks"])]
    instances = {k: make_instance(net, s, 400, 128) for k, s in enumerate(seeds)}
    shards = []
    for index in range(len(pd_shards(pd))):
        rows = pd_shard_networks(pd, index)
        w0 = initial_weights(net, rows["sigma_w"], [seeds[k]["init"] for k in rows["slot"]])
        trainer = SGDTrainer(
            [i.teacher for i in instances.values()],
            [i.train for i in instances.values()],
            rows["slot"],
            rows["eps"],
            w0,
            4,
            100.0,
        )
        run = train(trainer, pd_snapshots(pd["training"]))
        observables = network_observables(run.weights, run.snapshots, instances, rows["slot"])
        shards.append(
            {
                **observables,
                **{key: np.asarray(v) for key, v in rows.items()},
                "snapshots": run.snapshots,
                "diverged": run.diverged,
                "diverged_epoch": run.diverged_epoch,
                **{key: np.int64(v) for key, v in pd["model"].items()},
            }
        )
    return pd, shards
