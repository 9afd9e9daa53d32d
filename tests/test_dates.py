from datetime import UTC, date, datetime

import pytest

from thaidigest.dates import (
    MAX_DATE_LINE_CHARS,
    arabic_digits,
    bangkok_today,
    parse_date_line,
    parse_listing_date,
    parse_numeric_date_line,
    publication_date,
    take_date_lines,
)

TODAY = date(2026, 12, 2)  # the clock the caller passes


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("วันศุกร์ที่ 23 สิงหาคม 2567", date(2024, 8, 23)),  # seed 001
        ("วันพุธที่ 27 กรกฎาคม 2565", date(2022, 7, 27)),  # seed 002
        ("วันจันทร์ที่ 24 สิงหาคม 2563", date(2020, 8, 24)),  # corpus 34466
        ("๒๗ กรกฎาคม ๒๕๖๕", date(2022, 7, 27)),  # Thai digits
        ("16 พ.ค.64", date(2021, 5, 16)),  # abbreviated month, two-digit BE year
        ("7 เม.ย.66", date(2023, 4, 7)),
        ("วันพฤหัสบดีที่ 1 ก.พ. 2567", date(2024, 2, 1)),
        ("วันที่ 5 มีนาคม 2564", date(2021, 3, 5)),
        ("May 31, 2021", date(2021, 5, 31)),
        ("31 May 2021", date(2021, 5, 31)),
        ("Friday, 23 August 2024", date(2024, 8, 23)),
        ("23 สิงหาคม 2024", date(2024, 8, 23)),  # a Thai date in the Common Era
        ("23 ส.ค. พ.ศ. 2567", date(2024, 8, 23)),  # the era after an abbreviated month
        ("23 สิงหาคม พ.ศ. 2567", date(2024, 8, 23)),
        ("23 สิงหาคม ค.ศ. 2024", date(2024, 8, 23)),
        ("ศุกร์ 23 สิงหาคม 2567", date(2024, 8, 23)),  # a weekday without วัน
        ("ศุกร์ที่ 23 สิงหาคม 2567", date(2024, 8, 23)),
        ("วันพฤหัสบดีที่ 29/02/2567", date(2024, 2, 29)),  # 29 February of a leap BE year
        ("พฤหัสฯ 29 ก.พ. 67", date(2024, 2, 29)),
        ("วันศุกร์ที่ 23 สิงหาคม 2567 เวลา 10:30 น.", date(2024, 8, 23)),  # a time of day
        ("วันศุกร์ที่ 23 สิงหาคม 2567 เวลา 10.30 น.", date(2024, 8, 23)),
        ("วันศุกร์ที่ ๒๓ สิงหาคม ๒๕๖๗ เวลา ๑๐:๓๐ น.", date(2024, 8, 23)),
        ("วันศุกร์ที่ 23 สิงหาคม 2567 (แก้ไข 24 สิงหาคม 2567)", date(2024, 8, 23)),  # an edit note
        ("วันศุกร์ที่ 23 สิงหาคม 2567 | 10:30", date(2024, 8, 23)),  # a separator before the time
        ("วันศุกร์ที่ 23 สิงหาคม 2567 - 10:30 น.", date(2024, 8, 23)),
        ("23 ส.ค. 2567, เวลา 10.30 น.", date(2024, 8, 23)),
        ("23/08/2567 | 10:30", date(2024, 8, 23)),
        ("วันที่ 23 สิงหาคม 2567 · 10:30:15 น.", date(2024, 8, 23)),
        ("วันที่ ๒๓ สิงหาคม ๒๕๖๗ | ๐๙:๑๕", date(2024, 8, 23)),
        (
            "วันพฤหัสบดีที่ 21 พฤศจิกายน 2567 เวลา 10:30 น. (แก้ไข 22 พฤศจิกายน 2567)",
            date(2024, 11, 21),
        ),
    ],
)
def test_date_line_gives_the_gregorian_date(line, expected):
    assert parse_date_line(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "28 – 29 มีนาคม 2562",  # seed 004: an event's date range
        "เมื่อวันที่ 18 - 22 สิงหาคม 2024 นายเอกพงษ์ หริ่มเจริญ",  # a date inside a sentence
        "วันที่ 31 กุมภาพันธ์ 2567",  # no such day
        "23 Smarch 2024",
        "",
        "พิมพ์",
        "วันศุกร์ที่ 23 สิงหาคม 2567 เวลา",  # a time word and no time
        "วันศุกร์ที่ 23 สิงหาคม 2567 (ประชุมคณะรัฐมนตรี)",  # a note that is no edit note
        "วันศุกร์ที่ 23 สิงหาคม 2567 |",  # a separator and no time
        "วันศุกร์ที่ 23 สิงหาคม 2567 - 2568",  # a range of years, no time
        "1 ต.ค. 66 - 30.09.67",  # a range of dates: after a separator, no time of day
        "23.08.67 - 25.08.67",
        "23/08/2567 - 24.08.67",
        "23 สิงหาคม 2567 – 99.99",  # a number, no time of day
    ],
)
def test_event_dates_and_non_dates_are_not_publication_dates(line):
    assert parse_date_line(line) is None


