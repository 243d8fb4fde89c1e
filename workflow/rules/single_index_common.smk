# Helpers of the single-index rules (workflow/rules/single_index.smk): jobs, seeds, targets.
import re

from rmtsgd.config import (
    SingleIndexJob,
    analysed_curves,
    as_plain,
    shard_seed,
    si_bootstrap_seed,
    si_budget,
    si_jobs,
    si_shard_sizes,
)

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
