"""Reading a list of people from a CSV file and inviting them: the rules, independent of views.

The file is what a consultant exports from Excel or a client's HR system:

* columns name, email, language, time zone, in that order when there is no header row; with a
  header row (English or German: Name, E-Mail, Sprache, Zeitzone …) in any order, and unknown
  columns are ignored;
* `,`, `;` or tab as delimiter (German Excel writes `;`, "Unicode Text" tabs), decided by the
  first line;
* UTF-8 with or without a byte order mark, UTF-16 with a byte order mark (Excel's "Unicode
  Text"); a file that is not UTF-8 is read as Windows-1252, which is what older Excel versions
  write when asked for "CSV";
* at most 1 MB and 2,000 people.

`parse()` never invites anyone: it returns the valid rows and a reason for every bad one, keyed
by the line number a spreadsheet would show. `invite_rows()` invites the confirmed rows; it
relies on `invitations.invite()`, so importing the same file twice refreshes the pending
invitations instead of duplicating them, and people who are already in the cohort are counted,
not invited again.
"""

import csv
import io
from collections import Counter
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from course.identity import clean_email, email_key
from course.models import Language
from course.timezones import AVAILABLE_ZONES
from course.validators import validate_email_address, validate_single_line, validate_visible

from .invitations import invite, may_invite
from .models import Invitation, Membership, Role

MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000
NAME_MAX_LENGTH = Invitation._meta.get_field("full_name").max_length
ALLOWED_EXTENSIONS = (".csv", ".txt")

COLUMNS = ("name", "email", "language", "time_zone")
HEADER_ALIASES = {
    "name": "name",
    "full name": "name",
    "vollständiger name": "name",
    "email": "email",
    "e-mail": "email",
    "e mail": "email",
    "email address": "email",
    "e-mail-adresse": "email",
    "e-mail adresse": "email",
    "language": "language",
    "sprache": "language",
    "time zone": "time_zone",
    "time_zone": "time_zone",
    "timezone": "time_zone",
    "zeitzone": "time_zone",
}
LANGUAGE_ALIASES = {
    "de": Language.GERMAN,
    "deutsch": Language.GERMAN,
    "german": Language.GERMAN,
    "en": Language.ENGLISH,
    "english": Language.ENGLISH,
    "englisch": Language.ENGLISH,
}
_TIME_ZONES_BY_KEY = {name.casefold(): name for name in AVAILABLE_ZONES}


