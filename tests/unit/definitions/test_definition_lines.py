"""The loader names the line of what is wrong, in YAML and in TOML.

Documents are written here line by line, noting on which line each entry and
field goes, so the expected lines do not come from the code under test.  The
writers put in what could mislead a line scanner: comments, blank lines,
multi-line strings holding ``key = value`` and ``[[entries]]`` lines, arrays
over several lines, fields in any order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field

from cityops.definitions import DefinitionKind, Format
from cityops.errors import DefinitionError


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    weight: float = Field(ge=0)
    note: str = ""
    tags: tuple[str, ...] = ()


class Document(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    entries: tuple[Entry, ...]


KIND = DefinitionKind("test file", Document, "docs/definitions.md")

NOTES = ["", "one line", "two\nlines", 'key = "value"\n[[entries]]\n- code: x', "a # not a comment"]
"""Notes, some of which look like other lines of the file when written over several."""


@dataclass
class Written:
    """A document's text, and where each entry and field was written."""

    lines: list[str] = field(default_factory=list)
    entry_line: dict[int, int] = field(default_factory=dict)
    field_line: dict[tuple[int, str], int] = field(default_factory=dict)

    def add(self, *lines: str) -> int:
        """Append ``lines``; the number of the first."""
        self.lines.extend(lines)
        return len(self.lines) - len(lines) + 1

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


@st.composite
def entries(draw: st.DrawFn) -> list[dict[str, object]]:
    """Valid entries: each with a code and a weight, maybe a note and tags, fields in any
    order, and a few lines of padding (blank, comment) before it."""
    result = []
    for index in range(draw(st.integers(1, 6))):
        entry: dict[str, object] = {
            "code": f"e{index}",
            "weight": draw(st.floats(0, 1000, allow_nan=False)),
        }
        if draw(st.booleans()):
            entry["note"] = draw(st.sampled_from(NOTES))
        if draw(st.booleans()):
            entry["tags"] = draw(st.lists(st.sampled_from(["a", "b", "c"]), max_size=3))
        order = draw(st.permutations(list(entry)))
        entry = {key: entry[key] for key in order}
        entry["_padding"] = draw(st.integers(0, 2))
        entry["_multiline_tags"] = draw(st.booleans())
        result.append(entry)
    return result


def write_yaml(items: list[dict[str, object]]) -> Written:
    written = Written()
    written.add("# a test file", "version: 1", "entries:")
    for index, entry in enumerate(items):
        for pad in range(int(str(entry["_padding"]))):
            written.add("" if pad % 2 else "  # between entries")
        first = True
        for key, value in entry.items():
            if key.startswith("_"):
                continue
            lead = "  - " if first else "    "
            first = False
            if key == "note" and "\n" in str(value):
                line = written.add(f"{lead}{key}: |-")
                written.add(*(f"      {part}" for part in str(value).split("\n")))
            elif key == "tags" and entry["_multiline_tags"] and value:
                line = written.add(f"{lead}{key}:")
                written.add(*(f"      - {tag}" for tag in value))  # type: ignore[attr-defined]
            else:
                line = written.add(f"{lead}{key}: {json.dumps(value, ensure_ascii=False)}")
            written.field_line[(index, key)] = line
        written.entry_line[index] = min(
            line for (i, _), line in written.field_line.items() if i == index
        )
    return written


def write_toml(items: list[dict[str, object]]) -> Written:
    written = Written()
    written.add("# a test file", "version = 1", "")
    for index, entry in enumerate(items):
        for pad in range(int(str(entry["_padding"]))):
            written.add("" if pad % 2 else "# between entries")
        written.entry_line[index] = written.add("[[entries]]")
        for key, value in entry.items():
            if key.startswith("_"):
                continue
            if key == "note" and "\n" in str(value):
                line = written.add(f'{key} = """', *str(value).split("\n"), '"""')
            elif key == "tags" and entry["_multiline_tags"]:
                tags = [f'  "{tag}",' for tag in value]  # type: ignore[attr-defined]
                line = written.add(f"{key} = [  # one per line", *tags, "]")
            else:
                line = written.add(f"{key} = {json.dumps(value, ensure_ascii=False)}")
            written.field_line[(index, key)] = line
    return written


