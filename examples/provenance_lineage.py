"""Process real recordings with ObsPy, store them with SEIS-PROV provenance, ask where they came from.

The recordings, inventory and events ship inside ObsPy.  The script stores the
raw traces, processes a copy (detrend, taper, bandpass, decimate), stores the
processed traces with the provenance chain generated from ObsPy's processing
history, records a cross-correlation computed by this script with
``ProvenanceRecorder``, and prints the lineage of the cross-correlation.

Run::

    python examples/provenance_lineage.py lineage.h5
"""

from __future__ import annotations

import argparse
import logging

import numpy as np
import obspy

import asdfkit
from asdfkit.provenance import ProvenanceRecorder, add_processed_waveforms, lineage, validate

log = logging.getLogger("provenance_lineage")


def build(path: str) -> str:
    """Write ``path``; return the lineage text of the cross-correlation."""
    raw = obspy.read()
    processed = raw.copy()
    processed.detrend("linear").taper(0.05).filter("bandpass", freqmin=1.0, freqmax=10.0).decimate(2)
    with asdfkit.open(path, "w") as f:
        f.add_stations(obspy.read_inventory())
        f.add_waveforms(raw, tag="raw_recording")
        document, _ = add_processed_waveforms(f, processed, tag="bandpass_1_10hz")
        log.info("processing chain stored as /Provenance/%s", document)

        z, n = (f.list_waveforms(tag="bandpass_1_10hz", channel=c)[0] for c in ("EHZ", "EHN"))
        a, b = (f.get_waveforms(tag="bandpass_1_10hz", channel=c)[0].data for c in ("EHZ", "EHN"))
        cc = np.correlate(a - a.mean(), b - b.mean(), mode="full") / (np.std(a) * np.std(b) * len(a))
        out = f.add_auxiliary_data(cc.astype(np.float32), data_type="CrossCorrelation",
                                   path="BW.RJOB_BW.RJOB/ZN")
        ProvenanceRecorder(f).record(
            "cross_correlate", inputs=[z, n], outputs=[out],
            parameters={"correlation_type": "normalized cross-correlation",
                        "max_lag_time_in_sec": (len(a) - 1) / z.sampling_rate},
        )
    with asdfkit.open(path) as f:
        for name in f.provenance_documents:
            report = validate(f.get_provenance_document(name))
            log.info("%s: %s", name, "valid SEIS-PROV" if report.ok else report)
        return lineage(f, "/AuxiliaryData/CrossCorrelation/BW.RJOB_BW.RJOB/ZN").to_text()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", default="lineage.h5", help="ASDF file to write")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(build(args.output))  # the script's result, for the user to read


if __name__ == "__main__":
    main()
