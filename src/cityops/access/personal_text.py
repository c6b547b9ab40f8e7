"""Personal data inside free text (自由文本中的个人信息): find it however it is spelled.

A citizen writes ``电话138 1234 1234``, ``１３８１２３４１２３４`` or
``身份证110105-19491231-002X`` into a description; a filter that tests whole
canonical values sees none of these.  :func:`find_personal` first normalises
the text, keeping for each normalised character the index of the original one:

* NFKC, character by character: full-width digits, letters, ``＋``, ``＠`` and
  ``－`` become ASCII;
* zero-width characters (U+200B–U+200D, U+2060, U+FEFF, soft hyphen) are dropped;
* spaces (any Unicode space, NBSP and U+3000 included), ``-``, ``.``, ``/`` and
  parentheses between digits are separators: up to three of them may split a
  number (``138 1234 1234``, ``138-1234-1234``, ``(010) 6512 3456``).

It then reads runs of digit groups and, from each group, the longest run of
consecutive groups whose digits form

* a mainland mobile number: ``1[3-9]`` and nine digits, optionally after
  ``+86``, ``86`` or ``0086``;
* a resident ID-card number (GB 11643): 18 characters, six of region, a valid
  birth date ``YYYYMMDD`` and three of sequence, then the ISO 7064 MOD 11-2
  check character (``X`` for ten); or the old 15-digit number (GB 11643-1989:
  region, ``YYMMDD`` of a valid 19YY date, sequence);
* a landline number: ``0``, a two- or three-digit area code and a seven- or
  eight-digit number (10–12 digits);

and, apart from digits, e-mail addresses.  A digit group must match whole: an
order number of 20 digits holds no phone number, but ``2025-01-01
13812341234`` does.  Spans are given in the original text, so
:func:`mask_personal` replaces the number and leaves the rest as written.

Used by the API (free text shown to roles without the personal-data right) and
by the lake's personal-data filter (``ingestion.personal``), so both see the
same numbers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache

from cityops.access.masking import mask_email, mask_id_card, mask_phone

__all__ = [
    "ID_CARD_CHECK",
    "ID_CARD_WEIGHTS",
    "PersonalKind",
    "PersonalSpan",
    "find_personal",
    "id_card_check_character",
    "mask_personal",
    "normalise",
]

ID_CARD_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
"""GB 11643-1999 (ISO 7064 MOD 11-2): weight of digit i is 2^(17-i) mod 11."""
ID_CARD_CHECK = "10X98765432"
"""The check character for (Σ digit × weight) mod 11 = 0, 1, …, 10."""


class PersonalKind(StrEnum):
    MOBILE = "a mobile phone number"
    LANDLINE = "a landline phone number"
    ID_CARD = "an ID-card number"
    EMAIL = "an e-mail address"


@dataclass(frozen=True, slots=True)
class PersonalSpan:
    """``text[start:end]`` of the original text is ``kind``; ``value`` is its
    canonical spelling (ASCII digits, no separators or prefix)."""

    start: int
    end: int
    kind: PersonalKind
    value: str


_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
_SEPARATORS = "-./()"
_MAX_SEPARATORS = 3
_GROUP = re.compile(r"\d+(?:[Xx](?![A-Za-z0-9]))?|(?<![A-Za-z0-9])[Xx](?![A-Za-z0-9])", re.ASCII)
"""A digit group, perhaps ending in an ID-card number's check ``X``, or that ``X``
alone (``110105 19491231 002 X``)."""
_EMAIL = re.compile(
    r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}",
    re.ASCII,
)
"""An address: the lengths bounded (RFC 5321: 64 before the ``@``), so a hostile
text of thousands of candidate characters costs linear time, not quadratic."""
_ANY_DIGIT = re.compile(r"\d")
"""A digit of any script (full-width ones included): a text with fewer than ten
holds no number recognised here, and is not normalised at all."""
_MOBILE = re.compile(r"1[3-9]\d{9}", re.ASCII)
_LANDLINE = re.compile(r"0[1-9]\d{1,2}[2-9]\d{6,7}", re.ASCII)
_LONGEST = 20
"""More digits than any number recognised here with its prefix (0086 + 11)."""


_DASHES = frozenset("\uff0d\u2010\u2011\u2012\u2013\u2014\u2212")


@lru_cache(maxsize=4096)
def _fold(char: str) -> str:
    if char in _ZERO_WIDTH:
        return ""
    if char.isspace():
        return " "
    folded = unicodedata.normalize("NFKC", char)
    return "-" if folded in _DASHES else folded


def normalise(text: str) -> tuple[str, list[int]]:
    """``text`` normalised as the module docstring says, and for each character of
    the result the index of the original character it comes from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = char if char.isascii() and char.isprintable() else _fold(char)
        chars.append(folded)
        origin.extend([index] * len(folded))
    return "".join(chars), origin