def test_listing_date_is_buddhist_era_day_month_year():
    assert parse_listing_date("23/08/2567") == date(2024, 8, 23)
    assert parse_listing_date("๐๑/๐๒/๒๕๖๗") == date(2024, 2, 1)
    assert parse_listing_date("31/02/2567") is None
    assert parse_listing_date("23/08/2024") == date(2024, 8, 23)  # not year 1481
    assert parse_listing_date("2567-08-23") == date(2024, 8, 23)  # year first: unambiguous
    assert parse_listing_date("23-2567-08") is None


def test_a_year_first_date_line_is_read_as_iso_8601_with_a_ce_or_be_year():
    assert parse_date_line("2024-08-23") == date(2024, 8, 23)
    assert parse_date_line("๒๕๖๗-๐๘-๒๓") == date(2024, 8, 23)
    assert parse_date_line("2024-08-23 10:30") == date(2024, 8, 23)
    assert parse_date_line("2024-08-23T10:30:00") == date(2024, 8, 23)
    assert parse_date_line("2024-08-23T10:30:00Z") == date(2024, 8, 23)
    assert parse_date_line("2024-08-23T10:30:00+07:00") == date(2024, 8, 23)
    assert parse_numeric_date_line("2024-8-3") == date(2024, 8, 3)
    assert parse_date_line("2024-02-30") is None  # no such day
    assert parse_date_line("2024-2025") is None  # a span of years
    assert parse_date_line("2024-08-23 ประชุม") is None  # a line that says more


def test_a_year_first_date_line_at_the_top_of_a_body_is_its_date():
    found, lines = take_date_lines(["2024-08-23", "ข่าวแรก"], date(2024, 9, 1))
    assert (found, lines) == (date(2024, 8, 23), ["ข่าวแรก"])


def test_listing_date_with_an_abbreviated_month_and_a_two_digit_year_is_buddhist_era():
    assert parse_listing_date("23 ส.ค. 67") == date(2024, 8, 23)
    assert parse_listing_date("26 พ.ย. 69") == date(2026, 11, 26)
    assert parse_listing_date("๒๓ ส.ค. ๖๗") == date(2024, 8, 23)
    assert parse_listing_date("31 ก.พ. 67") is None


def test_date_lines_are_taken_from_the_top_only():
    lines = ["", "วันศุกร์ที่ 23 สิงหาคม 2567", "headline", "วันศุกร์ที่ 23 สิงหาคม 2567", "text"]
    assert take_date_lines(lines, TODAY) == (date(2024, 8, 23), ["", "headline", "text"])
    deep = ["one", "two", "three", "four", "วันศุกร์ที่ 23 สิงหาคม 2567"]
    assert take_date_lines(deep, TODAY) == (None, deep)


def test_a_date_line_with_a_time_or_an_edit_note_is_taken_out_of_the_body():
    for line in (
        "วันศุกร์ที่ 23 สิงหาคม 2567 เวลา 10:30 น.",
        "วันศุกร์ที่ 23 สิงหาคม 2567 (แก้ไข 24 สิงหาคม 2567)",
    ):
        assert take_date_lines([line, "headline", "text"], TODAY) == (
            date(2024, 8, 23),
            ["headline", "text"],
        )


def test_taking_date_lines_twice_changes_nothing():
    lines = ["วันศุกร์ที่ 23 สิงหาคม 2567", "a", "วันศุกร์ที่ 30 สิงหาคม 2567", "b", "c", "d", "7 เม.ย.66"]
    published, once = take_date_lines(lines, TODAY)
    assert published == date(2024, 8, 23)
    assert take_date_lines(once, TODAY) == (None, once)


def test_thai_digits_become_ascii():
    assert arabic_digits("ปี ๒๕๖๕ ห้อง ๗๐๑") == "ปี 2565 ห้อง 701"


