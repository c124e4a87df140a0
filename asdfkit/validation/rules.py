"""Every rule the validator checks, as data: a stable id, a severity and a description.

Rule ids never change meaning once released; a retired rule keeps its id
reserved.  ``docs/validate.md`` holds the table :func:`markdown_table` makes
(a test keeps the two equal).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from ..errors import InvalidValueError

__all__ = ["RULES", "Rule", "RuleSelection", "Severity", "markdown_table"]


class Severity(StrEnum):
    """How bad a finding is: errors make a file invalid, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


E, W = Severity.ERROR, Severity.WARNING


@dataclass(frozen=True)
class Rule:
    """One check of the validator."""

    id: str
    severity: Severity
    title: str
    description: str

    @property
    def area(self) -> str:
        """The middle part of the id (``NAME`` of ``ASDF-NAME-003``)."""
        return self.id.split("-")[1]


_TABLE: tuple[tuple[str, Severity, str, str], ...] = (
    # -- HDF5 structure --------------------------------------------------------------------
    ("ASDF-FILE-001", E, "HDF5 readable",
     "The file exists and opens as HDF5 (a missing, truncated or non-HDF5 file exits with code 2)."),
    ("ASDF-FILE-002", E, "object readable",
     "Every group, dataset, attribute and link can be read; corrupt metadata or data is reported here."),
    ("ASDF-FILE-003", E, "no dangling links",
     "A soft link points to an existing object."),
    ("ASDF-FILE-004", W, "no soft or external links",
     "ASDF objects are stored as hard links; soft links are not followed and external links "
     "(which name other files) are never opened."),
    ("ASDF-FILE-005", E, "finite structure",
     "No hard-link cycles and no nesting deeper than 32 groups."),
    ("ASDF-FILE-006", W, "known object kinds",
     "Only groups and datasets; committed (named) datatypes are not part of ASDF."),
    ("ASDF-FILE-007", W, "exchangeable filters",
     "Datasets use only filters that ship with the HDF5 library (deflate, shuffle, fletcher32, "
     "szip, nbit, scaleoffset); lzf and plugin filters make a file unreadable elsewhere."),
    ("ASDF-FILE-008", E, "data decodes",
     "Checked only with --checksums: every stored chunk of every dataset is read and decoded; a chunk "
     "whose fletcher32 checksum or filter (deflate, szip...) fails is reported with its position."),
    # -- root --------------------------------------------------------------------------------
    ("ASDF-ROOT-001", E, "file_format is ASDF",
     "The root attribute file_format exists and is the string 'ASDF'."),
    ("ASDF-ROOT-002", E, "known format version",
     "The root attribute file_format_version exists and is one of 1.0.0, 1.0.1, 1.0.2, 1.0.3 "
     "(or the pre-release 0.0.2); the rules of that version apply."),
    ("ASDF-ROOT-003", W, "root attributes readable by pyasdf",
     "file_format and file_format_version are fixed-length ASCII strings (pyasdf cannot open a "
     "file whose root attributes are variable-length strings)."),
    ("ASDF-ROOT-004", W, "released format version",
     "The file is not of the pre-release version 0.0.2 (old SPECFEM builds)."),
    ("ASDF-ROOT-005", W, "known root members",
     "The root holds only QuakeML, Waveforms, AuxiliaryData and Provenance."),
    ("ASDF-ROOT-006", E, "sections of the right kind",
     "/QuakeML is a dataset; /Waveforms, /AuxiliaryData and /Provenance are groups."),
    # -- attributes --------------------------------------------------------------------------
    ("ASDF-ATTR-001", W, "known attributes",
     "Objects whose attributes the spec defines (root, sections, station groups, waveform and "
     "XML datasets) carry no others; auxiliary data attributes are free-form."),
    ("ASDF-ATTR-002", E, "ASCII id attributes",
     "event_id, origin_id, magnitude_id, focal_mechanism_id and provenance_id are scalar ASCII "
     "strings without NUL bytes, and comma-separated lists have no empty items."),
    ("ASDF-ATTR-003", W, "id attributes readable by pyasdf",
     "The ASCII id attributes are fixed-length strings (pyasdf reads them with tobytes() and "
     "fails on variable-length ones)."),
    ("ASDF-ATTR-004", E, "UTF-8 labels",
     "labels is a scalar string of valid UTF-8."),
    ("ASDF-ATTR-005", W, "labels readable by pyasdf",
     "labels is a variable-length UTF-8 string, as pyasdf requires."),
    # -- names -------------------------------------------------------------------------------
    ("ASDF-NAME-001", E, "station group name",
     "Station groups are named NET.STA: ^[A-Z0-9]{1,2}\\.[A-Z0-9]{1,5}$."),
    ("ASDF-NAME-002", E, "waveform name",
     "Waveform datasets match NET.STA.LOC.CHA__START__END__TAG of the file's version "
     "(nanoseconds in the times only since 1.0.2)."),
    ("ASDF-NAME-003", E, "tag not reserved",
     "A waveform's tag is not StationXML."),
    ("ASDF-NAME-004", E, "trace in its station group",
     "The NET.STA of a waveform name is the name of the station group holding it."),
    ("ASDF-NAME-005", E, "auxiliary data names",
     "Every data type, group and dataset name under /AuxiliaryData matches the version's regex "
     "(1.0.3: ^[a-zA-Z0-9-_\\.!#$%&*+,:;<=>\\?@\\^~]+$)."),
    ("ASDF-NAME-006", E, "provenance document name",
     "Names under /Provenance match the version's regex (1.0.3: printable ASCII ^[ -~]+$)."),
    # -- waveforms ---------------------------------------------------------------------------
    ("ASDF-WAVE-001", E, "waveform layout",
     "/Waveforms holds only station groups, and a station group only StationXML and waveform "
     "datasets."),
    ("ASDF-WAVE-002", E, "waveform dtype",
     "Waveform data is int32, int64, float32 or float64 (int16 too since 1.0.1), either byte order."),
    ("ASDF-WAVE-003", E, "waveform shape",
     "Waveform data is one-dimensional."),
    ("ASDF-WAVE-004", E, "starttime attribute",
     "starttime is a scalar int64: UTC nanoseconds since 1970."),
    ("ASDF-WAVE-005", E, "sampling_rate attribute",
     "sampling_rate is a scalar float64, finite and > 0."),
    ("ASDF-WAVE-006", W, "start time in the name",
     "The start time in the name is the starttime attribute (truncated to whole seconds unless "
     "the name has nanoseconds; 1 microsecond tolerance for float-rounding writers). A warning: the "
     "definition calls the times in names approximate, the attribute is the truth."),
    ("ASDF-WAVE-007", W, "end time in the name",
     "The end time in the name is starttime + (npts - 1) / sampling_rate, the time of the last "
     "sample (same truncation and tolerance; a warning, as for the start)."),
    ("ASDF-WAVE-008", W, "non-empty trace",
     "A waveform dataset holds at least one sample."),
    # -- StationXML --------------------------------------------------------------------------
    ("ASDF-STXML-001", W, "station has StationXML",
     "Every station group with waveforms has a StationXML dataset (the spec makes it optional)."),
    ("ASDF-STXML-002", E, "FDSN StationXML",
     "The document's root is FDSNStationXML in the FDSN namespace."),
    ("ASDF-STXML-003", E, "valid against its XSD",
     "The document is valid against the FDSN StationXML XSD of its schemaVersion (shipped in obspy)."),
    ("ASDF-STXML-004", E, "only its own station",
     "The StationXML of group NET.STA describes station NET.STA and no other."),
    ("ASDF-STXML-005", W, "channel described",
     "Every trace's LOC.CHA appears as a channel of the station's StationXML (a warning: synthetics "
     "and processed traces often have none, and the definition does not require it)."),
    ("ASDF-STXML-006", W, "epoch covers the trace",
     "The channel's epochs (startDate to endDate) cover the trace from its first to its last sample "
     "(a warning, as for a missing channel)."),
    ("ASDF-STXML-007", W, "sampling rate matches",
     "The trace's sampling_rate equals the SampleRate of the channel epoch (processed traces "
     "may legitimately differ)."),
    ("ASDF-STXML-008", W, "known StationXML version",
     "The schemaVersion is 1.0, 1.1 or 1.2; a document of another version that parses is used "
     "(channels, epochs) without its XSD check."),
    # -- QuakeML -----------------------------------------------------------------------------
    ("ASDF-QML-001", E, "QuakeML",
     "/QuakeML's root is q:quakeml in a QuakeML namespace (http://quakeml.org/xmlns/quakeml/VERSION)."),
    ("ASDF-QML-002", E, "valid against the QuakeML XSD",
     "/QuakeML is valid against the QuakeML 1.2 XSD (shipped in obspy)."),
    ("ASDF-QML-003", E, "event ids resolve",
     "Every id in event_id, origin_id, magnitude_id and focal_mechanism_id is the publicID of an "
     "event, origin, magnitude or focal mechanism (respectively) in /QuakeML."),
    ("ASDF-QML-004", W, "unique resource ids",
     "No publicID occurs twice in /QuakeML."),
    ("ASDF-QML-005", W, "known QuakeML version",
     "/QuakeML is QuakeML 1.2 (namespace http://quakeml.org/xmlns/quakeml/1.2); a document of "
     "another version that parses is used (event ids resolve) without the 1.2 XSD check."),
    # -- provenance --------------------------------------------------------------------------
    ("ASDF-PROV-001", E, "PROV-XML document",
     "Each /Provenance dataset holds a PROV-XML document (root {http://www.w3.org/ns/prov#}document)."),
    ("ASDF-PROV-002", E, "valid SEIS-PROV",
     "The document is valid SEIS-PROV 0.1 (record types, ids, labels, attributes); the SEIS-PROV "
     "rule broken is named in the message."),
    ("ASDF-PROV-003", E, "provenance_id form",
     "A provenance_id attribute is a qualified name {namespace-uri}localpart."),
    ("ASDF-PROV-004", E, "provenance ids resolve",
     "Every provenance_id names a record in one of the documents under /Provenance."),
    ("ASDF-PROV-005", W, "SEIS-PROV warnings",
     "What the SEIS-PROV validator reports as a warning (for example an agent described twice); "
     "the SEIS-PROV rule is named in the message. A document holding no SEIS-PROV record is "
     "invalid (ASDF-PROV-002), as in the SEIS-PROV test suite."),
    # -- XML datasets ------------------------------------------------------------------------
    ("ASDF-XML-001", E, "XML dataset type",
     "QuakeML, StationXML and provenance documents are 1-D datasets of bytes (int8)."),
    ("ASDF-XML-002", W, "XML dataset as written by the reference",
     "XML datasets are exactly int8 and resizable (maxshape (None,))."),
    ("ASDF-XML-003", E, "XML size",
     "An XML document is not empty and not larger than the size cap (512 MiB by default)."),
    ("ASDF-XML-004", E, "well-formed, safe XML",
     "The document is well-formed XML without a DOCTYPE (entity expansion and DTDs are refused)."),
    # -- auxiliary data ----------------------------------------------------------------------
    ("ASDF-AUX-001", E, "auxiliary data layout",
     "/AuxiliaryData holds data-type groups; datasets sit at least one group below "
     "(/AuxiliaryData/TYPE/NAME)."),
    # -- asdfkit groups ----------------------------------------------------------------------
    ("ASDF-GROUP-001", W, "group members exist",
     "Every member of a static group under /AuxiliaryData/Groups names a trace in /Waveforms "
     "(asdfkit's groups; see docs/groups.md)."),
    ("ASDF-GROUP-002", W, "group records readable",
     "Every dataset under /AuxiliaryData/Groups is an int8 UTF-8 JSON group record of kind "
     "static (with members) or dynamic (with a query)."),
)

