"""The modules this config runs, for `rmtsgd check` (a module without claims then fails)."""

import logging

from rmtsgd.io import setup_logging, write_json

setup_logging(snakemake.log[0])
modules = dict(snakemake.params.modules)
write_json(snakemake.output[0], {"modules": modules})
logging.info("modules: %s", ", ".join(modules))
