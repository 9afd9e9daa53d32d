"""Publication dates from Thai and English date text.

Thai government pages write dates in the Buddhist Era (BE = CE + 543), with
full or abbreviated Thai month names and sometimes Thai digits:
``วันศุกร์ที่ 23 สิงหาคม 2567``, ``16 พ.ค.64``, ``๒๗ กรกฎาคม ๒๕๖๕``.
English items use ``May 31, 2021`` or ``31 May 2021``. Listings and some date
lines are numeric: ``23/08/2567``, ``23/08/67``, ``23-08-2567``, ``23.08.67``,
``๒๓/๐๘/๖๗`` (see ``NUMERIC_DATE``).

Numeric dates are always day first (the sites never write month first), with one
separator (``/``, ``-`` or ``.``) used twice. Their years are read as in the other
dates (:func:`gregorian_year`): a two-digit year is BE, ``67`` = 2567 BE = 2024,
because the sites are Thai (and ``67`` as CE, 2067, would be in the future anyway);
a four-digit year above ``LAST_CE_YEAR`` is BE (every BE year of the web, 2533 on,
is far above it) and one at or below it is CE (``23/08/2024``). A dotted one with a
two-digit year that reads as a time of day with seconds (``10.12.45``) is that time,
not a date (``DOTTED_TIME_WITH_SECONDS``). A number that is not a whole date (a phone
number ``02-141-6747``, a fraction ``1/2``, ``23/08`` without a year, a document
number ``ที่ 23/2567``, a law's ``พ.ศ. 2567``) is no date line.

A publication date is believed (:func:`publication_date`) from 1990
(``EARLIEST_PUBLISHED``) to the end of next year after the caller's today, whatever
form states it: a date line, a numeric one, a listing's date. Before is a
template's placeholder (``1 มกราคม 2513``, the epoch); after is a year typed
wrong (``16 ธันวาคม 2656`` for 2565: 2113), which would put the article first in
every feed and in no digest. A date this year or next, a little ahead of today, is
believed: a release put up early or a clock a day off is not told from a real one.
An unbelieved date is no publication date: the article's date is unknown, or a
later date line or the article page's own gives it. This module reads no clock:
the caller passes today.

In a body (:func:`take_date_lines`) a Thai or English date line at the top is a
date line whatever its date (taken out, believed or not). A numeric date is one
only where a date line stands, first in the body or right under another date line,
and only when it is a template's placeholder (``1/1/2513``, 1970-01-01;
``1/1/1900``) or a date believed; else it is text that stays in the body: table
cells (``1/2/67`` under ``วันที่``), scores and section numbers (``1-1-10``,
``1.2.30``, 2510 and 2530 BE), impossible years (``1-1-99``, 2056).

A date line naming a weekday its date does not fall on (``วันศุกร์ที่ 23 สิงหาคม 2568``, a
Saturday) has a year or a day typed wrong, and does not tell which: it states the
placeholder ``CONTRADICTED_DATE``, a date line never believed.

Only a line that *is* a date (optionally with a weekday, a time of day and an
edit note: ``… 2567 เวลา 10:30 น. (แก้ไข 24 สิงหาคม 2567)``) counts as a
publication date line; a date inside a sentence or a range such as
``28 – 29 มีนาคม 2562`` is an event date and is ignored.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_DIGIT_PAIRS = tuple((chr(thai), chr(arabic)) for thai, arabic in THAI_DIGITS.items())
BE_OFFSET = 543
LAST_CE_YEAR = 2300  # a later four-digit year is BE: 2301 BE is 1758 CE
# The zone of every date the product shows: the sites' own, and the digest's weeks'.
BANGKOK = ZoneInfo("Asia/Bangkok")

THAI_MONTHS = {
    "มกราคม": 1,
    "กุมภาพันธ์": 2,
    "มีนาคม": 3,
    "เมษายน": 4,
    "พฤษภาคม": 5,
    "มิถุนายน": 6,
    "กรกฎาคม": 7,
    "สิงหาคม": 8,
    "กันยายน": 9,
    "ตุลาคม": 10,
    "พฤศจิกายน": 11,
    "ธันวาคม": 12,
}
# Abbreviations are matched with their dots and spaces removed: "เม.ย." -> "เมย".
THAI_MONTH_ABBREVIATIONS = {
    "มค": 1,
    "กพ": 2,
    "มีค": 3,
    "เมย": 4,
    "พค": 5,
    "มิย": 6,
    "กค": 7,
    "สค": 8,
    "กย": 9,
    "ตค": 10,
    "พย": 11,
    "ธค": 12,
}
ENGLISH_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}

# A weekday a line names (group ``weekday``) must be its date's: "วันศุกร์ที่ 23 สิงหาคม 2568"
# (a Saturday) has a year or a day typed wrong, and the line does not tell which. It is a
# date line all the same (as one with a year typed decades ahead), stating no date: read
# as the placeholder CONTRADICTED_DATE, taken out of a body and never believed.
THAI_WEEKDAYS = {
    "จันทร์": 0,
    "อังคาร": 1,
    "พุธ": 2,
    "พฤหัสบดี": 3,
    "พฤหัสฯ": 3,
    "พฤหัส": 3,
    "ศุกร์": 4,
    "เสาร์": 5,
    "อาทิตย์": 6,
}
ENGLISH_WEEKDAYS = {"mon": 0, "tues": 1, "wednes": 2, "thurs": 3, "fri": 4, "satur": 5, "sun": 6}
_THAI_WEEKDAY = (
    rf"(?:(?:วัน)?(?P<weekday>{'|'.join(THAI_WEEKDAYS)})(?:ที่)?\s*"
    r"|วัน(?:ที่)?\s*)?"
)
ERA = r"[พค]\s*\.\s*ศ\s*\."  # พ.ศ. (BE) or ค.ศ. (CE): the year's digits tell which
# A month name, abbreviated with dots or not; an era after it is not part of it.
_THAI_MONTH = rf"(?P<month>[ก-๙]+(?:\s*\.\s*(?!{ERA})[ก-๙]+)*\s*\.?)"
TIME_OF_DAY = r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:น\.|นาฬิกา)?"  # 10:30 น., 10.30 นาฬิกา
# A time of day that is one, in Arabic or Thai digits: hour 0-23, minutes and seconds
# 00-59, or 24:00 ("10:30", "10.30.15 น.", "๑๐.๓๐ น.").
REAL_TIME_OF_DAY = (
    r"(?:(?:[01๐๑]?\d|[2๒][0-3๐-๓])[:.][0-5๐-๕]\d(?:[:.][0-5๐-๕]\d)?|[2๒][4๔][:.][0๐]{2})"
    r"(?!\d)\s*(?:น\.|นาฬิกา)?"
)
# What may stand between a date and its time of day: a space or the word เวลา, or a
# separator ("2567 | 10:30", "2567 - 10:30 น.", "2567, เวลา 10:30 น."). After a separator
# only a real time is one: "1 ต.ค. 66 - 30.09.67" and "23.08.67 - 25.08.67" are ranges of
# dates, "2567 – 99.99" a number, not a date line.
TIME_AFTER_DATE = rf"(?:\s*เวลา\s*|\s+){TIME_OF_DAY}|\s*[|,\-–•·]\s*(?:เวลา\s*)?{REAL_TIME_OF_DAY}"
# What may follow the date on a thaigov date line: a time of day ("เวลา 10:30 น.") and
# an edit note ("(แก้ไข 24 สิงหาคม 2567)"). The date before them is the published one.
DATE_LINE_SUFFIX = rf"(?:{TIME_AFTER_DATE})?(?:\s*\(\s*แก้ไข[^()]*\))?"
THAI_DATE_LINE = re.compile(
    rf"^{_THAI_WEEKDAY}(?:ที่\s*)?(?P<day>\d{{1,2}})\s*{_THAI_MONTH}\s*(?:{ERA}\s*)?"
    rf"(?P<year>\d{{2}}|\d{{4}}){DATE_LINE_SUFFIX}$"
)
_ENGLISH_WEEKDAY = rf"(?:(?P<weekday>{'|'.join(ENGLISH_WEEKDAYS)})day,?\s+)?"
ENGLISH_DATE_LINE_MDY = re.compile(
    rf"^{_ENGLISH_WEEKDAY}(?P<month>[a-z]+)\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})$",
    re.IGNORECASE,
)
ENGLISH_DATE_LINE_DMY = re.compile(
    rf"^{_ENGLISH_WEEKDAY}(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>[a-z]+)\.?,?\s+(?P<year>\d{{4}})$",
    re.IGNORECASE,
)
# Day first, then month, then a two- or four-digit year, the same separator twice.
NUMERIC_DATE = (
    r"(?P<day>\d{1,2})(?P<separator>[/.-])(?P<month>\d{1,2})(?P=separator)(?P<year>\d{4}|\d{2})"
)
# Before a numeric date a weekday or วันที่ may stand, not a bare ที่: "ที่ 23/08/2567"
# is how a letter's reference number starts.
NUMERIC_DATE_LINE = re.compile(rf"^{_THAI_WEEKDAY}{NUMERIC_DATE}{DATE_LINE_SUFFIX}$")
# Year first, as a machine writes it (ISO 8601, ``2024-08-23``; a BE year, ``2567-08-23``,
# is read as such): a four-digit year, a dash, month and day, maybe a time (and a zone,
# Z or +07:00: the day as written is the page's) after it. It
# names no weekday (its group never matches, for _make_date).
ISO_DATE_LINE = re.compile(
    rf"^(?P<weekday>(?!))?(?P<year>\d{{4}})-(?P<month>\d{{1,2}})-(?P<day>\d{{1,2}})"
    rf"(?:[ T]{TIME_OF_DAY}(?:\.\d+)?(?:\s*(?:Z|[+-]\d{{2}}:?\d{{2}}))?)?$"
)
# A time of day with seconds, written with dots ("10.12.45"): it has a dotted date's
# shape with a two-digit year, and is read as the time (the date would be 2545 BE).
DOTTED_TIME_WITH_SECONDS = r"(?:[01]?\d|2[0-3])\.[0-5]\d\.[0-5]\d(?!\d)"
_DOTTED_TIME_WITH_SECONDS = re.compile(DOTTED_TIME_WITH_SECONDS)

# A date before this is a placeholder, not a publication date: an empty template prints
# the Unix epoch (วันพฤหัสบดีที่ 1 มกราคม 2513, 1970-01-01), others 1900-01-01 or 0001-01-01.
# No Thai government site published news on the web this early.
EARLIEST_PUBLISHED = date(1990, 1, 1)
# The placeholders templates print, which a date line may state: a numeric line stating
# another date before EARLIEST_PUBLISHED is a number ("1-1-10", a score), not a date line.
PLACEHOLDER_DATES = frozenset({date(1970, 1, 1), date(1900, 1, 1), date(1, 1, 1)})
# What a date line whose weekday its date does not fall on states: a placeholder.
CONTRADICTED_DATE = date(1, 1, 1)
# The last publication date believed is the end of the year this many years after today's:
# a later one is a year typed wrong ("16 ธันวาคม 2656" for 2565), not a publication date.
YEARS_AHEAD_PUBLISHED = 1
# No line longer than this (spaces collapsed) is a date line: the longest weekday and
# month with a time and an edit note take 72 characters.
MAX_DATE_LINE_CHARS = 80
# How far into the body a publication date line may stand (date line, print button, headline).
DATE_LINE_SEARCH_DEPTH = 4


def arabic_digits(text: str) -> str:
    """Replace Thai digits with ASCII digits.

    Digit by digit with ``str.replace``: over Thai text, ten replacements are faster than
    a regular expression's search for a Thai digit, and far faster than ``str.translate``,
    which maps the text character by character (docs/measurements.md); the digest folds
    every paragraph of two versions it compares (see :mod:`digest.diff`)."""
    for thai, arabic in _DIGIT_PAIRS:
        text = text.replace(thai, arabic)
    return text


def _thai_month(name: str) -> int | None:
    compact = re.sub(r"[\s.]", "", name)
    return THAI_MONTHS.get(compact) or THAI_MONTH_ABBREVIATIONS.get(compact)


def gregorian_year(year_text: str) -> int:
    """The CE year of a year as written. Thai pages write the Buddhist Era, and
    now and then the Common Era in a Thai date ("23 สิงหาคม 2024"): a four-digit
    year above ``LAST_CE_YEAR`` is BE, one below is CE, whatever the page's
    language (they are five centuries apart)."""
    year = int(year_text)
    if len(year_text) == 2:
        # Two-digit years on Thai pages are BE: "64" is 2564 BE, 2021 CE.
        return 2500 + year - BE_OFFSET
    return year - BE_OFFSET if year > LAST_CE_YEAR else year


def _make_date(match: re.Match[str], year: int, month: int | None) -> date | None:
    """The date a match states; None for no such day, :data:`CONTRADICTED_DATE` when it
    names a weekday the date does not fall on."""
    if month is None:
        return None
    try:
        found = date(year, month, int(match["day"]))
    except ValueError:
        return None
    named = match["weekday"]
    if named is not None:
        weekday = THAI_WEEKDAYS.get(named, ENGLISH_WEEKDAYS.get(named.lower()))
        if weekday != found.weekday():
            return CONTRADICTED_DATE
    return found


def bangkok_today(now: datetime | None = None) -> date:
    """Today's date in Bangkok, at ``now`` (by default the clock's time), whatever the
    machine's zone: the day the dates believed are judged on (:func:`latest_published`),
    as the pages' dates and the digest's are Bangkok dates. A machine in UTC is a day
    behind from 17:00 to midnight, and on 31 December a year behind."""
    return bangkok_date(now or datetime.now(UTC))


def bangkok_date(moment: datetime) -> date:
    """The Bangkok date of an aware ``moment``: 2024-08-25 18:00 UTC is 26 August."""
    return moment.astimezone(BANGKOK).date()


def latest_published(today: date) -> date:
    """The last publication date believed on ``today``: the end of next year. A page
    dated a little ahead (a release put up early, a clock or a time zone off) cannot
    be told from a real one, and a year typed wrong is decades off (2656 for 2565)."""
    return date(today.year + YEARS_AHEAD_PUBLISHED, 12, 31)


def publication_date(found: date | None, today: date) -> date | None:
    """``found`` when it may be a publication date, from ``EARLIEST_PUBLISHED`` to the end
    of next year after ``today``; None for a placeholder before (``1 มกราคม 2513``) and
    for a year typed wrong after (``16 ธันวาคม 2656``): the article's date is unknown."""
    if found is None or not EARLIEST_PUBLISHED <= found <= latest_published(today):
        return None
    return found