@pytest.mark.parametrize(
    "line",
    [
        "วันพฤหัสบดีที่ 1 มกราคม 2513",  # the Unix epoch an empty template prints
        "1 January 1970",
        "1 มกราคม 2443",  # 1900-01-01
    ],
)
def test_a_placeholder_date_line_is_taken_out_but_gives_no_date(line):
    assert take_date_lines([line, "headline", "text"], TODAY) == (None, ["headline", "text"])
    real = "วันศุกร์ที่ 23 สิงหาคม 2567"
    assert take_date_lines([line, real, "text"], TODAY) == (date(2024, 8, 23), ["text"])


@pytest.mark.parametrize("found", [date(1970, 1, 1), date(1900, 1, 1), date(1, 1, 1), None])
def test_a_placeholder_is_no_publication_date(found):
    assert publication_date(found, TODAY) is None


def test_a_real_date_is_a_publication_date():
    assert publication_date(parse_listing_date("23/08/2567"), TODAY) == date(2024, 8, 23)


@pytest.mark.parametrize(
    "line",
    [
        # A weekday the date does not fall on (23 August 2024 was a Friday): a year
        # typed wrong, 2568 for 2567, or a day; which one, the line does not tell.
        "วันศุกร์ที่ 23 สิงหาคม 2568",
        "วันเสาร์ที่ 23 สิงหาคม 2567",
        "พฤหัสฯ 23 ส.ค. 67",
        "วันศุกร์ที่ 29/02/2567 เวลา 10:30 น.",  # a Thursday
        "Saturday, 23 August 2024",
        "Saturday, August 23, 2024",
    ],
)
def test_a_date_line_whose_weekday_is_not_its_dates_is_taken_out_but_gives_no_date(line):
    assert publication_date(parse_date_line(line), TODAY) is None
    assert take_date_lines([line, "headline", "text"], TODAY) == (None, ["headline", "text"])
    real = "วันศุกร์ที่ 23 สิงหาคม 2567"
    assert take_date_lines([line, real, "text"], TODAY) == (date(2024, 8, 23), ["text"])


@pytest.mark.parametrize(
    "line",
    [
        "วันศุกร์ที่ 16 ธันวาคม 2656",  # a typo for 2565: 2113 CE
        "16 ธ.ค. 2656",
        "16 December 2112",
        "Friday, December 16, 2112",
    ],
)
def test_a_date_line_after_next_year_is_taken_out_but_gives_no_date(line):
    assert parse_date_line(line) is not None  # clearly a date line, with a typo in its year
    assert take_date_lines([line, "headline", "text"], TODAY) == (None, ["headline", "text"])
    real = "วันศุกร์ที่ 16 ธันวาคม 2565"
    assert take_date_lines([line, real, "text"], TODAY) == (date(2022, 12, 16), ["text"])
    assert take_date_lines([line, "16/12/2565", "text"], TODAY) == (date(2022, 12, 16), ["text"])
    _, once = take_date_lines([line, "headline", "text"], TODAY)
    assert take_date_lines(once, TODAY) == (None, once)


def test_a_listing_date_after_next_year_is_no_publication_date():
    for text in ("16/12/2656", "16.12.2656", "16 ธ.ค. 2656", "16 December 2112"):
        assert publication_date(parse_listing_date(text), TODAY) is None


# Today, then the last date believed (the end of next year) and the day after it, as a
# Thai, an English and a numeric date line.
BOUNDS = [
    (
        date(2026, 12, 2),
        ("31 ธันวาคม 2570", "December 31, 2027", "31/12/2570"),
        ("1 มกราคม 2571", "January 1, 2028", "1/1/2571"),
    ),
    (
        date(2025, 1, 1),
        ("31 ธันวาคม 2569", "December 31, 2026", "31/12/2569"),
        ("1 มกราคม 2570", "January 1, 2027", "1/1/2570"),
    ),
]


@pytest.mark.parametrize(("today", "last_believed", "first_not"), BOUNDS)
def test_a_date_up_to_the_end_of_next_year_is_believed_and_no_later_one(
    today, last_believed, first_not
):
    last, after = date(today.year + 1, 12, 31), date(today.year + 2, 1, 1)
    assert publication_date(last, today) == last
    assert publication_date(after, today) is None
    for line in last_believed:
        assert publication_date(parse_listing_date(line), today) == last
        assert take_date_lines([line, "text"], today) == (last, ["text"])
    thai, english, numeric = first_not
    for line in first_not:
        assert publication_date(parse_listing_date(line), today) is None
    # A Thai or English line is a date line all the same; a numeric one is text.
    assert take_date_lines([thai, "text"], today) == (None, ["text"])
    assert take_date_lines([english, "text"], today) == (None, ["text"])
    assert take_date_lines([numeric, "text"], today) == (None, [numeric, "text"])


