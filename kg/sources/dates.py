"""Dates as pages and reports write them: ISO, day-month-year with ordinals and weekdays,
month-day-year, numeric (day first, or US order when the day cannot be a month), with or
without a time before or after.
"""
from __future__ import annotations

import datetime as dt
import re

#: Each month's names, the full one first.
_MONTH_NAMES = (
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
    ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
    ("september", "sept", "sep"), ("october", "oct"), ("november", "nov"),
    ("december", "dec"),
)
_MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, start=1) for name in names}
#: The full month names (the only ones a report's header uses), as a regex alternation.
_FULL_MONTH_RE = "(?:" + "|".join(names[0].capitalize() for names in _MONTH_NAMES) + ")"
#: A 'day Month year' date inside a text (reports: "Report published: 20 September 2016").
_DATE_IN_TEXT = re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+({_FULL_MONTH_RE})\s+(\d{{4}})", re.IGNORECASE)
#: The first day of a range, its month and year optional ("11 to 22 May 2026").
_RANGE_START = re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th)?(?:\s+({_FULL_MONTH_RE}))?(?:\s+(\d{{4}}))?", re.IGNORECASE)
#: A day-first numeric date of a table cell: "02/12/22", "21/11/2022".
_NUMERIC_CELL = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})\s*$")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([A-Za-z]+)\.?,?\s+(\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
#: "03/03/2017", "3.3.2017", "3-3-2017": day first (British usage).
_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
_WEEKDAY = re.compile(r"(?i:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+")
_TIME = re.compile(
    r"(\d{1,2})[:.](\d{2})(?::\d{2}(?:\.\d+)?)?\s*(?:([aApP])\.?[mM]\.?)?"
    r"\s*(?:GMT|BST|UTC|Z|[+-]\d{2}:?\d{2})?\s*$"
)
_BEFORE_TIME = re.compile(r"(?:,?\s+at|,|\s+[-–]|T)?\s*$")


def parse_date(text: str) -> dt.date | None:
    """Parse "2019-07-15", "15 July 2019", "July 15, 2019", "Friday 3rd of March 2017" and the
    day-first numeric forms "03/03/2017", "3.3.2017" (month first when only that is a date:
    "12/25/2023"; English month names, any locale).

    Impossible dates and years outside 1900-2100 give None.

    >>> parse_date("15 July 2019"), parse_date("Sept 3rd, 2020"), parse_date("2019-02-30")
    (datetime.date(2019, 7, 15), datetime.date(2020, 9, 3), None)
    >>> parse_date("Fri 3 Mar 2017"), parse_date("03/12/2017"), parse_date("13/13/2017")
    (datetime.date(2017, 3, 3), datetime.date(2017, 12, 3), None)
    >>> parse_date("12/25/2023"), parse_date("Tuesday 14th March 2023")  # US order when only it can be
    (datetime.date(2023, 12, 25), datetime.date(2023, 3, 14))
    """
    text = _WEEKDAY.sub("", text.strip(), count=1) if _WEEKDAY.match(text.strip()) else text.strip()
    date = _parse_date_parts(text)
    return date if date is not None and 1900 <= date.year <= 2100 else None


def _parse_date_parts(text: str) -> dt.date | None:
    try:
        if match := _ISO_DATE.fullmatch(text):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DAY_MONTH_YEAR.fullmatch(text):
            month = _MONTHS.get(match[2].lower())
            return dt.date(int(match[3]), month, int(match[1])) if month else None
        if match := _MONTH_DAY_YEAR.fullmatch(text):
            month = _MONTHS.get(match[1].lower())
            return dt.date(int(match[3]), month, int(match[2])) if month else None
        if match := _NUMERIC_DATE.fullmatch(text):
            first, second = int(match[1]), int(match[3])
            if second > 12 >= first:  # "12/25/2023": only the US order is a date
                first, second = second, first
            return dt.date(int(match[4]), second, first)
    except ValueError:
        return None
    return None


