"""Partners: the guide's rules on written cases, the user's table, and the development set."""

from __future__ import annotations

import json
import re
import sqlite3
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from thaidigest.export import export_record
from thaidigest.ingest import Rejected
from thaidigest.model import RawArticle
from thaidigest.normalise import normalise_article
from thaidigest.partners import (
    DECIDING_FILES,
    OPENING_CHARS,
    feed_stem,
    feed_stems,
    files_digest,
    first_spellings,
    found_partners,
    names_a_region,
    partner_key,
    partner_table,
    partners,
    partners_digest,
)
from thaidigest.pipeline import ArticlePreparer, build_ingestor
from thaidigest.readers import read_jsonl_file
from thaidigest.store import SCHEMA_VERSION, Store

DEV = Path(__file__).resolve().parent / "data" / "partners"


def test_venue_of_a_meeting_is_not_a_partner_in_thai():
    title = "ดีอี ร่วมประชุมรัฐมนตรีเอเปคด้านดิจิทัล"
    body = (
        "นายประเสริฐ รัฐมนตรีว่าการกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม เข้าร่วมการประชุม"
        "รัฐมนตรีเอเปคด้านดิจิทัล ณ กรุงลิมา ประเทศเปรู เพื่อหารือความร่วมมือด้านเศรษฐกิจดิจิทัล"
    )
    assert partners(title, body) == ("org:APEC",)


def test_venue_of_a_meeting_is_not_a_partner_in_english():
    title = "Thailand joins the APEC Digital Ministerial Meeting"
    body = "The minister attended the APEC Digital Ministerial Meeting held in Lima, Peru."
    assert partners(title, body) == ("org:APEC",)


def test_a_party_named_right_after_at_is_a_venue():
    title = "กรุงไทย ร่วมกับ TFEX พัฒนาบริการบล็อกเชน"
    body = (
        "ธนาคารกรุงไทย ร่วมกับ TFEX พัฒนาบริการแลกเงินดอลลาร์บนบล็อกเชน "
        "ณ ตลาดหลักทรัพย์แห่งประเทศไทย ถนนรัชดาภิเษก"
    )
    assert partners(title, body) == ("company:Krungthai Bank", "company:TFEX")
    moved = body.replace("ณ ตลาดหลักทรัพย์", "ร่วมกับตลาดหลักทรัพย์")
    assert "company:SET" in partners(title, moved)  # a party, once not the venue
    banquet = body.replace(
        "ณ ตลาดหลักทรัพย์แห่งประเทศไทย ถนนรัชดาภิเษก", "ณ ห้องจัดเลี้ยง ชั้น 1 อาคาร 9 บมจ.โทรคมนาคมแห่งชาติ"
    )
    assert "company:NT" not in partners(title, banquet)


def test_a_companys_owner_is_not_a_partner():
    title = "ดีอี หารือบริษัทผู้ให้บริการศูนย์ข้อมูล"
    body = (
        "ปลัดกระทรวงดิจิทัลฯ หารือกับ บริษัท ควอตซ์ คอมพิวติ้ง จำกัด ในเครือ Google "
        "และ การ์ดเอกซ์ ในเครือบริษัท เอสซีบี เอกซ์ ว่าด้วยการลงทุนศูนย์ข้อมูล"
    )
    assert "company:Google" not in partners(title, body)
    assert "company:SCBX" not in partners(title, body)
    assert "company:Google" in partners(title, body.replace("ในเครือ Google", "และ Google"))
    venture = (
        "บีโอไอ อนุมัติส่งเสริมการลงทุนศูนย์ข้อมูลของบริษัท เอบีซี ดาต้า เซ็นเตอร์ จำกัด "
        "ซึ่งเป็นบริษัทร่วมทุนระหว่างกลุ่ม Gulf, Singapore Telecommunications และ AIS"
    )
    found = partners("บีโอไอ หนุนลงทุน Data Center", venture)
    assert not {"company:Gulf", "company:Singtel", "company:AIS"} & set(found)
    assert "company:AIS" in partners("บีโอไอ ร่วมกับ AIS หนุนลงทุน Data Center", venture)


def test_a_forums_event_as_the_time_of_the_news_is_not_a_partner():
    title = "นายกฯ หารือนายกรัฐมนตรีเช็ก ด้านเศรษฐกิจดิจิทัล"
    body = (
        "นายกรัฐมนตรีหารือกับนายกรัฐมนตรีสาธารณรัฐเช็ก ในช่วงการประชุมอาเซียน-อียู สมัยพิเศษ "
        "เรื่องความร่วมมือด้านเศรษฐกิจดิจิทัล"
    )
    assert "org:ASEAN" not in partners(title, body)
    assert "org:ASEAN" in partners(title, body.replace("ในช่วงการประชุม", "ร่วมกับ"))
    leaders = (
        "นายกรัฐมนตรีหารือกับประธานเจ้าหน้าที่บริหาร บริษัท Google ในระหว่างเข้าร่วมการประชุม"
        "ผู้นำเขตเศรษฐกิจเอเปค ครั้งที่ 30 ที่กรุงเทพมหานคร"
    )
    assert partners("นายกฯ หารือ Google ด้านการลงทุน", leaders) == ("company:Google",)


def test_a_platform_used_as_the_channel_is_not_a_partner():
    title = "ดีอี เปิดบริการแจ้งเตือนภัยมิจฉาชีพ"
    body = (
        "รัฐมนตรีโพสต์ข้อความผ่านเฟซบุ๊ก ว่า บริการใหม่อยู่บน LINE Official BAAC Family "
        "ติดตามได้ที่ LINE OA : @baac และ Facebook Page: BAAC "
        "การหลอกลวงมักผ่านแพลตฟอร์มโซเชียลมีเดีย ทั้งเฟซบุ๊ก ไอจี ติ๊กต็อก และไลน์ "
        "ดาวน์โหลดผ่านแอปพลิเคชั่น LINE หรือที่ https://play.google.com/store/apps "
        "ประชุม via Cisco Webex"
    )
    assert partners(title, body) == ("company:BAAC",)  # named after a channel: still a party
    joint = body + "\nกระทรวงดิจิทัลฯ ลงนามความร่วมมือกับ ติ๊กต็อก ด้านความปลอดภัยออนไลน์"
    assert partners(title, joint) == ("company:BAAC", "company:TikTok")
    # A party right after a channel is judged on its own.
    assert partners("ดีอี ประชุมผ่านระบบ Zoom ร่วมกับ Microsoft", "") == ("company:Microsoft",)


def test_a_name_repeated_at_once_is_judged_as_its_first_mention():
    # The venue's owner, then its abbreviation: still the venue.
    title = "ดีอี ประชุมคณะทำงานความร่วมมือไทย-กัมพูชา"
    body = (
        "ปลัดกระทรวงดิจิทัลฯ ประชุมร่วมกับรัฐบาลกัมพูชา ณ ห้องประชุม 801 ชั้น 8 อาคารสำนักงานใหญ่ "
        "บริษัท โทรคมนาคมแห่งชาติ จำกัด (มหาชน) หรือ NT และผ่านระบบออนไลน์"
    )
    assert partners(title, body) == ("country:KH",)
    party = body.replace("ณ ห้องประชุม 801 ชั้น 8 อาคารสำนักงานใหญ่ ", "และ")
    assert partners(title, party) == ("company:NT", "country:KH")


def test_thailands_own_envoy_is_not_a_partner():
    title = "ดีอี ร่วมประชุม OSCE ว่าด้วยภัยหลอกลวงออนไลน์"
    body = (
        "ปลัดกระทรวงดิจิทัลฯ เข้าร่วมการประชุม OSCE Asian Partners for Cooperation Group "
        "โดยมีเอกอัครราชทูตไทยประจำสาธารณรัฐออสเตรีย และผู้แทนถาวรไทยประจำองค์การสหประชาชาติ "
        "เป็นประธานเปิดการประชุม"
    )
    assert partners(title, body) == ("org:OSCE",)
    english = "The Thai Ambassador to Austria opened the meeting with the OSCE Secretary General."
    assert partners("Thailand joins the OSCE conference on online scams", english) == ("org:OSCE",)


def test_where_a_company_or_an_expert_comes_from_is_not_a_partner():
    title = "บีโอไอเผย Equinix ผู้ให้บริการ Data Center จากสหรัฐอเมริกา ลงทุนในไทย"
    body = "ดาวเทียมสร้างโดยวิศวกรไทยร่วมกับผู้เชี่ยวชาญจากประเทศอังกฤษ เป็นเวลากว่า 2 ปี"
    assert partners(title, body) == ("company:Equinix",)
    envoy = "ดีอี หารือผู้แทนจากสหรัฐอเมริกา ด้านความปลอดภัยไซเบอร์"
    assert partners(envoy, body) == ("country:US",)


def test_a_region_and_a_trade_are_not_partners():
    title = "ดีอี ผนึกกำลัง Huawei ตั้งเป้าไทยศูนย์กลาง Cloud-AI อาเซียน"
    body = "บริษัท Data Center ชั้นนำระดับโลก ลงทุนในไทย"
    assert partners(title, body) == ("company:Huawei",)
    joint = "ดีอี จัดตั้งศูนย์กลางข้อมูลระดับภูมิภาค ร่วมกับอาเซียน"
    assert partners(joint, body) == ("org:ASEAN",)


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("หนุนไทยสู่ฮับเศรษฐกิจดิจิทัลในภูมิภาคอาเซียน พร้อมผลักดัน", True),
        ("ช่วยเหลือกลุ่ม MSMEs ในอาเซียนกลางวง", True),
        ("ตั้งเป้าไทยศูนย์กลาง Cloud-AI อาเซียน", True),
        ("Thailand as the ASEAN Digital Hub", True),
        ("investment across the ASEAN region", True),
        ("ดีอี จัดตั้งศูนย์กลางข้อมูลระดับภูมิภาค ร่วมกับอาเซียน", False),
        ("การประชุมรัฐมนตรีดิจิทัลอาเซียน ครั้งที่ 5", False),
        ("The 6th ASEAN-Japan Smart Cities Network", False),
    ],
)
def test_a_forum_named_for_its_region_or_a_hub(text: str, region: bool):
    name = re.search("อาเซียน|ASEAN", text)
    assert names_a_region(text, *name.span()) is region


def test_gds_is_one_partner_however_the_news_names_it():
    # 89901: the holding company and its international arm, each named in full and short.
    title = "นายกฯ แพทองธาร หารือบริษัท GDS International พร้อมลงทุน Data Center"
    body = (
        "นายกรัฐมนตรี ให้การต้อนรับ Mr. William Huang ผู้ก่อตั้ง ประธาน และประธานเจ้าหน้าที่บริหาร"
        "ของบริษัท GDS Holdings และ Ms. Jamie Gee Choo Khoo ประธานของบริษัท GDS International (GDSI)"
        "\nนายกรัฐมนตรียินดีกับแนวทางการลงทุนของบริษัท GDSI"
    )
    assert partners(title, body) == ("company:GDS",)
    # 89764: "two data-centre projects of companies of the Google and GDS groups"
    bois = "บีโอไอเคาะลงทุน Data Center 6 หมื่นล้าน"
    projects = "ลงทุน Data Center 2 โครงการใหญ่ ของบริษัทในเครือ Google และ GDS มูลค่ารวมกว่า 6 หมื่นล้านบาท"
    assert "company:GDS" in partners(bois, projects)
    # 61518: an index of sustainable destinations, not the company
    index = "กรุงเทพฯ ได้คะแนนจาก Global Destination Sustainability Index (GDS-Index)"
    assert partners("กรุงเทพฯ ได้รับรางวัล", index) == ()


def test_a_company_named_among_another_companys_products_is_not_a_partner():
    # 90248: Google's vice-president on its products; YouTube is one of them.
    title = "บิ๊ก Google ยืนยันมั่นใจจะร่วมมือด้านดิจิทัล-คลาวด์-AI กับไทย"
    body = (
        "รองประธานบริษัท ฯ ยังกล่าวภูมิใจที่สินค้าและบริการของ google เช่น ระบบการค้นหา (Search"
        " engine) แผนที่ (Google map) ซึ่งเป็นบริการไม่มีค่าใช้จ่าย และ YouTube ซึ่งคนไทยในทุกระดับ"
        "ได้ใช้ประโยชน์"
    )
    assert partners(title, body) == ("company:Google",)
    assert partners("ดีอี หารือ YouTube เร่งลบคลิปผิดกฎหมาย", "") == ("company:YouTube",)
    providers = "ผู้ให้บริการของไทย เช่น AIS และ True ร่วมลงนาม"  # providers, not products
    assert partners("ดีอี ลงนามความร่วมมือ", providers) == ("company:AIS", "company:True")


@pytest.mark.parametrize(
    ("title", "partner"),
    [
        ("“กรุงไทย” ปิดบิ๊กดีล! ผนึก“เอคเซนเชอร์” ตั้งบริษัทร่วมทุน สร้าง“Digital Talents”", "Accenture"),
        (
            "ผู้ช่วยปลัดเกษตรฯ ร่วมเวทีอภิปราย ภายใต้การจัดของ AOTS ( Association of Overseas"
            " Technical Cooperation and Sustainable Partnerships) ประเทศญี่ปุ่น",
            "AOTS",
        ),
        ("อว. จับมือหน่วยงานพันธมิตรอย่าง Cabinet office of Japan, ISPACE", "ispace"),
    ],
)
def test_well_known_partners_are_named(title: str, partner: str):
    assert f"company:{partner}" in partners(title, "")


def test_a_border_crossing_is_not_a_partner():
    title = "ดีอี-ตร. ทลายเครือข่ายอินเทอร์เน็ตข้ามแดนไทยไปกัมพูชา"
    assert partners(title, "") == ()
    assert partners("ดีอี หารือกัมพูชา ด้านอินเทอร์เน็ต", "") == ("country:KH",)


def test_bilateral_talks_during_a_forums_meeting_are_not_with_the_forum():
    title = "ดีอี หารือทวิภาคี ไทย-กัมพูชา ในห้วงการประชุมรัฐมนตรีสารนิเทศอาเซียน ครั้งที่ 16"
    body = "ผู้แทนไทยหารือกับรัฐมนตรีกัมพูชา เรื่องความร่วมมือแก้ปัญหาข่าวปลอม"
    assert partners(title, body) == ("country:KH",)
    assert "org:ASEAN" in partners(title.replace("ในห้วงการประชุม", "และการประชุม"), body)


def test_country_hosting_talks_with_its_government_is_a_partner():
    # Same country as a venue and as a party: the party wins.
    title = "ดีอี หารือทวิภาคีกับญี่ปุ่น"
    body = (
        "ปลัดกระทรวงดิจิทัลฯ หารือกับรัฐมนตรีกระทรวงกิจการภายในและการสื่อสารของญี่ปุ่น "
        "ณ กรุงโตเกียว ประเทศญี่ปุ่น ว่าด้วยความร่วมมือด้านปัญญาประดิษฐ์"
    )
    assert partners(title, body) == ("country:JP",)


def test_an_envoys_post_and_a_venue_are_read_in_any_case_and_without_at():
    # "Thai Ambassador to" in capitals; a room named without ณ (at) before the party.
    title = "Thailand joins the OSCE conference on online scams"
    capitals = "THE THAI AMBASSADOR TO AUSTRIA opened the meeting with the OSCE Secretary General."
    assert partners(title, capitals) == ("org:OSCE",)
    envoy = "The ambassador of Austria opened the meeting with the OSCE Secretary General."
    assert partners(title, envoy) == ("country:AT", "org:OSCE")
    title = "ดีอี จัดสัมมนาความปลอดภัยไซเบอร์"
    assert partners(title, "กระทรวงดิจิทัลฯ จัดสัมมนาที่ห้องประชุม Microsoft") == ()
    assert partners(title, "กระทรวงดิจิทัลฯ จัดสัมมนากับ Microsoft") == ("company:Microsoft",)


def test_members_of_a_multilateral_meeting_are_not_listed_one_by_one():
    title = "ดีอี เปิดประชุมรัฐมนตรีอาเซียนด้านดิจิทัล ครั้งที่ 5"
    body = (
        "การประชุมรัฐมนตรีอาเซียนด้านดิจิทัล (ADGMIN) มีผู้แทนจากบรูไน กัมพูชา อินโดนีเซีย "
        "สปป.ลาว มาเลเซีย เมียนมา ฟิลิปปินส์ สิงคโปร์ และเวียดนาม เข้าร่วม"
    )
    assert partners(title, body) == ("org:ASEAN",)


def test_member_of_a_forum_named_alone_in_the_opening_is_not_a_partner():
    title = "ดีอี ร่วมประชุมเจ้าหน้าที่อาวุโส แผนงาน IMT-GT"
    body = "คณะผู้แทนไทยร่วมประชุมแผนงาน IMT-GT โดยมาเลเซียเป็นประธานการประชุม IMT-GT ครั้งนี้"
    assert partners(title, body) == ("org:IMT-GT",)


