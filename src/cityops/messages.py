"""The words cityops shows, in Chinese and English (用语): one message catalogue for
the console, the reports, the exports and the command line.

Every label is an entry of ``messages.toml`` beside this module, a key
(``common.rank``) with both languages, read once with the standard library.
Stage names join it from :mod:`cityops.domain.stages` as ``stage.<code>``, so
they too are written once.  Names that data files hold are not messages:
indicators (the catalogue), directions and contents (the framework).

Why one data file rather than gettext catalogues (Babel):

- the same term is needed in both languages at once: a Chinese report prints
  the English label beside the Chinese one, and an export titles its columns
  in Chinese beside a field name; gettext serves one locale at a time;
- each term is looked up by a stable key, not by its English text (gettext's
  msgid), so rewording the English does not orphan the Chinese, and one
  entry shows a reviewer both languages side by side;
- a missing translation must fail a test, not fall back silently to the
  source text as gettext does;
- the console renders labels into JSON for its scripts, a plain lookup here;
- no extraction and compile step (``.po`` → ``.mo``) and no new dependency:
  TOML is read like the indicator catalogue.

Two languages with a few hundred terms do not need plural forms or message
contexts; should a third language come, each entry gains a key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from types import MappingProxyType

from cityops.domain.stages import STAGES
from cityops.errors import ConfigError

__all__ = ["MESSAGES_FILE", "Lang", "Text", "label", "messages", "parse_messages", "text"]

MESSAGES_FILE = "messages.toml"


class Lang(StrEnum):
    """The languages cityops speaks; Chinese is the default everywhere."""

    ZH = "zh"
    EN = "en"


@dataclass(frozen=True, slots=True)
class Text:
    """One term in both languages."""

    zh: str
    en: str

    def __getitem__(self, lang: Lang) -> str:
        return self.zh if lang is Lang.ZH else self.en


@cache
def messages() -> Mapping[str, Text]:
    """Every message by key: the shipped file's entries in file order, then the stage
    names."""
    source = f"cityops/{MESSAGES_FILE}"
    found = parse_messages(
        resources.files("cityops").joinpath(MESSAGES_FILE).read_text("utf-8"), source
    )
    stages = {f"stage.{s.code}": Text(s.name_zh, s.name_en) for s in STAGES}
    if found.keys() & stages.keys():
        raise ConfigError(f"{source}: stage names come from cityops.domain.stages")
    return MappingProxyType(found | stages)


def parse_messages(toml: str, source: str) -> dict[str, Text]:
    """The entries of a message file by key (``group.name``); anything but tables of
    entries with exactly a non-empty ``zh`` and ``en`` is a ``ConfigError``."""
    try:
        raw = tomllib.loads(toml)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{source}: not valid TOML: {error}") from error
    found: dict[str, Text] = {}
    for group, entries in raw.items():
        if not isinstance(entries, dict):
            raise ConfigError(f"{source}: {group!r} is not a table of messages")
        for name, entry in entries.items():
            where = f"{source}: {group}.{name}"
            if (
                not isinstance(entry, dict)
                or set(entry) != set(Lang)
                or not all(isinstance(entry[lang], str) and entry[lang] for lang in Lang)
            ):
                raise ConfigError(f"{where}: needs exactly zh and en, both non-empty text")
            found[f"{group}.{name}"] = Text(entry[Lang.ZH], entry[Lang.EN])
    return found


def text(key: str) -> Text:
    """The message ``key`` in both languages; an unknown key is a programming error."""
    return messages()[key]


def label(key: str, lang: Lang) -> str:
    """The message ``key`` in ``lang``."""
    return text(key)[lang]
