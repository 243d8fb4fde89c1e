"""Scaling with alpha/|B| across both scans, and the RBM module's claims file."""

from rmtsgd.claims import write_claims_file
from rmtsgd.io import provenance, read_json, setup_logging, write_json
from rmtsgd.rbm.analysis import collapse_ratios, rbm_claims, scaling_summary

setup_logging(snakemake.log[0])
rbm = snakemake.params.rbm
fits = [read_json(path) for path in snakemake.input.fits]
summary = scaling_summary(fits, rbm["analysis"], rbm["model"]["mu2"])
write_json(
    snakemake.output.summary,
    {
        "max_noise": rbm["analysis"]["scaling_max_noise"],
        "modes": summary,
        "collapse_ratios": collapse_ratios(summary),
    },
)
claims = rbm_claims(fits, summary, rbm)
seeds = {fit["setting"]["name"]: fit["provenance"]["seeds"] for fit in fits}
diverged = {fit["setting"]["name"]: fit["replicas"]["diverged"] for fit in fits}
write_claims_file(
    snakemake.output.claims,
    "rbm",
    provenance(seeds=seeds, diverged_replicas=diverged),
    claims,
    skipped=rbm["claims"]["skip"],
)