def test_two_other_countries_as_the_sides_between_them_are_not_partners():
    # Thailand is neither side of what lies between two other countries.
    title = "กรุงไทย เปิดบริการซื้อขายทองออนไลน์ผ่านแอป"
    body = (
        "ธนาคารกรุงไทยเปิดบริการซื้อขายทองคำผ่านแอป ยอดผู้ใช้เพิ่มขึ้นจากความขัดแย้งระหว่าง"
        "รัสเซียกับยูเครน และความตึงเครียดทางการค้าระหว่างสหรัฐฯ และจีน"
    )
    assert partners(title, body) == ("company:Krungthai Bank",)
    title = "Krungthai opens an online gold trading service"
    body = (
        "Krungthai Bank opened online gold trading. Its president cited the conflict between "
        "Russia and Ukraine and the trade tension between the United States and China."
    )
    assert partners(title, body) == ("company:Krungthai Bank",)


def test_countries_between_which_thailand_stands_are_partners():
    body = "ลงนามความร่วมมือไตรภาคีระหว่างจีน-ลาว-ไทย ด้านการค้าดิจิทัล"
    assert partners("ดีอี ร่วมประชุมไตรภาคีด้านการค้าดิจิทัล", body) == ("country:CN", "country:LA")


def test_a_country_between_which_and_thailand_a_memorandum_is_signed_is_a_partner():
    body = "The memorandum between Japan and Thailand on digital trade was signed today."
    assert partners("MDES signs a digital trade memorandum", body) == ("country:JP",)
    # Without a cooperation's cue, "between" names no party.
    body = "The gap between Japan and Thailand in digital skills is narrowing."
    assert partners("MDES reports on digital skills", body) == ()


def test_countries_listed_with_thailand_as_the_sides_of_a_cooperation_are_partners():
    # Three or more countries with Thailand among them, after a cooperation's or a signing's cue,
    # are its partners, not a forum's members.
    title = "ดีอี ร่วมประชุมด้านการค้าดิจิทัล"
    for body in (
        "ดีอีร่วมประชุมความร่วมมือไตรภาคีระหว่างญี่ปุ่น เกาหลีใต้ และไทย ด้านการค้าดิจิทัล",
        "ความร่วมมือระหว่าง ไทย ญี่ปุ่น เกาหลีใต้ ด้านการค้าดิจิทัล",
        "ดีอีลงนามบันทึกความเข้าใจด้านการค้าดิจิทัลระหว่างญี่ปุ่น เกาหลีใต้ และไทย",
    ):
        assert partners(title, body) == ("country:JP", "country:KR"), body
    assert partners("ความร่วมมือไตรภาคีระหว่างญี่ปุ่น เกาหลีใต้ และไทย", "") == (
        "country:JP",
        "country:KR",
    )
    body = "MDES signed a trilateral memorandum between Japan, South Korea and Thailand."
    assert partners("MDES signs a trilateral memorandum", body) == ("country:JP", "country:KR")
    # A link between them is no cooperation: a list of three stays a list.
    body = "ดีอีหารือการเชื่อมโยงทางรถไฟระหว่างไทย ลาว และจีน ด้านระบบดิจิทัล"
    assert partners(title, body) == ()


def test_a_forum_s_members_listed_with_thailand_are_not_listed_one_by_one():
    title = "ดีอี เปิดประชุมรัฐมนตรีอาเซียนด้านดิจิทัล ครั้งที่ 5"
    body = (
        "การประชุมรัฐมนตรีอาเซียนด้านดิจิทัล (ADGMIN) ว่าด้วยความร่วมมือระหว่างบรูไน กัมพูชา "
        "อินโดนีเซีย สปป.ลาว มาเลเซีย เมียนมา ฟิลิปปินส์ สิงคโปร์ เวียดนาม และไทย ด้านดิจิทัล"
    )
    assert partners(title, body) == ("org:ASEAN",)
    title = "MDES opens the 5th ASEAN Digital Ministers' Meeting"
    body = (
        "Ministers from Brunei, Cambodia, Indonesia, Laos, Malaysia, Myanmar, the Philippines, "
        "Singapore, Vietnam and Thailand attended the ASEAN Digital Ministers' Meeting."
    )
    assert partners(title, body) == ("org:ASEAN",)


ASEAN_MEMBERS_TH = "บรูไน กัมพูชา อินโดนีเซีย สปป.ลาว มาเลเซีย เมียนมา ฟิลิปปินส์ สิงคโปร์ เวียดนาม และไทย"
ASEAN_MEMBERS_EN = (
    "Brunei, Cambodia, Indonesia, Laos, Malaysia, Myanmar, the Philippines, Singapore, Vietnam "
    "and Thailand"
)


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        # The forum named in the headline only, its members after a cooperation's cue.
        (
            "MDES hosts the 5th ADGMIN",
            f"Ministers of {ASEAN_MEMBERS_EN} attended. They reaffirmed digital cooperation "
            f"between {ASEAN_MEMBERS_EN}.",
            ("org:ASEAN",),
        ),
        (
            "ดีอี เปิดประชุมรัฐมนตรีอาเซียนด้านดิจิทัล ครั้งที่ 5",
            f"การประชุมครั้งนี้ว่าด้วยความร่วมมือระหว่าง{ASEAN_MEMBERS_TH} ด้านดิจิทัล",
            ("org:ASEAN",),
        ),
        (
            "ดีอี ร่วมประชุมรัฐมนตรีดิจิทัลอาเซียน-ญี่ปุ่น",
            f"ที่ประชุมยืนยันความร่วมมือระหว่างญี่ปุ่น {ASEAN_MEMBERS_TH}",
            ("country:JP", "org:ASEAN"),
        ),
        (
            "ดีอี ลงนามความร่วมมือระหว่างไทย ลาว กัมพูชา และเมียนมา ในการประชุม ACMECS",
            "ดีอีร่วมประชุม",
            ("org:ACMECS",),
        ),
        # Forums the table lists no members for, named beside their members or in the headline.
        (
            "ดีอี ร่วมประชุมกรอบความร่วมมือแม่โขง-ล้านช้าง",
            "กรอบความร่วมมือแม่โขง-ล้านช้างระหว่างจีน กัมพูชา ลาว เมียนมา ไทย และเวียดนาม ด้านเศรษฐกิจดิจิทัล",
            ("org:Mekong-Lancang",),
        ),
        (
            "ดีอี ร่วมประชุม BIMSTEC",
            "ความร่วมมือระหว่างบังกลาเทศ ภูฏาน อินเดีย เมียนมา เนปาล ศรีลังกา และไทย ด้านดิจิทัล",
            ("org:BIMSTEC",),
        ),
        (
            "ดีอี ร่วมประชุม ACMECS",
            "ยุทธศาสตร์ความร่วมมือทางเศรษฐกิจระหว่างกัมพูชา ลาว เมียนมา เวียดนาม และไทย ด้านดิจิทัล",
            ("org:ACMECS",),
        ),
        (
            "ดีอี ร่วมประชุมอนุภูมิภาคลุ่มแม่น้ำโขง 6 ประเทศ",
            "ความร่วมมือระหว่างกัมพูชา จีน ลาว เมียนมา ไทย และเวียดนาม ด้านเศรษฐกิจดิจิทัล",
            ("org:GMS",),
        ),
        (
            "MDES joins the BIMSTEC digital ministers' meeting",
            "The ministers discussed cooperation between Bangladesh, Bhutan, India, Myanmar, "
            "Nepal, Sri Lanka and Thailand on digital trade.",
            ("org:BIMSTEC",),
        ),
        (
            "MDES joins the Mekong-Lancang digital meeting",
            "The meeting covers cooperation between China, Cambodia, Laos, Myanmar, Thailand and "
            "Vietnam on the digital economy.",
            ("org:Mekong-Lancang",),
        ),
        # Three sides, two of them the members of the forum the headline names.
        (
            "ดีอี ร่วมประชุม IMT-GT",
            "ความร่วมมือระหว่างอินโดนีเซีย มาเลเซีย และไทย ด้านเศรษฐกิจดิจิทัล",
            ("org:IMT-GT",),
        ),
    ],
)
def test_a_forum_s_members_after_a_cooperation_s_cue_are_not_listed_one_by_one(
    title: str, body: str, expected: tuple[str, ...]
):
    # More than two others with Thailand are a forum's members, named beside them or not; two
    # are, when members of a forum named in the headline or the opening.
    assert partners(title, body) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # China and Korea begin the next clause: witnesses, or signing next year.
        ("ดีอีลงนามความร่วมมือระหว่างไทยกับญี่ปุ่น จีน และเกาหลีใต้ร่วมเป็นสักขีพยาน", ("country:JP",)),
        ("ดีอีลงนามความร่วมมือระหว่างไทยและญี่ปุ่น จีนและเกาหลีใต้จะลงนามในปีหน้า", ("country:JP",)),
        (
            "ดีอีลงนามบันทึกความเข้าใจระหว่างไทยกับญี่ปุ่น สิงคโปร์ และมาเลเซียก็สนใจเข้าร่วม",
            ("country:JP",),
        ),
        # Thailand, Myanmar and Cambodia will join later: China and Laos sign between them.
        ("ลงนามบันทึกความเข้าใจระหว่างจีนและลาว ไทย เมียนมา และกัมพูชาจะเข้าร่วมในระยะต่อไป", ()),
    ],
)
def test_a_list_s_spaces_come_before_its_last_separator_not_after(
    body: str, expected: tuple[str, ...]
):
    assert partners("ดีอี ข่าว", body) == expected


def test_sides_with_spaces_alone_are_a_list_only_when_the_last_ends_a_word():
    body = "ความร่วมมือระหว่างไทย ญี่ปุ่น จีนก็ได้เสนอความร่วมมือด้านดิจิทัลเช่นกัน"
    assert "country:CN" not in partners("ดีอี ข่าว", body)  # China's offer begins a clause
    body = "ความร่วมมือระหว่าง ไทย ญี่ปุ่น เกาหลีใต้ ด้านการค้าดิจิทัล"
    assert partners("ดีอี ข่าว", body) == ("country:JP", "country:KR")


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("MDES news", "The agreement between Cambodia and Thailand was cancelled by Bangkok."),
        ("MDES news", "The dispute over the agreement between Cambodia and Thailand deepened."),
        (
            "MDES news",
            "MDES discussed the lack of cooperation between Thailand, Cambodia and Myanmar on scam "
            "centres.",
        ),
        (
            "ดีอี ยกเลิกความร่วมมือ",
            "ดีอียุติความร่วมมือระหว่างไทย กัมพูชา และเมียนมา ด้านการหลอกลวงออนไลน์ หลังเหตุปะทะชายแดน",
        ),
        ("ดีอี ข่าว", "ละเมิดข้อตกลงหยุดยิงระหว่างไทย กัมพูชา และมาเลเซีย"),
    ],
)
def test_a_cooperation_broken_off_lacking_or_in_dispute_names_no_partner(title: str, body: str):
    assert partners(title, body) == ()


def test_a_cooperation_signed_or_settling_disputes_names_its_sides():
    # The counterparts of the broken-off cases above: the same sides, the deal made.
    body = "ดีอีลงนามความร่วมมือระหว่างไทย กัมพูชา และเมียนมา ด้านการหลอกลวงออนไลน์"
    assert partners("ดีอี ข่าว", body) == ("country:KH", "country:MM")
    body = "The agreement between Cambodia and Thailand on e-commerce was signed by both ministers."
    assert partners("MDES news", body) == ("country:KH",)
    body = "ความตกลงว่าด้วยการระงับข้อพิพาทระหว่างไทย ญี่ปุ่น และเกาหลีใต้ ด้านการค้าดิจิทัล"
    assert partners("ดีอี ข่าว", body) == ("country:JP", "country:KR")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("MoU signed between Japan and Thailand on digital trade.", ("country:JP",)),
        ("A memorandum was signed between Japan and Thailand on digital trade.", ("country:JP",)),
        (
            "A memorandum between the governments of Japan, South Korea and Thailand was signed.",
            ("country:JP", "country:KR"),
        ),
    ],
)
def test_an_english_signing_between_japan_and_thailand_names_japan(
    body: str, expected: tuple[str, ...]
):
    assert partners("MDES signs a memorandum", body) == expected


def test_the_thai_side_listed_after_them_keeps_the_countries_between_which_it_stands():
    # Thailand listed apart from the two, in any form or as the ministry, is one of the sides.
    title = "ดีอี หารือแผนงานการค้าดิจิทัล"
    for body in (
        "แผนงานระหว่างจีนและลาว กับรัฐบาลไทย ครอบคลุมการค้าดิจิทัล",
        "แผนงานระหว่างจีนและลาว รวมถึงไทย ครอบคลุมการค้าดิจิทัล",
        "แผนงานระหว่างจีนและลาว กับฝ่ายไทย ครอบคลุมการค้าดิจิทัล",
    ):
        assert partners(title, body) == ("country:CN", "country:LA"), body
    body = "แผนงานระหว่างญี่ปุ่น-สิงคโปร์ และกระทรวงดิจิทัลฯ ด้านการค้าดิจิทัล"
    assert partners(title, body) == ("country:JP", "country:SG")
    # Thailand named further on in the sentence is not a side.
    body = "ความขัดแย้งระหว่างอิสราเอลและอิหร่านต่อเศรษฐกิจไทย ทำให้คนไทยหันมาซื้อทองผ่านแอป"
    assert partners("กรุงไทย เปิดบริการซื้อขายทองออนไลน์", body) == ("company:Krungthai Bank",)


def test_countries_a_memorandum_between_them_names_are_partners():
    # A signing between them: Thailand signs too, even named apart from them.
    title = "ดีอี ร่วมลงนามการค้าดิจิทัล"
    body = "บันทึกความเข้าใจระหว่างจีนและลาว กับรัฐบาลไทย ครอบคลุมการค้าดิจิทัล"
    assert partners(title, body) == ("country:CN", "country:LA")
    body = "ดีอีร่วมพิธีลงนามบันทึกความเข้าใจระหว่างญี่ปุ่นกับสิงคโปร์ ด้านการค้าดิจิทัล"
    assert partners(title, body) == ("country:JP", "country:SG")


def test_a_list_between_which_thailand_stands_is_kept_whole():
    body = "แผนงานระหว่างญี่ปุ่น-เกาหลีใต้-จีน-ไทย ด้านดิจิทัล"
    assert partners("ดีอี หารือแผนงานดิจิทัล", body) == ("country:CN", "country:JP", "country:KR")


def test_thai_and_english_spellings_name_the_same_partner():
    thai = partners("ดีอี จับมือ หัวเว่ย และญี่ปุ่น ร่วมกับอาเซียน", "")
    english = partners("MDES teams up with Huawei and Japan, with ASEAN", "")
    assert thai == english == ("company:Huawei", "country:JP", "org:ASEAN")


def test_company_named_only_in_thai_script():
    title = "ดีอี - ไมโครซอฟท์ เปิดตัวโครงการยกระดับทักษะ AI ให้คนไทย"
    body = "กระทรวงดิจิทัลฯ ร่วมกับ ไมโครซอฟท์ ประเทศไทย และกูเกิล จัดอบรมทักษะดิจิทัล"
    assert partners(title, body) == ("company:Google", "company:Microsoft")


def test_foreign_company_country_is_not_a_partner():
    body = "แพลตฟอร์ม TradeWaltz ของประเทศญี่ปุ่น และ PayPal Pte Ltd (Singapore) ร่วมทดสอบระบบ"
    assert partners("ดีอี ทดสอบแพลตฟอร์มการค้าดิจิทัล", body) == (
        "company:PayPal",
        "company:TradeWaltz",
    )


def test_thai_side_and_words_that_contain_a_name_are_not_partners():
    title = "ดีอี จับมือ สธ. พัฒนาระบบคลาวด์กลางภาครัฐ ของประเทศไทย"
    body = (
        "นางลาวัณย์ ผู้อำนวยการ กล่าวว่า ระบบคลาวด์จะรองรับภาษาจีนและภาษาอังกฤษ "
        "ตามคำแนะนำของผู้เชี่ยวชาญ who said the system works, มูลค่า 5 ล้านดอลลาร์สหรัฐ"
    )
    assert partners(title, body) == ()


def test_a_thai_name_before_a_vowel_that_opens_its_last_syllable_is_not_a_name():
    # จีน in จีนะวิจารณะ (a deputy minister's name, in 60 articles of the corpus) and จีนา (Gina),
    # ลาว in กมลาวาส and พวงมาลาวาง: the name's last consonant starts the next syllable.
    for title in (
        "ดีอี ร่วมกับ นายกฤษฎา จีนะวิจารณะ รัฐมนตรีช่วยว่าการกระทรวงการคลัง",
        "รมว.ดีอี หารือร่วมกับ นางจีนา เรมอนโด ด้านดิจิทัล",
        "วธ. ร่วมกับวัดมังกรกมลาวาส จัดพิธี",
        "ร่วมกับ จีนำเข้า",
    ):
        assert partners(title, "") == (), title
    assert partners("ดีอี ร่วมกับ จีน และลาว", "") == ("country:CN", "country:LA")