WRITERS = {"yaml": write_yaml, "toml": write_toml}


def _load(written: Written, fmt: Format) -> Document:
    return KIND.parse(written.text, f"test.{fmt}").model


@pytest.mark.parametrize("fmt", ["yaml", "toml"])
@given(items=entries())
def test_every_entry_and_field_is_found_on_the_line_it_was_written(
    fmt: Format, items: list[dict[str, object]]
) -> None:
    written = WRITERS[fmt](items)
    parsed = KIND.parse_document(written.text, f"test.{fmt}")
    assert [e.code for e in KIND.validate(parsed, "test").model.entries] == [
        f"e{i}" for i in range(len(items))
    ]
    for index, line in written.entry_line.items():
        assert parsed.lines.of(("entries", index)) == line
    for (index, key), line in written.field_line.items():
        assert parsed.lines.of(("entries", index, key)) == line


@pytest.mark.parametrize("fmt", ["yaml", "toml"])
@pytest.mark.parametrize("bad", [-1, "heavy"])
@given(items=entries(), data=st.data())
def test_a_bad_value_at_any_entry_is_reported_with_that_fields_line(
    fmt: Format, bad: object, items: list[dict[str, object]], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(items) - 1))
    items[index]["weight"] = bad
    written = WRITERS[fmt](items)
    with pytest.raises(DefinitionError) as raised:
        _load(written, fmt)
    assert raised.value.source == f"test.{fmt}"
    assert raised.value.line == written.field_line[(index, "weight")]
    message = str(raised.value)
    assert message.startswith(f"test.{fmt}:{raised.value.line}: entries 'e{index}', field weight:")
    assert message.endswith("; see docs/definitions.md for the format")


@pytest.mark.parametrize("fmt", ["yaml", "toml"])
@given(items=entries(), data=st.data())
def test_a_missing_field_is_reported_at_the_line_of_its_entry(
    fmt: Format, items: list[dict[str, object]], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(items) - 1))
    del items[index]["weight"]
    written = WRITERS[fmt](items)
    with pytest.raises(DefinitionError, match="field weight: Field required") as raised:
        _load(written, fmt)
    assert raised.value.line == written.entry_line[index]


@pytest.mark.parametrize(
    ("source", "text", "line", "what"),
    [
        ("f.yaml", "version: 1\nentries:\n  - code: [unclosed\n", 4, "not valid YAML"),
        ("f.yaml", "version: 1\n\tentries: []\n", 2, "not valid YAML"),
        ("f.toml", 'version = 1\n\n[[entries]]\ncode = "a\n', 4, "not valid TOML"),
        ("f.toml", "version = 1\nversion = 2\n", 2, "not valid TOML"),
    ],
)
def test_a_file_that_does_not_parse_names_the_line_of_the_syntax_error(
    source: str, text: str, line: int, what: str
) -> None:
    with pytest.raises(DefinitionError, match=what) as raised:
        KIND.parse(text, source)
    assert raised.value.line == line
    assert str(raised.value).startswith(f"{source}:{line}: {what}")


def test_a_file_that_is_not_a_mapping_is_refused_as_a_whole() -> None:
    with pytest.raises(DefinitionError, match=r"^f\.yaml:1: the file: Input should be"):
        KIND.parse("- just\n- a list\n", "f.yaml")


def test_many_problems_are_counted_after_the_first_few() -> None:
    text = "version: x\nentries:\n" + "".join(f"  - {{code: e{i}}}\n" for i in range(8))
    with pytest.raises(DefinitionError) as raised:
        KIND.parse(text, "f.yaml")
    assert len(raised.value.problems) == 9
    assert "and 4 more problems" in str(raised.value)
    assert [line for line, _ in raised.value.problems] == [1, *range(3, 11)]
