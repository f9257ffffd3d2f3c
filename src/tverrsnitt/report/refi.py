"""REFI-QDA exchange: the project as .qdpx and the codebook as .qdc, and a .qdc read back.

A .qdpx is a zip file with `project.qde` (XML in namespace urn:QDA-XML:project:1.0) and a
`sources/` folder. NVivo, ATLAS.ti, MAXQDA and QualCoder read it, so a team can go on coding
there. What goes in:

- Sources: each group's anonymised transcript as a UTF-8 text file (`TextSource`,
  `plainTextPath="internal://<guid>.txt"`) — the very text the codings count characters in;
- CodeBook: the theme codebook, nested as in qual.yaml, each code with its Description and
  theme memos as notes;
- Users: one per coder;
- PlainTextSelection: one per coding (startPosition/endPosition in characters of the
  anonymised text, the creating coder, the segment name or the quote's opening words as its
  name), with one `Coding`/`CodeRef` per theme and the memo as a `Note`;
- Cases: one per participant (pseudonym), with the variables Utdanning, Stilling and
  Fokusgruppe, referring to the transcript of their group.

A .qdc is the codebook alone (urn:QDA-XML:codebook:1.0). GUIDs are uuid5 values of the study
name and the thing's ids, and zip entries carry a fixed date, so exporting the same data twice
gives the same bytes. Every file is validated against the vendored REFI-QDA schemas (see
schemas/README.md) before it is written.
"""

from __future__ import annotations

import io
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from lxml import etree

from ..errors import DataProblem, InputDataError
from ..ingest.codings import Coding, CodingError, ThemeMemo, check_codings
from ..ingest.transcripts import Transcript
from ..study.qual import QualDefinition, Theme

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_SCHEMA = "Project-mrt2019.xsd"
CODEBOOK_SCHEMA = "Codebook-mrt2019.xsd"
PROJECT_ENTRY = "project.qde"
ORIGIN = "tverrsnitt"
# All GUIDs of an export derive from this namespace, the study name and the thing's ids.
GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/tverrsnitt/refi-qda")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# Characters XML 1.0 cannot carry (control characters other than tab and line breaks).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
VARIABLES = (("Utdanning", "education", "Utdanning, som deltakeren oppga den"),
             ("Stilling", "job_title", "Stillingstittel"),
             ("Fokusgruppe", "group", "Fokusgruppen deltakeren var med i"))


Element = Any  # an lxml element (lxml ships no type information)


class Guids:
    """Deterministic GUIDs: the same study and ids give the same GUID in every export."""

    def __init__(self, study: str) -> None:
        self.study = study

    def __call__(self, kind: str, *ids: object) -> str:
        name = "\x1f".join([self.study, kind, *(str(i) for i in ids)])
        return str(uuid.uuid5(GUID_NAMESPACE, name)).upper()


# ----------------------------------------------------------------------------- project