def test_border_and_passing_mentions_are_not_partners():
    title = "รมว.ดีอี ตรวจเสาสัญญาณ ชายแดนไทย-กัมพูชา"
    body = "สงครามรัสเซีย-ยูเครนกดดันเศรษฐกิจโลก ผู้ประกอบการจึงเร่งใช้อีคอมเมิร์ซ"
    assert partners(title, body) == ()


def test_only_the_opening_is_read():
    body = "ดีอี หารือแนวทางพัฒนาบริการดิจิทัล " * 60 + " ร่วมกับกูเกิล"
    assert len(body) > OPENING_CHARS
    assert partners("ดีอี ประชุมคณะทำงาน", body) == ()
    assert partners("ดีอี ประชุมคณะทำงาน", "ร่วมกับกูเกิล " + body) == ("company:Google",)
    lead = "ก" * (OPENING_CHARS - len("ร่วมกับกระทรวงการสื่อสารของซาอุดีอา") - 1) + " "
    cut = lead + "ร่วมกับกระทรวงการสื่อสารของซาอุดีอาระเบีย เพื่อพัฒนาเศรษฐกิจดิจิทัล"
    assert cut[:OPENING_CHARS].endswith("ซาอุดีอา")  # the limit falls inside the name
    assert partners("ดีอี ประชุมคณะทำงาน", cut) == ("country:SA",)


def test_user_table_adds_a_partner_and_a_spelling():
    user = """
[countries]
JP = ["แดนอาทิตย์อุทัย"]

[[partner]]
id = "company:Acme Cloud"
th = ["แอคมี่ คลาวด์"]
en = ["Acme Cloud"]

[[partner]]
id = "company:Huawei"
th = ["หัวเหวย"]
"""
    table = partner_table(user)
    title = "ดีอี จับมือ แอคมี่ คลาวด์ และหัวเหวย ร่วมกับรัฐบาลแดนอาทิตย์อุทัย"
    assert partners(title, "", table) == ("company:Acme Cloud", "company:Huawei", "country:JP")
    assert partners("MDES signs with Acme Cloud", "", table) == ("company:Acme Cloud",)
    # The packaged table is unchanged.
    assert partners(title, "") == ()


def test_true_in_latin_script_is_the_company_only_as_a_name_in_thai_text():
    # Article 67249: the operators invited, in Thai text.
    operators = "โดยได้เชิญผู้ให้บริการด้านโทรคมนาคม อาทิ True, DTAC, AWN และ NT"
    assert "company:True" in partners("ดีอี ลงนามความร่วมมือ", operators)
    assert partners("ดีอี ร่วมกับ AIS และ True ทลายแก๊ง", "") == ("company:AIS", "company:True")
    # Not the English word, nor a product or a hall of True's, nor another case.
    for title in (
        "True development must be carried out together",
        "ดีอี ร่วมกับ True Food ขยายช่องทางการจำหน่าย",
        "ดีอี ร่วมกับ True development ขยายช่องทาง",
        "ดีอี ร่วมกับ true และ AIS",
        "ดีอี ร่วมกับ TRUE และ AIS",
    ):
        found = partners(title, "")
        assert ("company:True" in found) == ("TRUE" in title), title


def test_a_users_table_may_add_cased_names():
    user = '[[partner]]\nid = "company:Acme Cloud"\ncased = ["Acme"]'
    table = partner_table(user)
    assert partners("ดีอี ร่วมกับ Acme และ AIS", "", table) == ("company:AIS", "company:Acme Cloud")
    assert partners("ดีอี ร่วมกับ acme และ AIS", "", table) == ("company:AIS",)
    assert partners("Acme and AIS sign an MoU", "", table) == ("company:AIS",)


@pytest.mark.parametrize(
    "text",
    [
        '[[partner]]\nid = "Acme"\nen = ["Acme"]',  # no kind
        '[[partner]]\nid = "vendor:Acme"\nen = ["Acme"]',  # unknown kind
        '[[partner]]\nen = ["Acme"]',  # no id
        '[[partner]]\nid = "company:Acme"\nname = "Acme"',  # unknown field
        '[vendors]\nAcme = ["Acme"]',  # unknown table
        # Another spelling of a packaged id ("company:ASEAN BAC"): one feed file for two.
        '[[partner]]\nid = "company:ASEAN-BAC"\nen = ["ASEAN Business Advisory Council"]',
        # Two ids of one name written two ways: one partner.
        '[[partner]]\nid = "company:Acme Cloud"\nen = ["Acme"]\n'
        '[[partner]]\nid = "company:AcmeCloud"\nen = ["AcmeCloud"]',
    ],
)
def test_bad_user_table_is_refused(text):
    with pytest.raises(ValueError):
        partner_table(text)


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        # A string where a list of names belongs: each of its characters would be a name.
        ('[countries]\nFI = "ฟินแลนด์"', '[countries] FI: must be a list, not "ฟินแลนด์"'),
        (
            '[[partner]]\nid = "company:Acme"\nth = "แอคมี่"',
            "partner 'company:Acme': th: must be a list, not \"แอคมี่\"",
        ),
        (
            '[[partner]]\nid = "company:Acme"\nen = "Acme Cloud"',
            "partner 'company:Acme': en: must be a list, not \"Acme Cloud\"",
        ),
        (
            '[[partner]]\nid = "company:Acme"\ncased = "Acme"',
            "partner 'company:Acme': cased: must be a list, not \"Acme\"",
        ),
        (
            '[[partner]]\nid = "org:Mekong"\nmultilateral = true\nmembers = "LA"',
            "partner 'org:Mekong': members: must be a list, not \"LA\"",
        ),
        (
            '[[partner]]\nid = "company:Acme"\nen = ["Acme", 7]',
            "partner 'company:Acme': en: each item must be a string, not 7",
        ),
        (
            '[[partner]]\nid = "company:Acme"\nen = [""]',
            "partner 'company:Acme': en: each item must not be blank, not \"\"",
        ),
        (
            '[[partner]]\nid = "org:Mekong"\nmultilateral = "yes"',
            "partner 'org:Mekong': multilateral: must be true or false, not \"yes\"",
        ),
        ("[[partner]]\nid = 5", "partners file: id: must be a string, not 5"),
        ("partner = 1", "partner: must be a list, not 1 ([[partner]] tables)"),
        ("countries = 1", "[countries]: must be a table, not 1"),
        # Country codes are ISO 3166-1 alpha-2, as pycountry lists them.
        ('[countries]\nZZ = ["ซีซี"]', '[countries]: "ZZ" is not an ISO 3166-1 alpha-2 country code'),
        (
            '[countries]\nJPN = ["ยุ่น"]',
            '[countries]: "JPN" is not an ISO 3166-1 alpha-2 country code; did you mean JP?',
        ),
        (
            '[[partner]]\nid = "org:Mekong"\nmultilateral = true\nmembers = ["LA", "ZZ"]',
            "partner 'org:Mekong': members: each item \"ZZ\" is not an ISO 3166-1 alpha-2"
            " country code",
        ),
    ],
)
def test_a_partners_value_of_the_wrong_kind_is_refused_naming_its_key(text, refusal):
    with pytest.raises(ValueError) as refused:
        partner_table(text)
    assert str(refused.value) == refusal


@pytest.mark.parametrize(
    ("text", "refusal"),
    [
        (
            '[[partner]]\nid = "company:\\u200b"\nen = ["Acme"]',
            "partner id 'company:\\u200b': its name shows nothing (only white space or invisible"
            " characters): give it a name a reader can see",
        ),
        (
            '[[partner]]\nid = "company: \\u00a0"\nen = ["Acme"]',
            "partner id 'company: \\xa0': its name shows nothing (only white space or invisible"
            " characters): give it a name a reader can see",
        ),
        # é composed (NFC), and an e with a combining accent (NFD): one name to a reader.
        (
            '[[partner]]\nid = "company:Zenix\\u00e9"\nen = ["Zenix"]\n'
            '[[partner]]\nid = "company:Zenixe\\u0301"\nen = ["Zenixe"]',
            "partners 'company:Zenix\u00e9' and 'company:Zenixe\u0301' are one name written two"
            " ways: one composed (NFC), the other decomposed (NFD)",
        ),
    ],
)
def test_a_partner_id_a_reader_cannot_see_or_tell_apart_is_refused(text, refusal):
    with pytest.raises(ValueError) as refused:
        partner_table(text)
    assert str(refused.value) == refusal


def test_a_company_written_composed_and_decomposed_is_one_partner():
    composed, decomposed = "company:Zenix\u00e9 Cloud", "company:Zenixe\u0301 Cloud"
    assert partner_key(composed) == partner_key(decomposed)
    assert first_spellings([composed, decomposed]) == dict.fromkeys(
        (composed, decomposed), composed
    )


def test_a_country_code_in_lower_case_is_the_countrys():
    table = partner_table('[countries]\nfi = ["แดนพันทะเลสาบ"]')
    assert table.ids["แดนพันทะเลสาบ"] == "country:FI"


def test_feed_file_names_are_safe_and_apart():
    assert feed_stem("company:Thai Bankers' Association") == "company-thai-bankers-association"
    assert feed_stem("country:JP") == "country-jp"
    # Names in Thai script alone keep a name of their own, not "company".
    thai = [feed_stem("company:ไทยเบฟ"), feed_stem("company:ซีพี ออลล์")]
    assert len(set(thai)) == 2 and all(stem.startswith("company-") for stem in thai)
    assert all(len(stem) > len("company-") for stem in thai)


def test_a_company_written_in_other_case_or_punctuation_is_one_partner():
    spellings = ["company:Zenix Cloudworks", "company:ZENIX CLOUDWORKS", "company:Zenix-Cloudworks"]
    assert len({partner_key(partner) for partner in spellings}) == 1
    assert partner_key("company:Zenixé Cloudworks") != partner_key(spellings[0])
    assert partner_key("org:Zenix Cloudworks") != partner_key(spellings[0])
    # Named twice in one article: one partner, as first written.
    title = "ดีอี ลงนามกับบริษัท ZENIX CLOUDWORKS"
    body = "ความร่วมมือกับบริษัท Zenix-Cloudworks ด้านคลาวด์"
    assert partners(title, body) == ("company:ZENIX CLOUDWORKS",)
    # Across articles: the first seen spelling, for each later one.
    assert first_spellings([*spellings, "company:Acme", spellings[1]]) == {
        **dict.fromkeys(spellings, "company:Zenix Cloudworks"),
        "company:Acme": "company:Acme",
    }


def test_a_company_the_table_knows_keeps_the_tables_spelling():
    table = partner_table('[[partner]]\nid = "company:Zenix Cloudworks"\nth = ["เซนิกซ์"]')
    found = partners("ดีอี ลงนามกับบริษัท ZenixCloudworks ด้านคลาวด์", "", table)
    assert found == ("company:Zenix Cloudworks",)


def test_partners_whose_file_names_match_get_a_file_each_the_first_seen_the_plain_one():
    first, later = "company:Zenix Cloud", "company:Zenixé Cloud"
    assert feed_stem(first) == feed_stem(later) == "company-zenix-cloud"
    stems = feed_stems([first, later, "country:JP"])
    assert stems[first] == "company-zenix-cloud" and stems["country:JP"] == "country-jp"
    assert stems[later].startswith("company-zenix-cloud-")
    assert len(set(stems.values())) == 3
    assert feed_stems([first, later]) == {first: stems[first], later: stems[later]}  # stable
    # Even when a later name is spelled like another's hashed name.
    taken = feed_stems([first, later, f"company:{stems[later].removeprefix('company-')}"])
    assert len(set(taken.values())) == 3


def test_a_feed_named_by_a_hash_keeps_its_file_name_from_release_to_release():
    # Its subscribers' URL: the first hex digits of the SHA-256 of the id as UTF-8,
    # as `printf '%s' 'company:ไทยเบฟ' | sha256sum` prints them.
    assert feed_stem("company:ไทยเบฟ") == "company-bc0c34d5fd5f"
    later = "company:Zenix\u00e9 Cloud"  # after "company:Zenix Cloud", whose file it would share
    stems = feed_stems(["company:Zenix Cloud", later])
    assert stems[later] == "company-zenix-cloud-03c5bab1"


def test_the_packaged_table_lists_each_partner_once():
    # partner_table refuses an id listed twice; the packaged table must load.
    assert partner_table().ids


