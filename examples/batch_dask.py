"""Process an ASDF file's stations on a Dask cluster with a declarative recipe.

Without ``--scheduler`` a ``LocalCluster`` is started on this machine; with
``--scheduler tcp://host:8786`` the work goes to a running cluster (the input
and the output folder must be on a file system every worker sees).  The
recipe is plain data — no Python reaches the workers — and every step is
recorded in SEIS-PROV::

    python examples/batch_dask.py raw.h5 out.h5 --workers 4
    python examples/batch_dask.py raw.h5 out.h5 --scheduler tcp://10.0.0.5:8786
    python examples/batch_dask.py raw.h5 out.h5 --recipe my_recipe.toml
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from asdfkit.batch import Backend, Recipe, run

RECIPE = {
    "name": "bandpass_decimate",
    "tag": "bandpass",
    "steps": [
        {"op": "detrend", "type": "linear"},
        {"op": "taper", "max_percentage": 0.05},
        {"op": "filter", "type": "bandpass", "freqmin": 0.02, "freqmax": 1.0, "zerophase": True},
        {"op": "decimate", "factor": 4},
    ],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("input", help="ASDF file to process (read-only)")
    parser.add_argument("output", help="merged output file")
    parser.add_argument("--scheduler", help="address of a running Dask scheduler (default: a LocalCluster)")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster workers (default 2)")
    parser.add_argument("--threads", action="store_true", help="LocalCluster of threads instead of processes")
    parser.add_argument("--recipe", help="a TOML/JSON recipe instead of the built-in one")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    recipe = Recipe.load(args.recipe) if args.recipe else Recipe.from_dict(RECIPE)
    backend = Backend("dask", args.workers, args.scheduler, processes=not args.threads)
    summary = run(args.input, args.output, recipe, backend=backend, progress=False)
    print(json.dumps(summary.to_dict(), indent=1))
    return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main())