def _one_spaced_date_text(line: str) -> str | None:
    """``line`` with its whitespace runs as one space (as ``\\s+``), or None when that is
    longer than a date line (:data:`MAX_DATE_LINE_CHARS`).

    A paragraph is measured by its start first: the start of a line one-spaced is the
    start of the line one-spaced, so a start already too long answers without splitting
    a paragraph of a thousand characters into words."""
    head = line[: 2 * MAX_DATE_LINE_CHARS]
    if len(head) < len(line) and len(" ".join(head.split())) > MAX_DATE_LINE_CHARS:
        return None
    text = " ".join(line.split())
    return text if len(text) <= MAX_DATE_LINE_CHARS else None


def parse_date_line(line: str) -> date | None:
    """The date a whole line states, or None if the line is not just a date."""
    text = _one_spaced_date_text(line)
    if not text:
        return None
    return _date_of_text(arabic_digits(text))


def _date_of_text(text: str) -> date | None:
    """The date a line one-spaced and in Arabic digits states, as :func:`parse_date_line`."""
    match = THAI_DATE_LINE.match(text)
    if match:
        year = gregorian_year(match["year"])
        return _make_date(match, year, _thai_month(match["month"]))
    numeric = _numeric_date_of_text(text)
    if numeric is not None:
        return numeric
    for pattern in (ENGLISH_DATE_LINE_MDY, ENGLISH_DATE_LINE_DMY):
        match = pattern.match(text)
        if match:
            month = ENGLISH_MONTHS.get(match["month"].lower())
            year = gregorian_year(match["year"])
            return _make_date(match, year, month)
    return None