def _dev_set() -> tuple[dict[int, dict], dict[int, tuple[str, str]]]:
    labels = {}
    for line in (DEV / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        labels[record["id"]] = record
    texts = {}
    for item in read_jsonl_file(DEV / "articles.jsonl.xz"):
        assert not isinstance(item, Rejected)
        article = normalise_article(item)
        texts[int(item.source_id)] = (article.title, article.body)
    return labels, texts


def test_development_set_is_complete_and_well_formed():
    labels, texts = _dev_set()
    assert set(labels) == set(texts)
    assert {r["split"] for r in labels.values()} == {"train", "test"}
    assert {r["agreement"] for r in labels.values()} == {"2/2", "adjudicated"}
    for record in labels.values():
        for partner in record["partners"]:
            kind, _, name = partner.partition(":")
            assert kind in ("country", "org", "company") and name


def test_extraction_holds_its_figures_on_the_train_split():
    # A gate against regressions, on the split the names were tuned on (0.883 and
    # 0.812 when set, three rounds; 0.931 and 0.830 when raised, after the fourth; 0.91 and
    # 0.77 with the dev set's harder round 4, on which the rules first scored 0.827 and
    # 0.656, 0.916 and 0.781 in all after it; 0.935 and 0.78 when raised, at 0.943 and
    # 0.787 after the rules for its extra pairs; 0.925 and 0.78 at 0.927 and 0.787 after
    # six of those rules were taken out and one narrowed); the held-out figure is
    # bench/partners.py's.
    labels, texts = _dev_set()
    right = extra = missed = 0
    for key, record in labels.items():
        if record["split"] != "train":
            continue
        found = set(partners(*texts[key]))
        gold = set(record["partners"])
        right += len(found & gold)
        extra += len(found - gold)
        missed += len(gold - found)
    assert right / (right + extra) >= 0.925
    assert right / (right + missed) >= 0.78


def test_ingestor_stores_partners_with_the_users_table(store: Store, tmp_path: Path):
    table = tmp_path / "partners.toml"
    table.write_text('[[partner]]\nid = "company:Acme Cloud"\nth = ["แอคมี่ คลาวด์"]\n', "utf-8")
    ingestor = build_ingestor(store, config={"partners": {"file": str(table)}})
    raw = RawArticle(
        "https://www.thaigov.go.th/news/contents/details/99001",
        "thaigov",
        "ดีอี จับมือ แอคมี่ คลาวด์ และกูเกิล พัฒนาทักษะดิจิทัล",
        "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม ลงนามบันทึกความเข้าใจกับแอคมี่ คลาวด์ และกูเกิล",
    )
    assert ingestor.ingest([raw]).new == 1
    (row,) = list(store.iter_articles())
    assert json.loads(row["partners"]) == ["company:Acme Cloud", "company:Google"]
    assert export_record(row)["partners"] == ["company:Acme Cloud", "company:Google"]


def test_the_model_sees_the_packaged_partners_whatever_the_users_table_adds(tmp_path: Path):
    """A user's partner joins the article's ``partners``, not the model's inputs: the
    model was trained on what the packaged names find, and a stored verdict stays what
    the same model, rules and threshold give."""
    table = '[[partner]]\nid = "company:Acme Cloud"\nth = ["แอคมี่ คลาวด์"]\n'
    raw = RawArticle(
        "https://www.thaigov.go.th/news/contents/details/99001",
        "thaigov",
        "ดีอี จับมือ แอคมี่ คลาวด์ พัฒนาทักษะดิจิทัล",
        "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม ลงนามบันทึกความเข้าใจกับแอคมี่ คลาวด์",
    )
    packaged, users = ArticlePreparer()(raw), ArticlePreparer(user_partners=table)(raw)
    assert packaged.scored.partners == ()
    assert users.scored.partners == ("company:Acme Cloud",)
    assert users.scored.relevance == packaged.scored.relevance


def test_the_headline_partners_are_among_the_articles_partners():
    title = "ดีอี หารือกูเกิล พัฒนาทักษะดิจิทัล"
    body = "กระทรวงดิจิทัลฯ ร่วมกับกูเกิล และรัฐบาลญี่ปุ่น จัดอบรมทักษะดิจิทัล"
    found = found_partners(title, body)
    assert found.in_headline == ("company:Google",)
    assert found.ids == ("company:Google", "country:JP") == partners(title, body)
    assert found_partners("ดีอี ประชุมคณะทำงาน", body).in_headline == ()


def test_a_bad_partners_file_fails_before_anything_is_read(store: Store, tmp_path: Path):
    table = tmp_path / "partners.toml"
    table.write_text('[[partner]]\nid = "Acme"\n', "utf-8")
    with pytest.raises(ValueError, match="partner id"):
        build_ingestor(store, config={"partners": {"file": str(table)}})


def test_a_schema_1_database_gains_partners_for_its_articles(tmp_path: Path):
    path = tmp_path / "old.sqlite"
    Store(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as conn:  # the database as schema 1 left it
        conn.execute("ALTER TABLE articles DROP COLUMN partners")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        conn.execute(
            "INSERT INTO articles (url, source, title, body, language, extraction, content_hash,"
            " first_seen, last_changed, last_seen, versions, relevance, relevant, topics)"
            " VALUES ('https://x/1', 'thaigov', 'ดีอี หารือ หัวเว่ย', 'ร่วมกับหัวเว่ย', 'th',"
            " 'text', 'h', 't', 't', 't', 1, 0.9, 1, '[]')"
        )
    store = Store(f"sqlite:///{path}")
    try:
        (row,) = list(store.iter_articles())
        assert json.loads(row["partners"]) == ["company:Huawei"]
        with store.engine.connect() as conn:
            version = conn.exec_driver_sql("SELECT value FROM meta WHERE key = 'schema_version'")
            assert version.scalar() == str(SCHEMA_VERSION)
    finally:
        store.close()


def test_a_bank_whose_chief_speaks_for_an_association_is_not_a_partner():
    title = "ดีอี ลงนามความร่วมมือกับสมาคมธนาคารไทย สกัดบัญชีม้า"
    body = (
        "นายสมชาย ใจดี กรรมการผู้จัดการใหญ่ ธนาคารกรุงไทย จำกัด (มหาชน) ในฐานะประธานสมาคม"
        "ธนาคารไทย และนางสาวสมศรี รักดี ผู้บริหาร ธนาคารอาคารสงเคราะห์ (ธอส.) ผู้แทนสมาคม"
        "สถาบันการเงินของรัฐ ร่วมลงนามบันทึกความร่วมมือ"
    )
    found = partners(title, body)
    assert "company:Krungthai Bank" not in found and "company:GH Bank" not in found
    assert "company:Thai Bankers' Association" in found
    signed = body.replace("ในฐานะประธานสมาคมธนาคารไทย", "ร่วมกับสมาคมธนาคารไทย")
    assert "company:Krungthai Bank" in partners(title, signed)


def test_international_is_not_between_a_party_and_thailand():
    title = "ปลัดดีอี หารือธนาคารโลก พัฒนาเทคโนโลยีดิจิทัลในประเทศไทย"
    body = (
        "ปลัดกระทรวงดิจิทัลฯ หารือกับผู้แทนธนาคารโลก ถึงกฎหมายคุ้มครองข้อมูลส่วนบุคคล "
        "และความร่วมมือระหว่างประเทศของไทยในกรอบอาเซียน"
    )
    assert partners(title, body) == ("org:World Bank",)
    between = body.replace("ระหว่างประเทศของไทยในกรอบ", "ระหว่างไทยกับ")
    assert "org:ASEAN" in partners(title, between)
    health = (
        "ปลัดกระทรวงสาธารณสุขกล่าวว่า การประชุมเป็นโครงการภายใต้แผนความร่วมมือระหว่างประเทศของ"
        "องค์การอนามัยโลกและรัฐบาลไทย เพื่อพัฒนาระบบสุขภาพดิจิทัล"
    )
    assert partners("สธ. ระดมผู้เชี่ยวชาญพัฒนาสุขภาพดิจิทัล", health) == ("org:WHO",)


def test_a_platform_counted_for_its_unlawful_posts_is_not_a_partner():
    title = "ดีอีเอส ยื่นดำเนินคดี 350 ยูอาร์แอล โพสต์ผิดกฎหมาย"
    body = (
        "กระทรวงดิจิทัลฯ ยื่นร้องทุกข์ต่อผู้กระทำผิดรวม 350 ยูอาร์แอล แบ่งเป็น เฟซบุ๊ก 200 ยูอาร์แอล, "
        "ยูทูบ 50 ยูอาร์แอล, ทวิตเตอร์ 100 ยูอาร์แอล และพิสูจน์ตัวตนแล้ว 12 บัญชี แบ่งเป็น เฟซบุ๊ก 9 ราย "
        "และ ทวิตเตอร์ 3 ราย"
    )
    assert partners(title, body) == ()
    assert partners(title, body + "\nกระทรวงฯ หารือร่วมกับ ยูทูบ ถึงการลบเนื้อหา") == ("company:YouTube",)


@pytest.mark.parametrize(
    ("text", "partner", "not_partner"),
    [
        ("บริษัท ปตท.สำรวจและผลิตปิโตรเลียม จำกัด (มหาชน)", "company:PTTEP", ""),
        ("บริษัท อะเมซอน ดาต้า เซอร์วิสเซส (ประเทศไทย) จำกัด", "company:AWS", "company:Amazon"),
        ("สภาธุรกิจ สหรัฐอเมริกา-อาเซียน (U.S. - ASEAN Business Council)", "", "org:ASEAN"),
        ("สภาที่ปรึกษาธุรกิจเอเปค (APEC Business Advisory Council)", "company:ABAC", "org:APEC"),
        ("สภาที่ปรึกษาทางเศรษฐกิจเอเปค", "company:ABAC", "org:APEC"),
        ("SCB Academy", "company:SCB Academy", "company:SCB"),
        ("UN Women", "org:UN Women", "org:UN"),
        ("สภาธุรกิจสหภาพยุโรป – อาเซียน (EU – ABC)", "", "org:EU"),
        ("บริษัท แอดวานซ์ ไวร์เลส เน็ทเวอร์ค จำกัด", "company:AIS", ""),
        ("ธนาคารแห่งประเทศไทย และสมาคมธนาคาร", "company:Thai Bankers' Association", ""),
        ("สมาคมธนาคารนานาชาติ", "", "company:Thai Bankers' Association"),
        ("สมาคมความมั่นคงปลอดภัยระบบสารสนเทศ", "company:TISA", ""),
        ("Global Partnership for Artificial Intelligence (GPAI)", "org:GPAI", ""),
        ("การไปรษณีย์อาเซียน", "org:ASEANPOST", "org:ASEAN"),
        ("ผู้ประกอบการโทรศัพท์เคลื่อนที่ทั้ง 3 ราย (AWN TRUE และ NT)", "company:AIS", ""),
        ("กลุ่มบริษัท กสิกร บิซิเนส-เทคโนโลยี กรุ๊ป (KBTG)", "company:KBTG", "company:Kasikornbank"),
        ("บริษัท โททอลเล่เทเลเมด ผู้ให้บริการ Totale Telemed", "company:Totale Telemed", ""),
        ("สมาคมผู้ค้าปลีกไทย", "company:Thai Retailers Association", ""),
        ("สมาคมผู้ผลิตข่าวออนไลน์", "company:Online News Producers Association", ""),
        ("สภาการท่องเที่ยวแห่งประเทศไทย", "company:Tourism Council of Thailand", ""),
        ("มูลนิธิแม่ฟ้าหลวง ในพระบรมราชูปถัมภ์", "company:Mae Fah Luang Foundation", ""),
        ("สมาคมคนตาบอดแห่งประเทศไทย", "company:Thailand Association of the Blind", ""),
        ("สมาคมนักข่าวนักหนังสือพิมพ์แห่งประเทศไทย", "company:Thai Journalists Association", ""),
    ],
)
def test_a_partner_is_known_by_its_full_and_spaced_spellings(text, partner, not_partner):
    found = partners("ดีอี ลงนามความร่วมมือ", f"กระทรวงดิจิทัลฯ ลงนามความร่วมมือกับ {text}")
    assert not partner or partner in found
    assert not_partner not in found


def test_a_forums_market_or_a_leader_within_it_is_a_region():
    body = "กระทรวงดิจิทัลฯ จัดเวทีเสวนากับสมาคมผู้ประกอบการ เพื่อพัฒนาทักษะดิจิทัลของ SME"
    assert partners("ดีอี หนุน SME ไทยบุกตลาดอาเซียน", body) == ()
    assert partners("สิงคโปร์ ชมไทย ผู้นำ ด้านดิจิทัลอาเซียน", body) == ("country:SG",)
    assert partners("ไทย-ญี่ปุ่น จับมือเสริมสตาร์ทอัพอาเซียน", body) == ("country:JP",)
    assert partners("ดีอี หารืออาเซียน หนุน SME", body) == ("org:ASEAN",)


def test_a_city_that_contains_a_companys_name_is_not_the_company():
    title = "ดีอี ร่วมงานประชุมด้าน AI ที่ซานฟรานซิสโก"
    body = "รัฐมนตรีกระทรวงดิจิทัลฯ เยือนนครซานฟรานซิสโก สหรัฐอเมริกา เพื่อศึกษาดูงานด้าน AI"
    assert "company:Cisco" not in partners(title, body)
    assert "company:Cisco" in partners("ดีอี ลงนามความร่วมมือกับ ซิสโก", body)


def test_the_nationality_of_financiers_is_not_a_party():
    title = "ดีอี-ตำรวจ ทลายแอปเงินกู้เถื่อนนายทุนจีน"
    body = "กระทรวงดิจิทัลฯ และตำรวจ ทลายแก๊งปล่อยกู้ผ่านแอปเถื่อน พบเบื้องหลังเป็นกลุ่มทุนจีน"
    assert partners(title, body) == ()
    assert partners("ดีอี หารือจีน ปราบแอปเงินกู้เถื่อน", body) == ("country:CN",)


def test_a_gloss_in_brackets_is_judged_as_the_name_before_it():
    title = "ดีอี หารือทวิภาคี ไทย-ลาว ด้านความมั่นคงไซเบอร์"
    body = (
        "รัฐมนตรีกระทรวงดิจิทัลฯ หารือทวิภาคีระหว่างไทยและลาว ระหว่างงานการประชุมรัฐมนตรีอาเซียน"
        "ด้านดิจิทัล ครั้งที่ 4 (The 4th ASEAN Digital Ministers' Meeting: The 4th ADGMIN) "
        "ณ กรุงเวียงจันทน์"
    )
    assert partners(title, body) == ("country:LA",)
    attended = body.replace("ระหว่างงานการประชุม", "และร่วมการประชุม")
    assert partners(title, attended) == ("country:LA", "org:ASEAN")


def test_a_company_thailand_acts_against_is_not_a_partner():
    title = "ดีอี เตรียมร้องศาลปิด Facebook หลังปล่อยโฆษณาหลอกลงทุน"
    body = "รัฐมนตรีกระทรวงดิจิทัลฯ พร้อมยื่นศาล ปิด Facebook ภายในสิ้นเดือน หากไม่ลบโฆษณาหลอกลวง"
    assert partners(title, body) == ()
    assert partners("ดีอี หารือ Facebook ลบโฆษณาหลอกลงทุน", body) == ("company:Meta",)


def test_an_institutes_country_is_not_a_partner():
    title = "รมว.ดีอี เยี่ยมชมสถาบันดิจิทัลฝรั่งเศส หารือพัฒนาทักษะดิจิทัล"
    body = "รัฐมนตรีกระทรวงดิจิทัลฯ เยี่ยมชมสถาบันดิจิทัลแห่งแรกของฝรั่งเศส ซึ่งเป็นศูนย์ฝึกทักษะสำหรับชุมชน"
    assert partners(title, body) == ()
    assert partners("รมว.ดีอี หารือรัฐบาลฝรั่งเศส พัฒนาทักษะดิจิทัล", body) == ("country:FR",)


def test_the_country_of_a_visit_as_the_time_of_the_news_is_not_a_partner():
    title = "นายกฯ หารือประธานหัวเว่ย เอเชีย-แปซิฟิก ยืนยันลงทุนในไทย"
    body = (
        "นายกรัฐมนตรีหารือกับประธานบริษัท หัวเว่ย เพื่อติดตามประเด็นที่หารือกันระหว่างการเยือนจีนอย่างเป็นทางการเมื่อปีที่แล้ว"
    )
    assert partners(title, body) == ("company:Huawei",)
    talks = body.replace("ระหว่างการเยือนจีน", "กับรัฐบาลจีน")
    assert partners(title, talks) == ("company:Huawei", "country:CN")


def test_a_list_of_participants_runs_on_through_representatives_from():
    title = "ปลัดดีอี ร่วมเสวนาจริยธรรม AI ในเวทียูเนสโก"
    body = (
        "ปลัดกระทรวงดิจิทัลฯ ร่วมเสวนากับผู้แทนจากประเทศชิลี ประเทศเคนยา ประเทศอุรุกวัย"
        "เอกอัครราชทูตจากสหภาพยุโรป ฝรั่งเศส และผู้แทนจากสหภาพโทรคมนาคมระหว่างประเทศ (ITU) "
        "ภายในงานการประชุมของยูเนสโก"
    )
    assert partners(title, body) == ("org:UNESCO",)
    with_company = body.replace("(ITU) ", "(ITU) Salesforce และองค์การสหประชาชาติ ")
    assert partners(title, with_company) == ("org:UNESCO",)


def test_the_apec_ceo_summit_is_the_business_side_not_the_forum():
    title = "ธนาคารกรุงไทย ร่วมเวที APEC CEO Summit 2022"
    body = (
        "ธนาคารกรุงไทย ผู้สนับสนุนการประชุมสภาที่ปรึกษาธุรกิจเอเปค (ABAC) และการประชุมสุดยอด"
        "ผู้นำภาคเอกชนของเอเปค (APEC CEO SUMMIT 2022) ร่วมเสวนาด้านการเงินดิจิทัล"
    )
    assert partners(title, body) == ("company:ABAC", "company:Krungthai Bank")


def test_the_second_of_two_channels_is_a_channel_too():
    title = "ปลัดดีอี ปาฐกถาในงานนวัตกรรมธุรกิจอาเซียน"
    body = "ปลัดกระทรวงดิจิทัลฯ กล่าวถึงการยืนยันตัวตนดิจิทัล ผ่าน ThaID และ National Digital ID"
    assert "company:NDID" not in partners(title, body)
    assert "company:NDID" in partners(title, body.replace("ผ่าน ThaID และ", "ร่วมกับ ThaID และ"))


def test_thailand_and_a_country_both_dealt_with_by_a_third_are_not_a_pair():
    title = "ดีอี หารือรัฐมนตรีดิจิทัลลาว ป้องกันภัยออนไลน์"
    body = (
        "รัฐมนตรีกระทรวงดิจิทัลฯ หารือกับรัฐมนตรีกระทรวงเทคโนโลยีและการสื่อสารลาว ทั้งนี้ ประเทศลาว"
        "มีเส้นทางขนส่งเชื่อมต่อกับประเทศไทยและจีน ทำให้การค้าออนไลน์ได้รับความนิยม"
    )
    assert partners(title, body) == ("country:LA",)
    pair = body.replace("เชื่อมต่อกับประเทศไทยและจีน", "เชื่อมต่อ และความร่วมมือไทยและจีน")
    assert "country:CN" in partners(title, pair)


def test_a_business_body_named_for_its_listed_members_counts_through_them():
    title = "ดีอี ประชุมเตรียมเข้าเป็นภาคีอนุสัญญาด้านการค้าดิจิทัล"
    joint = (
        "ปลัดกระทรวงดิจิทัลฯ ประชุมร่วมกับสำนักงานอัยการสูงสุด และคณะกรรมการร่วมภาคเอกชน 3 สถาบัน "
        "เพื่อเตรียมความพร้อม"
    )
    assert partners(title, joint) == (
        "company:Joint Standing Committee on Commerce, Industry and Banking",
    )
    members = (
        "ปลัดกระทรวงดิจิทัลฯ หารือกับคณะกรรมการร่วมภาคเอกชน 3 สถาบัน (กกร.) ประกอบด้วย "
        "สภาหอการค้าแห่งประเทศไทย สภาอุตสาหกรรมแห่งประเทศไทย และสมาคมธนาคารไทย"
    )
    assert partners(title, members) == (
        "company:Federation of Thai Industries",
        "company:Thai Bankers' Association",
        "company:Thai Chamber of Commerce",
    )


def test_a_lender_named_only_in_thai_is_a_partner():
    title = "บสย. จับมือ “เงินดีดี” ค้ำประกันสินเชื่อดิจิทัล"
    body = "บสย. ผนึกความร่วมมือกับ “เงินดีดี” บริษัทลูกธนาคารออมสิน ให้บริการสินเชื่อรายย่อย"
    assert partners(title, body) == ("company:Ngern Dee Dee",)


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        (
            "ก.แรงงาน ผนึก แคทบัซซ์ จัด Free WiFi ความเร็วสูง ให้บริการแรงงาน",
            "ก.แรงงาน ร่วมมือ บ.แคทบัซซ์ ทีวี ให้บริการ Digital Service ผ่านเครือข่าย Free WiFi",
            ("company:CAT Buzz TV",),
        ),
        (
            "กรุงไทย ร่วมกับ แม่ทองสุก เปิดบริการถอนทองออนไลน์ บนแอปฯ เป๋าตัง",
            "ธนาคารกรุงไทยร่วมกับแม่ทองสุก เปิดตัวบริการถอนทองออนไลน์",
            ("company:Krungthai Bank", "company:MTS Gold"),
        ),
    ],
)
def test_a_company_named_only_in_thai_script_recurs_in_the_table(
    title: str, body: str, expected: tuple[str, ...]
):
    assert partners(title, body) == expected