#: Every rule, by id, in documentation order.
RULES: Mapping[str, Rule] = {row[0]: Rule(*row) for row in _TABLE}


@dataclass(frozen=True)
class RuleSelection:
    """Which rules are reported: ``select`` patterns minus ``ignore`` patterns.

    A pattern is a rule id (``ASDF-WAVE-004``), an id prefix (``ASDF-WAVE``,
    ``WAVE``) or a shell wildcard (``ASDF-*-00?``), matched case-insensitively.

    Examples
    --------
    >>> sel = RuleSelection.parse(select=["WAVE"], ignore=["ASDF-WAVE-008"])
    >>> sel.enabled("ASDF-WAVE-004"), sel.enabled("ASDF-WAVE-008"), sel.enabled("ASDF-QML-001")
    (True, False, False)
    """

    enabled_ids: frozenset[str]

    @classmethod
    def parse(cls, select: Iterable[str] | str | None = None,
              ignore: Iterable[str] | str | None = None) -> RuleSelection:
        """Build a selection; raise ``InvalidValueError`` for a pattern matching no rule."""
        chosen = set(RULES) if not select else _expand(select, "select")
        if ignore:
            chosen -= _expand(ignore, "ignore")
        return cls(frozenset(chosen))

    @classmethod
    def all(cls) -> RuleSelection:
        """A selection with every rule enabled."""
        return cls(frozenset(RULES))

    def enabled(self, rule_id: str) -> bool:
        """Whether the rule ``rule_id`` is reported."""
        return rule_id in self.enabled_ids

    def any(self, prefix: str) -> bool:
        """Whether any enabled rule starts with ``prefix`` (skip work nobody asked for)."""
        return any(rule_id.startswith(prefix) for rule_id in self.enabled_ids)


def _split(patterns: Iterable[str] | str) -> list[str]:
    items = [patterns] if isinstance(patterns, str) else list(patterns)
    return [part.strip() for item in items for part in item.split(",") if part.strip()]


def _expand(patterns: Iterable[str] | str, what: str) -> set[str]:
    found: set[str] = set()
    for pattern in _split(patterns):
        upper = pattern.upper()
        candidates = [upper, f"ASDF-{upper}"]
        hits = {
            rule_id for rule_id in RULES for cand in candidates
            if rule_id == cand or rule_id.startswith(cand + "-") or fnmatch.fnmatchcase(rule_id, cand)
        }
        if not hits:
            raise InvalidValueError(
                f"invalid --{what} pattern {pattern!r}: matches no rule (see `asdf-cli validate --list-rules`)"
            )
        found |= hits
    return found


def markdown_table() -> str:
    """The Markdown table of every rule, as docs/validate.md holds it."""
    lines = ["| id | severity | rule | what is checked |", "|---|---|---|---|"]
    for rule in RULES.values():
        description = rule.description.replace("|", "\\|")
        lines.append(f"| {rule.id} | {rule.severity.value} | {rule.title} | {description} |")
    return "\n".join(lines)
