"""Spectrum, modes and fits of one external weight ensemble (config key `external`)."""

import logging

from rmtsgd.io import provenance, save_npz, setup_logging, write_json
from rmtsgd.spectra import singular_values
from rmtsgd.teacher_student.external import analyse_ensemble, load_ensemble

setup_logging(snakemake.log[0])
p = snakemake.params
path = snakemake.input[0]
ensemble = load_ensemble(path, p.snapshot)
try:
    report = analyse_ensemble(ensemble["weights"], p.blocks, p.pair_gap)
except ValueError as error:
    raise ValueError(f"external ensemble '{p.name}' ({path}): {error}") from None
report = {
    "name": p.name,
    "path": path,
    "snapshot": p.snapshot,
    "setting": ensemble["setting"],
    **report,
    "provenance": provenance(),
}
logging.info("%s: %s, %d modes", p.name, report["networks"], len(report["modes"]))
write_json(snakemake.output.report, report)
save_npz(snakemake.output.values, values=singular_values(ensemble["weights"]))
