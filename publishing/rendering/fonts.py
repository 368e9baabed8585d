"""Which characters the configured fonts can draw, read from the fonts' own cmap tables.

Typst silently draws a box (tofu) for a character that no font has. Publishing must refuse such
a text instead, so every character is checked against the fonts before Typst runs; fontTools
reads the cmap (every format, collections included).
"""

import functools
import os
import unicodedata
from collections.abc import Iterable

import typst
from fontTools.ttLib import TTFont

Coverage = frozenset[int]


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


def coverage(path: str, index: int = 0) -> Coverage:
    """The code points a font face maps to a glyph (not to .notdef)."""
    stat = os.stat(path)
    return _coverage(path, index, stat.st_mtime_ns, stat.st_size)


@functools.cache
def _coverage(path: str, index: int, _mtime: int, _size: int) -> Coverage:
    # lazy: only the cmap table is read, not the glyphs of a 20 MB CJK collection.
    with TTFont(path, fontNumber=index, lazy=True) as font:
        cmap = font.getBestCmap()
        if cmap is None:
            raise ValueError(f"{path} has no Unicode cmap")
        notdef = font.getGlyphOrder()[0]
    return frozenset(code for code, glyph in cmap.items() if glyph != notdef)


def covers(face: Coverage, char: str) -> bool:
    return ord(char) in face


def needs_glyph(char: str) -> bool:
    """Line breaks, tabs and other control characters are layout, not glyphs."""
    return unicodedata.category(char) not in {"Cc", "Zl", "Zp"}


def missing_characters(text: str, *, dirs: Iterable[str], families: Iterable[str]) -> list[str]:
    """The characters of text that no face of the families draws, in order of appearance.

    Raises LookupError naming a family that none of the folders holds.
    """
    dirs = tuple(dirs)
    faces: list[Coverage] = []
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
