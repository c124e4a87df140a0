"""Small PROV-XML snippets for the SEIS-PROV tests (imported as ``prov_xml``).

Minimal documents are written as XML text on purpose: the validator must judge what
is in a file, not only what the ``prov`` package would produce.
"""

from __future__ import annotations

SP_URI = "http://seisprov.org/seis_prov/0.1/#"
PROV_URI = "http://www.w3.org/ns/prov#"

_HEAD = (
    f'<prov:document xmlns:prov="{PROV_URI}" xmlns:seis_prov="{SP_URI}" '
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"{extra}>'
)


def sp_document(*records: str, namespaces: str = "") -> str:
    """A PROV-XML document with the seis_prov, xsd and xsi prefixes bound."""
    return _HEAD.format(extra=namespaces) + "".join(records) + "</prov:document>"


def sp_record(kind: str, local: str, type_name: str | None, label: str | None, *children: str) -> str:
    """``<prov:{kind} prov:id="seis_prov:{local}">`` with a label, a string type, children."""
    parts = [f'<prov:{kind} prov:id="seis_prov:{local}">']
    if label is not None:
        parts.append(f"<prov:label>{label}</prov:label>")
    if type_name is not None:
        parts.append(f'<prov:type xsi:type="xsd:string">seis_prov:{type_name}</prov:type>')
    parts += [*children, f"</prov:{kind}>"]
    return "".join(parts)


def sp_attr(name: str, value: str, xsd: str | None = None) -> str:
    typed = f' xsi:type="{xsd}"' if xsd else ""
    return f"<seis_prov:{name}{typed}>{value}</seis_prov:{name}>"


def waveform(local: str = "sp001_wf_abcdefg", *children: str) -> str:
    return sp_record("entity", local, "waveform_trace", "Waveform Trace", *children)


def software_agent(local: str = "sp000_sa_abcdefg", *, website: str = "https://www.obspy.org") -> str:
    return (f'<prov:softwareAgent prov:id="seis_prov:{local}"><prov:label>ObsPy</prov:label>'
            + sp_attr("software_name", "ObsPy") + sp_attr("software_version", "1.5.1")
            + sp_attr("website", website) + "</prov:softwareAgent>")


def relation(name: str, first: tuple[str, str], second: tuple[str, str]) -> str:
    """``<prov:{name}>`` with two ``prov:ref`` children, e.g. ("entity", "seis_prov:x")."""
    return (f'<prov:{name}><prov:{first[0]} prov:ref="{first[1]}"/>'
            f'<prov:{second[0]} prov:ref="{second[1]}"/></prov:{name}>')