def test_a_company_named_in_latin_script_recurs_in_the_table():
    title = "ปลัดดีอีเอส หารือคณะผู้จัดงาน Infocomm Asia 2023"
    body = "ปลัดกระทรวงดิจิทัลฯ หารือความร่วมมือกับผู้บริหาร InfoComm Asia ในการจัดงาน"
    assert partners(title, body) == ("company:InfoComm Asia",)
    title = "สปสช. ดูแลผู้ป่วยทางไกล ทาง 3 แอปพลิเคชัน คือ (1) MorDee และ (2) Clicknic"
    assert partners(title, "") == ("company:Clicknic", "company:MorDee")
    assert partners("“กรุงไทย” ผนึก “MTS GOLD” เปิดซื้อขายทองคำออนไลน์", "") == (
        "company:Krungthai Bank",
        "company:MTS Gold",
    )


def test_clicknic_is_named_in_full_not_as_the_clinic_the_news_misspells_with_its_name():
    # คลิกนิก alone is often คลินิก (a clinic) misspelt: the company is its full name or Latin.
    assert partners("สปสช. ร่วมกับ บริษัท คลิกนิก เฮลท์ จำกัด ส่งยาถึงบ้าน", "") == ("company:Clicknic",)
    assert partners("สธ. เปิดคลิกนิกชุมชนอบอุ่นดูแลผู้ป่วยในเขตเมือง", "") == ()


def test_a_body_paired_with_thailand_by_a_dash_is_not_in_passing():
    title = "ดีอี ตั้งเป้าเจรจาความตกลงการค้าเสรีด้านเศรษฐกิจดิจิทัล"
    body = "กระทรวงดิจิทัลฯ เตรียมเจรจาความตกลงการค้าเสรี (FTA) ไทย-สมาคมการค้าเสรีแห่งยุโรป เพื่อขยายการค้าดิจิทัล"
    assert partners(title, body) == ("org:EFTA",)
    region = "ผู้บริหารร่วมพิธีเปิดต้นแบบสถานีอัจฉริยะ 5G (5G Smart Station) แห่งแรกในไทยและอาเซียน"
    assert partners(title, region) == ()


def test_a_brand_named_after_a_merged_company_is_its_owners():
    title = "ดีอี ชวนใช้แอปหมอพร้อม ไม่เสียค่าดาต้า"
    body = "ทาง NT นำ Mobile 3 แบรนด์ ได้แก่ NT Mobile, my และ TOT mobile ให้บริการประชาชน"
    assert partners(title, body) == ("company:NT",)


def test_a_gloss_ends_at_its_closing_bracket():
    # Past the gloss, a name is judged on its own: not as a repeat of a channel's mention.
    title = "ดีอี เตือนภัยหลอกลงทุนออนไลน์"
    body = (
        "กระทรวงดิจิทัลฯ แจ้งเตือนภัยผ่าน LINE (ไลน์ ประเทศไทย) ทุกวัน และผ่าน LINE Official "
        "ล่าสุดลงนาม MoU กับ LINE ด้านความปลอดภัยออนไลน์"
    )
    assert partners(title, body) == ("company:LINE",)
    channels_only = body.replace("ล่าสุดลงนาม MoU กับ LINE", "ทุกสัปดาห์")
    assert partners(title, channels_only) == ()


def test_the_packaged_table_gives_each_name_one_partner():
    # A name under two entries goes silently to the later one: one body, two ids.
    data = tomllib.loads(resources.files("thaidigest").joinpath("partners.toml").read_text("utf-8"))
    owners: dict[str, set[str]] = {}
    for entry in data["partner"]:
        for name in (*entry.get("th", []), *entry.get("en", [])):
            key = " ".join(name.split())
            owners.setdefault(key if re.search("[\u0e00-\u0e7f]", key) else key.lower(), set()).add(
                entry["id"]
            )
    assert {name: ids for name, ids in owners.items() if len(ids) > 1} == {}
    title = "ดีอี ร่วมหารือ EU – ABC ส่งเสริมเศรษฐกิจดิจิทัล"
    body = "ปลัดกระทรวงดิจิทัลฯ ต้อนรับคณะผู้แทนจาก สภาธุรกิจสหภาพยุโรป – อาเซียน (EU-ABC)"
    assert partners(title, body) == ("company:EU-ABC",)


def test_a_treaty_named_after_a_body_is_not_the_body():
    # Article 98492: a convention Thailand prepares to join is not joint work with the UN.
    title = "ปลัดดีอี เป็นประธานการประชุมเตรียมการเข้าเป็นภาคีอนุสัญญาสหประชาชาติว่าด้วยการต่อต้านอาชญากรรมไซเบอร์"
    body = (
        "ศาสตราจารย์พิเศษวิศิษฏ์ วิศิษฏ์สรอรรถ ปลัดกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม (ดีอี) "
        "เป็นประธานคณะทำงานเพื่อเตรียมความพร้อมในการดำเนินการเข้าเป็นภาคีอนุสัญญาสหประชาชาติ"
        "ว่าด้วยการต่อต้านอาชญากรรมไซเบอร์ (United Nations Convention against Cybercrime) "
        "ของประเทศไทยครั้งที่ 2/2568"
    )
    assert partners(title, body) == ()
    assert partners("ดีอีเอสประชุมคณะทำงานเตรียมความพร้อมในการเข้าเป็นภาคีอนุสัญญา สหประชาชาติฯ", "") == ()
    talks = "ปลัดดีอี หารือผู้แทนสหประชาชาติ เรื่องการต่อต้านอาชญากรรมไซเบอร์"
    assert partners(talks, body) == ("org:UN",)


def test_a_countrys_company_paired_with_thailand_does_not_make_the_country_a_partner():
    # Article 90662: the US-ASEAN Business Council, not the US government, in "ไทย-สหรัฐ".
    title = "รองนายกฯ ประเสริฐ ร่วมหารือ USABC หนุนเศรษฐกิจดิจิทัลไทย ส่งเสริมการลงทุนร่วมไทย-สหรัฐ"
    body = (
        "นายประเสริฐ จันทรรวงทอง รองนายกรัฐมนตรี และรัฐมนตรีว่าการกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม "
        "ร่วมหารือกับคณะนักธุรกิจจากสภาธุรกิจสหรัฐอเมริกา-อาเซียน (USABC)"
    )
    assert partners(title, body) == ("company:US-ASEAN Business Council",)
    # Article 90620: Vietnam Post, in "ไปรษณีย์ ไทย-เวียดนาม".
    title = "ไปรษณีย์ ไทย-เวียดนาม จับมือยกระดับอีคอมเมิร์ซ"
    body = "บริษัท ไปรษณีย์ไทย จำกัด (ปณท.) จับมือการไปรษณีย์เวียดนามพัฒนาบริการ"
    assert partners(title, body) == ("company:Vietnam Post",)
    # With the country's government taking part, the country counts.
    envoy = body + " โดยมีเอกอัครราชทูตเวียดนามประจำประเทศไทยร่วมเป็นสักขีพยาน"
    assert partners(title, envoy) == ("company:Vietnam Post", "country:VN")
    # A Thai bank's link with a country is not a company of that country.
    title = "กรุงไทยเปิดบริการ QR Code Cross Border Payment “ไทย-ลาว” ผ่าน Krungthai NEXT"
    assert partners(title, "") == ("company:Krungthai Bank", "country:LA")
    # Written in Latin script, the company's name holds its country too.
    body = "Thailand Post and Vietnam Post sign an agreement on cross-border e-commerce"
    assert partners("ไปรษณีย์ ไทย-เวียดนาม จับมือยกระดับอีคอมเมิร์ซ", body) == ("company:Vietnam Post",)


def test_a_bank_named_as_the_other_post_of_an_associations_speaker_is_not_a_partner():
    # Article 99925: he speaks for the Thai Bankers' Association; his bank is his other post.
    title = "ปลัดดีอี ร่วมเปิดงานสัมมนา TB – CERT Cybersecurity Annual Conference 2025"
    body = (
        "ปลัดกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม (ดีอี) เป็นประธานกล่าวเปิดงานสัมมนา "
        "โดยมีนายชาติศิริ โสภณพนิช ที่ปรึกษาสมาคมธนาคารไทยและประธานกรรมการของธนาคารกรุงเทพ "
        "กล่าวต้อนรับในพิธีเปิดงานฯ"
    )
    assert partners(title, body) == ("company:Thai Bankers' Association",)
    both = body.replace("และประธานกรรมการของธนาคารกรุงเทพ", "ร่วมกับธนาคารกรุงเทพ")
    assert partners(title, both) == ("company:Bangkok Bank", "company:Thai Bankers' Association")


def test_a_forum_named_once_in_a_list_with_another_party_is_not_in_passing():
    # Article 64684: UNICEF, ITU and ECPAT co-organise the conference.
    title = "The 1st National Conference on Children in the Digital Age"
    body = (
        "โดยมีนายจุติ ไกรฤกษ์ รัฐมนตรีว่าการกระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์ (พม.) "
        "เป็นประธานกล่าวเปิดงาน มี UNICEF ITU และ ECPAT ร่วมจัดงาน ณ โรงแรมอีสติน แกรนด์ สาทร กรุงเทพฯ"
    )
    assert partners(title, body) == ("org:ECPAT", "org:ITU", "org:UNICEF")
    # Article 41117: the UN's agencies listed in brackets; the UN itself is named for them.
    body = (
        "ซึ่งจัดโดยหน่วยงานพันธมิตร ได้แก่ กระทรวงศึกษาธิการ สำนักงาน กสทช. "
        "สหประชาชาติ (UNESCAP, UNESCO, UNICEF และ UN Women) เป็นต้น"
    )
    assert partners("ดีอีเอส ร่วมเปิดงานวัน Girls in ICT Day 2021", body) == (
        "org:ESCAP",
        "org:UN Women",
        "org:UNESCO",
        "org:UNICEF",
    )
    # Article 76106: the FAO's English name holds the UN's; the UN is not listed with the FAO.
    fao = (
        "องค์การอาหารและการเกษตรแห่งสหประชาชาติ (Food and Agriculture Organization of the "
        "United Nations, FAO) โดยสำนักงานเลขาธิการความร่วมมือด้านดิน มอบรางวัลแก่กระทรวงมหาดไทย"
    )
    assert "org:UN" not in partners("มท. รับรางวัล World Soil Day", fao)
    # Forums listed only with each other may still be a label: "in APEC and ASEAN".
    theme = "การประชุมจัดขึ้นภายใต้หัวข้อ Advancing Digital Trade Transformation in APEC and ASEAN"
    assert partners("ดีอี ร่วมประชุม Digital Trade Symposium", theme) == ()


def test_a_company_named_as_one_post_of_a_person_who_speaks_for_another_body_is_not_a_partner():
    # Article 74713: he speaks as REIC's acting director; the bank is his other post.
    title = "REIC ร่วมลงนาม MOU พันธมิตร 4 หน่วยงาน สร้างความร่วมมือด้านวิชาการและงานวิจัย"
    body = (
        "ดร. วิชัย วิรัตกพันธ์ ผู้ตรวจการธนาคารอาคารสงเคราะห์ และรักษาการผู้อำนวยการ"
        "ศูนย์ข้อมูลอสังหาริมทรัพย์ กล่าวว่า ประโยชน์ที่คาดว่าจะได้รับจากความร่วมมือกับ 4 หน่วยงาน"
    )
    assert partners(title, body) == ()
    # Article 85956: Andrew Ng, on Amazon's board and AI Fund's founder, speaks for AI Fund.
    title = "นายกฯ หารือผู้ก่อตั้งบริษัท AI Fund ถึงความร่วมมือในการใช้ AI"
    body = (
        "นายกรัฐมนตรี พบหารือกับ นายแอนดรูว์ อึ้ง (Mr. Andrew Ng) คณะกรรมการบริหาร"
        "บริษัท Amazon.com, Inc. และผู้ก่อตั้งบริษัท AI Fund ในโอกาสเดินทางมาไทย"
    )
    assert partners(title, body) == ("company:AI Fund",)
    # Two parties, not one person's two posts: both count.
    both = body.replace("Amazon.com, Inc. และผู้ก่อตั้ง", "Amazon.com, Inc. และนายแอนดรูว์ ผู้ก่อตั้ง")
    assert partners(title, both) == ("company:AI Fund", "company:Amazon")
    # Article 77601: his other post is at a bank the table does not know; the company he
    # chairs is the one party named, and still counts.
    title = "นายกรัฐมนตรีพบปะนาย Marcus Wallenberg หารือการลงทุนด้านเทคโนโลยี"
    body = (
        "นายกรัฐมนตรีและรัฐมนตรีว่าการกระทรวงการคลัง พบปะกับนาย Marcus Wallenberg ประธานบริษัท SAAB "
        "และประธานกรรมการธนาคาร Skandinaviska Enskilda Banken (SEB) ธนาคารชั้นนำของสวีเดน"
    )
    assert partners(title, body) == ("company:SAAB",)


def test_a_forum_paired_with_thailand_in_a_business_bodys_name_is_the_bodys_pair():
    # Article 93643: the EU-ASEAN Business Council's talks, "ของไทย และสหภาพยุโรป" its sides.
    title = "ดีอี ร่วมหารือ EU – ABC ส่งเสริมเศรษฐกิจดิจิทัลภาครัฐ-เอกชนไทย-ยุโรป"
    body = (
        "ปลัดกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม (ดีอี) ให้การต้อนรับคณะผู้แทนจาก "
        "สภาธุรกิจสหภาพยุโรป – อาเซียน (EU – ABC) เพื่อหารือประเด็นการส่งเสริมด้านเศรษฐกิจดิจิทัล"
        "ระหว่างภาครัฐและภาคเอกชนของไทย และสหภาพยุโรป EU โดยมีผู้แทนหน่วยงานที่เกี่ยวข้องเข้าร่วม"
    )
    assert partners(title, body) == ("company:EU-ABC",)
    # With the EU named on its own, not only as Thailand's pair, it counts.
    envoy = body + " และเอกอัครราชทูตสหภาพยุโรปประจำประเทศไทย"
    assert partners(title, envoy) == ("company:EU-ABC", "org:EU")


def test_a_country_named_in_a_trade_agreement_is_a_party():
    # Article 80356: the agreements the ministry negotiates name the parties across a dash.
    title = "“ดีอี” ตั้งเป้าปี’68 เดินหน้าเจรจาความตกลงเขตการค้าเสรีด้านเศรษฐกิจดิจิทัลครบ 3 ภูมิภาค"
    body = (
        "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม ได้เข้าร่วมการเจรจาความตกลงเขตการค้าเสรีในประเด็น"
        "เศรษฐกิจดิจิทัล โดยมีความตกลงที่จะแล้วเสร็จในปี 2567 ได้แก่ 1. ความตกลงเขตการค้าเสรี"
        "อาเซียน-ออสเตรเลีย-นิวซีแลนด์ 2. ความตกลงการค้าเสรี (FTA) ไทย-สมาคมการค้าเสรีแห่งยุโรป "
        "นอกจากนี้ ยังมีความตกลงที่อยู่ระหว่างการเจรจาและจะแล้วเสร็จในปี 2568 ได้แก่ "
        "1. ความตกลงการค้าเสรีอาเซียน-จีน ด้านเศรษฐกิจดิจิทัล 2. ความตกลงการค้าเสรีอาเซียน-แคนาดา"
    )
    assert partners(title, body) == (
        "country:AU",
        "country:CA",
        "country:CN",
        "country:NZ",
        "org:ASEAN",
        "org:EFTA",
    )
    # A country named after an agreement, but not in its name, is still judged on its own.
    market = "ความตกลงดังกล่าวช่วยผู้ประกอบการไทยส่งออกสินค้าดิจิทัลไปยังจีน"
    assert partners(title, market) == ()


