"""Where did this trace come from?  The chain of activities back to the raw data.

:func:`lineage` takes an open file and a trace, auxiliary dataset or
provenance id, resolves its ``provenance_id`` in ``/Provenance`` and walks the
PROV relations backwards (``wasGeneratedBy`` → ``used`` → ..., with
``wasAssociatedWith`` for the agents and ``wasDerivedFrom`` where no activity is
recorded).  The result lists the steps from the sources to the target, as
objects, as text and as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..container import ASDFFile, TraceHeader
from ..errors import InvalidValueError, NotFoundError
from .graph import ProvGraph, RecordInfo
from .ids import QualifiedId

__all__ = ["Lineage", "LineageStep", "file_graph", "lineage", "resolve"]


@dataclass(frozen=True)
class LineageStep:
    """One activity with what it used, what it generated and who ran it."""

    activity: RecordInfo | None  # None: a derivation without a recorded activity
    inputs: tuple[RecordInfo, ...]
    outputs: tuple[RecordInfo, ...]
    agents: tuple[RecordInfo, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The step as a JSON-ready dictionary."""
        return {
            "activity": self.activity.to_dict() if self.activity else None,
            "inputs": [r.to_dict() for r in self.inputs],
            "outputs": [r.to_dict() for r in self.outputs],
            "agents": [r.to_dict() for r in self.agents],
        }


@dataclass(frozen=True)
class Lineage:
    """The provenance chain of one target, oldest step first."""

    target: RecordInfo
    steps: tuple[LineageStep, ...] = ()
    sources: tuple[RecordInfo, ...] = ()
    subject: str = field(default="")

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def activities(self) -> list[RecordInfo]:
        """The activities of every step, oldest first, skipping steps without one."""
        return [s.activity for s in self.steps if s.activity is not None]

    def to_dict(self) -> dict[str, Any]:
        """The lineage as a JSON-ready dictionary (subject, target, sources, steps)."""
        return {"subject": self.subject, "target": self.target.to_dict(),
                "sources": [r.to_dict() for r in self.sources],
                "steps": [s.to_dict() for s in self.steps]}

    def to_text(self) -> str:
        """The lineage as indented human-readable text, one record per line."""
        lines = [f"lineage of {self.subject or self.target.localpart}",
                 f"  record: {self.target.id}"]
        for source in self.sources:
            lines.append(f"  source: {_describe(source)}")
        for number, step in enumerate(self.steps, 1):
            if step.activity is None:
                lines.append(f"  {number}. derived (no activity recorded)")
            else:
                who = ", ".join(_agent_name(a) for a in step.agents)
                lines.append(f"  {number}. {_describe(step.activity)}" + (f"  [by {who}]" if who else ""))
            lines.append("       used: " + (", ".join(r.localpart for r in step.inputs) or "-"))
            lines.append("       generated: " + (", ".join(r.localpart for r in step.outputs) or "-"))
        if not self.steps:
            lines.append("  (no recorded processing: the target is a source)")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


def _describe(record: RecordInfo) -> str:
    params = ", ".join(f"{k}={v}" for k, v in sorted(record.attributes.items()))
    return f"{record.title} {record.localpart}" + (f" ({params})" if params else "")


def _agent_name(agent: RecordInfo) -> str:
    name = agent.attributes.get("software_name") or agent.attributes.get("name") or agent.label
    version = agent.attributes.get("software_version")
    return f"{name} {version}" if version else str(name)


def file_graph(asdf: ASDFFile) -> ProvGraph:
    """Every provenance document of a file, merged into one graph."""
    return ProvGraph.from_documents(
        (name, asdf.get_provenance_document(name)) for name in asdf.provenance_documents
    )


