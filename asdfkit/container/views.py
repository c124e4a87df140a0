"""Dictionary-style views for users coming from pyasdf.

``f.waveforms["IU.ANMO"]["raw_recording"]`` (or ``f.waveforms.IU_ANMO.raw_recording``)
reads a station's traces of one tag; ``.StationXML`` gives its inventory.
The views hold the file object only to call its public methods.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from obspy import Inventory, Stream

from ..errors import NotFoundError

if TYPE_CHECKING:  # pragma: no cover
    from .file import ASDFFile

__all__ = ["StationView", "WaveformsView"]


class StationView:
    """One ``NET.STA`` group: its tags, traces and StationXML."""

    def __init__(self, asdf: ASDFFile, station_id: str) -> None:
        self._asdf = asdf
        self.station_id = station_id

    def __repr__(self) -> str:
        return f"<StationView {self.station_id}: tags {', '.join(self.tags) or '-'}>"

    @property
    def _codes(self) -> dict[str, str]:
        network, station = self.station_id.split(".")
        return {"network": network, "station": station}

    @property
    def tags(self) -> list[str]:
        return sorted({h.tag for h in self._asdf.list_waveforms(**self._codes)})

    @property
    def StationXML(self) -> Inventory:  # noqa: N802 - pyasdf's spelling
        return self._asdf.get_station_inventory(self.station_id)

    inventory = StationXML

    @property
    def coordinates(self) -> dict[str, float | None]:
        return self._asdf.get_coordinates(self.station_id)

    def __getitem__(self, tag: str) -> Stream:
        if tag not in self.tags:
            raise NotFoundError(f"station {self.station_id} has no waveforms with tag {tag!r}")
        return self._asdf.get_waveforms(tag=tag, **self._codes)

    def __getattr__(self, tag: str) -> Stream:
        if tag.startswith("_"):
            raise AttributeError(tag)
        try:
            return self[tag]
        except NotFoundError as exc:
            raise AttributeError(str(exc)) from None

    def __contains__(self, tag: object) -> bool:
        return tag in self.tags

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self.tags})


class WaveformsView(Mapping[str, StationView]):
    """Every station group, keyed ``"NET.STA"`` (attribute access as ``NET_STA``)."""

    def __init__(self, asdf: ASDFFile) -> None:
        self._asdf = asdf

    def __getitem__(self, station_id: str) -> StationView:
        if station_id not in self._asdf.stations:
            raise NotFoundError(f"station {station_id!r} not found in /Waveforms")
        return StationView(self._asdf, station_id)

    def __getattr__(self, name: str) -> StationView:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name.replace("_", ".", 1)]
        except NotFoundError as exc:
            raise AttributeError(str(exc)) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._asdf.stations)

    def __len__(self) -> int:
        return len(self._asdf.stations)

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *(s.replace(".", "_") for s in self)})

    def __repr__(self) -> str:
        return f"<WaveformsView of {len(self)} station(s)>"


