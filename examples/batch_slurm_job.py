"""One SLURM array task: process this task's chunk of an ASDF file's stations.

Called by ``examples/batch_slurm.sh``; the chunk comes from
``SLURM_ARRAY_TASK_ID``/``SLURM_ARRAY_TASK_COUNT`` and the number of worker
processes from ``SLURM_CPUS_PER_TASK``.  Run it again after a crash or a
time-out: stations already committed are skipped, failed ones retried.

The station function below is ordinary ObsPy code; asdfkit stores its
result with the SEIS-PROV record of every ObsPy step, plus an auxiliary
dataset (the RMS of each processed channel)::

    SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_COUNT=4 python examples/batch_slurm_job.py raw.h5 out.h5
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys

import numpy as np
from obspy import Inventory, Stream

from asdfkit.batch import AuxiliaryOutput, Backend, StationOutput, run


def process(st: Stream, inv: Inventory) -> StationOutput:
    """Velocity seismograms band-passed to 0.02-1 Hz, and the RMS of each channel."""
    st.detrend("linear")
    st.taper(max_percentage=0.05)
    if len(inv):
        st.remove_response(inventory=inv, output="VEL", pre_filt=[0.01, 0.02, 8.0, 10.0])
    st.filter("bandpass", freqmin=0.02, freqmax=1.0, corners=4, zerophase=True)
    rms = np.array([float(np.sqrt(np.mean(tr.data.astype(np.float64) ** 2))) for tr in st])
    name = f"{st[0].stats.network}_{st[0].stats.station}" if len(st) else "empty"
    channels = ",".join(tr.stats.channel for tr in st)
    return StationOutput(
        stream=st, auxiliary=[AuxiliaryOutput(rms, "ChannelRMS", name, {"channels": channels})]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("input", help="ASDF file to process (read-only)")
    parser.add_argument("output", help="merged output (chunk files go to OUTPUT.batch/)")
    parser.add_argument("--tag", default="velocity_bp", help="output waveform tag")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    workers = int(os.environ.get("SLURM_CPUS_PER_TASK", "1"))
    summary = run(
        args.input, args.output, process, backend=Backend("local", workers), tag=args.tag, progress=False
    )
    print(json.dumps(summary.to_dict(), indent=1))
    return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main())