def _provenance_id_of(asdf: ASDFFile, target: Any) -> tuple[str, str]:
    """``(provenance id, description)`` of a trace header, HDF5 path, trace name or id."""
    if isinstance(target, TraceHeader):
        pid = asdf.get_provenance_id(target.path)
        subject = target.path
    elif isinstance(target, str) and target.startswith("{"):
        return str(QualifiedId.parse(target)), target
    elif isinstance(target, str):
        path = target
        if "__" in target and not target.lstrip("/").startswith(("Waveforms/", "AuxiliaryData/")):
            station = ".".join(target.split("__", 1)[0].split(".")[:2])
            path = f"/Waveforms/{station}/{target}"
        pid = asdf.get_provenance_id(path)
        subject = "/" + path.strip("/")
    else:
        raise InvalidValueError(
            f"invalid lineage target {target!r}: give a TraceHeader, an HDF5 path, a trace name "
            "or a provenance id"
        )
    if not pid:
        raise NotFoundError(f"{subject} has no provenance_id")
    return pid, subject


def resolve(asdf: ASDFFile, provenance_id: str, graph: ProvGraph | None = None) -> RecordInfo:
    """The record a ``provenance_id`` points to (its ``document`` names where it lives)."""
    graph = graph if graph is not None else file_graph(asdf)
    return graph.record(provenance_id)


def lineage(asdf: ASDFFile, target: Any, graph: ProvGraph | None = None) -> Lineage:
    """The chain of activities, inputs and agents that produced ``target``.

    Parameters
    ----------
    asdf : ASDFFile
        An open file.
    target : TraceHeader, str
        A trace header (from ``list_waveforms``), a waveform or auxiliary HDF5
        path, a waveform dataset name, or a ``{namespace}localpart`` id.

    Examples
    --------
    >>> with asdfkit.open("processed.h5") as f:          # doctest: +SKIP
    ...     print(lineage(f, f.list_waveforms(tag="processed")[0]))
    """
    pid, subject = _provenance_id_of(asdf, target)
    graph = graph if graph is not None else file_graph(asdf)
    start = graph.record(pid)
    steps: list[LineageStep] = []
    sources: list[RecordInfo] = []
    seen_entities: set[str] = set()
    seen_steps: set[tuple[str, ...]] = set()
    step_at: dict[str, int] = {}  # activity id -> its step's index

    def visit(entity_id: str) -> None:
        key: tuple[str, ...]
        if entity_id in seen_entities:
            return
        seen_entities.add(entity_id)
        activities = graph.generated_by.get(entity_id, [])
        parents = graph.derived_from.get(entity_id, [])
        if not activities and not parents:
            if entity_id in graph.records:
                sources.append(graph.records[entity_id])
            return
        for activity_id in activities:
            inputs = graph.used.get(activity_id, [])
            if parents and set(parents) & set(inputs):
                # wasDerivedFrom names which of the activity's inputs this entity came from (a
                # conversion uses every input file, each trace derives from one of them)
                inputs = [i for i in inputs if i in parents]
            for inp in inputs:
                visit(inp)
            key = (activity_id,)
            if key in seen_steps:  # another entity of the same activity: its inputs join the step
                at = step_at[activity_id]
                extra = tuple(graph.records[i] for i in inputs
                              if i in graph.records and graph.records[i] not in steps[at].inputs)
                if extra:
                    steps[at] = replace(steps[at], inputs=steps[at].inputs + extra)
                continue
            seen_steps.add(key)
            step_at[activity_id] = len(steps)
            outputs = [e for e, acts in graph.generated_by.items() if activity_id in acts]
            steps.append(LineageStep(
                graph.records.get(activity_id) or RecordInfo(activity_id, "activity", None, None),
                tuple(graph.records[i] for i in inputs if i in graph.records),
                tuple(graph.records[o] for o in outputs if o in graph.records),
                tuple(graph.records[a] for a in graph.associated.get(activity_id, []) if a in graph.records),
            ))
        if not activities:
            for parent in parents:
                visit(parent)
            key = ("derived", entity_id)
            if key not in seen_steps:
                seen_steps.add(key)
                steps.append(LineageStep(None, tuple(graph.records[p] for p in parents if p in graph.records),
                                         (graph.records[entity_id],) if entity_id in graph.records else ()))

    if start.kind == "entity":
        visit(start.id)
    elif start.kind == "activity":
        for inp in graph.used.get(start.id, []):
            visit(inp)
    return Lineage(start, tuple(steps), tuple(sources), subject)
