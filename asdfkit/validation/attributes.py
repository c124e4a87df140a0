"""Typed attributes shared by waveforms and auxiliary data: ASCII ids and UTF-8 labels."""

from __future__ import annotations

from ..container.inspect import MAX_ATTR_BYTES, AttrInfo
from .context import Context

__all__ = ["ascii_id", "describe", "labels"]


def describe(info: AttrInfo) -> str:
    """Short text of what an attribute holds, for messages: ``a float32 scalar``."""
    if info.shape is None:
        return "an empty (null) value"
    what = info.dtype.newbyteorder("=").name if info.dtype is not None else info.cls
    if info.cls == "string":
        what = f"{'variable' if info.vlen else 'fixed'}-length {info.cset} string"
    article = "an" if what[:1] in "aeiou" else "a"
    if info.shape == ():
        return f"{article} {what} scalar"
    return f"{article} {what} array of shape {info.shape}"


def ascii_id(path: str, info: AttrInfo, ctx: Context, listing: bool) -> str | None:
    """Check an ASCII id attribute (ASDF-ATTR-002/003); return its text, or None if unusable.

    ``listing``: the value is a comma-separated list (the four QuakeML ids).
    """
    name = info.name
    if info.error:
        ctx.add("ASDF-FILE-002", path, info.error)
        return None
    if info.withheld:  # the engine reports once why variable-length values were not read
        return None
    if info.cls != "string" or info.shape != ():
        ctx.add("ASDF-ATTR-002", path, f"{name} is {describe(info)}: must be a scalar ASCII string")
        return None
    if not info.read or not isinstance(info.value, bytes):
        ctx.add("ASDF-ATTR-002", path,
                f"{name} is {info.nbytes} bytes: larger than the {MAX_ATTR_BYTES}-byte limit for an id; not read")
        return None
    raw = info.value.rstrip(b"\x00")
    if b"\x00" in raw:
        ctx.add("ASDF-ATTR-002", path, f"{name} {raw!r} contains a NUL byte")
        return None
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        ctx.add("ASDF-ATTR-002", path, f"{name} {raw!r} is not ASCII")
        return None
    if info.vlen:
        ctx.add("ASDF-ATTR-003", path,
                f"{name} is a variable-length string: pyasdf reads only fixed-length (NUL-padded) ones")
    if listing and any(not part.strip() for part in text.split(",")):
        ctx.add("ASDF-ATTR-002", path, f"{name} {text!r} has an empty item: must be comma-separated ids")
        return None
    if not text:
        ctx.add("ASDF-ATTR-002", path, f"{name} is empty")
        return None
    return text


def labels(path: str, info: AttrInfo, ctx: Context) -> None:
    """Check the ``labels`` attribute (ASDF-ATTR-004/005)."""
    if info.error:
        ctx.add("ASDF-FILE-002", path, info.error)
        return
    if info.withheld:
        return
    if info.cls != "string" or info.shape != ():
        ctx.add("ASDF-ATTR-004", path, f"labels is {describe(info)}: must be a scalar UTF-8 string")
        return
    if not info.read or not isinstance(info.value, bytes):
        ctx.add("ASDF-ATTR-004", path,
                f"labels is {info.nbytes} bytes: larger than the {MAX_ATTR_BYTES}-byte limit; not read")
        return
    try:
        info.value.rstrip(b"\x00").decode("utf-8")
    except UnicodeDecodeError as exc:
        ctx.add("ASDF-ATTR-004", path, f"labels {info.value[:80]!r} is not valid UTF-8: {exc.reason}")
        return
    if not info.vlen or info.cset != "utf-8":
        kind = "fixed-length" if not info.vlen else "variable-length ASCII"
        ctx.add("ASDF-ATTR-005", path,
                f"labels is a {kind} string: pyasdf requires a variable-length UTF-8 string")
