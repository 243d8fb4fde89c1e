"""The DMFT module's analysis: DMFT against simulations, convergence with d, the checks."""

import logging

from rmtsgd.dmft.analysis import summarise
from rmtsgd.io import load_npz, provenance, setup_logging, write_json

setup_logging(snakemake.log[0])
p, files = snakemake.params, snakemake.input
curves = {
    name: (load_npz(sol), load_npz(sim))
    for name, sol, sim in zip(p.curves, files.solutions, files.simulations, strict=True)
}
checks = {
    "check_ridge": load_npz(files.ridge),
    "check_early": load_npz(files.early),
    "early_simulation": load_npz(files.early_simulation),
    "check_tau_reference": load_npz(files.tau_reference),
    "check_erm": load_npz(files.erm),
    "minimisers": load_npz(files.minimisers),
    **{f"check_tau{i}": load_npz(path) for i, path in enumerate(files.taus)},
}
summary = summarise(
    curves, [load_npz(f) for f in files.convergence], checks, p.jobs, p.checks, p.dims, p.seed
)
summary["provenance"] = provenance(seed=p.seed, jobs=p.jobs)
for name, rows in summary["agreement"].items():
    logging.info("%s: max |z| %s", name, {k: round(v["max_z"], 2) for k, v in rows.items()})
write_json(snakemake.output[0], summary)
