"""``asdf-cli provenance``: list, check and follow the provenance in an ASDF file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ..container import open as open_asdf
from ..provenance import ProvGraph, lineage, validate

__all__ = ["provenance"]


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("target", required=False)
@click.option("--json", "as_json", is_flag=True, help='Print one JSON object: {"path", "documents": [...]}, the lineage, or with --show {"name", "xml"}.')
@click.option("--show", "show", metavar="NAME", help="Print the PROV-XML of one document.")
def provenance(file: Path, target: str | None, as_json: bool, show: str | None) -> None:
    """Provenance in FILE: documents, their validity, and the lineage of TARGET.

    Without TARGET, list the SEIS-PROV documents in /Provenance with their
    record counts and whether each is valid SEIS-PROV (exit 1 if one is not).
    TARGET is a waveform name (NET.STA.LOC.CHA__START__END__TAG), an HDF5 path
    (/Waveforms/... or /AuxiliaryData/...) or a provenance id {uri}localpart:
    print the chain of activities, inputs and agents that produced it.
    """
    with open_asdf(file, "r") as handle:
        if show is not None:
            xml = handle.get_provenance_document(show).decode("utf-8", errors="replace")
            click.echo(json.dumps({"name": show, "xml": xml}, indent=2) if as_json else xml)
            return
        if target is not None:
            result = lineage(handle, target)
            click.echo(json.dumps(result.to_dict(), indent=2) if as_json else result.to_text())
            return
        rows: list[dict[str, Any]] = []
        for name in handle.provenance_documents:
            data = handle.get_provenance_document(name)
            report = validate(data)
            # Count each document's own records (a merged graph credits shared ones to one document).
            records = len(ProvGraph.from_documents([(name, data)]).records)
            rows.append({"name": name, "records": records, "valid": report.ok,
                         "findings": [f.to_dict() for f in report.findings]})
    if as_json:
        click.echo(json.dumps({"path": str(file), "documents": rows}, indent=2))
    else:
        if not rows:
            click.echo(f"{file}: no provenance documents")
        for row in rows:
            state = "valid SEIS-PROV" if row["valid"] else "INVALID"
            click.echo(f"{row['name']}: {row['records']} records, {state}")
            for finding in row["findings"]:
                where = f" [{finding['record_id']}]" if finding["record_id"] else ""
                click.echo(f"  {finding['severity']}: {finding['rule']}{where}: {finding['message']}")
    if any(not row["valid"] for row in rows):
        raise SystemExit(1)
