"""The QuakeML/StationXML codecs give the same result through ObsPy's public API.

asdfkit calls ObsPy's codec functions directly (they are private names of ObsPy);
when a release moves them, the public ``read_events``/``read_inventory``/``write``
take over.  Both paths must agree.
"""

from __future__ import annotations

import obspy
import pytest
from obspy.core.event import ResourceIdentifier

from asdfkit.container import obspyxml


def _catalog() -> obspy.Catalog:
    catalog = obspy.read_events()  # real events; the example catalogue's own id is no QuakeML URI
    catalog.resource_id = ResourceIdentifier("smi:local/asdfkit/test-catalog")
    return catalog


@pytest.fixture
def public_only(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("_read_q", "_write_q", "_read_s", "_write_s"):
        monkeypatch.setattr(obspyxml, name, None)


def test_quakeml_through_the_public_api_is_the_same(public_only: None) -> None:
    catalog = _catalog()
    data = obspyxml.write_quakeml(catalog)
    back = obspyxml.read_quakeml(data)
    assert [str(e.resource_id) for e in back] == [str(e.resource_id) for e in catalog]
    assert [e.preferred_origin().time for e in back] == [e.preferred_origin().time for e in catalog]


def test_stationxml_through_the_public_api_is_the_same(public_only: None) -> None:
    inventory = obspy.read_inventory()
    data = obspyxml.write_stationxml(inventory)
    back = obspyxml.read_stationxml(data)
    assert back.get_contents() == inventory.get_contents()


def test_both_paths_read_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    data = obspyxml.write_quakeml(_catalog())
    direct = obspyxml.read_quakeml(data)
    monkeypatch.setattr(obspyxml, "_read_q", None)
    assert obspyxml.read_quakeml(data) == direct
