"""Which characters the configured fonts can draw, read from the fonts' own cmap tables.

Typst silently draws a box (tofu) for a character that no font has. Publishing must refuse such
a text instead, so every character is checked against the fonts before Typst runs. fontTools is
not a dependency for this one table: an OpenType cmap is a short, stable binary format.
"""

import functools
import mmap
import os
import struct
import unicodedata
from collections.abc import Iterable
from typing import Any

import typst

Ranges = tuple[tuple[int, int], ...]


@functools.cache
def _fonts(dirs: tuple[str, ...]) -> typst.Fonts:
    return typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=False, font_paths=list(dirs)
    )


def typst_fonts(dirs: Iterable[str]) -> typst.Fonts:
    """The fonts of these folders only (no system or bundled fonts), loaded once per process."""
    return _fonts(tuple(dirs))


def family_files(dirs: Iterable[str], family: str) -> list[tuple[str, int]]:
    """(path, index in a collection) of every face of a family found in the folders."""
    faces = {
        (info.path, info.index)
        for info in typst_fonts(dirs).fonts()
        if info.family == family and info.path is not None
    }
    return sorted(faces)


def coverage(path: str, index: int = 0) -> Ranges:
    """The code point ranges a font face maps to glyphs."""
    stat = os.stat(path)
    return _coverage(path, index, stat.st_mtime_ns, stat.st_size)


@functools.cache
def _coverage(path: str, index: int, _mtime: int, _size: int) -> Ranges:
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return _face_coverage(data, index, path)


def _face_coverage(data: Any, index: int, path: str) -> Ranges:
    offset = 0
    if data[:4] == b"ttcf":
        (count,) = struct.unpack_from(">I", data, 8)
        if index >= count:
            raise ValueError(f"{path} has no face {index}")
        (offset,) = struct.unpack_from(">I", data, 12 + 4 * index)
    cmap = _table(data, offset, b"cmap")
    return _read_cmap(data, cmap)


def _table(data: Any, font_offset: int, tag: bytes) -> int:
    (num_tables,) = struct.unpack_from(">H", data, font_offset + 4)
    for i in range(num_tables):
        record = font_offset + 12 + 16 * i
        if data[record : record + 4] == tag:
            return struct.unpack_from(">I", data, record + 8)[0]
    raise ValueError(f"font has no {tag.decode()} table")


def _read_cmap(data: Any, cmap: int) -> Ranges:
    (num,) = struct.unpack_from(">H", data, cmap + 2)
    subtables = {}
    for i in range(num):
        platform, encoding, sub = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
        subtables[(platform, encoding)] = cmap + sub
    # Full Unicode (format 12) first, then the Basic Multilingual Plane (format 4).
    for key in ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0)):
        if key in subtables:
            start = subtables[key]
            (fmt,) = struct.unpack_from(">H", data, start)
            if fmt == 12:
                return _format12(data, start)
            if fmt == 4:
                return _format4(data, start)
    raise ValueError("font has no Unicode cmap of format 4 or 12")


def _format12(data: Any, start: int) -> Ranges:
    (groups,) = struct.unpack_from(">I", data, start + 12)
    ranges = []
    for i in range(groups):
        first, last, glyph = struct.unpack_from(">III", data, start + 16 + 12 * i)
        if glyph == 0:  # a group mapping to .notdef maps nothing
            first += 1
        if first <= last:
            ranges.append((first, last))
    return tuple(ranges)


def _format4(data: Any, start: int) -> Ranges:
    (seg_x2,) = struct.unpack_from(">H", data, start + 6)
    segs = seg_x2 // 2
    ends = struct.unpack_from(f">{segs}H", data, start + 14)
    starts = struct.unpack_from(f">{segs}H", data, start + 16 + seg_x2)
    deltas = struct.unpack_from(f">{segs}h", data, start + 16 + 2 * seg_x2)
    range_offsets_at = start + 16 + 3 * seg_x2
    range_offsets = struct.unpack_from(f">{segs}H", data, range_offsets_at)
    ranges = []
    for i in range(segs):
        if starts[i] == 0xFFFF:
            continue
        if range_offsets[i] == 0:
            # Every code maps through the delta; only a code landing on glyph 0 is missing.
            codes = [c for c in range(starts[i], ends[i] + 1) if (c + deltas[i]) % 65536 != 0]
        else:
            codes = []
            for c in range(starts[i], ends[i] + 1):
                at = range_offsets_at + 2 * i + range_offsets[i] + 2 * (c - starts[i])
                (glyph,) = struct.unpack_from(">H", data, at)
                if glyph != 0:
                    codes.append(c)
        ranges.extend((c, c) for c in codes)
    return _merge(ranges)


def _merge(ranges: list[tuple[int, int]]) -> Ranges:
    merged: list[tuple[int, int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
        else:
            merged.append((first, last))
    return tuple(merged)


def covers(ranges: Ranges, char: str) -> bool:
    code = ord(char)
    low, high = 0, len(ranges)
    while low < high:
        middle = (low + high) // 2
        first, last = ranges[middle]
        if code < first:
            high = middle
        elif code > last:
            low = middle + 1
        else:
            return True
    return False


def needs_glyph(char: str) -> bool:
    """Line breaks, tabs and other control characters are layout, not glyphs."""
    return unicodedata.category(char) not in {"Cc", "Zl", "Zp"}


def missing_characters(text: str, *, dirs: Iterable[str], families: Iterable[str]) -> list[str]:
    """The characters of text that no face of the families draws, in order of appearance.

    Raises LookupError naming a family that none of the folders holds.
    """
    dirs = tuple(dirs)
    faces: list[Ranges] = []
    for family in families:
        files = family_files(dirs, family)
        if not files:
            raise LookupError(family)
        faces.extend(coverage(path, index) for path, index in files)
    missing: dict[str, None] = {}
    for char in dict.fromkeys(text):
        if needs_glyph(char) and not any(covers(face, char) for face in faces):
            missing[char] = None
    return list(missing)