def _numeric_date(match: re.Match[str]) -> date | None:
    """The date a :data:`NUMERIC_DATE_LINE` match states; None for a dotted time of day."""
    written = match.group("day", "month", "year")
    if match["separator"] == "." and _DOTTED_TIME_WITH_SECONDS.fullmatch(".".join(written)):
        return None
    year = gregorian_year(match["year"])
    return _make_date(match, year, int(match["month"]))


def parse_numeric_date_line(line: str) -> date | None:
    """The date a whole line states in numbers (``16/12/2565``), else None."""
    text = _one_spaced_date_text(line)
    if text is None:
        return None
    return _numeric_date_of_text(arabic_digits(text))


def _numeric_date_of_text(text: str) -> date | None:
    """The date a line one-spaced and in Arabic digits states in numbers, else None."""
    match = NUMERIC_DATE_LINE.match(text)
    if match:
        return _numeric_date(match)
    match = ISO_DATE_LINE.match(text)
    return _make_date(match, gregorian_year(match["year"]), int(match["month"])) if match else None


def parse_listing_date(text: str) -> date | None:
    """An MDES listing date: ``dd/mm/yyyy`` in the Buddhist Era (``23/08/2567``) or any
    numeric or date-line form (``23/08/67``, ``23 ส.ค. 67``), as :func:`parse_date_line`.
    This is the date written: :func:`publication_date` says whether to believe it."""
    return parse_date_line(text)