def test_a_body_whose_seat_thailand_runs_for_is_not_a_partner():
    # Article 95034: Laos backs Thailand's candidacy for the UPU's councils; the UPU is where
    # the seat is, not a party to the talks.
    title = "ดีอี ร่วมการประชุม “High Level Digital Transformation Forum” สปป.ลาว"
    body = (
        "1.ด้านการไปรษณีย์ ทางสปป.ลาว พร้อมให้การสนับสนุนประเทศไทยในการลงสมัครรับเลือกตั้ง"
        "ในตำแหน่งสมาชิกสภาบริหาร (Council of Administration : CA) และสมาชิกสภาปฏิบัติการไปรษณีย์ "
        "(Postal Operations Council : POC) ของสหภาพสากลไปรษณีย์ (Universal Postal Union : UPU) "
        "วาระ 4 ปี (ปี ค.ศ. 2026-2029)"
    )
    assert partners(title, body) == ("country:LA",)
    # Voting in a body's own election, at its assembly, is taking part in its work.
    vote = (
        "ผู้แทนไทยเข้าร่วมการประชุมสมัชชาใหญ่ขององค์การโทรคมนาคมแห่งเอเชียและแปซิฟิก (APT) "
        "พร้อมเข้าร่วมลงคะแนนเสียงเลือกตั้งตำแหน่งเลขาธิการ (Secretary General) ของ APT"
    )
    assert partners("ดีอี ร่วมประชุมสมัชชาใหญ่ APT", vote) == ("org:APT",)


def test_a_company_whose_unit_named_after_it_is_a_partner_is_that_units_parent():
    # Article 89679: SCB Academy signs; the bank is its parent and its signatory's employer.
    title = "สธ. จับมือ SCB Academy พัฒนาบุคลากรดิจิทัลทางการแพทย์"
    body = (
        "ในพิธีลงนามบันทึกข้อตกลงความร่วมมือ ระหว่าง นพ.โอภาส การย์กวินพงศ์ ปลัดกระทรวงสาธารณสุข "
        "และ นายวรวัจน์ สุวคนธ์ รองผู้จัดการใหญ่ ประธานเจ้าหน้าที่บริหาร กลุ่มงานทรัพยากรบุคคล "
        "(Chief People Officer) ธนาคารไทยพาณิชย์ จำกัด (มหาชน)"
    )
    assert partners(title, body) == ("company:SCB Academy",)
    assert partners("สธ. จับมือธนาคารไทยพาณิชย์ พัฒนาบุคลากรดิจิทัล", body) == ("company:SCB",)
    # Article 89901: "GDS Holdings", read after บริษัท, is GDS written in full, not a unit.
    title = "นายกฯ แพทองธาร หารือบริษัท GDS International พร้อมลงทุน Data Center"
    body = (
        "นายกรัฐมนตรี พบหารือกับ นาย William Wei Huang ผู้ก่อตั้ง ประธาน และประธานเจ้าหน้าที่บริหาร"
        "ของบริษัท GDS Holdings และ Ms. Jamie Gee Choo Khoo ประธานของบริษัท GDS International (GDSI)"
    )
    assert "company:GDS" in partners(title, body)


def test_a_company_among_the_guests_of_honour_is_not_a_partner():
    # Article 55316: a company's executive attends the opening as a guest ("ร่วมเป็นเกียรติ").
    title = "ปลัดฯกอบชัย เป็นประธานเปิด โครงการพลิกธุรกิจ SMEs ไทยสู่การผลิตสมัยใหม่ 4.0"
    body = (
        "โดยมีนางวรวรรณ ชิตอรุณ รองปลัดกระทรวงอุตสาหกรรม นายสมชาย จักร์กรีนทร์ ผู้อำนวยการสถาบัน"
        "ไทย-เยอรมัน ดร.สัมพันธ์ ศิลปนาฎรองประธานกรรมการ บริษัท เวสเทิร์น ดิจิตอล สตอเรท "
        "เทคโนโลยีส์ (ประเทศไทย) จำกัด และผู้บริหารระดับสูงกระทรวงอุตสาหกรรม เข้าร่วมเป็นเกียรติ "
        "ณ ห้องประชุม อก 1 ชั้น 2 อาคารสำนักงานปลัดกระทรวงอุตสาหกรรม"
    )
    assert partners(title, body) == ()
    # Article 97415: the signatories are parties; the guests are named after them.
    body = (
        "เป็นประธานสักขีพยานในพิธีลงนามบันทึกความเข้าใจ ระหว่าง กระทรวงยุติธรรม กับ บริษัท บิทคับ "
        "แคปปิตอล กรุ๊ป โฮลดิ้งส์ จำกัด และระหว่างกรมพินิจและคุ้มครองเด็กและเยาวชน กับหอการค้าไทย - จีน "
        "พร้อมด้วย พันตำรวจเอก ทวี สอดส่อง รัฐมนตรีว่าการกระทรวงยุติธรรม ร่วมเป็นเกียรติในพิธี"
    )
    assert partners("พิธีลงนามพัฒนาองค์ความรู้ด้านเทคโนโลยีดิจิทัลขั้นสูง", body) == (
        "company:Bitkub",
        "company:Thai-Chinese Chamber of Commerce",
    )


def test_the_partners_digest_changes_with_the_names_and_with_the_rules():
    # The store scores its articles again when this digest changes: a rule changed alone
    # (partners.py, as an upgrade installs it) changes what found_partners returns too.
    package = resources.files("thaidigest")
    contents = {name: package.joinpath(name).read_bytes() for name in DECIDING_FILES}
    assert {"partners.toml", "partners.py"} <= set(contents)
    assert files_digest(contents.values()) == partners_digest()
    changed_table = {**contents, "partners.toml": contents["partners.toml"] + b"\n# more\n"}
    rule = b"\nMEMBER_LIST_MIN = 3\n"
    assert rule in contents["partners.py"]
    changed_rule = {
        **contents,
        "partners.py": contents["partners.py"].replace(rule, b"\nMEMBER_LIST_MIN = 4\n"),
    }
    changed = [files_digest(files.values()) for files in (changed_table, changed_rule)]
    assert len({partners_digest(), *changed}) == 3
    assert files_digest([b"ab", b"c"]) != files_digest([b"a", b"bc"])  # files, not their bytes


def test_a_forum_as_the_occasion_of_talks_or_a_missions_post_is_not_a_partner():
    # Bilateral talks on the sidelines of a forum's meeting, the forum's region.
    title = "ดีอี หารือทวิภาคี ไทย-มาเลเซีย ด้านปัญญาประดิษฐ์"
    body = (
        "รัฐมนตรีว่าการกระทรวงดิจิทัลฯ หารือทวิภาคีกับรัฐมนตรีสื่อสารมาเลเซีย "
        "ในโอกาสการประชุมรัฐมนตรีอาเซียนด้านดิจิทัล ครั้งที่ 5 "
        "เพื่อสนับสนุนการพัฒนาภูมิภาคอาเซียนอย่างยั่งยืน"
    )
    assert partners(title, body) == ("country:MY",)
    joint = body.replace("ในโอกาสการประชุม", "ร่วมกับที่ประชุม")
    assert partners(title, joint) == ("country:MY", "org:ASEAN")
    # The occasion is a meeting: a forum that acts on the occasion, or meets Thailand, counts.
    grant = "ดีอี แถลงข่าว ในโอกาสที่สหภาพยุโรปมอบทุนสนับสนุนโครงการพัฒนาทักษะดิจิทัลของไทย"
    assert partners(grant, "") == ("org:EU",)
    pair = "ไทย ลงนามความร่วมมือดิจิทัล ในโอกาสการประชุมรัฐมนตรีไทย-สหภาพยุโรป"
    assert partners(pair, "") == ("org:EU",)
    # A country's mission posted to a forum: the country is the party, not the forum.
    mission = "ดีอี ต้อนรับที่ปรึกษาคณะผู้แทนประเทศญี่ปุ่นประจำอาเซียน ดูงานศูนย์ AOC 1441"
    assert partners(mission, "") == ("country:JP",)
    envoy = "ดีอี หารือเอกอัครราชทูตสหรัฐฯ ประจำอาเซียน ด้านความปลอดภัยไซเบอร์"
    assert partners(envoy, "") == ("country:US",)
    # A forum's own mission, and a body's regional office, are the body.
    own = "ดีอี หารือคณะผู้แทนถาวรประจำอาเซียน ผลักดันความร่วมมือด้านดิจิทัล"
    assert partners(own, "") == ("org:ASEAN",)
    office = "ดีอี ร่วมกับสำนักงานภูมิภาคยูเนสโก จัดโครงการรู้เท่าทันสื่อดิจิทัล"
    assert partners("ดีอี ร่วมเปิดโครงการรู้เท่าทันสื่อ", office) == ("org:UNESCO",)


def test_an_account_on_a_platform_and_a_countrys_giants_are_not_partners():
    title = "ดีอี ตั้งคณะทำงานร่วมกับ ก.ล.ต. ติดตามการหลอกลงทุนออนไลน์"
    body = "คณะทำงานจะติดตาม Facebook account หรือเว็บไซต์ที่ชักชวนลงทุน"
    assert partners(title, body) == ()
    assert partners("MDES signs MoU with Shopee accounting for online sales", "") == (
        "company:Shopee",
    )
    banks = "คลัง โอนเงินเข้าบัญชีธนาคารกรุงไทย และธนาคารออมสิน ผ่านโครงการดิจิทัลวอลเล็ต"
    assert partners(banks, "") == ("company:GSB", "company:Krungthai Bank")
    giants = "บีโอไอ ดึงยักษ์ใหญ่สหรัฐฯ ลงทุนดิจิทัล Microsoft ตอบรับ"
    assert partners(giants, "") == ("company:Microsoft",)
    assert partners("บีโอไอ หารือสหรัฐฯ ด้านการลงทุนดิจิทัล", "") == ("country:US",)


def test_a_companys_unit_that_signs_in_its_own_name_is_the_partner():
    # Article 100004: the savings fund's partners are True's and Shopee's payment units.
    title = "“หวยเกษียณ” ผนึก “TrueMoney – AIS – ShopeePay” ขยายช่องทางขาย “สลาก กอช.”"
    body = (
        "กองทุนการออมแห่งชาติ (กอช.) จัดแถลงข่าวเปิดตัวกับ 3 แพลตฟอร์มดิจิทัลชั้นนำของไทย ได้แก่ "
        "บริษัท ทรูมันนี่ จำกัด, บริษัท แอดวานซ์ อินโฟร์ เซอร์วิส จำกัด (มหาชน) และ "
        "บริษัท ช้อปปี้เพย์ (ประเทศไทย) จำกัด"
    )
    assert partners(title, body) == ("company:AIS", "company:ShopeePay", "company:TrueMoney")
    # Article 96699: True's data centre company, named in full in Thai after บริษัท.
    title = "บีโอไอ มอบบัตรส่งเสริมการลงทุนกิจการ Data Center"
    body = "บีโอไอ มอบบัตรส่งเสริมการลงทุนแก่ บริษัท ทรู อินเทอร์เน็ต ดาต้า เซ็นเตอร์ จำกัด"
    assert partners(title, body) == ("company:True IDC",)
    # The parents themselves are still the partners where they are named.
    assert partners("ดีอี ร่วมกับ ทรู คอร์ปอเรชั่น และช้อปปี้ จัดอบรม", "") == (
        "company:Shopee",
        "company:True",
    )


def test_a_parent_listed_with_its_unit_is_a_partner_in_its_own_right():
    # True signs beside its data centre company: both are parties.
    both = ("company:True", "company:True IDC")
    assert partners("DE signs MoU with True Corporation and True IDC", "") == both
    assert partners("ดีอี ลงนามความร่วมมือกับ ทรู คอร์ปอเรชั่น และ ทรู ไอดีซี", "") == both
    body = (
        "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม ร่วมกับบริษัท ทรู คอร์ปอเรชั่น จำกัด (มหาชน) "
        "และบริษัท ทรู อินเทอร์เน็ต ดาต้า เซ็นเตอร์ จำกัด ลงนามบันทึกความเข้าใจ"
    )
    assert partners("ดีอี ลงนามบันทึกความเข้าใจด้าน Data Center", body) == both
    # Named as the unit's owner, the parent is still left to its unit.
    owned = "กระทรวงดิจิทัลฯ ร่วมกับ True IDC ในเครือบริษัท ทรู คอร์ปอเรชั่น ลงนามความร่วมมือ"
    assert partners("ดีอี ลงนามบันทึกความเข้าใจด้าน Data Center", owned) == ("company:True IDC",)
    # Neighbouring forms: the legal names in full, the abbreviations บมจ. and บจ.
    full = (
        "DE signs MoU with True Corporation Public Company Limited and "
        "True Internet Data Center Company Limited"
    )
    assert partners(full, "") == both
    assert partners("ดีอี ลงนามความร่วมมือกับ บมจ. ทรู คอร์ปอเรชั่น และ บจ. ทรู ไอดีซี", "") == both


def test_a_body_listed_with_its_own_agency_is_left_to_the_agency():
    # Companies only: the UN beside its agency is the agency's (article 54869: a speech at
    # ESCAP's session names "the multilateral system, the UN and ESCAP").
    assert partners("ดีอี หารือสหประชาชาติ และยูเนสโก ด้านจริยธรรม AI", "") == ("org:UNESCO",)
    speech = "นายกรัฐมนตรียืนยันว่า ประเทศไทยยึดมั่นและเชื่อมั่นในระบบพหุภาคี สหประชาชาติ และเอสแคปมาตลอด 75 ปี"
    assert partners("นายกฯ ย้ำในเวทีเอสแคป ไทยยึด 3 แนวทาง", speech) == ("org:ESCAP",)
    # "UN/ESCAP" is ESCAP's own name, not a list; UN-Habitat is the UN's programme.
    assert partners("ดีอี ร่วมประชุม UN/ESCAP ด้านดิจิทัล", "") == ("org:ESCAP",)
    assert partners("ดีอี ร่วมงาน UN-Habitat และ UN ด้านเมืองอัจฉริยะ", "") == ("org:UN-Habitat",)


def test_a_company_is_known_by_its_full_legal_name():
    # Article 83976: SpaceX signs as Space Exploration Technologies Corporation.
    title = "ดีอี เปิดโครงการทดลองเทอร์มินัลดาวเทียมวงโคจรต่ำ"
    body = (
        "เป็นการเปิดตัวความร่วมมือระหว่าง GISTDA ร่วมกับคณะวิศวกรรมศาสตร์ มหาวิทยาลัยสงขลานครินทร์ "
        "และบริษัท Space Exploration Technologies Corporation ของสหรัฐอเมริกา"
    )
    assert partners(title, body) == ("company:SpaceX",)
    # Article 39614: a bank the table knows, then its country: the country is the bank's.
    title = "กรุงไทยผนึก DBS สิงคโปร์เปิดบริการโอนเงินไปต่างประเทศ"
    assert partners(title, "") == ("company:DBS", "company:Krungthai Bank")


def test_the_un_beside_its_own_agency_is_left_to_the_agency():
    # Article 85794: the meeting is UNCITRAL's, the UN's commission; "UN" names its parent.
    title = "ดีอี ร่วมประชุม กมธ.กฎหมายการค้าระหว่างประเทศ UN หวังเป็นแนวทางพัฒนากฎหมายดิจิทัลไทย"
    body = (
        "ปลัดกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม เข้าร่วมการประชุมคณะกรรมาธิการกฎหมายการค้า"
        "ระหว่างประเทศแห่งสหประชาชาติ (UNCITRAL) สมัยที่ 57"
    )
    assert partners(title, body) == ("org:UNCITRAL",)
    # Article 36889: talks with UNICEF and the ITU, the UN's coordinator among those present.
    title = "คุณหญิงกัลยา จับมือ UNICEF ลดความเหลื่อมล้ำทางเทคโนโลยีสารสนเทศและการสื่อสาร"
    body = (
        "รัฐมนตรีช่วยว่าการกระทรวงศึกษาธิการ หารือกับองค์การยูนิเซฟ และผู้แทนผู้ประสานงาน"
        "แห่งสหประชาชาติประจำประเทศไทย (United Nations Resident Coordinator: UNRC)"
    )
    assert partners(title, body) == ("org:UNICEF",)
    # The UN on its own, and beside a body that is not its own, is a partner.
    assert partners("ดีอี หารือสหประชาชาติ ด้านดิจิทัล", "") == ("org:UN",)
    assert partners("ดีอี หารือสหประชาชาติ และ OECD ด้านดิจิทัล", "") == ("org:OECD", "org:UN")


