"""The report's landing-page summary: per module, how many claims pass at this scale."""

import logging
from pathlib import Path

from rmtsgd.claims import read_claims_file
from rmtsgd.io import setup_logging, write_text
from rmtsgd.report import landing_summary_rst

setup_logging(snakemake.log[0])
modules = dict(snakemake.params.modules)
payloads = {
    name: read_claims_file(path, name) for name, path in zip(modules, snakemake.input, strict=True)
}
results = Path(snakemake.output[0]).parents[1]  # <results>/report/summary.rst
text = landing_summary_rst(modules, payloads, str(results))
write_text(snakemake.output[0], text)
logging.info("summary of %d modules", len(modules))
