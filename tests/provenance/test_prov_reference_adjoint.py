"""The SEIS-PROV adjoint-source example, rebuilt with the ``prov`` API from its published content.

Published as SeismicData/SEIS-PROV validator/seis_prov_validate/test_data/valid_files/
example_adjoint_source.xml: a SPECFEM simulation, ObsPy processing of synthetic and
observed N/E traces, rotation to T, and pyadjoint's adjoint source.  The rebuild keeps
every id, attribute, value type and relation of the published file, including its two
slips: the ObsPy agent reuses SPECFEM's id ``sp000_sa_9dig8ata``, and the two
remove-response steps are not associated with an agent (their associations name the
bandpass steps again).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from prov.model import Namespace, ProvDocument, QualifiedName
from prov_xml import SP_URI
from test_prov_reference_examples import (
    activity,
    entity,
    new_document,
    person,
    simulation_activity,
    simulation_inputs,
    software,
)

import asdfkit
from asdfkit.provenance import lineage, validate

DETREND = ("detrend", "Detrend", {"detrending_method": "linear fit"})
DEMEAN = ("detrend", "Detrend", {"detrending_method": "demean"})
TAPER = ("taper", "Taper", {"side": "both", "taper_width": 0.05, "window_type": "Hanning"})
PREFILTER = ("bandpass_filter", "Bandpass Filter", {
    "filter_type": "Cosine SAC Taper",
    "sac_cosine_taper_frequency_limits": "0.013333333,0.016666667,0.037037037,0.044444444"})
RESPONSE = ("remove_response", "Remove Response", {"input_units": "counts", "output_units": "m",
                                                   "water_level": 600.0})
INTERPOLATE = ("interpolate", "Interpolate", {"interpolation_method": "weighted average slopes",
                                              "new_sampling_rate": 1.0})

#: (step, N activity id, E activity id) of the synthetic chain, then of the observed chain.
SYNTHETIC_STEPS = [
    (DETREND, "sp002_dt_4ijf0dfo0", "sp002_dt_ir0dfk409"), (DEMEAN, "sp003_dt_4834f0dj0", "sp003_dt_vj3urc943"),
    (TAPER, "sp004_tp_dsfj43e4j", "sp004_tp_dk430f834"), (PREFILTER, "sp005_bp_qzprtj48r", "sp005_bp_843ijdfskjgr"),
    (DETREND, "sp006_dt_893ndidh", "sp006_dt_jk340du34j"), (DEMEAN, "sp007_dt_dko349dfj", "sp007_dt_9djldfj"),
    (TAPER, "sp008_tp_iojdf9834j", "sp008_tp_834jd0h"), (INTERPOLATE, "sp009_ip_iadsf3490j", "sp009_ip_diajsdf80"),
]
OBSERVED_STEPS = [
    (DETREND, "sp001_dt_o3ijasdfuh", "sp001_dt_ij2390jdl"), (DEMEAN, "sp002_dt_3809adlkjo", "sp002_dt_ij09328j"),
    (TAPER, "sp003_tp_kio390jf", "sp003_tp_aioj309j"), (PREFILTER, "sp004_bp_lij09jel", "sp004_bp_ijasdoij4l"),
    (RESPONSE, "sp005_rr_ddcc155", "sp005_rr_asdf34034"), (DETREND, "sp006_dt_as034lkjo", "sp006_dt_asdfoij4"),
    (DEMEAN, "sp007_dt_340jdflioj", "sp007_dt_inv3l90o"), (TAPER, "sp008_tp_io34oic83", "sp008_tp_9304jlkmio"),
    (INTERPOLATE, "sp009_ip_i34j09d", "sp009_ip_4309jlkjn"),
]
#: The traces of each chain, first the input, then one per step.
SYNTHETIC_N = ["sp001_wf_a34j4didj3", "sp002_wf_eioasdf0934j", "sp003_wf_kajoi4309j", "sp004_wf_ija09j43l",
               "sp005_wf_lkjaoi9034j", "sp006_wf_3oijoi904j", "sp007_wf_iajsdfje", "sp008_wf_oij09adfj",
               "sp009_wf_jasdfj09032j"]
SYNTHETIC_E = ["sp001_wf_kd9404hd04h", "sp002_wf_asdklfj93ef", "sp003_wf_wasdf34439", "sp004_wf_ds934jdafkj",
               "sp005_wf_zdkja894dioj", "sp006_wf_349df9j0", "sp007_wf_ijd0934j0", "sp008_wf_idj30949j",
               "sp009_wf_09j3kjdi"]
OBSERVED_N = ["sp001_wf_0askjdf0", "sp002_wf_wlkjsdf094", "sp003_wf_wjasdf4380", "sp004_wf_ncbeirp",
              "sp005_wf_wkjasdfio", "sp006_wf_wjasd9043", "sp007_wf_jasdfh4", "sp008_wf_asdfj9043",
              "sp009_wf_niasdf043", "sp010_wf_9043594j"]
OBSERVED_E = ["sp001_wf_asdfoij0", "sp002_wf_asdjf043m", "sp003_wf_9034jfzq", "sp004_wf_w90jasdfh",
              "sp005_wf_j0asdfm9", "sp006_wf_wasdfjme", "sp007_wf_j09boija", "sp008_wf_jasdf943",
              "sp009_wf_wj9hljo", "sp010_wf_fijioj345"]
#: As published, the associations written after each remove-response step name the bandpass step.
ASSOCIATED_INSTEAD = {"sp005_rr_ddcc155": "sp004_bp_lij09jel", "sp005_rr_asdf34034": "sp004_bp_ijasdoij4l"}


def _trace(doc: ProvDocument, sp: Namespace, local: str, component: str, description: str) -> QualifiedName:
    return entity(doc, sp, local, "waveform_trace", "Waveform Trace", component=component, description=description)


def _chain(doc: ProvDocument, sp: Namespace, agent: QualifiedName, steps: list[Any], traces: dict[str, list[str]],
           description: str) -> list[QualifiedName]:
    """Both components' chains of one kind of data; returns the last N and E traces."""
    last = []
    for column, component in ((1, "N"), (2, "E")):
        ids = traces[component]
        current = _trace(doc, sp, ids[0], component, description)
        for step, local_next in zip(steps, ids[1:], strict=True):
            (type_name, label, attrs), local = step[0], step[column]
            act = activity(doc, sp, local, type_name, label, **attrs)
            doc.wasAssociatedWith(sp[ASSOCIATED_INSTEAD.get(local, local)], agent)
            doc.used(act, current)
            current = _trace(doc, sp, local_next, component, description)
            doc.wasGeneratedBy(current, act)
        last.append(current)
    return last


