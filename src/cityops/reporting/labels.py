"""Words as a report shows them (报告用语).

A Chinese report (the default) shows the Chinese label with the English one
beside it in small type, so an auditor or a vendor reading English follows
along; an English report shows English only.  The words are the message
catalogue's (:mod:`cityops.messages`); names that data files give in both
languages (indicators, directions) are shown the same way.  Prose paragraphs
are written in the templates, in the report's language; names that data give
in one language (regions, contents, contract ids) are shown as written.
"""

from __future__ import annotations

from dataclasses import dataclass

from cityops.messages import Lang, Text, messages, text

__all__ = ["Label", "as_label", "label", "labels", "named"]


@dataclass(frozen=True, slots=True)
class Label:
    """A label as one report shows it: ``text``, and ``sub`` beside it (English in a
    Chinese report, empty in an English one)."""

    text: str
    sub: str = ""

    @property
    def full(self) -> str:
        """Both parts on one line, for a spreadsheet header or a plain-text cell."""
        return f"{self.text} {self.sub}" if self.sub else self.text


def as_label(words: Text, lang: Lang) -> Label:
    return Label(words.zh, words.en) if lang is Lang.ZH else Label(words.en)


def label(key: str, lang: Lang) -> Label:
    """The message ``key`` in ``lang``; an unknown key is a programming error."""
    return as_label(text(key), lang)


def labels(lang: Lang) -> dict[str, Label]:
    """Every message as a label in ``lang``, by key (what the templates look up)."""
    return {key: as_label(words, lang) for key, words in messages().items()}


def named(zh: str, en: str, lang: Lang) -> Label:
    """A name a data file gives in both languages (an indicator, a direction)."""
    return as_label(Text(zh, en), lang)