class CsvFileError(Exception):
    """The file as a whole cannot be read; `message` says why in words for the consultant."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Row:
    line: int
    email: str
    full_name: str = ""
    language: str = ""
    time_zone: str = ""
    note: str = ""
    # For a pending invitation: what confirming changes in it, [(what, before, after)].
    changes: list = field(default_factory=list)

    def as_dict(self):
        """What the confirmation needs (kept in the session between preview and confirm)."""
        return {key: value for key, value in asdict(self).items() if key != "changes"}

    @property
    def language_label(self):
        return Language(self.language).label if self.language else ""


@dataclass
class RowError:
    line: int
    reasons: list
    raw: str = ""


@dataclass
class Preview:
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    delimiter: str = ","
    encoding: str = "utf-8"
    has_header: bool = True


# --- reading the file ------------------------------------------------------------------------


def check_upload(uploaded):
    """File-level checks that need no reading: name and size."""
    name = (getattr(uploaded, "name", "") or "").lower()
    if not name.endswith(ALLOWED_EXTENSIONS):
        raise CsvFileError(_("This is not a CSV file. In Excel, use “Save as” → “CSV UTF-8 (comma delimited)”."))
    if uploaded.size is not None and uploaded.size > MAX_BYTES:
        raise CsvFileError(
            _("The file is larger than 1 MB. Split it into smaller files of at most %(rows)s people.")
            % {"rows": f"{MAX_ROWS:,}"}
        )


def read_upload(uploaded):
    """The text of an uploaded file, after the size and type checks."""
    check_upload(uploaded)
    data = b"".join(uploaded.chunks())
    if len(data) > MAX_BYTES:
        raise CsvFileError(_("The file is larger than 1 MB."))
    return decode(data)


def decode(data):
    """(text, encoding) of the raw bytes; binary files (Excel workbooks, images) are refused."""
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise CsvFileError(
            _(
                "This is an Excel workbook, not a CSV file. In Excel, use “Save as” → "
                "“CSV UTF-8 (comma delimited)” and upload that file."
            )
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode Text": UTF-16 with a byte order mark (the codec reads and drops it).
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise CsvFileError(
                _("The file says it is UTF-16 (“Unicode Text”) but cannot be read as such. Save it as “CSV UTF-8”.")
            ) from None
    if b"\x00" in data:
        raise CsvFileError(
            _(
                "This file is not a text file, or it is UTF-16 without a byte order mark. "
                "In Excel, use “Save as” → “CSV UTF-8 (comma delimited)” and upload that file."
            )
        )
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        raise CsvFileError(_("The file's text encoding is unknown. Save it as “CSV UTF-8”.")) from None


def sniff_delimiter(text):
    """`,`, `;` (German Excel) or a tab (Excel's "Unicode Text"): the most frequent in the first line."""
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    return max((",", ";", "\t"), key=first_line.count)


def _header_key(cell):
    return " ".join(cell.replace("\ufeff", "").strip().casefold().replace("_", " ").split())


def header_columns(cells):
    """{column: index} when `cells` is a header row, else None."""
    found = {}
    for index, cell in enumerate(cells):
        key = _header_key(cell)
        column = HEADER_ALIASES.get(key) or HEADER_ALIASES.get(key.replace(" ", "_"))
        if column and column not in found:
            found[column] = index
    return found or None


def parse(text, *, encoding="utf-8"):
    """Read and validate every row. Raises CsvFileError for a file that cannot be used at all."""
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    records = []
    previous_line = 0
    try:
        for cells in reader:
            # The line a spreadsheet shows for the start of this record.
            line = previous_line + 1
            previous_line = reader.line_num
            if any(cell.strip() for cell in cells):
                records.append((line, cells))
    except csv.Error as error:
        raise CsvFileError(
            _("Line %(line)s cannot be read as CSV (%(error)s).") % {"line": reader.line_num, "error": error}
        ) from None
    if not records:
        raise CsvFileError(_("The file is empty."))

    columns = header_columns(records[0][1])
    has_header = columns is not None
    if has_header:
        records = records[1:]
        if "email" not in columns:
            raise CsvFileError(_("The header row has no email column. Name it “email” or “E-Mail”."))
    else:
        columns = {name: index for index, name in enumerate(COLUMNS)}
    if len(records) > MAX_ROWS:
        raise CsvFileError(
            _("The file lists %(count)s people; at most %(max)s can be imported at once. Split it.")
            % {"count": f"{len(records):,}", "max": f"{MAX_ROWS:,}"}
        )
    if not records:
        raise CsvFileError(_("The file has a header row but nobody in it."))

    preview = Preview(delimiter=delimiter, encoding=encoding, has_header=has_header)
    first_line_of = {}
    for line, cells in records:
        values = {name: (cells[index].strip() if index < len(cells) else "") for name, index in columns.items()}
        row, reasons = validate_row(line, values, first_line_of)
        if reasons:
            preview.errors.append(RowError(line, reasons, raw=delimiter.join(cells)[:200]))
        else:
            preview.rows.append(row)
    return preview


# --- validating one row ------------------------------------------------------------------------


def clean_language(value):
    """'de', 'Deutsch', 'German', 'en-GB' … → 'de'/'en'; '' → ''; unknown → ValueError."""
    key = value.strip().casefold()
    if not key:
        return ""
    if key in LANGUAGE_ALIASES:
        return LANGUAGE_ALIASES[key]
    prefix = key.replace("_", "-").split("-")[0]
    if prefix in {"de", "en"}:
        return LANGUAGE_ALIASES[prefix]
    raise ValueError(value)


def clean_time_zone(value):
    """'Europe/Berlin', 'europe/berlin', 'America/New York' → the IANA name; unknown → ValueError."""
    key = value.strip()
    if not key:
        return ""
    name = _TIME_ZONES_BY_KEY.get(key.casefold()) or _TIME_ZONES_BY_KEY.get(key.replace(" ", "_").casefold())
    if name is None:
        raise ValueError(value)
    return name


def validate_row(line, values, first_line_of):
    """(Row, []) for a good row, (None, reasons) for a bad one. `first_line_of` remembers the
    emails seen so far (by email key, course/identity.py) to report duplicates within the file."""
    reasons = []
    email = clean_email(values.get("email"))
    if not email:
        reasons.append(_("The email address is missing."))
    else:
        try:
            validate_email_address(email)
        except ValidationError as error:
            if error.code == "email_too_long":
                reasons.extend(error.messages)
            else:
                reasons.append(_("“%(email)s” is not a valid email address.") % {"email": values.get("email")})
        else:
            if email_key(email) in first_line_of:
                reasons.append(
                    _("%(email)s is already on line %(line)s.")
                    % {"email": email, "line": first_line_of[email_key(email)]}
                )
            else:
                first_line_of[email_key(email)] = line

    full_name = values.get("name", "")
    if len(full_name) > NAME_MAX_LENGTH:
        reasons.append(_("The name is longer than %(max)s characters.") % {"max": NAME_MAX_LENGTH})
    elif full_name:
        for validator in (validate_visible, validate_single_line):
            try:
                validator(full_name)
            except ValidationError as error:
                reasons.extend(error.messages)

    try:
        language = clean_language(values.get("language", ""))
    except ValueError:
        language = ""
        reasons.append(
            _("Unknown language “%(value)s”: use de or en (Deutsch, English).") % {"value": values.get("language")}
        )

    try:
        time_zone = clean_time_zone(values.get("time_zone", ""))
    except ValueError:
        time_zone = ""
        reasons.append(
            _("Unknown time zone “%(value)s”: use a name such as Europe/Berlin.") % {"value": values.get("time_zone")}
        )

    if reasons:
        return None, reasons
    return Row(line=line, email=email, full_name=full_name, language=language, time_zone=time_zone), []


# --- before and after confirming -------------------------------------------------------------------


def note_existing(cohort, rows):
    """Mark rows whose person is already in the cohort or already invited (two queries)."""
    # Whole-cohort lists, not `email__in` with up to 2,000 parameters.
    members = {
        email_key(email) for email in Membership.objects.filter(cohort=cohort).values_list("user__email", flat=True)
    }
    invited = {
        email_key(invitation["email"]): invitation
        for invitation in Invitation.objects.filter(cohort=cohort).values(
            "email", "full_name", "language", "time_zone", "role"
        )
    }
    for row in rows:
        if email_key(row.email) in members:
            row.note = "already_member"
        elif (invitation := invited.get(email_key(row.email))) is not None:
            row.note = "invited_facilitator" if invitation["role"] == Role.FACILITATOR else "already_invited"
            row.changes = _changes(invitation, row)
    return rows


def _changes(invitation, row):
    """What a row would change in a pending invitation: only what the row says and differs."""
    changes = []
    if row.full_name and row.full_name != invitation["full_name"]:
        changes.append((_("name"), invitation["full_name"] or "—", row.full_name))
    if row.language and row.language != invitation["language"]:
        changes.append((_("language"), Language(invitation["language"]).label, row.language_label))
    if row.time_zone and row.time_zone != invitation["time_zone"]:
        changes.append((_("time zone"), invitation["time_zone"], row.time_zone))
    return changes


def rows_from_dicts(dicts):
    """Rows stored between upload and confirmation, read back strictly."""
    rows = []
    for data in dicts:
        rows.append(
            Row(
                line=int(data["line"]),
                email=str(data["email"]),
                full_name=str(data.get("full_name", "")),
                language=str(data.get("language", "")),
                time_zone=str(data.get("time_zone", "")),
            )
        )
    return rows


def invite_rows(cohort, rows, *, invited_by=None):
    """Invite every row as a member, all or nothing: one transaction, so a row that fails
    invites nobody (and no email is queued) and the same rows can be confirmed again.
    Every row is validated again first (the rows come back from the session). Returns a
    Counter of invite() statuses; raises ValidationError naming the first bad row."""
    for row in rows:
        _row, reasons = validate_row(
            row.line,
            {"email": row.email, "name": row.full_name, "language": row.language, "time_zone": row.time_zone},
            {},
        )
        if reasons:
            raise ValidationError(
                _("Line %(line)s: %(reasons)s") % {"line": row.line, "reasons": " ".join(str(r) for r in reasons)}
            )
    counts = Counter()
    with transaction.atomic():
        # A pending facilitator's invitation keeps its role: a list of members never demotes
        # anyone, and only those who may invite facilitators refresh it. One query for the file.
        facilitators = {
            email_key(email)
            for email in Invitation.objects.filter(
                cohort=cohort, accepted_at__isnull=True, role=Role.FACILITATOR
            ).values_list("email", flat=True)
        }
        for row in rows:
            counts[_invite_row(cohort, row, invited_by, facilitators)] += 1
    return counts


def _invite_row(cohort, row, invited_by, facilitators):
    role = Role.FACILITATOR if email_key(row.email) in facilitators else Role.MEMBER
    if not may_invite(invited_by, role):
        return "kept"
    result = invite(
        cohort,
        email=row.email,
        full_name=row.full_name,
        language=row.language or None,
        time_zone=row.time_zone or None,
        role=role,
        invited_by=invited_by,
    )
    return result.status