def _is_numeric_date_line(found: date, today: date) -> bool:
    """Whether a numeric date standing where a date line stands is one: a template's
    placeholder, or a publication date believed on ``today`` (:func:`publication_date`).
    Any other is a number with a date's shape: a score ``1-1-10``, a section ``1.2.30``."""
    return found in PLACEHOLDER_DATES or publication_date(found, today) is not None


def take_date_lines(lines: list[str], today: date) -> tuple[date | None, list[str]]:
    """The publication date of a body and its lines without the date lines at its top.

    The top is everything before the ``DATE_LINE_SEARCH_DEPTH``-th line that is
    not a date. A Thai or English date line there is dropped wherever it stands (a
    page may repeat it). A numeric one is dropped only where a date line stands: as
    the first line that is not blank, or right under another date line dropped
    (thaigov's ``16/12/2565`` under ``วันศุกร์ที่ 16 ธันวาคม 2565``), and only when
    it is a placeholder or a date from 1990 to the end of next year (``today`` is the
    caller's, this module reads no clock); elsewhere numbers with a date's shape are
    text (a table's cells, scores, section numbers). The first date line dropped whose
    date is believed (:func:`publication_date`: no placeholder, none after next year)
    gives the date. Taking them twice gives the same lines.
    """
    published: date | None = None
    kept: list[str] = []
    seen = 0
    at_date_line_place = True  # no line yet but blank ones and date lines taken out
    for index, line in enumerate(lines):
        if seen >= DATE_LINE_SEARCH_DEPTH:
            return published, kept + lines[index:]
        if not line.strip():
            kept.append(line)
            continue
        # One-spaced and in Arabic digits once, for both readings.
        text = arabic_digits(_one_spaced_date_text(line) or "")
        found = _numeric_date_of_text(text)
        if found is not None:
            if not (at_date_line_place and _is_numeric_date_line(found, today)):
                found = None
        elif text:
            found = _date_of_text(text)
        at_date_line_place = found is not None
        if found is None:
            kept.append(line)
            seen += 1
        elif published is None:
            published = publication_date(found, today)
    return published, kept