@dataclass(frozen=True)
class Export:
    """What a .qdpx holds: project.qde and the source files by their path in the zip."""

    project: bytes
    sources: Mapping[str, bytes]

    def zip_bytes(self) -> bytes:
        """The .qdpx file: a zip with fixed dates, so the same export gives the same bytes."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, data in [(PROJECT_ENTRY, self.project), *sorted(self.sources.items())]:
                info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)
        return buffer.getvalue()


def export_project(qual: QualDefinition, transcripts: Mapping[str, Transcript],
                   codings: Iterable[Coding], *, name: str, title: str | None = None,
                   theme_memos: Iterable[ThemeMemo] = ()) -> Export:
    """Build the REFI-QDA project of a study: anonymised transcripts, codebook, codings.

    `transcripts` are the anonymised ones (the text the codings' offsets count in); `name`
    is the study's name, which seeds the GUIDs. Raises CodingError when a coding does not fit
    the transcripts or the codebook (a transcript changed since it was coded).
    """
    codings = sorted(codings, key=lambda c: (c.group, c.start, c.end, c.coder, c.themes))
    problems = check_codings(codings, qual, transcripts)
    if problems:
        raise CodingError("Cannot export codings that do not fit the study:\n"
                          + "\n".join(f"  - {p}" for p in problems))
    guid = Guids(name)
    root = _element(PROJECT_NS, "Project", name=title or name, origin=ORIGIN)
    coders = sorted({c.coder for c in codings})
    users = _child(root, "Users") if coders else None
    for coder in coders:
        _child(users, "User", guid=guid("user", coder), name=coder, id=coder)
    notes: list[tuple[str, str, str, str | None, str | None]] = []  # guid, name, text, user, time
    memos_by_theme = {m.theme: m for m in theme_memos if m.memo.strip()}
    codebook = _child(root, "CodeBook")
    codes = _child(codebook, "Codes")
    for theme in qual.themes:
        _code(codes, theme, guid, memos_by_theme, notes)
    _cases(root, qual, transcripts, guid)
    sources_element = _child(root, "Sources")
    sources: dict[str, bytes] = {}
    for group in qual.groups:
        transcript = transcripts.get(group.id)
        if transcript is None:
            continue
        source_guid = guid("source", group.id)
        sources[f"sources/{source_guid}.txt"] = transcript.text.encode("utf-8")
        source = _child(sources_element, "TextSource", guid=source_guid,
                        name=f"{group.id} {group.label}",
                        plainTextPath=f"internal://{source_guid}.txt")
        _text(source, "Description", f"{group.label}: anonymisert transkripsjon ({group.transcript})")
        for coding in (c for c in codings if c.group == group.id):
            _selection(source, coding, transcript, guid, notes)
    if notes:
        notes_element = _child(root, "Notes")
        for note_guid, note_name, text, user, created in notes:
            note = _child(notes_element, "Note", guid=note_guid, name=note_name,
                          creatingUser=user, creationDateTime=created)
            _text(note, "PlainTextContent", text)
    _text(root, "Description", f"{title or name}: fokusgrupper, kodebok og kodinger "
                               "(anonymiserte transkripsjoner)")
    project = _serialise(root)
    errors = validate(project, PROJECT_SCHEMA)
    if errors:  # pragma: no cover - a bug in this module, never the user's input
        raise RuntimeError("the REFI-QDA project does not validate:\n" + "\n".join(errors))
    return Export(project, sources)


def _code(parent: Element, theme: Theme, guid: Guids, memos: Mapping[str, ThemeMemo],
          notes: list[tuple[str, str, str, str | None, str | None]]) -> None:
    code = _child(parent, "Code", guid=guid("code", theme.code), name=theme.name,
                  isCodable="true")
    if theme.description:
        _text(code, "Description", theme.description)
    memo = memos.get(theme.code)
    if memo is not None:
        note_guid = guid("theme-memo", theme.code)
        notes.append((note_guid, f"Memo: {theme.name}", memo.memo,
                      guid("user", memo.author) if memo.author else None, _time(memo.updated)))
        _child(code, "NoteRef", targetGUID=note_guid)
    for child in theme.children:
        _code(code, child, guid, memos, notes)


def _cases(root: Element, qual: QualDefinition, transcripts: Mapping[str, Transcript],
           guid: Guids) -> None:
    variables = _child(root, "Variables")
    for variable, _, description in VARIABLES:
        element = _child(variables, "Variable", guid=guid("variable", variable), name=variable,
                         typeOfVariable="Text")
        _text(element, "Description", description)
    cases = _child(root, "Cases")
    for group in qual.groups:
        for participant in group.participants:
            case = _child(cases, "Case", guid=guid("case", participant.id), name=participant.id)
            _text(case, "Description", f"Deltaker {participant.id} i {group.label}")
            values = {"education": participant.education, "job_title": participant.job_title,
                      "group": group.id}
            for variable, field_name, _ in VARIABLES:
                value = _child(case, "VariableValue")
                _child(value, "VariableRef", targetGUID=guid("variable", variable))
                _text(value, "TextValue", values[field_name])
            if group.id in transcripts:
                _child(case, "SourceRef", targetGUID=guid("source", group.id))


def _selection(source: Element, coding: Coding, transcript: Transcript, guid: Guids,
               notes: list[tuple[str, str, str, str | None, str | None]]) -> None:
    ids = (coding.coder, coding.group, coding.start, coding.end, ";".join(coding.themes))
    user = guid("user", coding.coder)
    created = _time(coding.created)
    label = coding.segment or _excerpt(transcript.text[coding.start:coding.end])
    selection = _child(source, "PlainTextSelection", guid=guid("selection", *ids), name=label,
                       startPosition=str(coding.start), endPosition=str(coding.end),
                       creatingUser=user, creationDateTime=created)
    if coding.merged_from:
        _text(selection, "Description", f"Konsensus; kodet likt av {', '.join(coding.merged_from)}")
    for theme in coding.themes:
        element = _child(selection, "Coding", guid=guid("coding", *ids, theme), creatingUser=user,
                         creationDateTime=created)
        _child(element, "CodeRef", targetGUID=guid("code", theme))
    if coding.memo:
        note_guid = guid("memo", *ids)
        notes.append((note_guid, f"Memo: {label}", coding.memo, user, created))
        _child(selection, "NoteRef", targetGUID=note_guid)


def _excerpt(text: str, limit: int = 48) -> str:
    words = " ".join(text.split())
    return words if len(words) <= limit else words[:limit].rsplit(" ", 1)[0] + " …"


# ----------------------------------------------------------------------------- codebook


def export_codebook(themes: Sequence[Theme], *, name: str) -> bytes:
    """The codebook alone as a REFI-QDA .qdc (GUIDs as in the study's .qdpx)."""
    guid = Guids(name)
    root = _element(CODEBOOK_NS, "CodeBook", origin=ORIGIN)
    codes = _child(root, "Codes")

    def add(parent: Element, theme: Theme) -> None:
        code = _child(parent, "Code", guid=guid("code", theme.code), name=theme.name,
                      isCodable="true")
        if theme.description:
            _text(code, "Description", theme.description)
        for child in theme.children:
            add(code, child)

    if not themes:
        raise CodingError("The study has no themes: qual.yaml's 'themes' is empty, so there is "
                          "no codebook to export.")
    for theme in themes:
        add(codes, theme)
    data = _serialise(root)
    errors = validate(data, CODEBOOK_SCHEMA)
    if errors:  # pragma: no cover - a bug in this module
        raise RuntimeError("the REFI-QDA codebook does not validate:\n" + "\n".join(errors))
    return data


def read_codebook(path: Path, *, known: Mapping[str, str] | None = None) -> list[Theme]:
    """Read the codebook of a .qdc (or of a .qdpx's project) into themes for qual.yaml.

    A code whose GUID is in `known` (GUID → theme code, see `known_codes`) keeps that theme
    code, so a codebook exported from this study comes back with its own codes. Other codes
    get one made from their name (lower case, ASCII, '_' between words; unique).
    Descriptions are kept. Raises InputDataError naming the file and what is wrong.
    """
    path = Path(path)
    known = {g.strip("{}").upper(): c for g, c in (known or {}).items()}
    root = _parse(path)
    local = _local(root.tag)
    codes = None
    if local == "CodeBook":
        codes = _first(root, "Codes")
    elif local == "Project":
        book = _first(root, "CodeBook")
        codes = _first(book, "Codes") if book is not None else None
    else:
        raise _bad(path, f"a REFI-QDA codebook: a <CodeBook> element at the top (found <{local}>)")
    if codes is None or _first(codes, "Code") is None:
        raise _bad(path, "a <Codes> element with at least one <Code>", value="(no codes)")
    used: set[str] = set()

    def theme(element: Element) -> Theme:
        name = " ".join((element.get("name") or "").split())
        if not name:
            raise InputDataError([DataProblem(path, element.sourceline, None, "(no name)",
                                              "a 'name' on every <Code>")])
        description_element = _first(element, "Description")
        description = " ".join((description_element.text or "").split()) \
            if description_element is not None else ""
        own = known.get((element.get("guid") or "").strip("{}").upper())
        code = own if own is not None and own not in used else unique_code(name, used)
        used.add(code)
        children = tuple(theme(c) for c in element if _local(c.tag) == "Code")
        return Theme(code=code, name=name, description=description, children=children)

    return [theme(c) for c in codes if _local(c.tag) == "Code"]


def known_codes(themes: Sequence[Theme], *, name: str) -> dict[str, str]:
    """GUID → theme code for a study's codebook (the GUIDs its exports give the codes)."""
    guid = Guids(name)
    return {guid("code", t.code): t.code for top in themes for t in top.walk()}


def unique_code(name: str, used: set[str]) -> str:
    """A theme code made from a name ('Kastet ut på dypt vann' → 'kastet_ut_pa_dypt_vann')."""
    folded = name.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    ascii_name = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_name).strip("_") or "tema"
    code, number = base, 2
    while code in used:
        code, number = f"{base}_{number}", number + 1
    used.add(code)
    return code


def themes_yaml(themes: Sequence[Theme]) -> str:
    """The `themes:` section of qual.yaml for these themes."""
    import yaml

    def plain(theme: Theme) -> dict[str, Any]:
        entry: dict[str, Any] = {"code": theme.code, "name": theme.name}
        if theme.description:
            entry["description"] = theme.description
        if theme.children:
            entry["children"] = [plain(c) for c in theme.children]
        return entry

    return str(yaml.safe_dump({"themes": [plain(t) for t in themes]}, allow_unicode=True,
                              sort_keys=False, width=100, indent=2))


def _parse(path: Path) -> Element:
    if not path.is_file():
        raise _bad(path, "an existing .qdc (or .qdpx) file", value=None)
    data = path.read_bytes()
    if data[:4] == b"PK\x03\x04":  # a .qdpx: the codebook of its project
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                data = archive.read(PROJECT_ENTRY)
        except (zipfile.BadZipFile, KeyError) as exc:
            raise _bad(path, f"a .qdpx zip with {PROJECT_ENTRY} ({exc})", value="(unreadable)") \
                from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputDataError([DataProblem(path, exc.lineno, None, exc.msg,
                                          "well-formed REFI-QDA XML")]) from None


def _bad(path: Path, expected: str, value: str | None = "(file)") -> InputDataError:
    return InputDataError([DataProblem(path, None, None, value, expected)])


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _first(element: Element, local: str) -> Element | None:
    return next((c for c in element if _local(c.tag) == local), None)


# ----------------------------------------------------------------------------- files




# ----------------------------------------------------------------------------- validation


@cache
def _schema(name: str) -> Any:
    text = resources.files("tverrsnitt.report").joinpath("schemas", name).read_bytes()
    return etree.XMLSchema(etree.fromstring(text))


def validate(xml: bytes, schema: str = PROJECT_SCHEMA) -> list[str]:
    """Problems of an XML document against a vendored REFI-QDA schema ([] when valid)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    document = etree.fromstring(xml, parser)
    checker = _schema(schema)
    if checker.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in checker.error_log]


# ----------------------------------------------------------------------------- xml helpers


def _element(namespace: str, tag: str, **attributes: str | None) -> Element:
    element = etree.Element(f"{{{namespace}}}{tag}", nsmap={None: namespace})
    for key, value in attributes.items():
        if value is not None:
            element.set(key, _clean(value))
    return element


def _child(parent: Element | None, tag: str, **attributes: str | None) -> Element:
    assert parent is not None
    namespace = etree.QName(parent).namespace
    element = etree.SubElement(parent, f"{{{namespace}}}{tag}")
    for key, value in attributes.items():
        if value is not None:
            element.set(key, _clean(value))
    return element


def _text(parent: Element, tag: str, text: str) -> Element:
    element = _child(parent, tag)
    element.text = _clean(text)
    return element


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _time(moment: Any) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


def _serialise(root: Element) -> bytes:
    body: bytes = etree.tostring(root, xml_declaration=False, encoding="utf-8", pretty_print=True)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body
