"""Reading a plan (kế hoạch) from its plain-text form into a structure; no database here.

The text is the document as exported from the word processor, one paragraph per line:

    Hà Nội, ngày 05 tháng 6 năm 2024         place and date (an optional "Số: 12/KH-…" line)
    KẾ HOẠCH                                 the document type
    Thực hiện …                              the title (trích yếu), then the basis paragraphs
    I. MỤC ĐÍCH, YÊU CẦU                     Roman numerals: top-level sections
    1. …                                     Arabic numerals: items; "a)" below them
    - … / + …                                bullets and sub-bullets, kept in the body
    ¹ …                                      footnotes (superscript digits), kept apart
    Nơi nhận: / - … / TM. BAN THƯỜNG VỤ …    recipients and signature

Page breaks of the export cut paragraphs ("… về thực" / "hiện Nghị quyết …") and drop the
page's footnotes between the halves; a line starting in lower case after a line without final
punctuation is the rest of that paragraph and is joined back.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from ansinh.core.text import fold, normalize_text


class PlanParseError(ValueError):
    """The text is not a plan this parser understands; the message is Vietnamese."""


SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_ROMAN = re.compile(r"^(?P<number>(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3}))\.\s+(?P<title>\S.*)$")
_ARABIC = re.compile(r"^(?P<number>\d{1,2})\.\s+(?P<title>\S.*)$")
_LETTER = re.compile(r"^(?P<number>[a-zđ])\)\s+(?P<title>\S.*)$")
_FOOTNOTE = re.compile(rf"^(?P<mark>[{SUPERSCRIPT_DIGITS}]+)\s*(?P<text>\S.*)$")
_DATE = re.compile(
    r"(?:(?P<place>[^,]+),\s*)?ngày\s+(?P<day>\d{1,2})\s+tháng\s+(?P<month>\d{1,2})\s+"
    r"năm\s+(?P<year>\d{4})",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"^Số\s*:?\s*(?P<number>\S+/\S+)", re.IGNORECASE)
_ISSUER_IN_BASIS = re.compile(r"(?:^|,\s*)(?P<issuer>[^,]+?)\s+xây dựng\s+kế hoạch", re.I)
_EMPHASISED_ASSIGNEE = re.compile(r"^-\s*\*(?P<name>[^*]+)\*\s*:?\s*(?P<text>.*)$")
_FINAL_PUNCTUATION = ".;:!?"
_MOTTO_KEYS = ("cong hoa xa hoi chu nghia", "doc lap - tu do - hanh phuc", "doc lap tu do")


@dataclass
class ParsedAssignment:
    unit_name: str
    level: str  # PlanAssignment.Level value
    role: str  # PlanAssignment.Role value
    text: str


@dataclass
class ParsedSection:
    number: str
    code: str
    level: int
    title: str
    parent_code: str | None
    body_lines: list[str] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)
    assignments: list[ParsedAssignment] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n".join(self.body_lines)


@dataclass
class ParsedPlan:
    number: str
    issued_on: dt.date | None
    issued_place: str
    issuer: str
    title: str
    basis: str
    closing: str
    recipients: str
    signature: str
    signer: str
    full_text: str
    sections: list[ParsedSection]

    def section(self, code: str) -> ParsedSection:
        return next(s for s in self.sections if s.code == code)


def _paragraphs(text: str) -> tuple[list[str], list[tuple[int, str, str]]]:
    """Lines joined back across page breaks, and the footnotes found (position, mark, text).

    A footnote's position is the index of the paragraph it followed, so it can be attached
    to the section it appeared in when its mark is not found in any body.
    """
    paragraphs: list[str] = []
    footnotes: list[tuple[int, str, str]] = []
    for raw in text.splitlines():
        line = normalize_text(raw)
        if not line:
            continue
        match = _FOOTNOTE.match(line)
        if match:
            footnotes.append((len(paragraphs) - 1, match["mark"], line))
            continue
        if paragraphs and line[0].islower() and paragraphs[-1][-1] not in _FINAL_PUNCTUATION:
            paragraphs[-1] = f"{paragraphs[-1]} {line}"
            continue
        paragraphs.append(line)
    return paragraphs, footnotes


def _parse_header(lines: list[str]) -> tuple[str, dt.date | None, str, list[str]]:
    """Number, date, place and the remaining header lines (issuing body, motto...)."""
    number, issued_on, place, rest = "", None, "", []
    for line in lines:
        number_match = _NUMBER.match(line)
        if number_match and not number:
            number = number_match["number"].rstrip(".,;")
            continue
        date_match = _DATE.search(line)
        if date_match and issued_on is None:
            try:
                issued_on = dt.date(
                    int(date_match["year"]), int(date_match["month"]), int(date_match["day"])
                )
            except ValueError as exc:
                raise PlanParseError(f"Ngày ban hành không hợp lệ: “{line}”.") from exc
            place = normalize_text(date_match["place"] or "")
            continue
        if any(key in fold(line) for key in _MOTTO_KEYS):
            continue
        rest.append(line)
    return number, issued_on, place, rest


def _role(text: str) -> str:
    key = fold(text)
    if key.startswith("phoi hop") and "chu tri" not in key:
        return "cooperate"
    return "lead"


def _assignee_name(emphasised: str) -> str:
    name = normalize_text(emphasised).rstrip(":").strip()
    if fold(name).startswith("giao "):
        name = name[len("giao ") :].strip()
    return name[:1].upper() + name[1:]


def _parse_assignments(section: ParsedSection) -> None:
    """Tasks of one part of "Tổ chức thực hiện": named departments, else the part's addressee."""
    bullets = [line for line in section.body_lines if line.startswith("-")]
    emphasised = [_EMPHASISED_ASSIGNEE.match(line) for line in bullets]
    if any(emphasised):
        for match in emphasised:
            if match is None:
                continue
            text = match["text"].strip()
            section.assignments.append(
                ParsedAssignment(
                    unit_name=_assignee_name(match["name"]),
                    level="department",
                    role=_role(text),
                    text=text,
                )
            )
        return
    for line in bullets:
        text = line.lstrip("-").strip()
        section.assignments.append(
            ParsedAssignment(unit_name=section.title, level="units", role=_role(text), text=text)
        )