def parse_datetime(text: str) -> dt.datetime | None:
    """Parse a comment timestamp such as "July 15, 2019 at 5:04 pm" (naive, site time).

    A time zone ("GMT", "Z", "+01:00") is read past and ignored; seconds are dropped.

    >>> parse_datetime("July 15, 2019 at 5:04 pm")
    datetime.datetime(2019, 7, 15, 17, 4)
    >>> parse_datetime("15 July 2019 12:30 am")
    datetime.datetime(2019, 7, 15, 0, 30)
    >>> parse_datetime("Fri 3 Mar 2017 10.42 GMT"), parse_datetime("2017-03-03T10:42:00Z")
    (datetime.datetime(2017, 3, 3, 10, 42), datetime.datetime(2017, 3, 3, 10, 42))
    """
    text = text.strip()
    time = _TIME.search(text)
    if not time or time.start() == 0:
        date = parse_date(text)
        return dt.datetime(date.year, date.month, date.day) if date else None
    date_part = _BEFORE_TIME.sub("", text[: time.start()], count=1)
    date = parse_date(date_part)
    if date is None:
        return None
    hour, minute, half = int(time[1]), int(time[2]), (time[3] or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return dt.datetime(date.year, date.month, date.day, hour, minute)


def month_number(name: str) -> int | None:
    """1-12 for an English month name or its abbreviation, any case; None otherwise.

    >>> month_number("Sept"), month_number("march"), month_number("Smarch")
    (9, 3, None)
    """
    return _MONTHS.get(name.lower().rstrip("."))


def find_date(text: str) -> dt.date | None:
    """The first 'day Month year' date in a text (full month names).

    >>> find_date("Report published: 20 September 2016")
    datetime.date(2016, 9, 20)
    """
    m = _DATE_IN_TEXT.search(text)
    if not m:
        return None
    try:
        return dt.date(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
    except ValueError:
        return None


def parse_date_range(text: str) -> tuple[dt.date, dt.date] | None:
    """'4 June to 15 June 2018', '11 to 22 May 2026', '05 July 2016–27 July 2016', '19 and 20
    February 2019' -> (first day, last day). The end is the last full date; the start borrows
    its month and year from the end when it omits them. A single date is both.

    >>> parse_date_range("21 November to 2 December 2022")
    (datetime.date(2022, 11, 21), datetime.date(2022, 12, 2))
    >>> parse_date_range("9–24 November 2017")
    (datetime.date(2017, 11, 9), datetime.date(2017, 11, 24))
    """
    dates = list(_DATE_IN_TEXT.finditer(text))
    if not dates:
        return None
    last = dates[-1]
    try:
        end = dt.date(int(last.group(3)), _MONTHS[last.group(2).lower()], int(last.group(1)))
    except ValueError:
        return None
    first = _RANGE_START.search(text)
    if first is None:
        return end, end
    month = _MONTHS[first.group(2).lower()] if first.group(2) else end.month
    year = int(first.group(3)) if first.group(3) else (end.year if month <= end.month else end.year - 1)
    try:
        start = dt.date(year, month, int(first.group(1)))
    except ValueError:
        return end, end
    if start > end:
        start = end
    return start, end


def parse_numeric_date(text: str) -> dt.date | None:
    """A table cell's ``dd/mm/yy`` or ``dd/mm/yyyy`` date, day first (two-digit years below 70
    are 20xx); None for a blank cell; ValueError for anything else.

    >>> parse_numeric_date("02/12/22"), parse_numeric_date("21/11/2022"), parse_numeric_date("")
    (datetime.date(2022, 12, 2), datetime.date(2022, 11, 21), None)
    """
    if not text or not text.strip():
        return None
    m = _NUMERIC_CELL.match(text)
    if not m:
        raise ValueError(f"not a dd/mm/yy(yy) date: {text!r}")
    day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if year < 100:
        year += 2000 if year < 70 else 1900
    return dt.date(year, month, day)
