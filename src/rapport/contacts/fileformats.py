"""Reading and writing CSV, XLSX and vCard files, with clear errors for broken input."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

ENCODINGS = [
    ("auto", gettext_noop("Detect automatically")),
    ("utf-8", "UTF-8"),
    ("windows-1251", gettext_noop("Windows-1251 (Cyrillic)")),
    ("windows-1257", gettext_noop("Windows-1257 (Baltic)")),
    ("koi8-r", "KOI8-R"),
    ("utf-16", "UTF-16"),
]
MAX_ROWS = 1_000_000
MAX_COLUMNS = 200
MAX_CELL = 10_000
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class FileFormatError(ValueError):
    """The file cannot be read; the message tells the user why, in their language."""


def decode_text(content: bytes, encoding: str = "auto") -> str:
    if encoding and encoding != "auto":
        try:
            return content.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise FileFormatError(
                _("The file is not in the %(encoding)s encoding. Choose another encoding.")
                % {"encoding": encoding}
            ) from None
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(
        content[:200_000],
        cp_isolation=["cp1251", "cp1257", "koi8_r", "cp1252", "latin_1", "utf_16"],
    ).best()
    if best is None:
        raise FileFormatError(
            _("Could not recognise the file's encoding. Choose it in the form and try again.")
        )
    try:
        return content.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        raise FileFormatError(
            _("Could not recognise the file's encoding. Choose it in the form and try again.")
        ) from None


def _clean_cell(value) -> str:
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("\x00", "").strip()[:MAX_CELL]


def read_csv(content: bytes, encoding: str = "auto") -> tuple[list[str], list[list[str]]]:
    text = decode_text(content, encoding)
    if not text.strip():
        raise FileFormatError(_("The file is empty."))
    if "\x00" in text:
        raise FileFormatError(_("This does not look like a text (CSV) file."))
    sample = text[:20_000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        reader = csv.reader(io.StringIO(text), dialect)
        rows = [[_clean_cell(c) for c in row] for row in reader]
    except csv.Error as exc:
        raise FileFormatError(_("The CSV file is malformed: %(error)s") % {"error": exc}) from None
    return _split_header(rows)


def read_xlsx(content: bytes) -> tuple[list[str], list[list[str]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise FileFormatError(_("The file is not a readable Excel (.xlsx) workbook.")) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_clean_cell(c) for c in row])
            if len(rows) > MAX_ROWS + 1:
                break
    finally:
        workbook.close()
    return _split_header(rows)


def _split_header(rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    rows = [r for r in rows if any(c for c in r)]
    if not rows:
        raise FileFormatError(_("The file is empty."))
    header = rows[0]
    if len(header) > MAX_COLUMNS:
        raise FileFormatError(_("The file has too many columns (at most 200)."))
    if len(rows) - 1 > MAX_ROWS:
        raise FileFormatError(_("The file has too many rows (at most 1,000,000)."))
    width = len(header)
    body = [(r + [""] * width)[:width] for r in rows[1:]]
    header = [h or _("Column %(n)d") % {"n": i + 1} for i, h in enumerate(header)]
    return header, body


def read_table(content: bytes, filename: str, encoding: str = "auto"):
    name = (filename or "").lower()
    if name.endswith(".xlsx") or content[:2] == b"PK":
        return read_xlsx(content)
    if name.endswith((".xls",)):
        raise FileFormatError(
            _("Old .xls files are not supported; save the sheet as .xlsx or CSV.")
        )
    return read_csv(content, encoding)


# vCard -------------------------------------------------------------------------------------------
VCARD_HEADER = [
    "first_name",
    "middle_name",
    "last_name",
    "emails",
    "phones",
    "company",
    "position",
    "birthday",
    "notes",
]


def read_vcards(content: bytes, encoding: str = "auto") -> tuple[list[str], list[list[str]]]:
    import vobject

    text = decode_text(content, encoding)
    if "BEGIN:VCARD" not in text.upper():
        raise FileFormatError(_("This is not a vCard file (no BEGIN:VCARD found)."))
    rows = []
    try:
        for card in vobject.readComponents(text, ignoreUnreadable=True):
            if card.name.upper() != "VCARD":
                continue
            rows.append(_vcard_row(card))
    except Exception as exc:  # vobject raises many kinds of parse errors
        raise FileFormatError(
            _("The vCard file is malformed near card %(n)d: %(error)s")
            % {"n": len(rows) + 1, "error": str(exc)[:200]}
        ) from None
    if not rows:
        raise FileFormatError(_("The file contains no contacts."))
    return list(VCARD_HEADER), rows


def _vcard_row(card) -> list[str]:
    def values(name: str) -> list[str]:
        return [_clean_cell(c.value) for c in card.contents.get(name, [])]

    first = middle = last = ""
    if "n" in card.contents:
        n = card.n.value
        first, last = _clean_cell(n.given), _clean_cell(n.family)
        middle = _clean_cell(n.additional)
    if not (first or last) and "fn" in card.contents:
        parts = _clean_cell(card.fn.value).split()
        first, last = (" ".join(parts[:-1]), parts[-1]) if len(parts) > 1 else ("", " ".join(parts))
    org = ""
    if "org" in card.contents:
        value = card.org.value
        org = _clean_cell(value[0] if isinstance(value, list) and value else value)
    return [
        first,
        middle,
        last,
        "\n".join(values("email")),
        "\n".join(values("tel")),
        org,
        (values("title") or [""])[0],
        (values("bday") or [""])[0],
        (values("note") or [""])[0],
    ]


def write_vcards(people: Iterable, version: str = "3.0") -> str:
    """vCard 3.0 or 4.0 for people given with prefetched e-mails, phones and primary company."""
    out = []
    for person in people:
        lines = ["BEGIN:VCARD", f"VERSION:{version}"]
        esc = _vcard_escape
        lines.append(
            f"N:{esc(person.last_name)};{esc(person.first_name)};{esc(person.middle_name)};;"
        )
        lines.append(f"FN:{esc(person.full_name)}")
        for email in person.emails.all():
            kind = "work" if email.kind == "work" else "home"
            lines.append(f"EMAIL;TYPE={kind if version == '4.0' else kind.upper()}:{email.email}")
        for phone in person.phones.all():
            tel_type = {"mobile": "cell", "work": "work", "home": "home"}.get(phone.kind, "voice")
            if version == "4.0":
                lines.append(f"TEL;VALUE=uri;TYPE={tel_type}:tel:{phone.number}")
            else:
                lines.append(f"TEL;TYPE={tel_type.upper()}:{phone.number}")
        employment = next(iter(getattr(person, "primary_employments", []) or []), None)
        if employment is not None:
            lines.append(f"ORG:{esc(employment.company.name)}")
        if person.position:
            lines.append(f"TITLE:{esc(person.position)}")
        if person.birthday:
            bday = person.birthday.strftime("%Y%m%d" if version == "4.0" else "%Y-%m-%d")
            lines.append(f"BDAY:{bday}")
        if person.notes:
            lines.append(f"NOTE:{esc(person.notes)}")
        lines.append(f"UID:rapport-person-{person.pk}")
        lines.append("END:VCARD")
        out.append("\r\n".join(_fold(line) for line in lines))
    return "\r\n".join(out) + "\r\n"


def _vcard_escape(text: str) -> str:
    return (
        (text or "")
        .replace("\\", "\\\\")
        .replace(",", "\\,")
        .replace(";", "\\;")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Fold at 75 octets without splitting a UTF-8 character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode("utf-8")
        limit = 75 if not parts else 74
        if len(current) + len(piece) > limit:
            parts.append(current.decode("utf-8"))
            current = b""
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


# Export ------------------------------------------------------------------------------------------
def neutralize(value) -> str:
    """Spreadsheet formula injection guard: a cell never starts with = + - @ (OWASP)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def write_csv(header: list[str], rows: Iterable[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralize(h) for h in header])
    for row in rows:
        writer.writerow([neutralize(c) for c in row])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def write_xlsx(header: list[str], rows: Iterator[list], title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Export")
    sheet.append([neutralize(h) for h in header])
    for row in rows:
        sheet.append([neutralize(c) for c in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