def _rotate(doc: ProvDocument, sp: Namespace, agent: QualifiedName, local: str, inputs: list[QualifiedName],
            output: str, description: str) -> QualifiedName:
    act = activity(doc, sp, local, "rotate", "Rotate", method="NE->RT")
    doc.wasAssociatedWith(act, agent)
    for trace in inputs:
        doc.used(act, trace)
    transverse = _trace(doc, sp, output, "T", description)
    doc.wasGeneratedBy(transverse, act)
    return transverse


def adjoint_source() -> ProvDocument:
    doc, sp = new_document()
    hans = person(doc, sp, "sp000_pp_me09234j", "Hans Mustermann", "hans.mustermann@email.com")
    susanna = person(doc, sp, "sp000_pp_j3j4loikj90", "Susanna Musterfrau", "susanna.musterfrau@email.com")
    specfem = software(doc, sp, "sp000_sa_9dig8ata", "SPECFEM3D GLOBE", "7.0.0",
                       "http://geodynamics.org/cig/software/specfem3d")
    doc.actedOnBehalfOf(specfem, hans)
    obspy_agent = software(doc, sp, "sp000_sa_9dig8ata", "ObsPy", "0.10.2", "http://www.obspy.org",
                           doi="10.5281/zenodo.17641")
    pyadjoint = software(doc, sp, "sp000_sa_9d0h43a", "pyadjoint", "0.0.1dev", "http://krischer.github.io/pyadjoint")
    inputs = simulation_inputs(doc, sp, "/AuxiliaryData/Files/constants.h")
    doc.wasAssociatedWith(inputs[0], susanna)  # as published: the model in the activity role
    simulation = simulation_activity(doc, sp)
    doc.wasAssociatedWith(simulation, specfem)
    for used in inputs:
        doc.used(simulation, used)
    synthetic = _chain(doc, sp, obspy_agent, SYNTHETIC_STEPS, {"N": SYNTHETIC_N, "E": SYNTHETIC_E}, "Synthetic Data")
    for first in (SYNTHETIC_N[0], SYNTHETIC_E[0]):
        doc.wasGeneratedBy(sp[first], simulation)
    synthetic_t = _rotate(doc, sp, obspy_agent, "sp010_rt_asdfkj4034", synthetic, "sp010_wf_43ptb430df",
                          "Synthetic Data")
    observed = _chain(doc, sp, obspy_agent, OBSERVED_STEPS, {"N": OBSERVED_N, "E": OBSERVED_E}, "Observed Data")
    observed_t = _rotate(doc, sp, obspy_agent, "sp010_rt_039jznwmp", observed, "sp011_wf_aj0934mjh", "Observed Data")
    calculate = activity(doc, sp, "sp011_ca_c7540fc", "calculate_adjoint_source", "Calculate Adjoint Source",
                         adjoint_source_type="Time Frequency Phase")
    doc.wasAssociatedWith(calculate, pyadjoint)
    doc.used(calculate, observed_t)
    doc.used(calculate, synthetic_t)
    adjoint = entity(doc, sp, "sp012_as_cd84e87", "adjoint_source", "Adjoint Source",
                     adjoint_source_type="Time Frequency Phase")
    doc.wasGeneratedBy(adjoint, calculate)
    return doc