def test_a_users_table_may_say_what_an_entry_is_part_of():
    table = partner_table(
        '[[partner]]\nid = "company:Acme Pay"\nen = ["AcmePay"]\npart_of = "company:Acme"\n'
        '[[partner]]\nid = "company:Acme"\nen = ["Acme"]\n'
    )
    assert partners("MDES signs with AcmePay, a unit of Acme", "", table) == ("company:Acme Pay",)
    assert partners("MDES signs with Acme", "", table) == ("company:Acme",)
    listed = partners("MDES signs with Acme and AcmePay", "", table)
    assert listed == ("company:Acme", "company:Acme Pay")  # both sign
    with pytest.raises(ValueError, match="partner id"):
        partner_table('[[partner]]\nid = "company:Acme Pay"\npart_of = "Acme"\n')


def test_a_forum_paired_by_a_dash_with_another_party_is_that_partys_pair():
    # Article 86586: China Mobile's conference with the region, opened by the minister.
    title = "รมว.ประเสริฐ เปิดงานประชุมความร่วมมือ ไชน่า โมบาย - อาเซียน 2567"
    assert partners(title, "") == ("company:China Mobile",)
    # Article 97872: Japan's fair with ASEAN startups; Japan is the party.
    title = "เลขาฯ รมว.กษ. ร่วมพิธีเปิดงาน Japan-ASEAN Startup Business Meeting Fair 2025"
    assert partners(title, "") == ("country:JP",)
    # China's expo with ASEAN, opened with a speech.
    title = "ถ้อยแถลงนายกรัฐมนตรี ในพิธีเปิดงานแสดงสินค้าจีน-อาเซียน ครั้งที่ 17"
    assert "org:ASEAN" not in partners(title, "")
    # Paired with Thailand, at the forum's summit with a country, or in a trade agreement's
    # name, the forum is a side.
    assert partners("ดีอี ร่วมประชุมรัฐมนตรีไทย-อาเซียน ด้านดิจิทัล", "") == ("org:ASEAN",)
    summit = "นายกฯ เข้าร่วมการประชุมสุดยอดอาเซียน-สหรัฐอเมริกา สมัยพิเศษ"
    assert "org:ASEAN" in partners(summit, "")
    fta = "ดีอี ประชุมคณะทำงานด้านเศรษฐกิจดิจิทัล ภายใต้ความตกลงการค้าเสรีอาเซียน – จีน ครั้งที่ 2"
    assert partners(fta, "") == ("country:CN", "org:ASEAN")
    gloss = "MDES joins the ASEAN – China Free Trade Agreement working group on digital economy"
    assert "org:ASEAN" in partners(gloss, "")


def test_a_country_in_latin_script_after_a_dash_is_the_pairs_side():
    # As "อาเซียน-ญี่ปุ่น" is: a capitalised word after it does not make it a company's name.
    week = "ดีอี ร่วมงาน ASEAN-Japan Cybersecurity Week ครั้งที่ 5"
    assert partners(week, "") == partners(week.replace("ASEAN-Japan", "อาเซียน-ญี่ปุ่น"), "")
    assert partners(week, "") == ("country:JP", "org:ASEAN")
    policy = "ดีอี ร่วมประชุม ASEAN – Japan Cybersecurity Policy Meeting"
    assert partners(policy, "") == ("country:JP", "org:ASEAN")
    assert partners("MDES hosts the Thailand-Japan Digital Forum", "") == ("country:JP",)
    # In a fair's name the pair is the country's, as in Thai.
    expo = "ดีอี ร่วมพิธีเปิดงาน ASEAN-China Expo ครั้งที่ 20"
    assert partners(expo, "") == ("country:CN",)
    # Without the dash, a capitalised word after the country is a company's name.
    assert partners("ดีอี หารือ ASEAN และ Japan Airlines ด้านดิจิทัล", "") == ("org:ASEAN",)
    # A border is a place, in English as in Thai ("ชายแดนไทย-กัมพูชา").
    border = "The Ad Hoc Centre for the Thailand-Cambodia Border Situation meets"
    assert partners(border, "") == ()
    assert partners(border.replace("Border Situation", "border situation"), "") == ()
    # A country's border police or guards are its government.
    police = "DE meets Malaysia border police on online scams"
    assert partners(police, "") == ("country:MY",)
    assert partners("DE meets Myanmar border guards on scam centres", "") == ("country:MM",)


def test_a_pair_in_a_business_bodys_or_a_bridges_name_is_not_the_country():
    # A chamber of commerce or a business council is a business body: its pair is its own name,
    # in Latin script as in Thai.
    for chamber in ("Thailand-Japan Chamber of Commerce", "หอการค้าไทย-ญี่ปุ่น"):
        assert "country:JP" not in partners(f"ดีอี หารือ {chamber} ด้านดิจิทัล", "")
    for council in ("Thailand-Japan Business Council", "สภาธุรกิจไทย-ญี่ปุ่น"):
        assert partners(f"{council} หารือ ดีอี ด้านดิจิทัล", "") == ()
    # Article 83753: the chambers of commerce's conference, the US government not a party.
    title = (
        "Opening Remarks H.E. Mr. Srettha Thavisin, Prime Minister of Thailand "
        "Thailand-U.S. Trade and Investment Conference 2024 31 May 2024"
    )
    body = (
        "Distinguished Members of the Thai Chamber of Commerce, the American Chamber of Commerce,"
        " and the U.S. Chamber of Commerce,\nThank you for inviting me to this year's "
        "Thailand-U.S. Trade and Investment Conference."
    )
    assert "country:US" not in partners(title, body)
    # A bridge across the border is a place, as the border is.
    for bridge in ("Thailand - Cambodia Friendship Bridge", "สะพานมิตรภาพไทย-กัมพูชา"):
        assert partners(f"ดีอี ตรวจเยี่ยม {bridge} ด้านดิจิทัล", "") == ()


def test_only_a_bridges_name_at_the_pair_makes_the_country_a_place():
    # A bridge named somewhere after the pair, or the verb "to bridge", leaves the country a party.
    assert partners("Thailand and Laos sign MoU on 5th Friendship Bridge", "") == ("country:LA",)
    assert partners("Thailand-Laos MoU on the Friendship Bridge signed", "") == ("country:LA",)
    assert partners("Thailand and Laos sign Bridge deal", "") == ("country:LA",)
    assert partners("Thailand and Japan to Bridge the Digital Gap", "") == ("country:JP",)
    assert partners("Second Thai-Lao Friendship Bridge reopens", "") == ()
    # An ordinal between the pair and the bridge is still the bridge's name.
    assert partners("Minister visits Thailand-Myanmar 2nd Friendship Bridge", "") == ()
    assert partners("Minister visits Thailand-Laos Fourth Friendship Bridge", "") == ()


def test_an_agreement_on_a_bridge_makes_the_neighbour_a_party():
    # Article 50103: a draft agreement on the bridge is negotiated with Cambodia.
    deal = "ไทยเจรจาร่างความตกลงว่าด้วยการบริหารสะพานมิตรภาพไทย - กัมพูชา"
    assert partners(deal, "") == ("country:KH",)
    body = "การเจรจาจัดทำร่างความตกลงว่าด้วยกรรมสิทธิ์ การใช้ การบริหาร การบำรุงรักษาสะพานมิตรภาพไทย - กัมพูชา"
    assert partners("การค้าชายแดน 10 เดือนแรก", body) == ("country:KH",)
    assert partners("DE signs MoU on the Thailand-Laos Friendship Bridge", "") == ("country:LA",)
    assert partners("Thailand-Laos Friendship Bridge MoU signed", "") == ("country:LA",)


def test_a_deal_with_another_party_leaves_a_visited_bridge_a_place():
    # Thai clauses run on without a full stop: the MoU is with Japan, the bridge is visited.
    visit = "ดีอี ลงนามบันทึกความเข้าใจด้านดิจิทัลกับญี่ปุ่น พร้อมตรวจเยี่ยมด่านสะพานมิตรภาพไทย-ลาว"
    assert partners(visit, "") == ("country:JP",)
    english = "DE signs an agreement with Japan, then visits the Thailand-Laos Friendship Bridge"
    assert partners(english, "") == ("country:JP",)
    # Every dash CHAMBER_BEFORE takes, the em dash too, joins a bridge's pair.
    for dash in ("-", "–", "—"):
        assert partners(f"ดีอี ตรวจเยี่ยมสะพานมิตรภาพไทย{dash}ลาว", "") == ()


def test_a_business_bodys_word_counts_only_in_the_pairs_own_name():
    for title in (
        "Thailand-Japan Digital Co-operation Forum opens in Bangkok",
        "Thailand-Japan Digital Forum hosted by the Association of Thai Software Industry",
        "ASEAN-Japan Cybersecurity Week Co-hosted by NCSA",
    ):
        assert "country:JP" in partners(title, ""), title
    for body in ("Thailand-Japan Digital Trade Association", "Thailand-Japan Digital Co., Ltd."):
        assert "country:JP" not in partners(f"DE signs MoU with {body}", ""), body


def test_a_country_paired_with_thailand_after_it_in_a_business_bodys_name_is_the_bodys():
    # The reversed pair, the plural and the Thai form after the body's word (article 54176,
    # "หอการค้าฝรั่งเศส-ไทย") name the body, as "Thailand-Japan Business Council" does.
    for body in (
        "Japan-Thailand Business Council",
        "Japan - Thailand Chamber of Commerce",
        "Thailand-Japan Business Councils",
        "Japan-Thailand Business Councils",
        "หอการค้าอินเดีย - ไทย",
        "สภาธุรกิจญี่ปุ่น – ไทย",
        "หอการค้าฝรั่งเศส-ไทย",
    ):
        assert partners(f"DE minister meets {body} on digital trade", "") == (), body
    # Paired with Thailand outside a business body's name, the country is still a party.
    assert partners("Japan-Thailand Digital Forum opens", "") == ("country:JP",)
    assert partners("ดีอี หารือ ญี่ปุ่น-ไทย ด้านดิจิทัล", "") == ("country:JP",)


def test_a_name_followed_by_a_dash_and_another_country_is_not_that_name():
    # "หอการค้าไทย-ญี่ปุ่น" is the Thai-Japanese chamber, not the Thai Chamber of Commerce
    # (หอการค้าไทย) that its start spells (article 55630: "ประธานหอการค้าไทย-รัสเซีย").
    for dash in ("-", " - ", "–"):
        assert partners(f"ดีอี หารือ หอการค้าไทย{dash}ญี่ปุ่น ด้านดิจิทัล", "") == ()
    assert partners("ดีอี หารือ หอการค้าไทย ด้านดิจิทัล", "") == ("company:Thai Chamber of Commerce",)
    # Followed by Thailand, or by no country, the name is still the body's.
    assert partners("ดีอี หารือ หอการค้าไทย-ไทย ด้านดิจิทัล", "") == ("company:Thai Chamber of Commerce",)


def test_a_lower_case_friendship_bridge_is_a_place_too():
    for bridge in ("Friendship bridge", "friendship bridge", "2nd Friendship bridge"):
        assert partners(f"Minister inspects Thailand-Laos {bridge}", "") == (), bridge
    # A lower-case "bridge" alone is the verb: the country stays a party.
    assert partners("Thailand, Japan bridge the digital divide", "") == ("country:JP",)


def test_cooperation_or_relations_with_a_country_make_it_a_party():
    # Article 92636: China's government is whom the ministry cooperates with; its companies'
    # country ("บริษัทชั้นนำของจีน") is still not a party.
    body = "จึงมีกิจกรรมความร่วมมือกับสาธารณรัฐประชาชนจีนในประเด็นเกี่ยวกับการพัฒนาอุตสาหกรรม"
    assert partners("รัฐมนตรีหารือแนวทางการลงทุน", body) == ("country:CN",)
    companies = "ในปัจจุบันมีบริษัทชั้นนำของจีนเข้ามาลงทุนในประเทศไทย"
    assert partners("รัฐมนตรีหารือแนวทางการลงทุน", companies) == ()
    # Article 66903: relations with the UAE (and a CEPA to negotiate), not only its business
    # council with Thailand.
    body = "ประเทศไทยเดินหน้าความสัมพันธ์กับสหรัฐอาหรับเอมิเรตส์ โดยเห็นพ้องจะจัดทำความตกลง CEPA"
    assert partners("ความสัมพันธ์ทางการค้า", body) == ("country:AE",)
    council = "ลงนามจัดตั้งสภาธุรกิจไทย-สหรัฐอาหรับเอมิเรตส์"
    assert partners("ความสัมพันธ์ทางการค้า", council) == ()


def test_a_countrys_border_forces_are_not_its_partnership_but_its_border_police_are():
    clash = "Thailand-Cambodia border forces exchanged fire"
    assert partners("Thai-Cambodian border forces exchange fire", clash) == ()
    assert partners("Malaysia Border Police meets Thai police", "") == ("country:MY",)
    assert partners("DE meets Malaysia border police on online scams", "") == ("country:MY",)


def test_a_forums_meeting_named_in_english_as_the_occasion_and_a_seat_sought_are_not_partners():
    # Article 97846: talks with Comoros on the sidelines of UNESCO's forum, where Thailand also
    # asks for Comoros's support in the UPU's council elections.
    title = "ไทย-คอโมโรส หารือถ่ายทอดองค์ความรู้-พัฒนาบุคลากรดิจิทัลร่วมกัน"
    body = (
        "รัฐมนตรีว่าการกระทรวงดิจิทัลฯ ได้พบหารือทวิภาคีกับรัฐมนตรีว่าการกระทรวงไปรษณีย์ "
        "สหภาพคอโมโรส ในระหว่างการประชุม The 3rd UNESCO Global Forum on the Ethics of AI "
        "นอกจากนี้ ประเทศไทยได้ขอรับการสนับสนุนจากสหภาพคอโมโรสในการเลือกตั้งตำแหน่ง"
        "สมาชิกสภาบริหาร (Council of Administration : CA) ของสหภาพสากลไปรษณีย์ (UPU)"
    )
    assert partners(title, body) == ("country:KM",)
    # Support given to the body itself is work with it.
    grant = "ไทยได้รับการสนับสนุนจากสหภาพสากลไปรษณีย์ (UPU) ในการพัฒนาบริการไปรษณีย์ดิจิทัล"
    assert partners("ไปรษณีย์ไทย พัฒนาบริการดิจิทัล", grant) == ("org:UPU",)


def test_a_platform_glossed_after_an_unknown_channel_is_a_channel_too():
    # Article 76241: the prime minister posts on X, glossed "(twitter)"; Apple is the partner.
    title = "นายกฯ เปิดเผยข่าวดี มั่นใจโอกาสเกิดความร่วมมือกับ Apple"
    body = "นายกรัฐมนตรี โพสต์ X (twitter) ถึงข่าวดีเกี่ยวกับความร่วมมือกับ Apple บริษัทยักษ์ใหญ่ของโลก"
    assert partners(title, body) == ("company:Apple",)
    assert "company:Twitter" in partners("ดีอี หารือ X (twitter) ด้านข่าวปลอม", "")


def test_a_bank_named_in_its_fund_managers_or_brokers_name_is_not_a_partner():
    # Article 64591: Krungthai Bank's partners are fund managers, one of them Krungsri's.
    title = "กรุงไทย ต่อยอด NEXT INVEST ผนึกพันธมิตร 9 บลจ.-บล."
    body = "ธนาคารกรุงไทย ร่วมกับพันธมิตร คือ บล.กรุงไทย เอ็กซ์สปริง บลจ.ยูโอบี (ประเทศไทย) และ บลจ.กรุงศรี"
    assert partners(title, body) == ("company:Krungthai Bank",)
    # The bank itself, and a party after the stock exchange's name, still count.
    assert partners("กยศ. จับมือธนาคารกรุงศรีอยุธยา ส่งเสริมการออม", "") == ("company:Krungsri",)
    listed = "สสว. ลงนาม MOU กับพันธมิตร อาทิ สำนักงาน ก.ล.ต. ตลาดหลักทรัพย์ TikTok และ Shopee"
    assert "company:TikTok" in partners("สสว. จับมือพันธมิตร", listed)


def test_a_forum_paired_in_a_working_group_or_work_plan_is_a_side():
    # A working group's or a work plan's งาน is not an event's: Thailand takes part as a member.
    group = "กระทรวงดิจิทัลฯ ร่วมประชุมคณะทำงานอาเซียน-ญี่ปุ่นด้านความมั่นคงไซเบอร์ ครั้งที่ 5"
    assert partners("ดีอีหารือ", group) == ("country:JP", "org:ASEAN")
    plan = "กระทรวงดิจิทัลฯ ขับเคลื่อนแผนงานความร่วมมืออาเซียน-ญี่ปุ่นด้านดิจิทัล ประจำปี 2568"
    assert partners("ดีอีหารือ", plan) == ("country:JP", "org:ASEAN")
    committee = "เข้าร่วมการประชุมคณะกรรมการประสานงานอาเซียน-ญี่ปุ่น ด้านความมั่นคงปลอดภัยไซเบอร์"
    assert partners(committee, "") == ("country:JP", "org:ASEAN")
    hosted = "กระทรวงดิจิทัลฯ เป็นเจ้าภาพจัดงานประชุมอาเซียน-ญี่ปุ่น ด้านความมั่นคงปลอดภัยไซเบอร์"
    assert partners("ดีอีหารือ", hosted) == ("country:JP", "org:ASEAN")
    # A fair's or an expo's name still makes the pair the country's.
    fair = "กระทรวงดิจิทัลฯ ร่วมงานแสดงสินค้าจีน-อาเซียน ครั้งที่ 21"
    assert partners("ดีอีร่วมงาน", fair) == ("country:CN",)
    expo = "นายกฯ ร่วมพิธีเปิดงานเอ็กซ์โปจีน-อาเซียน ครั้งที่ 20 ที่นครหนานหนิง"
    assert partners(expo, "") == ("country:CN",)
    festival = "ดีอี ร่วมงานเทศกาลจีน-อาเซียน ด้านดิจิทัล"
    assert partners(festival, "") == ("country:CN",)


