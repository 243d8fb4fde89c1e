"""The `rmtsgd` command line (installed with the package)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from rmtsgd.check import run_check


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `rmtsgd`; returns the exit status."""
    parser = argparse.ArgumentParser(prog="rmtsgd", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check",
        help="what does a results folder reproduce, and does any claim fail?",
        description="Per module, the claims counted by outcome (reproduced, deviates, "
        "inconclusive, fails), each one that is not reproduced listed with its numbers; exit "
        "status 1 if any claim fails or a module's claims file is missing or malformed.",
    )
    check.add_argument("results", help="results folder of one config, e.g. results/default")
    check.add_argument(
        "--module",
        action="append",
        metavar="NAME",
        help="check only this module (repeatable; e.g. rbm, teacher_student): no manifest "
        "needed, as after building one module's targets",
    )
    check.add_argument(
        "--strict",
        action="store_true",
        help="also exit 1 if any claim deviates or is inconclusive",
    )
    check.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    status, text = run_check(args.results, args.module, strict=args.strict, as_json=args.json)
    print(text)
    return status


if __name__ == "__main__":
    sys.exit(main())