ADJOINT_ID = f"{{{SP_URI}}}sp012_as_cd84e87"


@pytest.fixture(scope="module")
def adjoint_xml() -> str:
    return str(adjoint_source().serialize(format="xml"))


def test_rebuilt_adjoint_example_validates_with_a_warning_for_its_repeated_agent_id(adjoint_xml: str) -> None:
    report = validate(adjoint_xml)
    # The published example validates.  SPECFEM and ObsPy share the agent id sp000_sa_9dig8ata:
    # PROV merges repeated agent descriptions, so that is a warning; repeated entity or activity
    # ids (the reference's duplicate_ids.xml) stay errors.
    assert report.seis_prov_records == 87
    assert report.ok, str(report)
    assert [(f.rule, f.record_id, f.severity) for f in report.findings] == [
        ("sp.id.duplicate", f"{{{SP_URI}}}sp000_sa_9dig8ata", "warning")]
    assert adjoint_xml.count('prov:id="seis_prov:sp000_sa_9dig8ata"') == 2


def test_with_a_distinct_obspy_id_the_adjoint_example_is_valid(adjoint_xml: str) -> None:
    fixed = adjoint_xml.replace('<prov:softwareAgent prov:id="seis_prov:sp000_sa_9dig8ata">\n    <prov:label>ObsPy',
                                '<prov:softwareAgent prov:id="seis_prov:sp000_sa_0bspy010">\n    <prov:label>ObsPy')
    assert fixed != adjoint_xml
    report = validate(fixed)
    assert report.ok and report.findings == [], str(report)


def test_lineage_of_the_adjoint_source_reaches_model_and_observations(tmp_path: Path, adjoint_xml: str) -> None:
    path = tmp_path / "adjoint.h5"
    with asdfkit.open(path, "w") as f:
        f.add_provenance_document(adjoint_xml.encode(), name="adjoint_source")
        aux = f.add_auxiliary_data(np.zeros(100), "AdjointSources", "BW_FURT_T", provenance_id=ADJOINT_ID)
    with asdfkit.open(path) as f:
        result = lineage(f, aux)
    kinds = [a.prov_type for a in result.activities]
    assert len(kinds) == 1 + 16 + 1 + 18 + 1 + 1
    assert kinds[-1] == "seis_prov:calculate_adjoint_source" and kinds.count("seis_prov:rotate") == 2
    made_by = {out.id: number for number, step in enumerate(result.steps) for out in step.outputs}
    for number, step in enumerate(result.steps):  # oldest first: inputs are sources or made earlier
        assert all(made_by.get(i.id, -1) < number for i in step.inputs), step.activity
    assert {s.localpart for s in result.sources} == {
        "sp000_em_skfusjdoej", "sp000_in_38jd89da8l", "sp000_fi_d49dh0h4", OBSERVED_N[0], OBSERVED_E[0]}
    (last,) = [s for s in result.steps if s.activity and s.activity.localpart == "sp011_ca_c7540fc"]
    assert [a.attributes["software_name"] for a in last.agents] == ["pyadjoint"]
    assert result.target.attributes == {"adjoint_source_type": "Time Frequency Phase"}
