"""Claims of the phase-diagram module (seed 000, spec/phase_diagram.md) and the comparison of
the Langevin classifier's variants, from the grid summary (rmtsgd.phase_diagram.analysis).

Every error is a bootstrap over slots (independent problem instances, the same resample for
every grid point). The paper's numbers are read from the spec: ordered test loss ~1e-7,
paramagnetic 3-5e-3, Tc ~ 0.375 at 1/sigma_W = 8, the ordered/jammed boundary at
1/sigma_W = sqrt 2.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from rmtsgd.claims import make_claim
from rmtsgd.phase_diagram import observables
from rmtsgd.phase_diagram.analysis import (
    CLASSIFIER_TERMS,
    Grid,
    bootstrap,
    class_shares,
    classifier_classes,
    contour_log2,
    paramagnetic_boundary_log2,
    tc_log2,
    vertical_boundary_log2,
)
from rmtsgd.phase_diagram.model import TanhNet

ORDERED_LOSS = 1e-7  # paper: test loss of the ordered phase
PARAMAGNETIC_LOSS = (3e-3, 5e-3)  # paper: the paramagnetic loss plateau
TC = 0.375  # paper: Tc at 1/sigma_W = 8
VERTICAL = np.sqrt(2.0)  # paper: ordered/jammed boundary at 1/sigma_W = sqrt 2

CLAIM_INPUTS = (
    "test_loss_final",
    "excess",
    "growth",
    "spectral_change",
    "teacher_distance",
    "saturated_final",
    *CLASSIFIER_TERMS,
)


def log_level_spacing(hidden: int, hidden0: int) -> float:
    """Mean spacing of log10 x between neighbouring modes of W W^T for W (K x L) with i.i.d.
    entries: the Marchenko-Pastur edges (1 +- sqrt(K/L))^2 span log10 of their ratio over K - 1
    spacings. A mode that moves by less stays between its neighbours."""
    root = np.sqrt(hidden / hidden0)
    return float(2.0 * np.log10((1.0 + root) / (1.0 - root)) / (hidden - 1))


# --------------------------------------------------------------------------- classifier


def classifier_variants(pd: Mapping, snapshots: np.ndarray) -> dict[str, dict]:
    """The classifier settings compared: the configured one ("claims"), the initial and the
    final snapshot, and the other indexing and noise version at the configured snapshot."""
    analysis = pd["analysis"]
    configured = {
        "epoch": int(analysis["classifier_epoch"]),
        "indexing": analysis["indexing"],
        "noise": analysis["noise"],
    }
    other_indexing = next(i for i in observables.INDEXINGS if i != configured["indexing"])
    other_noise = next(n for n in observables.NOISES if n != configured["noise"])
    return {
        "claims": configured,
        "initial": {**configured, "epoch": int(snapshots[0])},
        "final": {**configured, "epoch": int(snapshots[-1])},
        f"indexing_{other_indexing}": {**configured, "indexing": other_indexing},
        f"noise_{other_noise}": {**configured, "noise": other_noise},
    }


def variant_classes(
    grid_arrays: Mapping[str, np.ndarray], variant: Mapping, grid: Grid, pd: Mapping
) -> np.ndarray:
    """Classes (n_eps, n_sigma, networks) of every network under one classifier variant."""
    snapshots = np.asarray(grid_arrays["snapshots"])
    net = TanhNet(**{k: int(grid_arrays[k]) for k in ("inputs", "hidden0", "hidden")})
    return classifier_classes(
        grid_arrays,
        int(np.flatnonzero(snapshots == variant["epoch"])[0]),
        variant,
        grid.temperature[:, None, None],
        grid.sigma_w[None, :, None],
        net,
        pd["analysis"]["null_z"],
    )


def boundary_offsets(
    classes: np.ndarray, excess: np.ndarray, grid: Grid, level: float, min_excess: float
) -> np.ndarray:
    """Per sigma_W column: Delta = log2 T of the classifier's `level` contour minus log2 T of
    the paramagnetic boundary; NaN where either is absent."""
    contour = contour_log2(class_shares(classes)["contour_share"], grid, level)
    return contour - paramagnetic_boundary_log2({"excess": excess}, grid, min_excess)


def notebook_tc(share: np.ndarray, grid: Grid, batch: int, level: float) -> float:
    """The authors' Tc of a column's share (n_eps,): (lr_i + lr_{i+1}) / 2 / |B| with lr_i the
    largest learning rate whose share exceeds `level`; NaN if none does or the last one does."""
    above = np.flatnonzero(share > level)
    if not above.size or above[-1] == len(share) - 1:
        return np.nan
    i = above[-1]
    return float((grid.eps[i] + grid.eps[i + 1]) / 2 / batch)


def column_census(offsets: np.ndarray, contour: np.ndarray, boundary: np.ndarray) -> dict:
    """How many columns have both boundaries, only one, or neither."""
    has_c, has_b = np.isfinite(contour), np.isfinite(boundary)
    return {
        "both": int(np.sum(has_c & has_b)),
        "contour_only": int(np.sum(has_c & ~has_b)),
        "boundary_only": int(np.sum(~has_c & has_b)),
        "neither": int(np.sum(~has_c & ~has_b)),
        "columns": len(offsets),
    }


def classifier_comparison(
    per_point: Mapping[str, np.ndarray],
    key: str,
    grid: Grid,
    pd: Mapping,
    seed: int,
) -> dict:
    """One variant's agreement with the paramagnetic boundary: the mean |Delta| and the mean
    Delta over the columns that have both boundaries (bootstrap errors; a resample that loses
    one of them is undefined), Delta per column, the column census, null cells, and the
    notebook's Tc."""
    analysis = pd["analysis"]
    level, min_excess = min(analysis["contour_levels"]), analysis["paramagnetic_min_excess"]
    classes, resamples = per_point[key], analysis["bootstrap"]
    offsets = boundary_offsets(classes, per_point["excess"], grid, level, min_excess)
    defined = np.isfinite(offsets)

    def mean_offset(absolute: bool) -> Callable[[Mapping[str, np.ndarray]], float]:
        def statistic(p: Mapping[str, np.ndarray]) -> float:
            if not defined.any():
                return np.nan
            offsets = boundary_offsets(p[key], p["excess"], grid, level, min_excess)[defined]
            return float(np.mean(np.abs(offsets) if absolute else offsets))

        return statistic

    shares = class_shares(classes)
    column = shares["contour_share"][:, grid.tc_column]
    batch = pd["training"]["batch"]
    return {
        "mean_abs_offset_log2_t": bootstrap(mean_offset(True), per_point, resamples, seed),
        "mean_offset_log2_t": bootstrap(mean_offset(False), per_point, resamples, seed),
        "offsets_log2_t": [None if not np.isfinite(v) else float(v) for v in offsets],
        "census": column_census(
            offsets,
            contour_log2(shares["contour_share"], grid, level),
            paramagnetic_boundary_log2(per_point, grid, min_excess),
        ),
        "null_cells": int(np.sum(shares["null_share"] > 0.5)),
        "notebook_tc": {
            f"{c:g}": notebook_tc(column, grid, batch, c) for c in analysis["contour_levels"]
        },
        "contour_share": shares["contour_share"],
    }