def id_card_check_character(first17: str) -> str:
    """The GB 11643 check character of 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, ID_CARD_WEIGHTS, strict=True))
    return ID_CARD_CHECK[total % 11]


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _id_card(value: str) -> bool:
    if len(value) == 18 and value[:17].isdigit():
        if not 1800 <= int(value[6:10]) <= 2099:
            return False
        if not _valid_date(int(value[6:10]), int(value[10:12]), int(value[12:14])):
            return False
        return id_card_check_character(value[:17]) == value[17].upper()
    if len(value) == 15 and value.isdigit():
        return _valid_date(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]))
    return False


def _classify(digits: str, plus: bool) -> tuple[PersonalKind, str] | None:
    """What the concatenated ``digits`` of a run of groups are (``plus``: a ``+``
    stands before them), with the canonical value."""
    for prefix in ("0086", "86"):
        rest = digits.removeprefix(prefix)
        if rest != digits and _MOBILE.fullmatch(rest) and (prefix == "86" or not plus):
            return PersonalKind.MOBILE, rest
    if plus:
        return None
    if _MOBILE.fullmatch(digits):
        return PersonalKind.MOBILE, digits
    if _id_card(digits):
        return PersonalKind.ID_CARD, digits.upper()
    if _LANDLINE.fullmatch(digits):
        return PersonalKind.LANDLINE, digits
    return None


def _chains(norm: str) -> Iterator[list[re.Match[str]]]:
    """Runs of digit groups of ``norm`` joined by at most three separators each."""
    chain: list[re.Match[str]] = []
    for group in _GROUP.finditer(norm):
        if chain:
            gap = norm[chain[-1].end() : group.start()]
            joined = chain[-1].group()[-1].isdigit() and 0 < len(gap) <= _MAX_SEPARATORS
            if not (joined and all(c == " " or c in _SEPARATORS for c in gap)):
                yield chain
                chain = []
        chain.append(group)
    if chain:
        yield chain


def _numbers(norm: str) -> Iterator[tuple[int, int, PersonalKind, str]]:
    for chain in _chains(norm):
        i = 0
        while i < len(chain):
            found: tuple[int, int, PersonalKind, str] | None = None
            digits = ""
            for j in range(i, len(chain)):
                digits += chain[j].group()
                if len(digits) > _LONGEST:
                    break
                start = chain[i].start()
                plus = start > 0 and norm[start - 1] == "+"
                if (kind := _classify(digits, plus)) is not None:
                    found = (start - plus, chain[j].end(), *kind)
                    end_group = j
            if found is None:
                i += 1
                continue
            yield found
            i = end_group + 1


def find_personal(
    text: str, kinds: Collection[PersonalKind] = tuple(PersonalKind)
) -> list[PersonalSpan]:
    """The personal data of ``kinds`` in ``text``, as spans of the original text in
    order of their start."""
    if "@" not in text and "\uff20" not in text and len(_ANY_DIGIT.findall(text)) < 10:
        return []
    norm, origin = normalise(text)
    found: list[tuple[int, int, PersonalKind, str]] = []
    if PersonalKind.EMAIL in kinds:
        found += [
            (m.start(), m.end(), PersonalKind.EMAIL, m.group()) for m in _EMAIL.finditer(norm)
        ]
    taken = [(start, end) for start, end, *_ in found]
    for start, end, kind, value in _numbers(norm):
        if kind in kinds and not any(s < end and start < e for s, e in taken):
            found.append((start, end, kind, value))
    spans = [
        PersonalSpan(origin[start], origin[end - 1] + 1, kind, value)
        for start, end, kind, value in found
    ]
    return sorted(spans, key=lambda span: span.start)


_MASKS = {
    PersonalKind.MOBILE: mask_phone,
    PersonalKind.LANDLINE: mask_phone,
    PersonalKind.ID_CARD: mask_id_card,
    PersonalKind.EMAIL: mask_email,
}


def mask_personal(text: str) -> str:
    """``text`` with each phone, ID-card number and e-mail address replaced by its
    masked canonical form (``138****1234``, ``110105********002X``,
    ``z***@example.cn``); everything else stays as written."""
    pieces: list[str] = []
    at = 0
    for span in find_personal(text):
        pieces += [text[at : span.start], _MASKS[span.kind](span.value)]
        at = span.end
    return "".join(pieces) + text[at:]