def test_the_latest_date_believed_moves_with_today():
    line = "31 ธันวาคม 2570"  # 2027-12-31
    assert take_date_lines([line, "text"], date(2026, 12, 2)) == (date(2027, 12, 31), ["text"])
    assert take_date_lines([line, "text"], date(2025, 12, 2)) == (None, ["text"])
    assert publication_date(parse_listing_date("31/12/2570"), date(2025, 12, 2)) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("23/08/2567", date(2024, 8, 23)),  # the MDES listing's own form
        ("23/08/67", date(2024, 8, 23)),  # a two-digit year is BE: 2567
        ("23-08-2567", date(2024, 8, 23)),
        ("23.08.67", date(2024, 8, 23)),
        ("1/8/67", date(2024, 8, 1)),
        ("๒๓/๐๘/๖๗", date(2024, 8, 23)),  # Thai digits
        ("๒๓.๐๘.๒๕๖๗", date(2024, 8, 23)),
        ("23/08/2024", date(2024, 8, 23)),  # a plausible CE year is CE, not 1481
        ("26/11/69", date(2026, 11, 26)),
        ("วันที่ 23/08/2567", date(2024, 8, 23)),
        ("วันศุกร์ที่ 23/08/2567", date(2024, 8, 23)),
        ("23/08/2567 เวลา 10:30 น.", date(2024, 8, 23)),
        ("23/08/67 10:30 น.", date(2024, 8, 23)),
        ("23.08.67 เวลา 10.30 น.", date(2024, 8, 23)),
        ("๒๓/๐๘/๖๗ เวลา ๑๐:๓๐ น.", date(2024, 8, 23)),
        ("05/03/2567", date(2024, 3, 5)),  # day first, never month first
    ],
)
def test_numeric_date_is_day_month_buddhist_era_year(line, expected):
    assert parse_date_line(line) == expected
    assert parse_listing_date(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "31/02/67",  # no such day
        "31/02/2567",
        "13/13/2567",  # no such month
        "08/23/2024",  # month first is no date: day first always
        "02-141-6747",  # a phone number
        "081-234-5678",
        "02-14-67",  # a phone number's shape with a month 14
        "พ.ศ. 2567",  # a law's year
        "พระราชบัญญัติ พ.ศ. 2567",
        "1/2",  # a fraction
        "23/08",  # a ratio, or a date with no year
        "ที่ 23/2567",  # a document number
        "ที่ 23/08/2567",  # a numbered letter's reference, not a date line
        "23/08-2567",  # mixed separators
        "23/08/567",  # a three-digit year
        "123/08/2567",
        "23/08/25671",
        "2567-13-23",  # year first, no such month
        "23/08/2567 ข่าวประชาสัมพันธ์",  # a date inside a sentence
        "10:30 น.",
    ],
)
def test_numbers_that_are_no_date_are_not_read_as_dates(line):
    assert parse_date_line(line) is None
    assert parse_listing_date(line) is None


@pytest.mark.parametrize("line", ["1/1/2513", "01/01/13", "1.1.1970", "01-01-2443"])
def test_a_numeric_placeholder_date_is_taken_out_but_gives_no_date(line):
    assert publication_date(parse_listing_date(line), TODAY) is None
    assert take_date_lines([line, "headline", "text"], TODAY) == (None, ["headline", "text"])


def test_numbers_that_are_no_date_stay_in_the_body():
    lines = ["02-141-6747", "ที่ 23/2567", "1/2", "23/08/67", "text"]
    assert take_date_lines(lines, TODAY) == (None, lines)  # 23/08/67 is no first line
    assert take_date_lines(lines[3:], TODAY) == (date(2024, 8, 23), ["text"])


def test_numeric_dates_in_a_table_are_text_not_date_lines():
    # An MDES body, one item a line: the cells are text and give no published date.
    lines = ["ตารางกิจกรรม", "วันที่", "1/2/67", "กิจกรรมเปิดงาน", "2/2/67", "สัมมนา"]
    assert take_date_lines(lines, TODAY) == (None, lines)