def compare_variants(comparisons: Mapping[str, dict], level: float) -> dict:
    """Per variant: the numbers of classifier_comparison and how its share differs from the
    configured one's (largest difference, points whose `level` verdict changes)."""
    reference = comparisons["claims"]["contour_share"]
    out = {}
    for name, result in comparisons.items():
        share = result["contour_share"]
        out[name] = {key: v for key, v in result.items() if key != "contour_share"}
        out[name]["max_share_difference"] = float(np.max(np.abs(share - reference)))
        out[name]["points_changing_verdict"] = int(np.sum((share >= level) != (reference >= level)))
    return out


# --------------------------------------------------------------------------- claims


def phase_diagram_claims(grid_arrays: Mapping[str, np.ndarray], pd: Mapping, seed: int) -> dict:
    """The module's claims and the measured numbers they rest on (the classifier's variants
    among them) from the grid summary's per-point arrays (n_eps, n_sigma, networks, ...).
    `pd` is the config's phase_diagram section."""
    grid, analysis, spec = Grid(pd), pd["analysis"], pd["claims"]
    z, resamples = spec["z"], analysis["bootstrap"]
    per_point = {key: grid_arrays[key] for key in CLAIM_INPUTS}
    variants = classifier_variants(pd, np.asarray(grid_arrays["snapshots"]))
    for name, variant in variants.items():
        per_point[f"classes_{name}"] = variant_classes(grid_arrays, variant, grid, pd)
    min_excess = analysis["paramagnetic_min_excess"]
    samples = {"count": int(grid_arrays["test_loss_final"].shape[2]), "unit": "networks per point"}

    def at(name: str, key: str) -> Callable[[Mapping], float]:
        i, j = grid.points[name]
        return lambda p: float(np.nanmedian(p[key][i, j]))

    def setting(name: str) -> dict:
        i, j = grid.points[name]
        return {"T": float(grid.temperature[i]), "inv_sigma_w": float(1 / grid.sigma_w[j])}

    def stat(function: Callable[[Mapping], float], k: int) -> dict:
        return bootstrap(function, per_point, resamples, seed + k)

    def claim(name: str, statement: str, source: str, result: dict, reference: float, **kw):
        return make_claim(
            name,
            statement,
            source,
            result["value"],
            result["error"],
            reference,
            spec[name],
            z,
            samples=samples,
            **kw,
        )

    spacing = log_level_spacing(int(grid_arrays["hidden"]), int(grid_arrays["hidden0"]))
    plateau = float(np.log10(np.sqrt(np.prod(PARAMAGNETIC_LOSS))))
    log_loss = {name: at(name, "test_loss_final") for name in ("ordered", "paramagnetic")}
    comparisons = {  # one bootstrap seed for all: equal variants get equal errors
        name: classifier_comparison(per_point, f"classes_{name}", grid, pd, seed + 10)
        for name in variants
    }
    agreement = comparisons["claims"]["mean_abs_offset_log2_t"]
    tc = stat(lambda p: tc_log2(p, grid, min_excess), 3)
    boundary = stat(lambda p: vertical_boundary_log2(p, grid, analysis["ordered_max_loss"]), 4)
    claims = [
        claim(
            "ordered_contrast",
            "final test loss of the ordered phase ~1e-7 against 3-5e-3 in the paramagnetic phase "
            "at the same 1/sigma_W: log10 of the ratio of the medians",
            "paper: arXiv 2509.01349 (spec: phase_diagram.md, Phases)",
            stat(lambda p: np.log10(log_loss["ordered"](p) / log_loss["paramagnetic"](p)), 0),
            float(np.log10(ORDERED_LOSS) - plateau),
            setting={"ordered": setting("ordered"), "paramagnetic": setting("paramagnetic")},
        ),
        claim(
            "paramagnetic_plateau",
            "the paramagnetic test loss stalls at 3-5e-3 (log10 of the median final test loss; "
            "reference the range's log centre)",
            "paper: arXiv 2509.01349 (spec: phase_diagram.md, Phases)",
            stat(lambda p: np.log10(log_loss["paramagnetic"](p)), 5),
            plateau,
            setting=setting("paramagnetic"),
        ),
        claim(
            "paramagnetic_growth",
            "paramagnetic phase: x(t) grows without bound, i.e. is still growing at the end of "
            "the run (median log10 of mean x, last snapshot over growth_from_epoch)",
            "paper: arXiv 2509.01349 (spec: phase_diagram.md, Phases)",
            stat(at("paramagnetic", "growth"), 1),
            0.0,
            rule="at_least",
            setting={**setting("paramagnetic"), "from_epoch": analysis["growth_from_epoch"]},
        ),
        claim(
            "ordered_teacher_x",
            "ordered phase: x flows to the teacher's values (median over networks of the mean "
            "|log10 x_i(final) / x_i(teacher)|), each mode within one level spacing of its "
            "teacher's",
            "spec: phase_diagram.md (Phases); the bound, one Marchenko-Pastur level spacing of "
            "log10 x, is ours",
            stat(at("ordered", "teacher_distance"), 6),
            spacing,
            rule="at_most",
            setting=setting("ordered"),
        ),
        claim(
            "jammed_frozen",
            "jammed phase: x frozen near its initial value (median over networks of the mean "
            "|log10 x_i(final) / x_i(0)|), each mode within one level spacing of its start",
            "spec: phase_diagram.md (Phases); the bound, one Marchenko-Pastur level spacing of "
            "log10 x, is ours",
            stat(at("jammed", "spectral_change"), 2),
            spacing,
            rule="at_most",
            setting=setting("jammed"),
        ),
        claim(
            "jammed_saturation",
            f"jammed phase: the hidden units saturate, "
            f"|pre-activation| > {observables.SATURATION:g} "
            "(median over networks of the share of test inputs and units, final W), for most "
            "of them (a share of at least 1/2)",
            "spec: phase_diagram.md (Phases); 'most' as a share >= 1/2 is ours",
            stat(at("jammed", "saturated_final"), 7),
            0.5,
            rule="at_least",
            setting=setting("jammed"),
        ),
        claim(
            "tc",
            f"ordered/paramagnetic transition at 1/sigma_W = 8 at Tc = {TC} (log2 Tc; measured "
            "as the paramagnetic boundary: where the median log10(mean x_final / max(mean "
            "x_initial, mean x_teacher)) rises through paramagnetic_min_excess, in log2 T)",
            "paper: arXiv 2509.01349 (spec: phase_diagram.md, Phases)",
            tc,
            float(np.log2(TC)),
            setting={
                "inv_sigma_w": float(1 / grid.sigma_w[grid.tc_column]),
                "paramagnetic_min_excess": min_excess,
            },
        ),
        claim(
            "vertical_boundary",
            "ordered/jammed boundary at 1/sigma_W = sqrt 2, where the density of tanh(z) turns "
            "bimodal (log2(1/sigma_W); measured along the lowest T, going down from the largest "
            "1/sigma_W, where the median final test loss rises through ordered_max_loss)",
            "paper: arXiv 2509.01349 (spec: phase_diagram.md, Phases)",
            boundary,
            float(np.log2(VERTICAL)),
            setting={
                "T": float(grid.temperature[grid.boundary_row]),
                "ordered_max_loss": analysis["ordered_max_loss"],
            },
        ),
        claim(
            "classifier_agreement",
            f"the Langevin classifier's {min(analysis['contour_levels']):g} contour lies on the "
            "paramagnetic boundary, to the grid's resolution of half a step: mean over the "
            "sigma_W columns that have both of |Delta|, Delta = log2 T(contour) - log2 "
            "T(boundary)",
            "spec: phase_diagram.md (Langevin classifier); the half-step bound is ours",
            agreement,
            0.5,
            rule="at_most",
            setting={
                **variants["claims"],
                "columns": comparisons["claims"]["census"],
                "null_cells": comparisons["claims"]["null_cells"],
                "undefined_share": agreement["undefined_share"],
            },
        ),
    ]
    skipped = tuple(spec["skip"])
    return {
        "claims": [c for c in claims if not c["name"].startswith(skipped)],
        "measured": {
            "tc_log2": tc,
            "vertical_boundary_log2_inv_sigma": boundary,
            "level_spacing_log10": spacing,
            "classifier": {
                "variants": variants,
                "results": compare_variants(comparisons, min(analysis["contour_levels"])),
            },
        },
    }
