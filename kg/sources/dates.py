"""Dates as pages and reports write them: ISO, day-month-year with ordinals and weekdays,
month-day-year, numeric (day first, or US order when the day cannot be a month), with or
without a time before or after.
"""
from __future__ import annotations

import datetime as dt
import re

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sept", "sep"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
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