@pytest.mark.parametrize("line", ["1-1-10", "3-1-10", "1.2.30", "2.1.10", "11.11.11"])
def test_scores_and_section_numbers_read_as_old_dates_stay_text(line):
    # Read as dates they would fall before 1990 and be no template's placeholder.
    thai = "วันศุกร์ที่ 16 ธันวาคม 2565"
    assert take_date_lines([line, "text"], TODAY) == (None, [line, "text"])
    assert take_date_lines([thai, line, "text"], TODAY) == (date(2022, 12, 16), [line, "text"])


def test_a_numeric_date_after_next_year_stays_text():
    # "1-1-99" would be 2599 BE, 2056 CE.
    assert take_date_lines(["1-1-99", "text"], TODAY) == (None, ["1-1-99", "text"])
    next_year = f"1/1/{TODAY.year + 1 + 543}"
    assert take_date_lines([next_year, "text"], TODAY) == (date(TODAY.year + 1, 1, 1), ["text"])
    later = f"1/1/{TODAY.year + 2 + 543}"
    assert take_date_lines([later, "text"], TODAY) == (None, [later, "text"])


@pytest.mark.parametrize("line", ["10.12.45", "23.08.45", "09.05.50"])
def test_a_dotted_time_with_seconds_is_no_date(line):
    assert parse_date_line(line) is None
    thai = "วันศุกร์ที่ 16 ธันวาคม 2565"
    assert take_date_lines([thai, line, "text"], TODAY) == (date(2022, 12, 16), [line, "text"])


def test_a_numeric_date_line_stands_first_or_under_another_date_line_only():
    thai = "วันศุกร์ที่ 16 ธันวาคม 2565"
    assert take_date_lines(["", "16/12/2565", "text"], TODAY) == (date(2022, 12, 16), ["", "text"])
    assert take_date_lines(["headline", "16/12/2565", "text"], TODAY) == (
        None,
        ["headline", "16/12/2565", "text"],
    )
    # Under a Thai date line that stands after the headline, it is that line's companion.
    assert take_date_lines(["headline", thai, "16/12/2565", "text"], TODAY) == (
        date(2022, 12, 16),
        ["headline", "text"],
    )
    # Under a placeholder date line too.
    assert take_date_lines(["1/1/2513", "16/12/2565", "text"], TODAY) == (
        date(2022, 12, 16),
        ["text"],
    )


def test_taking_numeric_date_lines_twice_changes_nothing():
    for lines in (
        ["1/1/2513", "1-1-10", "16/12/2565", "text"],
        ["16/12/2565", "10.12.45", "2/2/67", "text"],
        ["วันศุกร์ที่ 16 ธันวาคม 2565", "1/1/1950", "16/12/2565", "text"],
    ):
        _, once = take_date_lines(lines, TODAY)
        assert take_date_lines(once, TODAY) == (None, once)


def test_the_numeric_date_line_under_a_thaigov_date_line_is_taken_out():
    # Corpus 62728: a third of the corpus has this second, numeric date line.
    lines = ["วันศุกร์ที่ 16 ธันวาคม 2565", "16/12/2565", "headline", "text"]
    assert take_date_lines(lines, TODAY) == (date(2022, 12, 16), ["headline", "text"])


def test_a_date_line_is_measured_with_its_whitespace_runs_as_one_space():
    # Long as written, a date line once one-spaced: the start measured first is not enough.
    spread = "วันศุกร์ที่" + " " * 300 + "16 ธันวาคม 2565"
    assert parse_date_line(spread) == date(2022, 12, 16)
    assert parse_numeric_date_line("16/12/2565" + "\t " * 200) == date(2022, 12, 16)
    # One character too many, past the start measured first, and no date line.
    longest = "16 ธันวาคม 2565 เวลา 10:30 น. (แก้ไข " + "ก" * 80
    longest = longest[: MAX_DATE_LINE_CHARS - 1] + ")"
    assert parse_date_line(longest) == date(2022, 12, 16)
    assert parse_date_line(longest + " " * 200 + "ก") is None
    assert parse_numeric_date_line("16/12/2565 " + "x" * 1000) is None


def test_today_is_bangkok_s_date_which_turns_at_17_00_utc():
    assert bangkok_today(datetime(2026, 12, 31, 16, 59, tzinfo=UTC)) == date(2026, 12, 31)
    assert bangkok_today(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)) == date(2027, 1, 1)


def test_the_clock_s_today_is_bangkok_s_whatever_the_machine_s_zone(new_year_in_bangkok):
    # A UTC machine's local date is still 31 December 2026.
    assert bangkok_today() == date(2027, 1, 1)
