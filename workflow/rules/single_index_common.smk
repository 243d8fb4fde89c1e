# Helpers of the single-index rules (workflow/rules/single_index.smk): jobs, seeds, targets.
import re

from rmtsgd.single_index.config import (
    SingleIndexJob,
    analysed_curves,
    si_bootstrap_seed,
    si_budget,
    si_jobs,
    si_shard_sizes,
)
from rmtsgd.config import as_plain, shard_seed

SI = config["single_index"]
SI_JOBS = si_jobs(SI)
SI_SHARDS = si_shard_sizes(SI["run"])
SI_FIGURES = ["si_eta", "si_collapse", "si_exponents"]
SI_CURVES = "|".join(re.escape(name) for name in SI["curves"])


def si_run_params(wildcards):
    """Everything that determines one job's hitting times."""
    curve, d, shard = (
        SI["curves"][wildcards.curve],
        int(wildcards.dim),
        int(wildcards.shard),
    )
    return {
        "model": as_plain(SI["model"]),
        "algorithm": curve["algorithm"],
        "rule": curve["rule"],
        "c": curve["c"],
        "eta": list(curve["eta"]),
        "d": d,
        "runs": SI_SHARDS[shard],
        "budget": si_budget(curve, d),
        "seed": shard_seed(config["seed"], SingleIndexJob(wildcards.curve, d), shard),
        "engine": SI["run"]["engine"],
        "chunk": SI["run"]["chunk"],
        "device": config["device"],
    }


def si_medians_of(jobs):
    return [f"{RES}/single_index/medians/{job.curve}/d{job.d}.npz" for job in jobs]


def si_jobs_of(curves, dims=None):
    """Jobs of the named curves (at the given dimensions only, if any)."""
    return [j for j in SI_JOBS if j.curve in curves and (dims is None or j.d in dims)]


def si_targets():
    """The module's figures (PDF and PNG) and its claims file."""
    figures = [f"{FIG}/{name}.{ext}" for name in SI_FIGURES for ext in ("pdf", "png")]
    return figures + [f"{RES}/claims/single_index.json"]


SI_FITTED = si_jobs_of(analysed_curves(SI["analysis"]))
SI_ETA_D = si_jobs_of(SI["curves"], [SI["figures"]["eta_d"]])
SI_KNEE = si_jobs_of([SI["analysis"]["crossover"]["curve"]])


# Single-index job costs (measured: benchmarks/README.md, "Single-index engines", and the
# default scan's benchmark files). A job peaks at a Python process with torch and numpy loaded
# (about 240 MB) plus one chunk of draws (8 float64 arrays of chunk x runs); the reduced engine
# spends about 11 us of Python per step plus 80 ns per active run, and at the plateau about a
# third of the runs stay active up to the budget. Analysis and figure jobs take seconds.
SI_BASE_MB = 300
SI_STEP_S = 11e-6
SI_RUN_STEP_S = 8e-8
SI_ACTIVE_SHARE = 0.35
SI_ANALYSIS_CPU_S = 120


def si_batch(wildcards):
    """Runs one si_run job batches: its shard's runs at every eta of its curve."""
    curve = SI["curves"][wildcards.curve]
    return SI_SHARDS[int(wildcards.shard)] * len(curve["eta"])


def si_run_cpu_s(wildcards):
    """CPU seconds of one si_run job (reduced engine), every step up to the budget."""
    budget = si_budget(SI["curves"][wildcards.curve], int(wildcards.dim))
    active = SI_ACTIVE_SHARE * si_batch(wildcards)
    return budget * (SI_STEP_S + SI_RUN_STEP_S * active)


def si_run_mb(wildcards):
    """Peak memory of one si_run job: the base process and one chunk of draws."""
    return SI_BASE_MB + 8 * 8 * SI["run"]["chunk"] * si_batch(wildcards) / 1e6


# ---------------------------------------------------------------------------------------------
# The slice (issue 15): A2's threshold exponent and the theorem rule's slope against c and the d
# range. One job per (study, c, d, shard) runs every eta of the study; each study's section of
# single_index.slice lists its cs, dims, etas and budget (samples = scale d^power / c).
from rmtsgd.single_index.slice import STUDIES, check_slice_config, slice_budget

SI_SLICE = SI["slice"]
check_slice_config(SI_SLICE)
SI_SLICE_SHARDS = si_shard_sizes(SI_SLICE)


def si_slice_c(c):
    """A step-size constant as it appears in paths."""
    return f"{float(c):g}"


SI_SLICE_POINTS = [
    (study, si_slice_c(c), int(d))
    for study in STUDIES
    for c in SI_SLICE[study]["cs"]
    for d in SI_SLICE[study]["dims"]
]


def si_slice_job(study, c, d):
    """The job name a slice point's seeds derive from."""
    return SingleIndexJob(f"slice_{study}_c{c}", int(d))


def si_slice_run_params(wildcards):
    """Everything that determines one slice job's hitting times (si_run.py's params)."""
    study, c, d = wildcards.study, float(wildcards.c), int(wildcards.dim)
    cfg, shard = SI_SLICE[study], int(wildcards.shard)
    return {
        "model": as_plain(SI["model"]),
        "algorithm": STUDIES[study]["algorithm"],
        "rule": STUDIES[study]["rule"],
        "c": c,
        "eta": list(cfg["eta"]),
        "d": d,
        "runs": SI_SLICE_SHARDS[shard],
        "budget": slice_budget(cfg, c, d),
        "seed": shard_seed(config["seed"], si_slice_job(study, wildcards.c, d), shard),
        "engine": SI["run"]["engine"],
        "chunk": SI["run"]["chunk"],
        "device": config["device"],
    }


def si_slice_medians():
    return [
        f"{RES}/single_index/slice/medians/{study}/c{c}/d{d}.npz"
        for study, c, d in SI_SLICE_POINTS
    ]


def si_slice_targets():
    """The slice's trend claims and its figure (PDF and PNG)."""
    figures = [f"{FIG}/si_slice.{ext}" for ext in ("pdf", "png")]
    return [f"{RES}/claims/single_index_slice.json"] + figures


# Slice job costs, from the measured rates above (SI_STEP_S, SI_RUN_STEP_S, SI_ACTIVE_SHARE):
# the last runs of a plateau point are censored, so a job steps up to its budget.
def si_slice_cpu_s(wildcards):
    """CPU seconds of one si_slice_run job, every step up to the budget."""
    cfg = SI_SLICE[wildcards.study]
    batch = SI_SLICE_SHARDS[int(wildcards.shard)] * len(cfg["eta"])
    budget = slice_budget(cfg, float(wildcards.c), int(wildcards.dim))
    return budget * (SI_STEP_S + SI_RUN_STEP_S * SI_ACTIVE_SHARE * batch)


def si_slice_mb(wildcards):
    """Peak memory of one si_slice_run job: the base process and one chunk of draws."""
    batch = SI_SLICE_SHARDS[int(wildcards.shard)] * len(
        SI_SLICE[wildcards.study]["eta"]
    )
    return SI_BASE_MB + 8 * 8 * SI["run"]["chunk"] * batch / 1e6
