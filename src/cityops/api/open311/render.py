"""Open311 answers as XML or JSON, with the spec's element names.

XML is built with ``xml.etree.ElementTree`` — every text is escaped by the
serialiser, never pasted into markup — and starts with the XML declaration
naming UTF-8, as GeoReport v2 requires.  JSON is the spec's "Spark
convention" mapping of the same XML: a list of objects for a list of
elements, ``null`` for an empty element.  Characters that XML 1.0 cannot
carry (most control characters) are refused at the door (``schemas``); any
that reach the renderer from elsewhere are replaced by U+FFFD so the XML
stays well-formed.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from enum import StrEnum

from fastapi import Response
from pydantic import BaseModel

__all__ = [
    "MEDIA_TYPES",
    "XML_ILLEGAL",
    "Format",
    "clean_text",
    "render_errors",
    "render_list",
    "render_object",
]

XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters outside XML 1.0's ``Char`` production."""


def clean_text(value: str) -> str:
    """``value`` with line breaks normalised to ``\\n`` (XML parsers would do it on
    the way out anyway); a ``ValueError`` names a character XML cannot carry."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    if bad := XML_ILLEGAL.search(text):
        raise ValueError(f"contains the control character U+{ord(bad.group()):04X}")
    return text


class Format(StrEnum):
    JSON = "json"
    XML = "xml"


MEDIA_TYPES = {
    Format.JSON: "application/json; charset=utf-8",
    Format.XML: "text/xml; charset=utf-8",
}
_ITEM_TAGS = {"attributes": "attribute", "values": "value"}
"""Element name of each item of a nested list, as the spec names them."""

Record = Mapping[str, object]


def render_list(
    fmt: Format, root: str, item: str, models: Sequence[BaseModel], status_code: int = 200
) -> Response:
    """``<root><item>…</item>…</root>``, or a JSON list of objects."""
    records = [model.model_dump(mode="json") for model in models]
    if fmt is Format.JSON:
        return _json(records, status_code)
    element = ET.Element(root)
    for record in records:
        _fill(ET.SubElement(element, item), record)
    return _xml(element, status_code)


def render_object(fmt: Format, root: str, model: BaseModel) -> Response:
    """``<root>…</root>``, or one JSON object (the service definition)."""
    record = model.model_dump(mode="json")
    if fmt is Format.JSON:
        return _json(record, 200)
    element = ET.Element(root)
    _fill(element, record)
    return _xml(element, 200)


def render_errors(fmt: Format, status_code: int, descriptions: Sequence[str]) -> Response:
    """The spec's error answer: ``<errors><error><code/><description/></error>…``."""
    errors = [{"code": status_code, "description": d} for d in descriptions]
    if fmt is Format.JSON:
        return _json(errors, status_code)
    element = ET.Element("errors")
    for error in errors:
        _fill(ET.SubElement(element, "error"), error)
    return _xml(element, status_code)


def _fill(element: ET.Element, record: Record) -> None:
    for name, value in record.items():
        child = ET.SubElement(element, name)
        if isinstance(value, list):
            for entry in value:
                _fill(ET.SubElement(child, _ITEM_TAGS.get(name, "item")), entry)
        elif isinstance(value, bool):
            child.text = "true" if value else "false"
        elif value is not None:
            child.text = XML_ILLEGAL.sub("\ufffd", str(value))


def _json(content: object, status_code: int) -> Response:
    body = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return Response(body.encode(), status_code=status_code, media_type=MEDIA_TYPES[Format.JSON])


_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
"""Written out rather than left to ElementTree, whose single quotes are valid XML but
not the ``encoding="UTF-8"`` the spec spells, which some clients look for verbatim."""


def _xml(element: ET.Element, status_code: int) -> Response:
    body = _DECLARATION + ET.tostring(element, encoding="unicode").encode()
    return Response(body, status_code=status_code, media_type=MEDIA_TYPES[Format.XML])
