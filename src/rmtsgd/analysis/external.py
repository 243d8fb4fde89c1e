"""Weight ensembles from elsewhere (the original authors' released files, or anyone's runs),
analysed exactly like the pipeline's own teacher-student ensembles.

A file is an .npz holding ``W`` indexed (network, snapshot, row, column), optionally ``loss``,
and the setting as scalars (``lr``, ``batch_size``, ``noise``, ...: whatever is there is read
and recorded). The singular values of one snapshot are grouped into modes (`group_modes`), every
mode is fitted (Eq 11 for pairs, with U4 and spacings) with jackknife errors over networks.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from rmtsgd.analysis.teacher_student import surmise_distance
from rmtsgd.analysis.teacher_student_claims import pair_claims
from rmtsgd.fits import analyse_modes
from rmtsgd.io import inspect_ensemble
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
    quantities = ("centre", "width", "spacing_mean", "binder_u4", "spacing_ratio")
    return {
        "quantity": "singular_values",
        "networks": {"total": int(len(finite)), "excluded": int((~finite).sum())},
        "modes": [
            {
                "kind": fitted["kind"],
                "indices": fitted["indices"],
                **{q: fitted.get(q, {"value": None, "error": None}) for q in quantities},
                "surmise": surmise_distance(pair_spacing(values, mode)) if mode.is_pair else None,
            }
            for mode, fitted in zip(modes, result["modes"], strict=True)
        ],
    }


def external_claims(reports: Mapping[str, Mapping], tol: Mapping) -> list[dict]:
    """Eq 11-12 and Eq 31 claims for every degenerate pair of every external ensemble."""
    claims = []
    for name, report in reports.items():
        for k, mode in enumerate(report["modes"]):
            if mode["kind"] == "pair":
                label = f"{name}_mode{k}"
                claims += pair_claims(
                    mode, mode["surmise"], label, report["setting"], tol, tol["z"]
                )
    return claims
