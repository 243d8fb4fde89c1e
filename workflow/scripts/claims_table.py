"""One module's claims as an HTML table for the report, with config, seeds and versions."""

import logging

from rmtsgd.claims import read_claims_file
from rmtsgd.io import setup_logging, write_text
from rmtsgd.report import claims_table_html, counts_text, outcome_counts

setup_logging(snakemake.log[0])
module = snakemake.wildcards.module
payload = read_claims_file(snakemake.input[0], module)
page = claims_table_html(payload, snakemake.params.title, snakemake.params.settings)
write_text(snakemake.output[0], page)
logging.info("%s: %s", module, counts_text(outcome_counts(payload)))
