"""Weight ensembles from elsewhere (the original authors' released files, or anyone's runs),
analysed exactly like the pipeline's own teacher-student ensembles.

A file is an .npz holding ``W`` indexed (network, snapshot, row, column), optionally ``loss``,
and the setting as scalars (``lr``, ``batch_size``, ``noise``, ...: whatever is there is read
and recorded). The singular values of one snapshot are grouped into modes (`group_modes`), every
mode is fitted (Eq 11 for pairs, with U4 and spacings) with jackknife errors over networks.
Every degenerate pair is then held to the laws of seed 002 Eqs 11, 12 and 31 (PRE 111 015303).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from rmtsgd.fits import analyse_modes, surmise_test
from rmtsgd.io import inspect_ensemble
from rmtsgd.pair_laws import (
    binder_u4_claim,
    scaled_distance,
    spacing_mean_claim,
    surmise_claim,
)
from rmtsgd.spectra import group_modes, pair_spacing, singular_values


def load_ensemble(path: str | Path, snapshot: int) -> dict:
    """W of one snapshot (network, row, column) and the file's scalar settings."""
    inspect_ensemble(path)
    with np.load(path, allow_pickle=False) as data:
        weights = data["W"][:, snapshot]
        setting = {k: data[k].item() for k in data.files if data[k].ndim == 0}
    return {"weights": weights, "setting": setting}


def analyse_ensemble(weights: np.ndarray, n_blocks: int, pair_gap: float) -> dict:
    """Singular values, modes and their fits with jackknife errors; non-finite networks excluded.

    `weights` is (network, row, column). Raises ValueError when no network is finite or fewer
    remain than jackknife blocks.
    """
    values = singular_values(weights)
    finite = np.isfinite(values).all(axis=1)
    if not finite.any():
        raise ValueError("no network has finite weights")
    if finite.sum() < n_blocks:
        raise ValueError(
            f"only {finite.sum()} networks with finite weights ({(~finite).sum()} excluded) for "
            f"{n_blocks} jackknife blocks"
        )
    values = values[finite][:, None, :]  # one snapshot: (network, 1, value)
    modes = group_modes(values, pair_gap)
    result = analyse_modes(values, modes, n_blocks)
    quantities = ("centre", "width", "spacing_mean", "binder_u4", "spacing_ratio", "ks_surmise")
    return {
        "quantity": "singular_values",
        "networks": {"total": int(len(finite)), "excluded": int((~finite).sum())},
        "modes": [
            {
                "kind": fitted["kind"],
                "indices": fitted["indices"],
                **{q: fitted.get(q, {"value": None, "error": None}) for q in quantities},
                "surmise": surmise_test(pair_spacing(values, mode)) if mode.is_pair else None,
            }
            for mode, fitted in zip(modes, result["modes"], strict=True)
        ],
    }


def pair_law_claims(mode: Mapping, name: str, k: int, setting: Mapping, cfg: Mapping) -> list[dict]:
    """Eq 12, Eq 31 and the Wigner surmise for mode k, a degenerate pair, of ensemble `name`."""
    z, label = cfg["z"], f"{name}_mode{k}"
    samples = {"count": mode["surmise"]["n"], "unit": "networks"}
    pair = f"the pair of singular values {mode['indices']} of ensemble {name}"
    n = mode["surmise"]["n"]
    statistic = f"sqrt(n) x KS distance, n = {n} independent networks"
    return [
        spacing_mean_claim(
            f"spacing_mean_{label}",
            mode["spacing_ratio"],
            pair,
            cfg["spacing_mean"],
            z,
            setting,
            samples,
        ),
        binder_u4_claim(
            f"binder_u4_{label}", mode["binder_u4"], pair, cfg["binder_u4"], z, setting, samples
        ),
        surmise_claim(
            f"wigner_surmise_{label}",
            scaled_distance(mode["ks_surmise"], n),
            pair,
            statistic,
            cfg["wigner_surmise_ks"],
            z,
            setting,
            samples,
        ),
    ]


def external_claims(reports: Mapping[str, Mapping], cfg: Mapping) -> list[dict]:
    """The pair laws for every degenerate pair of every external ensemble; `cfg` is the config's
    external_claims section."""
    claims = []
    for name, report in reports.items():
        for k, mode in enumerate(report["modes"]):
            if mode["kind"] == "pair":
                claims += pair_law_claims(mode, name, k, report["setting"], cfg)
    return claims