def parse_plan(text: str) -> ParsedPlan:
    """Parse a plan's text (any Unicode form); raise PlanParseError when it is not a plan."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    full_text = "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))
    paragraphs, raw_footnotes = _paragraphs(text)
    if not paragraphs:
        raise PlanParseError("Tệp kế hoạch trống.")

    type_index = next((i for i, line in enumerate(paragraphs) if fold(line) == "ke hoach"), None)
    if type_index is None:
        raise PlanParseError("Không tìm thấy dòng “KẾ HOẠCH” mở đầu văn bản.")
    first_section = next(
        (i for i in range(type_index + 1, len(paragraphs)) if _ROMAN.match(paragraphs[i])), None
    )
    if first_section is None:
        raise PlanParseError("Không tìm thấy mục nào đánh số La Mã (I., II., …) trong kế hoạch.")
    intro = paragraphs[type_index + 1 : first_section]
    if not intro:
        raise PlanParseError("Kế hoạch không có trích yếu sau dòng “KẾ HOẠCH”.")
    number, issued_on, place, header_rest = _parse_header(paragraphs[:type_index])
    title, basis_lines = intro[0], intro[1:]

    sections: list[ParsedSection] = []
    stack: list[ParsedSection] = []  # current section at each level
    section_at: dict[int, ParsedSection] = {}  # paragraph index → section it belongs to
    tail: list[str] = []  # "Nơi nhận" and signature
    for index in range(first_section, len(paragraphs)):
        line = paragraphs[index]
        if fold(line).startswith("noi nhan"):
            tail = paragraphs[index:]
            break
        level, match = 0, None
        for candidate_level, pattern in ((1, _ROMAN), (2, _ARABIC), (3, _LETTER)):
            match = pattern.match(line)
            if match:
                level = candidate_level
                break
        # An item number only opens a section directly below an open one.
        if match and level <= len(stack) + 1:
            del stack[level - 1 :]
            parent = stack[-1] if stack else None
            number_text = match["number"]
            code = f"{parent.code}.{number_text}" if parent else number_text
            if any(s.code == code for s in sections):
                raise PlanParseError(f"Mục “{code}” xuất hiện hai lần trong kế hoạch.")
            section = ParsedSection(
                number=number_text,
                code=code,
                level=level,
                title=match["title"],
                parent_code=parent.code if parent else None,
            )
            sections.append(section)
            stack.append(section)
        else:
            stack[-1].body_lines.append(line)
        section_at[index] = stack[-1]

    # The closing paragraph ("Ban Thường vụ … đề nghị …") follows the last section's bullets.
    closing_lines: list[str] = []
    last = sections[-1]
    if any(line[:1] in "-+" for line in last.body_lines):
        while last.body_lines and last.body_lines[-1][:1] not in "-+":
            closing_lines.insert(0, last.body_lines.pop())

    # Footnotes go to the section that cites their mark, else the one they appeared in.
    for position, mark, footnote in raw_footnotes:
        owner = next((s for s in sections if mark in s.body or mark in s.title), None)
        if owner is None:
            owner = section_at.get(position, sections[0])
        owner.footnotes.append(footnote)

    recipients_lines: list[str] = []
    signature_lines: list[str] = []
    if tail:
        after_label = tail[0].split(":", 1)[1].strip() if ":" in tail[0] else ""
        if after_label:
            recipients_lines.append(after_label)
        rest = tail[1:]
        while rest and rest[0][:1] in "-+•":
            recipients_lines.append(rest.pop(0))
        signature_lines = rest

    for section in sections:
        if "to chuc thuc hien" in fold(section.title):
            for child in sections:
                if child.parent_code == section.code:
                    _parse_assignments(child)

    issuer = ""
    for line in basis_lines:
        match = _ISSUER_IN_BASIS.search(line)
        if match:
            issuer = match["issuer"].strip()
            break
    if not issuer and header_rest:
        issuer = header_rest[-1]
    if not issuer:
        authority = next((line for line in signature_lines if fold(line).startswith("tm.")), "")
        issuer = authority[3:].strip()

    return ParsedPlan(
        number=number,
        issued_on=issued_on,
        issued_place=place,
        issuer=issuer,
        title=title,
        basis="\n".join(basis_lines),
        closing="\n".join(closing_lines),
        recipients="\n".join(recipients_lines),
        signature="\n".join(signature_lines),
        signer=signature_lines[-1] if signature_lines else "",
        full_text=full_text,
        sections=sections,
    )