def test_a_party_after_a_list_of_attendees_or_speakers_is_a_partner():
    # A rule that left out the parties listed after "ได้แก่ / อาทิ / including" (attendees,
    # speakers) took partners from the next clause and the one foreign side of a bilateral
    # meeting: Thai sentences end without a mark. It was taken out; these keep it out.
    seminar = (
        "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคมจัดงานสัมมนาความมั่นคงปลอดภัยไซเบอร์ ผู้เข้าร่วมงาน ได้แก่ "
        "ผู้แทนหน่วยงานภาครัฐกว่า 200 คน ในการนี้ เอกอัครราชทูตญี่ปุ่นประจำประเทศไทยได้มอบเครื่องมือให้กระทรวง"
    )
    assert partners("ดีอีจัดสัมมนาความมั่นคงไซเบอร์", seminar) == ("country:JP",)
    then = (
        "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคมจัดงานสัมมนา AI มีวิทยากร อาทิ ผู้เชี่ยวชาญจาก"
        "มหาวิทยาลัยชั้นนำ จากนั้น Microsoft และกระทรวงได้แถลงความร่วมมือพัฒนาทักษะ AI"
    )
    assert partners("ดีอีจัดสัมมนา AI", then) == ("company:Microsoft",)
    after = (
        "The Ministry of Digital Economy and Society held an AI seminar with speakers including "
        "university experts. After the seminar, the Minister signed a memorandum of understanding "
        "with Microsoft on AI skills."
    )
    assert partners("DE hosts AI seminar", after) == ("company:Microsoft",)
    clause = (
        "The Ministry held a seminar with speakers such as academics from Chulalongkorn "
        "University, and the Minister then announced a joint programme with Google on AI skills."
    )
    assert partners("DE seminar", clause) == ("company:Google",)
    # Thailand's side listed with one other: a bilateral meeting, the other side a partner.
    bilateral = (
        "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคมจัดประชุมหารือความร่วมมือด้านรัฐบาลดิจิทัล โดยผู้เข้าร่วม"
        "ประชุม ประกอบด้วย ผู้แทนกระทรวงดิจิทัลฯ และคณะผู้แทนรัฐบาลเกาหลีใต้"
    )
    assert partners("ดีอีหารือความร่วมมือด้านรัฐบาลดิจิทัล", bilateral) == ("country:KR",)
    # Talks with a party before the list: those attending are sides too.
    talks = (
        "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคมหารือร่วมกับผู้แทนรัฐบาลญี่ปุ่น ผู้เข้าร่วมประชุม ได้แก่ "
        "เอกอัครราชทูตสิงคโปร์ประจำประเทศไทย"
    )
    assert partners("ดีอีหารือ", talks) == ("country:JP", "country:SG")
    occasion = (
        "กระทรวงดิจิทัลฯ จัดสัมมนา AI มีวิทยากร อาทิ ผู้เชี่ยวชาญจากมหาวิทยาลัยชั้นนำ ในโอกาสนี้ "
        "Microsoft และกระทรวงได้ร่วมกันลงนามบันทึกความเข้าใจ"
    )
    assert partners("ดีอีจัดสัมมนา AI", occasion) == ("company:Microsoft",)
    listed_first = (
        "การประชุมคณะกรรมการร่วมด้านเศรษฐกิจดิจิทัล ครั้งที่ 3 ผู้เข้าร่วมประชุม ประกอบด้วย "
        "ผู้แทนรัฐบาลญี่ปุ่น และผู้แทนกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม"
    )
    assert partners("ดีอีประชุมคณะกรรมการร่วม", listed_first) == ("country:JP",)


def test_the_rules_reverted_this_evening_keep_their_partners():
    # The roadshow rule 44825e9 removed: the signings were with Japan.
    visit = "นายประเสริฐ นำคณะเดินทางเยือน ณ กรุงโตเกียว"
    assert partners("ดีอีโรดโชว์ญี่ปุ่น ลงนามความร่วมมือ 5 ฉบับ", visit) == ("country:JP",)
    # ตลาด inside การตลาด (marketing), and across ร่วมกับ or รัฐบาล.
    marketing = "กระทรวงดิจิทัลฯ ขยายความร่วมมือด้านการตลาดดิจิทัลร่วมกับญี่ปุ่น"
    assert partners("ดีอีขยายความร่วมมือด้านการตลาดดิจิทัลร่วมกับญี่ปุ่น", marketing) == ("country:JP",)
    assert partners("ดีอีหารือ", "กระทรวงดิจิทัลฯ ส่งเสริมการตลาดร่วมกับรัฐบาลสิงคโปร์") == ("country:SG",)
    # A dispute settled with a country is work with it.
    dispute = "กระทรวงดิจิทัลฯ หารือกลไกระงับข้อพิพาททางการค้าออนไลน์ร่วมกับสิงคโปร์"
    assert partners("ดีอีหารือ", dispute) == ("country:SG",)
    # A country with its government or envoy, or after กับ, before companies.
    signed = "กระทรวงดิจิทัลฯ ลงนามความร่วมมือกับรัฐบาลสิงคโปร์ Google และ Microsoft"
    assert "country:SG" in partners("ดีอีหารือ", signed)
    envoy = "กระทรวงดิจิทัลฯ หารือกับเอกอัครราชทูตจีน Huawei และ ZTE"
    assert "country:CN" in partners("ดีอีหารือ", envoy)
    # A framework named beside another party is still worked with.
    framework = "ไทยร่วมกับญี่ปุ่นจัดการฝึกอบรมด้านความมั่นคงไซเบอร์ภายใต้กรอบความร่วมมืออาเซียน"
    assert partners("ดีอีหารือ", framework) == ("country:JP", "org:ASEAN")
    apec = "กระทรวงดิจิทัลฯ จัดการฝึกอบรมภายใต้กรอบความร่วมมือเอเปค โดย Google สนับสนุนการจัดงาน"
    assert partners("ดีอีหารือ", apec) == ("company:Google", "org:APEC")


@pytest.mark.parametrize(
    ("part_of", "refusal"),
    [
        ("3", r"^partner 'company:Acme Pay': part_of 3 is not a partner id \(a string\)$"),
        ('["company:Acme Cloud"]', r"^partner 'company:Acme Pay': part_of \[.*\] is not a"),
        ('"Acme Cloud"', r"^partner 'company:Acme Pay': part_of 'Acme Cloud' is not a partner id"),
        ('"company:Acme Pay"', r"^partner 'company:Acme Pay': part_of names the entry itself$"),
        ('"company:Nobody"', r"^partner 'company:Acme Pay': part_of 'company:Nobody' names no"),
        (
            '"company:acme cloud"',
            r"^partner 'company:Acme Pay': part_of 'company:acme cloud' names no entry "
            r"\(the table writes it 'company:Acme Cloud'\)$",
        ),
    ],
)
def test_a_bad_part_of_is_refused_naming_the_entry_and_the_field(part_of, refusal):
    table = (
        '[[partner]]\nid = "company:Acme Cloud"\nen = ["Acme Cloud"]\n'
        f'[[partner]]\nid = "company:Acme Pay"\nen = ["AcmePay"]\npart_of = {part_of}\n'
    )
    with pytest.raises(ValueError, match=refusal):
        partner_table(table)


def test_a_part_of_cycle_is_refused():
    table = (
        '[[partner]]\nid = "company:Acme Cloud"\nen = ["Acme Cloud"]\n'
        'part_of = "company:Acme Pay"\n'
        '[[partner]]\nid = "company:Acme Pay"\nen = ["AcmePay"]\npart_of = "company:Acme Cloud"\n'
    )
    with pytest.raises(ValueError, match=r"^partner 'company:Acme Cloud': part_of runs in a cycle"):
        partner_table(table)


def test_a_forums_hub_gateway_or_region_is_a_region():
    body = "กระทรวงดิจิทัลฯ จัดเวทีเสวนากับสมาคมผู้ประกอบการ เพื่อพัฒนาทักษะดิจิทัลของ SME"
    for title in (
        "ก.เกษตร ดันไทยขึ้นแท่นฮับออร์แกนิคอาเซียน",
        "กรมเจ้าท่า ขับเคลื่อนพาณิชยนาวีไทย สู่ Hub ASEAN",
        "รมว.ดีอี หวังยกระดับไทย เป็น TechGateway อาเซียน",
        "ดีอี เดินหน้าปั้นไทย สู่ ASEAN Digital Hub",
        "ดีอี นำเสนองานอาเซียนดิจิทัลฮับของไทย",
        "A special representative for economic relations in the ASEAN region visits DE",
    ):
        assert partners(title, body) == (), title
    assert partners("ดีอี หารืออาเซียน ตั้งศูนย์ข้อมูลกลาง", body) == ("org:ASEAN",)
    for title in (  # a hub or a gateway built with the forum: a partnership
        "Thailand signs MoU on a digital hub with ASEAN",
        "ดีอี พัฒนาฮับข้อมูลร่วมกับอาเซียน",
        "DE builds a payment gateway with ASEAN partners",
        "DE shows its code on GitHub ASEAN edition",
    ):
        assert partners(title, body) == ("org:ASEAN",), title
    forum = "Thailand joins the ASEAN Regional Forum on cybersecurity"
    assert partners(forum, body) == ("org:ASEAN",)


def test_a_company_before_a_dash_and_a_country_stays_a_partner():
    # Only a body's name ending in ไทย is extended by a dash and a country: หอการค้าไทย-ญี่ปุ่น.
    found = partners("ดีอี ผลักดันความร่วมมือ NT-ลาว เชื่อมโครงข่ายใยแก้ว", "")
    assert "company:NT" in found
    assert "company:Huawei" in partners("ดีอี ร่วมกับ Huawei-จีน จัดอบรม", "")
    assert "company:AIS" in partners("ดีอี ลงนามกับ AIS - ญี่ปุ่น", "")
    chamber = partners("ดีอี หารือหอการค้าไทย-ญี่ปุ่น", "")
    assert "company:Thai Chamber of Commerce" not in chamber


@pytest.mark.parametrize(
    "user",
    [
        '[[partner]]\nid = "company:True"\nen = ["True"]',  # across the packaged file's cased
        '[[partner]]\nid = "company:Acme"\nen = ["Acme"]\ncased = ["Acme"]',  # in one entry
    ],
)
def test_a_users_en_name_matches_in_any_case_even_where_cased(user):
    table = partner_table(user)
    partner = re.search(r'id = "([^"]+)"', user).group(1)
    name = partner.partition(":")[2]
    assert partner in partners(f"DE signs MoU with {name}", "", table)
    assert partner in partners(f"DE signs MoU with {name.lower()}", "", table)


@pytest.mark.parametrize(
    "body",
    [
        "ความสัมพันธ์กับนักลงทุนญี่ปุ่น",  # investors' country
        "ความร่วมมือกับผู้ประกอบการจีน",  # companies' country
        "ความร่วมมือกับตลาดจีน",  # a market
        "ความร่วมมือกับพันธมิตรระดับโลกจากสหรัฐอเมริกา",  # where partners come from (90662)
        "ความร่วมมือกับประเทศอื่น ๆ เช่น งานเทศกาลอินเดีย",  # an example, no party (57472)
        "ความร่วมมือกับนักธุรกิจจีน",  # business people's country
        "ความร่วมมือกับสตาร์ทอัพจีน",  # startups' country
        "ความร่วมมือกับภาคธุรกิจญี่ปุ่น",  # its business sector
        "ความร่วมมือกับค่ายรถยนต์ญี่ปุ่น",  # carmakers' country
        "ความร่วมมือกับผู้ส่งออกจีน",  # exporters' country
    ],
)
def test_a_cooperation_cue_stops_before_companies_investors_and_markets(body):
    assert partners("รัฐมนตรีหารือแนวทางการลงทุน", f"โครงการนี้มุ่งเน้น{body}") == ()


@pytest.mark.parametrize("product", ["True ID", "True 5G", "True VROOM"])
def test_a_cased_name_before_a_capitalised_word_or_a_number_is_a_product(product):
    assert "company:True" not in partners(f"ดีอี ร่วมกับ {product} จัดอบรม", "")


@pytest.mark.parametrize(
    ("title", "partner"),
    [
        ("ดีอี ร่วมกับ ธอส.ามารถ", "company:GH Bank"),  # a name ending in "."
        ("ดีอี ร่วมกับมูลนิธิคีนันแห่งเอเชียะมูลนิธิ", "company:Kenan Foundation Asia"),  # 83714
    ],
)
def test_a_name_ending_in_a_vowel_is_whole_before_a_vowel_that_starts_a_syllable(title, partner):
    assert partner in partners(title, "")


def test_a_cased_name_before_another_name_of_the_table_is_still_a_name():
    # Article 58804: the operators listed without commas.
    found = partners("ดีอี จัดระเบียบสายสื่อสาร", "ร่วมกันของผู้ให้บริการ โดยมีทั้ง NT True AIS และ 3BB")
    assert "company:True" in found


@pytest.mark.parametrize(
    "name",
    [
        "Japan-Thai Chamber of Commerce",
        "India-Thai Business Council",
        "Franco-Thai Chamber of Commerce",  # article 54176
        "Spanish-Thai Chamber of Commerce",  # article 96989
        "Japan - Thai Chamber of Commerce",
        "Japan—Thai Chamber of Commerce",
    ],
)
def test_an_x_thai_body_name_is_neither_the_thai_chamber_nor_the_country(name):
    assert partners("ดีอี หารือ", f"กระทรวงดิจิทัลฯ ร่วมกับ {name} จัดสัมมนา") == ()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("ความร่วมมือกับญี่ปุ่น และเกาหลีใต้", ("country:JP", "country:KR")),  # a list of two
        (  # corpus 55174
            "กระชับความสัมพันธ์กับประเทศต่าง ๆ เช่น ซาอุดีอาระเบีย สหรัฐอเมริกา",
            ("country:SA", "country:US"),
        ),
        ("ความร่วมมือกับประเทศ ญี่ปุ่น", ("country:JP",)),
        ("ความร่วมมือกับสาธารณรัฐ สิงคโปร์", ("country:SG",)),
        ("ความร่วมมือกับนานาประเทศ อาทิ ญี่ปุ่น", ("country:JP",)),
    ],
)
def test_a_cooperation_cue_reaches_every_country_of_its_list(body, expected):
    assert partners("รัฐมนตรีหารือแนวทางการลงทุน", f"โครงการนี้มุ่งเน้น{body}") == expected


@pytest.mark.parametrize(
    "title",
    [
        "ไทยเป็น Gateway to ASEAN",
        "Thailand, the digital hub to ASEAN",
        "ไทยเป็น Digital Hub Of ASEAN",
        "DE makes Thailand the DIGITAL HUB FOR ASEAN",
    ],
)
def test_an_english_hub_or_gateway_of_or_to_a_forum_in_any_case_is_a_region(title):
    assert partners(title, "กระทรวงดิจิทัลฯ จัดเวทีเสวนากับสมาคมผู้ประกอบการ") == ()


@pytest.mark.parametrize("en", ["true", "tRUE"])
def test_a_users_en_name_lifts_a_cased_name_whatever_its_case(en):
    table = partner_table(f'[[partner]]\nid = "company:True"\nen = ["{en}"]')
    assert partners("DE signs MoU with True on 5G.", "", table) == ("company:True",)


def test_an_en_acronym_leaves_a_cased_name_cased():
    # The packaged True has en = ["TRUE"] beside cased = ["True"]: the acronym must not lift it.
    table = partner_table('[[partner]]\nid = "company:True"\nen = ["TRUE"]')
    assert partners("DE signs MoU with True on 5G.", "", table) == ()
    assert partners("DE signs MoU with TRUE on 5G.", "", table) == ("company:True",)


@pytest.mark.parametrize("listed", ["NT True AISและดีแทค", "AIS True NT."])
def test_a_cased_name_before_a_table_name_with_text_glued_to_it_is_still_a_name(listed):
    assert "company:True" in partners(f"ดีอี ร่วมกับ {listed}", "")
