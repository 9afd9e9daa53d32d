"""Which headlines, titles and short bodies say that a page is not there."""

from __future__ import annotations

import pytest

from scraper.sites.not_found import (
    MAX_MESSAGE_CHARS,
    is_not_found_message,
    is_not_found_title,
    is_notice_message,
    is_notice_title,
)


@pytest.mark.parametrize(
    "text",
    [
        "404 ไม่พบหน้าที่คุณต้องการ",  # a generic error page's title
        "ขออภัย ไม่พบหน้าที่คุณต้องการ",
        "ไม่พบข้อมูล",  # an MDES headline
        "ไม่พบข้อมูลข่าวที่ท่านต้องการ",
        "ไม่พบข่าวนี้",
        "หน้านี้ไม่มีอยู่ในระบบ",
        "404",
        "Error 404 - Page Not Found",
        "404 Not Found",
        "Sorry, the page you requested could not be found.",
        "This page doesn't exist",
        "ข่าวนี้ถูกลบออกจากระบบแล้ว",  # an article that was there and is gone
        "The news you requested could not be found.",
        "This article has been removed.",
        "ไม่พบข้อมูลข่าวสารที่ท่านต้องการ",
        "ไม่พบรายการข้อมูล",
        "ยังไม่มีข้อมูล",
        "The requested URL was not found on this server.",  # Apache's page
    ],
)
def test_a_title_that_only_says_not_found_is_a_not_found_title(text: str) -> None:
    assert is_not_found_title(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "ขออภัย",
        "Error",
        "ไม่พบข้อมูลรั่วไหลจากระบบหมอพร้อม",  # a headline that starts like one
        "สธ. ไม่พบผู้ป่วยรายใหม่",
        "ดีอี เตือน หน้าเว็บปลอม ไม่พบข้อมูลในระบบราชการ",
        "Thailand Boosts Digital Collaboration",
        "404 ล้านบาท งบดิจิทัลชุมชน",  # a number that is no status
        "ดีอี แจง ข้อมูลถูกลบจากระบบหมอพร้อม ไม่เป็นความจริง",  # news about deleted data
        "Fake news post removed by platform",
        "ยังไม่มีข้อมูลยืนยันผู้ติดเชื้อ",  # news that says no data yet
        "ไม่พบรายการข้อมูลส่วนบุคคลรั่วไหล",
    ],
)
def test_a_headline_that_says_more_is_not_a_not_found_title(text: str) -> None:
    assert not is_not_found_title(text)


def test_a_short_body_with_a_not_found_message_says_not_found() -> None:
    message = "ไม่พบข้อมูลข่าวที่ท่านต้องการ ข่าวนี้อาจถูกลบหรือยังไม่ได้เผยแพร่"
    assert is_not_found_message(["ด้านเศรษฐกิจ", message])
    assert is_not_found_message(["Page not found. It may have moved."])
    assert is_not_found_message(["หน้าหลัก", "ข่าวนี้ถูกลบออกจากระบบแล้ว"])
    assert is_not_found_message(["Home", "This article has been removed."])
    assert is_not_found_message(["หน้าหลัก", "ไม่พบข้อมูลข่าวสารที่ท่านต้องการ"])
    assert is_not_found_message(["Data not found. Please try again later."])
    assert is_not_found_message(["Not Found", "The requested URL was not found on this server."])


def test_prose_that_mentions_not_found_words_is_no_message() -> None:
    prose = "ผลการตรวจสอบ ไม่พบข้อมูลรั่วไหล จากระบบของหน่วยงานรัฐ ตามที่มีการแชร์ในสื่อสังคมออนไลน์"
    assert not is_not_found_message([prose])
    long = ["ไม่พบข้อมูล ที่ยืนยันข่าวดังกล่าว", "ก" * MAX_MESSAGE_CHARS]
    assert not is_not_found_message(long)  # a message in an article's worth of text


@pytest.mark.parametrize(
    "text",
    [
        "ปิดปรับปรุงระบบชั่วคราว",
        "ปิดปรับปรุงระบบ",
        "ขออภัย เว็บไซต์อยู่ระหว่างการปรับปรุง",
        "ระบบขัดข้องชั่วคราว",
        "Site under maintenance",
        "Under Maintenance",
        "503 Service Unavailable",
        "A Database Error Occurred",
        "Internal Server Error",
    ],
)
def test_a_title_that_only_says_the_site_is_down_is_a_notice(text: str) -> None:
    assert is_notice_title(text)


@pytest.mark.parametrize(
    "text",
    [
        "กรมการขนส่งทางบกประกาศปิดปรับปรุงระบบชั่วคราว 3 วัน",  # news about a notice
        "ดีอี เร่งปรับปรุงระบบคลาวด์ภาครัฐ",
        "Thailand's database of digital services goes live",
        "",
    ],
)
def test_a_headline_that_says_more_is_no_notice(text: str) -> None:
    assert not is_notice_title(text)


def test_a_short_body_opening_with_a_notice_is_a_notice_and_an_article_is_not() -> None:
    notice = ["หน้าหลัก", "ปิดปรับปรุงระบบชั่วคราว", "ขออภัยในความไม่สะดวก กรุณาเข้าใช้งานใหม่ภายหลัง"]
    assert is_notice_message(notice)
    assert not is_notice_message(["ปิดปรับปรุงระบบประปาในเขตบางรัก"])
    prose = "ปิดปรับปรุงระบบชั่วคราว " + "ก" * MAX_MESSAGE_CHARS
    assert not is_notice_message([prose])
