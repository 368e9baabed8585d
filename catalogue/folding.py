"""The one normaliser of every search: the public look-up (publishing.search) and the back
office's search boxes (catalogue.admin.search) fold the text and the query through it.

NFKC (full-width ＡＩ and half-width forms become one form, compatibility ideographs their
unified one), case folding, and the variant pairs of VARIANTS (臺 is found by 台 and the other
way round), character by character. `normalise` keeps, for each character it writes, the
position of the original character it came from, so that a match found in the normal form can
be marked in the original text; `fold` is the normal form alone.
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

# Variant characters written for one another in Taiwan's official and everyday text, each
# folded to the form the bulletin uses. Only pairs that readers really type for one another:
# 台/臺 (台灣, 臺灣), 裡/裏, 為/爲, 著/着, 峰/峯, 線/綫, 眾/衆, 啟/啓, 匯/滙, 溫/温, 冊/册,
# 污/汙, 群/羣, and 於/于 (于 is the simplified form typed for 於 by many input methods).
VARIANTS: dict[str, str] = {
    "臺": "台",
    "裏": "裡",
    "爲": "為",
    "着": "著",
    "峯": "峰",
    "綫": "線",
    "衆": "眾",
    "啓": "啟",
    "滙": "匯",
    "温": "溫",
    "册": "冊",
    "汙": "污",
    "羣": "群",
    "于": "於",
}


@dataclass(frozen=True)
class Folded:
    """A text after the normaliser, and for each of its characters the original's position."""

    text: str
    origins: Sequence[int]


class _FoldingTable(dict[int, str]):
    """str.translate's table: each character's normal form, worked out the first time it is met.

    str.translate walks the text in C; a bulletin has a few thousand distinct characters, so
    after the first index nearly every look-up is a dictionary hit.
    """

    def __missing__(self, codepoint: int) -> str:
        folded = unicodedata.normalize("NFKC", chr(codepoint)).casefold()
        value = self[codepoint] = "".join(VARIANTS.get(c, c) for c in folded)
        return value


_TABLE = _FoldingTable()


def fold(text: str) -> str:
    """text in normal form (NFKC, casefold, VARIANTS): what `normalise(text).text` holds."""
    return text.translate(_TABLE)


def normalise(text: str) -> Folded:
    """The normal form of text, each output character knowing where it came from.

    Character by character (NFKC, casefold, VARIANTS): NFKC may turn one character into several
    (㈱ into (株)), casefold ß into ss. Where every character stays one character, positions are
    unchanged.
    """
    folded = fold(text)
    if len(folded) == len(text) and all(len(_TABLE[ord(c)]) == 1 for c in set(text)):
        return Folded(folded, range(len(text)))
    origins: list[int] = []
    for position, char in enumerate(text):
        origins.extend([position] * len(_TABLE[ord(char)]))
    return Folded(folded, tuple(origins))
