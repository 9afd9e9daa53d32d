"""Partners: the parties outside Thailand's government side an article reports working with.

A partner is an id, as the partner guide writes it: ``country:<ISO 3166-1
alpha-2>``, ``org:<short English name>`` or ``company:<name as the company
writes it>``. :func:`partners` reads them from the headline and the opening
(the first :data:`OPENING_CHARS` characters of the body, and the rest of the
word the limit cuts), in Thai and English.

The names are data: countries from pycountry (the ISO list in English and its
Thai translation) and PyThaiNLP's Thai country names, plus ``partners.toml``
(extra country spellings, international organisations, companies and business
bodies, each with its Thai spellings and abbreviations), which a user's file
extends (``[partners] file`` in thaidigest.toml).

Matching works as in :mod:`thaidigest.relevance`: Thai names as substrings
with an Aho-Corasick automaton (leftmost-longest, so ``สภาธุรกิจสหรัฐอเมริกา-
อาเซียน`` is one business body, not the US and ASEAN), Latin names on word
boundaries (acronyms in capitals only, so "WHO" is not "who"; a ``cased`` name of the table as
written, in Thai text, and not before another Latin word in lower or title case: "True" in
"ผู้ให้บริการ อาทิ AIS, True และ NT", not in "True development" nor "True Food"). A Thai match
that ends inside a syllable (``ลาว`` in ``ลาวัณย์``, ``จีน`` in ``จีนะวิจารณะ``) is not a name.

Then the guide's rules, on each mention of a country:

- the venue of a meeting is not a partner: a country named right after
  ``ณ`` / ``ที่ประเทศ`` / "in" / "at" (``ณ กรุงลิมา ประเทศเปรู``, "in Lima,
  Peru") does not count;
- members of a multilateral meeting are not listed one by one: a run of three
  or more countries named together is a list of members, unless Thailand and at most two
  others are listed as the sides of a cooperation, a signing or an agreement between them,
  not broken off (``ความร่วมมือไตรภาคีระหว่างญี่ปุ่น เกาหลีใต้ และไทย``, "a trilateral memorandum
  between Japan, South Korea and Thailand"): the others are its partners, unless members of a
  forum the headline or the opening names; a longer list is a forum's members;
- a foreign company's country is not a partner: a country named just after a
  company, ``บริษัท`` or ``เอกชน`` does not count; nor does one every kept mention
  only pairs with Thailand (``ส่งเสริมการลงทุนร่วมไทย-สหรัฐ``, ``ไปรษณีย์ ไทย-เวียดนาม``)
  when a company or business body the article counts bears its name
  (``สภาธุรกิจสหรัฐอเมริกา-อาเซียน``, "Vietnam Post"): without its government, the pair
  is that company's;
- outside the headline, a country is a party only when named with its government, an envoy
  or an agency (``เอกอัครราชทูตออสเตรเลีย``), as the one Thailand works with or has relations
  with (``ร่วมกับประเทศญี่ปุ่น``, ``ความร่วมมือกับจีน``, ``ความสัมพันธ์กับ...``, ``ระหว่างไทยและ...``,
  "the memorandum between Japan and Thailand")
  or as a side of a trade agreement named
  across a dash (``ความตกลงการค้าเสรีอาเซียน-จีน``); named otherwise (a market, a war, a
  speaker's home) it is in passing;
- a language, people or nationality (``ภาษาจีน``, ``ชาวญี่ปุ่น``) is not a party;
- Thailand is the Thai side, never a partner;
- a border, and a bridge across it named right at the pair, is a place (``ชายแดนไทย-กัมพูชา``,
  "Thailand-Cambodia Border", ``สะพานมิตรภาพไทย-ลาว``, "Thailand - Cambodia Friendship Bridge",
  "Friendship bridge";
  not "Thailand and Laos sign MoU on 5th Friendship Bridge"), unless an agreement or a
  negotiation is on the bridge (``เจรจาร่างความตกลงว่าด้วยการบริหารสะพานมิตรภาพไทย - กัมพูชา``);
  a country's border police, guards or officials are its government ("Malaysia border police",
  "Malaysia Border Police"), its border forces are not;
- a country across a dash in a chamber of commerce's or a business council's name is that
  body's (``หอการค้าไทย-ญี่ปุ่น``, ``สภาธุรกิจไทย-ญี่ปุ่น``, "Thailand-Japan Chamber of Commerce"),
  and so is one paired with Thailand after it (``หอการค้าอินเดีย-ไทย``, "Japan-Thailand Business
  Councils");
- a Latin name followed by another capitalised word is part of a name ("Singapore
  Telecommunications"), unless a dash pairs it with Thailand or a forum before it, as
  ``อาเซียน-ญี่ปุ่น`` does ("ASEAN-Japan Cybersecurity Week", "Thailand-Japan Digital Forum"),
  and the title-case words right after it do not end in a business body's (a chamber, a
  business council, an association, a company, "Co., Ltd"; not "Co-operation", nor another
  body's "... Forum hosted by the Association of ...");
- where a company or an expert comes from (``ผู้เชี่ยวชาญ...จากประเทศอังกฤษ``,
  "Equinix ยักษ์ใหญ่ Data Center จากสหรัฐอเมริกา"), or a country's "giants"
  (``ดึงยักษ์ใหญ่สหรัฐฯ``), is not a party.

On every mention: a body Thailand's own envoy is posted to is not a partner
(``เอกอัครราชทูตไทยประจำ...``, ``ผู้แทนถาวรไทยประจำองค์การสหประชาชาติ``, "Thai
Ambassador to"), nor one another country's mission is posted to, the country named in it
(``คณะผู้แทนประเทศญี่ปุ่นประจำอาเซียน``: Japan is the party), nor is the body a treaty
is named after (``อนุสัญญาสหประชาชาติว่าด้วย...``,
``สนธิสัญญา``, ``กฎบัตร``, "United Nations Convention against Cybercrime"): joining a
convention is not working with its body; nor is a body whose seat or post Thailand runs for
(``ลงสมัครรับเลือกตั้งในตำแหน่งสมาชิกสภาบริหาร ... ของสหภาพสากลไปรษณีย์``, ``ขอรับการสนับสนุน
... ในการเลือกตั้งตำแหน่ง ... ของ...``). On a forum's mention: its meeting as the time of the
news (``ในห้วงการประชุมรัฐมนตรี...``, ``ในโอกาสการประชุม...``, "ในระหว่างการประชุม The 3rd
UNESCO Global Forum ...", unless the meeting is Thailand's with it: ``รัฐมนตรีไทย-สหภาพยุโรป``)
or a region (``ศูนย์กลาง Cloud-AI อาเซียน``, ``ฮับฮาลาลอาเซียน``, "ASEAN Digital Hub", "the ASEAN
region") is not the forum as a partner, nor is its pair
across a dash with a company (``ไชน่า โมบาย - อาเซียน``: the company's conference) or, in the
name of an event, a fair or an expo, with a country other than Thailand ("Korea-ASEAN Smart City
Day", ``งานแสดงสินค้าจีน-อาเซียน``: that party's event);
nor is a forum named only once after the headline, in passing, unless
named as the one Thailand works with (``ระหว่างกระทรวง... และสหภาพยุโรป``, ``ภายใต้แผน IMT-GT``,
``ไทย-เอฟตา``) or in a list with a party that is neither a forum nor a country
(``มี UNICEF ITU และ ECPAT ร่วมจัดงาน``); and, as a country, a forum every kept mention only pairs
with Thailand (``ภาคเอกชนของไทย และสหภาพยุโรป``) when a business body the article counts bears its
name (``สภาธุรกิจสหภาพยุโรป – อาเซียน``). On a company's mention: the employer of a person who
speaks for another body (``ธนาคารกรุงไทย จำกัด (มหาชน) ในฐานะประธานสมาคมธนาคารไทย``,
``... ผู้แทนสมาคมธนาคารไทย``, ``ที่ปรึกษาสมาคมธนาคารไทยและประธานกรรมการของธนาคารกรุงเทพ``,
``ผู้ตรวจการธนาคารอาคารสงเคราะห์ และรักษาการผู้อำนวยการศูนย์ข้อมูล...``: one post of a person whose
other post, named next, is at another party named or a Thai centre, office or institute) is not
a partner, nor is one among an event's guests of honour (``โดยมี ... บริษัท ... จำกัด ...
เข้าร่วมเป็นเกียรติ``), nor one listed among another company's products or services
(``สินค้าและบริการของ google เช่น ระบบการค้นหา ... และ YouTube``), nor one Thailand acts
against (``ร้องศาลปิด Facebook``, ``ฟ้อง``, ``ระงับ``, ``บล็อก``), and a platform used as the channel
is not a partner: one named after ``ผ่าน`` / ``ผ่านทาง`` / ``ผ่านระบบ``, ``บน``,
``ช่องทาง``, ``เพจ``, ``แอป...``, ``โปรแกรม``, ``ปลอม``, ``โซเชียลมีเดีย``,
``ใช้``, ``โพสต์``, "via", or in a link; or followed by "OA", "Official",
"Page", "Live", "Webex", "Meeting", "account", ``ปลอม``, "@" or a count of
links or accounts (``เฟซบุ๊ก 284 ยูอาร์แอล``); and so are the
platforms listed right after it, separators only between them
(``ทั้งเฟซบุ๊ก ไอจี ติ๊กต็อก และไลน์``).

A company's or a business body's name followed by a dash and a country other than Thailand
is the start of a longer name, the pair's body: ``หอการค้าไทย-ญี่ปุ่น`` is not the Thai Chamber
of Commerce (``หอการค้าไทย``).

A name repeated at once ("บริษัท โทรคมนาคมแห่งชาติ จำกัด (มหาชน) หรือ NT",
"สหภาพโทรคมนาคมระหว่างประเทศ : ITU"), or again in a gloss in brackets soon after
("การประชุมรัฐมนตรีอาเซียนด้านดิจิทัล (The 5th ASEAN Digital Ministers' Meeting)"), is
judged as its first mention. A party counts when any one of its mentions survives these rules;
a company whose unit, a table entry named after it, counts too (``ธนาคารไทยพาณิชย์`` beside
"SCB Academy") is left to that unit, and so is a body an entry counted is ``part_of`` in the
table (the UN beside UNCITRAL, its commission); a company listed with its unit is named in its
own right ("True Corporation and True IDC": both sign), a body listed with its agency is not.
"""

from __future__ import annotations

import gettext
import hashlib
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from types import MappingProxyType
from typing import Any, NamedTuple

from thaidigest.classifier import OPENING_CHARS  # the guide: judge from the headline and this
from thaidigest.config import blank_item_problem, list_problem, toml_value, type_problem
from thaidigest.matching import Automaton, single_spaced
from thaidigest.normalise import shows_nothing
from thaidigest.urls import name_hash, path_name

__all__ = [
    "Found",
    "PartnerTable",
    "feed_stem",
    "feed_stems",
    "files_digest",
    "first_spellings",
    "found_partners",
    "names_a_region",
    "packaged_files_digest",
    "partner_key",
    "partner_name",
    "partner_table",
    "partner_table_digest",
    "partners",
    "partners_digest",
]

DEFAULT_TABLE = "partners.toml"
# The packaged files whose text decides the partners found: the names, the rules that read
# them (this module: its patterns and their use) and how names are matched.
DECIDING_FILES = (DEFAULT_TABLE, "partners.py", "matching.py")
THAI_SIDE = "TH"
KINDS = ("country", "org", "company")
NAME_FIELDS = ("th", "en", "cased")  # an entry's lists of names

# Words right before a country that make it not a party: a language, a people,
# a nationality (of tourists, workers, financiers); or a company's or an institute's
# country ("สถาบันคิดดิจิทัลแห่งแรกของฝรั่งเศส").
NOT_A_PARTY_BEFORE = (
    "ภาษา",
    "ชาว",
    "นักท่องเที่ยว",
    "สัญชาติ",
    "แรงงาน",
    "อาหาร",
    "สไตล์",
    "นายทุน",
    "กลุ่มทุน",
    "ยักษ์ใหญ่",  # "ดึงยักษ์ใหญ่สหรัฐฯ": the country's big companies
)
COMPANY_BEFORE = re.compile(
    r"(?:บริษัท|เอกชน|สถาบัน|\bcompany|\bfirm|\binstitute)\S{0,30}\s?\S{0,12}$", re.IGNORECASE
)
# A venue: "ณ" (at), "ที่ประเทศ/กรุง/เมือง" (in the country/capital/city of),
# "in", "at", "held in", followed by at most one other name (the city); and the country
# of a visit as the time of the news ("ระหว่างการเยือนจีน", during the visit to China).
VENUE_BEFORE = re.compile(
    r"(?:(?:(?:^|[\s(])(?:ณ|ที่)|ที่(?=ประเทศ|กรุง|เมือง|นคร|รัฐ)|\b(?:in|at)\b)\s*(?:\S{1,40}\s*,?\s*)?"
    r"|(?:กรุง|เมือง|นคร)\S{1,20}\s*,?\s*"
    r"|ระหว่าง(?:การ)?(?:เดินทาง)?เยือน(?:อย่างเป็นทางการ)?\s*)"
    r"(?:ประเทศ|สาธารณรัฐ|ราชอาณาจักร)?\s*$",
)
# Between two countries of a list of members: separators only.
LIST_GAP = re.compile(
    r"^\s*(?:,|และ|and|/|\(|\)|ประเทศ|สาธารณรัฐ|สปป\.|(?:ผู้แทน|เอกอัครราชทูต|รัฐมนตรี)จาก|\s)*\s*$"
)
MEMBER_LIST_MIN = 3
# Two other countries named as the sides of something between them ("ความขัดแย้งระหว่างรัสเซียกับ
# ยูเครน", "ระหว่างสหรัฐฯ และจีน", "between Russia and Ukraine"): Thailand is neither side, so
# none of them is its partner there. A list of three or more is judged whole.
BETWEEN_BEFORE = re.compile(
    r"(?:ระหว่าง|\b(?i:between)(?: the)?(?: (?i:governments?) of)?)\s*(?:ประเทศ|สาธารณรัฐ)?\s*$"
)
BETWEEN_BEFORE_CHARS = 30
BETWEEN_GAP = re.compile(r"\s*(?:กับ|และ|[-–—]|,|\b(?i:and)\b)\s*(?:the\s)?(?:ประเทศ|สาธารณรัฐ)?\s*")
# A Thai list also separates its sides by a space alone ("ญี่ปุ่น เกาหลีใต้ และไทย"), as it does
# its clauses ("ระหว่างรัสเซียกับยูเครน ไทยได้รับผลกระทบ"): its spaces come before the separator
# of BETWEEN_GAP that joins its last side, never after one ("ระหว่างไทยกับญี่ปุ่น จีน และเกาหลีใต้
# ร่วมเป็นสักขีพยาน": China and Korea begin the next clause). Sides with spaces alone between
# them are a list only when three or more and the last ends a word ("ระหว่าง ไทย เมียนมา ลาว
# ภายใต้...", not "ระหว่างไทย ญี่ปุ่น จีนก็ได้เสนอ...").
BETWEEN_SPACE_GAP = re.compile(r"\s+(?:ประเทศ|สาธารณรัฐ)?\s*")
RUNS_ON = re.compile(r"\w")
# ... unless a signing or a cooperation is what lies between them: Thailand signs with them even
# when named apart or only in the headline ("บันทึกความเข้าใจระหว่างจีนและลาว",
# "ความร่วมมือไตรภาคีระหว่าง...", "the memorandum between ...").
SIGNING_WORDS = (
    r"ลงนาม|บันทึกความเข้าใจ|ความร่วมมือ|ไตรภาคี|\b(?i:mou|trilateral|memorandum(?: of understanding)?)"
)
SIGNING_BEFORE_BETWEEN = re.compile(rf"(?:{SIGNING_WORDS})\s*" + BETWEEN_BEFORE.pattern)
# With Thailand among the sides of a cooperation, a signing or an agreement, the others are its
# partners, in a list of three too (MAX_OTHER_SIDES): the sides of a cooperation, not a forum's
# members ("ความร่วมมือไตรภาคีระหว่างญี่ปุ่น เกาหลีใต้ และไทย", "ร่างความตกลงยานยนต์ระหว่างอินเดีย เมียนมา
# และไทย", "the memorandum between Japan and Thailand"). Without one, the countries between which
# Thailand stands are a route, a link or a tie ("การเชื่อมโยงทางรถไฟระหว่างไทย ลาว และจีน",
# "connectivity between Thailand, Laos and China", "ความสัมพันธ์อันดีระหว่างราชอาณาจักรไทย
# สาธารณรัฐออสเตรีย ..."): a list of three or more stays a list of members. The cue's word may run
# on, unspaced, into what the cooperation is on ("ความร่วมมือเชิงรุกระหว่าง...",
# "บันทึกความเข้าใจด้านการค้าดิจิทัลระหว่าง...", "the MoU signed between ...").
COOPERATION_BEFORE_BETWEEN = re.compile(
    rf"(?:{SIGNING_WORDS}|ความตกลง|ข้อตกลง|\b(?i:agreement|cooperation|partnership|signed))"
    r"\S{0,30}\s*" + BETWEEN_BEFORE.pattern
)
# Thailand and at most two others: a cooperation's sides. A longer list is a forum's members
# even after a cooperation's cue ("ความร่วมมือระหว่างบรูไน กัมพูชา ... เวียดนาม และไทย" at ASEAN's
# ministers' meeting; the members of the Mekong-Lancang, BIMSTEC, ACMECS, the GMS), whether or
# not the forum is named beside it.
MAX_OTHER_SIDES = 2
# ... nor is a cooperation broken off, breached, lacking or in dispute a partnership: one of these
# right before the cue ("ดีอียุติความร่วมมือระหว่าง...", "ละเมิดข้อตกลงหยุดยิงระหว่าง...",
# "the lack of cooperation between", "the dispute over the agreement between") or, in English,
# its undoing right after the sides ("The agreement between Cambodia and Thailand was cancelled").
# Settling disputes is an agreement's subject ("ความตกลงว่าด้วยการระงับข้อพิพาทระหว่าง...").
BROKEN_BEFORE = re.compile(
    r"ยุติ|ยกเลิก|ละเมิด|ระงับ(?!ข้อพิพาท)|หยุดยิง|ขัดแย้ง"
    r"|\b(?i:cancel|suspen|terminat|breach|violat|lack of|dispute(?! settlement)|ceasefire"
    r"|conflict)"
)
BROKEN_BEFORE_CHARS = 30
BROKEN_AFTER = re.compile(
    r"\s*(?:ถูก(?:ยกเลิก|ระงับ)|(?i:(?:was|were|has been|had been) (?:cancel|suspend|terminat|scrap)"
    r"|collapsed|broke down))"
)
# ... or unless the Thai side is listed after them, in any form (ไทย, รัฐบาลไทย, ฝ่ายไทย, ประเทศไทย,
# "Thailand", "the Thai ministry") or as the ministry: "ระหว่างจีนและลาว กับรัฐบาลไทย", "ระหว่างจีน
# และลาว รวมถึงไทย", "ระหว่างญี่ปุ่น-สิงคโปร์ และกระทรวงดิจิทัลฯ". Thailand named further on in the
# sentence is not a side ("ความขัดแย้งระหว่างอิสราเอลและอิหร่านต่อเศรษฐกิจไทย", "สงครามระหว่าง
# รัสเซียกับยูเครน ที่อาจจะทำให้เศรษฐกิจไทย...").
THAI_SIDE_AFTER = re.compile(
    r"\s*(?:,|และ|กับ|รวมถึง|รวมทั้ง|ตลอดจน|[-–—]|\b(?i:and|with|as well as|including)\b)\s*"
    r"(?:the\s)?(?:รัฐบาล|ฝ่าย|ประเทศ|ราชอาณาจักร|(?i:government of|kingdom of)\s)?"
    r"(?:(?P<ministry>ดีอี|กระทรวงดิจิทัล|\bMDES\b|\bThai\b)|(?=ไทย|Thailand))"
)
# Short country names that are also ordinary Thai words or names: only with ประเทศ before.
AMBIGUOUS = frozenset({"ชาด", "มาลี", "กานา", "โตโก", "ตองกา", "กินี", "จอร์แดน", "ไนเจอร์"})
AMBIGUOUS_EN = frozenset({"Chad", "Jordan", "Georgia", "Jersey", "Guernsey", "Niger", "Mali"})
# A forum's name used for its region: "ในภูมิภาคอาเซียน" (in the ASEAN region), "ในอาเซียน",
# "สู่อาเซียน", "ทั่วอาเซียน", "หนึ่งในอาเซียน" (in, into, throughout, one of ASEAN). Neither a
# party nor, in a rule term (thaidigest.relevance), a forum's evidence.
REGION_NAMES = ("ภูมิภาคอาเซียน", "ในอาเซียน", "สู่อาเซียน", "ทั่วอาเซียน", "หนึ่งในอาเซียน")
# Thai text that contains a name but is not one (the longest match wins).
NOT_NAMES = (
    "ออนไลน์",
    "เมตาเวิร์ส",
    "เมตาเวิร์ด",
    "เมตาเวอร์ส",
    "เมตาดาตา",
    "เมตาดาต้า",
    "ไลน์ผลิต",
    "อเมริกาใต้",
    "อเมริกาเหนือ",
    "อเมริกาใต",
    "อเมริกากลาง",
    "อเมริกาลาติน",
    "คลาวด์",
    "คลาวด",
    "ดอลลาร์สหรัฐ",
    "เหรียญสหรัฐ",
    "กิจการโทรคมนาคมแห่งชาติ",
    "ศูนย์การประชุมสหประชาชาติ",
    *REGION_NAMES,
    "ของอาเซียน",
    "แห่งอาเซียน",
    "ผู้นำอาเซียน",
    "ผู้นำด้านดิจิทัลอาเซียน",
    "แผนแม่บทดิจิทัลอาเซียน",
    "และโทรคมนาคมแห่งชาติ",
    "แห่งสหประชาชาติ",  # a UN agency named in full is not the UN itself
    "Organization of the United Nations",  # FAO's English name: the agency, not the UN
    "ภายใต้สหประชาชาติ",
    "ศูนย์ประชุมสหประชาชาติ",
    "แผนแม่บทอาเซียน",  # the ASEAN Digital Masterplan: a plan, not the body
    "ASEAN Digital Masterplan",
    "ดิจิเทค อาเซียน",  # Digitech ASEAN Thailand: a trade fair
    "Digitech ASEAN",
    "ฟรานซิสโก",  # San Francisco, not Cisco
    "APEC CEO Summit",  # the business leaders' event (ABAC's side), not the forum of economies
    "ผู้นำภาคเอกชนของเอเปค",
    "สมาคมธนาคารนานาชาติ",  # other banks' associations, not สมาคมธนาคาร(ไทย)
    "สมาคมธนาคารต่างประเทศ",
    "GDS-Index",  # the Global Destination Sustainability Index, not the company GDS
    "ABK&AOTS",  # the alumni association in Thailand of Japan's AOTS, not AOTS
)
# "ณ อาคาร ... บริษัท X", "ณ ห้องจัดเลี้ยง อาคาร 9 บมจ. X": a building, a hotel or a room
# of a party is a venue too, and so is a party named right after "ณ" (at):
# "ณ ตลาดหลักทรัพย์แห่งประเทศไทย".
VENUE_PLACE = re.compile(
    r"(?:(?:^|\s)ณ\s*(?:(?:อาคาร|ห้อง|สำนักงานใหญ่|โรงแรม|ศูนย์)[^ณ]{0,60})?"
    r"|(?:อาคาร|สำนักงานใหญ่|ห้องประชุม)\s?)$"
)
# What a text before a name holds when VENUE_PLACE can match in it: else it is not searched.
VENUE_PLACE_HINTS = ("ณ", "อาคาร", "สำนักงานใหญ่", "ห้องประชุม")
# A treaty named after a body: "อนุสัญญาสหประชาชาติว่าด้วย...", "United Nations Convention
# against Cybercrime". Joining a convention is not working with the body that drew it up.
TREATY_BEFORE = re.compile(r"(?:อนุสัญญา|สนธิสัญญา|กฎบัตร)\s?$")
TREATY_AFTER = re.compile(r"\s?(?:Convention|Treaty|Charter)\b")
# The body whose seat or post Thailand runs for: "สนับสนุนประเทศไทยในการลงสมัครรับเลือกตั้งในตำแหน่ง
# สมาชิกสภาบริหาร ... ของสหภาพสากลไปรษณีย์", "... ในที่ประชุมใหญ่ สหภาพสากลไปรษณีย์". A candidacy
# is not work with the body (voting in its own election, "ลงคะแนนเสียงเลือกตั้ง", is); nor is
# asking a country's support in it ("ขอรับการสนับสนุนจากสหภาพคอโมโรสในการเลือกตั้งตำแหน่ง...").
CANDIDACY_BEFORE = re.compile(
    r"(?:สมัคร(?:รับ)?เลือกตั้ง|สนับสนุน[^\n]{0,40}?ใน(?:การ)?เลือกตั้ง|\b[Cc]andida(?:cy|ture)\b)"
    r"[^\n]{0,160}"
    r"(?:ของ|ใน(?:ที่ประชุม(?:ใหญ่)?)?|\bof(?: the)?|\bat(?: the)?)\s*$"
)
CANDIDACY_CHARS = 200  # how far before a name its candidacy is looked for
CANDIDACY_HINTS = ("เลือกตั้ง", "andida")  # a text without one has no candidacy: skip the search
# A company among the guests of honour of an event, not a party to it (the guide's readers leave
# out an event's attendees): "โดยมี ... บริษัท เวสเทิร์น ดิจิตอล ... จำกัด และผู้บริหารระดับสูง
# กระทรวงอุตสาหกรรม เข้าร่วมเป็นเกียรติ". Its guests are listed after "โดยมี" / "พร้อมด้วย"
# (with), up to "เป็นเกียรติ" (to honour the event).
GUEST_BEFORE = re.compile(r"(?:โดยมี|พร้อมด้วย)(?:(?!โดยมี|พร้อมด้วย|เกียรติ)[^\n]){0,250}$")
GUEST_AFTER = re.compile(r"(?:(?!โดยมี|พร้อมด้วย|ร่วมกับ|ลงนาม)[^\n]){0,150}?เป็นเกียรติ")
GUEST_CHARS = 260  # how far before a name its list of guests is looked for
GUEST_HINT = "เป็นเกียรติ"
# A company named as another's owner or part: "ในเครือบริษัท X", "ผู้ถือหุ้นใหญ่ บริษัท X";
# and a bank named in its fund manager's or its broker's name, another company: "บลจ.กรุงศรี"
# (Krungsri Asset Management), "บล.กรุงไทย เอ็กซ์สปริง".
OWNERSHIP_BEFORE = re.compile(
    r"(?:(?:ในเครือ|บริษัทในกลุ่ม|ผู้ถือหุ้น(?:ใหญ่)?|บริษัทแม่|บริษัทลูก|subsidiary of|owned by)"
    r"\s*(?:ของ)?\s*(?:บริษัท|บมจ\.)?"
    r"|บลจ\.|บล\.|บริษัท\s?หลักทรัพย์(?:จัดการกองทุน)?)\s*$",
    re.IGNORECASE,
)
# The owners of a joint venture company, listed after it: "บริษัท GSA ซึ่งเป็นบริษัทร่วมทุนระหว่าง
# กลุ่ม Gulf, Singapore Telecommunications และ AIS": the venture is the party, not its owners.
VENTURE_OWNER_BEFORE = re.compile(
    r"(?:บริษัทร่วมทุน|\bjoint venture)\s*(?:ระหว่าง|ของ|between|of)[^\n.]{0,60}$", re.IGNORECASE
)
# An event of a forum as the time or place of the news: "ในงานเอเปค", "ช่วงการประชุม APEC".
# Also "during the ministers' meeting of": "ในห้วงการประชุมรัฐมนตรีสารนิเทศอาเซียน",
# "ในระหว่างเข้าร่วมการประชุมผู้นำเขตเศรษฐกิจเอเปค"; "on the occasion of" a meeting (bilateral
# talks on its sidelines): "ในโอกาสการประชุมรัฐมนตรีอาเซียนด้านดิจิทัล"; an English title may
# follow: "ในระหว่างการประชุม The 3rd UNESCO Global Forum".
EVENT_BEFORE = re.compile(
    r"(?:ในงาน|(?:ช่วง|ห้วง)(?:งาน)?(?:การประชุม)?|ระหว่าง(?:การ)?(?:เข้าร่วม|งาน|การประชุม)+"
    r"|ในโอกาส(?:ที่)?(?:การ)?(?:เข้าร่วม)?(?:การ)?ประชุม)"
    r"(?:รัฐมนตรี\S{0,12}|ผู้นำ(?:เขตเศรษฐกิจ)?|สุดยอด)?"
    r"(?:\s*(?:[Tt]he\s+)?\d{1,3}(?:st|nd|rd|th)\s+|\s*[Tt]he\s+)?\s*$"  # "... The 3rd UNESCO"
)
# A region, not the body: "ศูนย์กลาง Cloud-AI อาเซียน", "ศูนย์กลางดิจิทัลอาเซียน" (a hub of
# ASEAN), "ฮับฮาลาลอาเซียน", "Hub ASEAN", "TechGateway อาเซียน", "Gateway to ASEAN", "Digital Hub
# Of ASEAN" (Thailand as ASEAN's hub or gateway, in any case), "ตลาดอาเซียน" (the ASEAN market),
# "สตาร์ทอัพอาเซียน" (ASEAN's startups), "ผู้นำ ด้านดิจิทัลอาเซียน" (a leader in ASEAN):
# the word, a Thai word or one Latin word, then the name.
# Not a hub or a project done with the body: "ฮับข้อมูลร่วมกับอาเซียน", "a digital hub with ASEAN".
REGION_BEFORE = re.compile(
    r"(?:(?:ศูนย์กลาง|ฮับ|ตลาด|สตาร์ทอัพ|ผู้นำ\s?ด้าน|เกตเวย์|\b(?i:(?:hub|gateway) (?:of|for|in|to|into))"
    r"|\bmarkets? (?:of|in))(?:(?!กับ)\S){0,25}(?:\s[A-Za-z][\w-]{0,14})?\s?"
    r"|(?:\b|(?<=[Tt]ech))(?i:hub|gateway)\s?)$"
)
# ... or the name, then the word: "ASEAN Digital Hub", "อาเซียนดิจิทัลฮับ", "the ASEAN region".
REGION_AFTER = re.compile(r"\s?(?:ดิจิทัล\s?|ดิจิตอล\s?|(?i:digital )?)(?:ฮับ|(?i:hub|region)\b)")
REGION_CHARS = 40  # how far before a name REGION_BEFORE looks
# Thailand's own envoy: "เอกอัครราชทูตไทยประจำสาธารณรัฐออสเตรีย", "Thai Ambassador to".
POSTED_TO = re.compile(
    r"(?:(?:ไทย|ประเทศไทย)\s?ประจำ\s?(?:องค์การ|ประเทศ|สาธารณรัฐ|ราชอาณาจักร)?"
    r"|\b(?:Thai|Thailand's)\s+(?:Ambassador|Permanent Representative)\s+to(?:\s+the)?)\s*$",
    re.IGNORECASE,
)
POSTED_TO_HINT = re.compile("ประจำ|thai", re.IGNORECASE)  # where POSTED_TO may match: a cheap test
# Another country's envoy or mission posted to a body: "คณะผู้แทนประเทศญี่ปุ่นประจำอาเซียน",
# "เอกอัครราชทูตสหรัฐฯ ประจำอาเซียน": the country, named in ``country``, is the party; the
# body is not. Only when a country is named there (not "คณะผู้แทนถาวรประจำอาเซียน").
MISSION_TO = re.compile(
    r"(?:คณะผู้แทน|ผู้แทนถาวร|เอกอัครราชทูต)(?P<country>\S{1,30})\s?ประจำ\s?(?:องค์การ)?\s*$"
)
# A platform as the channel, not a party: "โพสต์ข้อความผ่านเฟซบุ๊ก", "บน LINE Official",
# "เฟซบุ๊ก 284 ยูอาร์แอล" (a count of the posts, links or accounts found on it),
# "โปรแกรม Cisco Webex", "แพลตฟอร์มโซเชียลมีเดีย ทั้งเฟซบุ๊ก ไอจี ติ๊กต็อก", "Facebook
# account", a link's host;
# also the second of two channels, the first one the table does not know ("ผ่าน ThaID และ X",
# "โพสต์ X (twitter)").
CHANNEL_BEFORE = re.compile(
    r"(?:ผ่าน(?:ทาง|ระบบ)?|บน|ช่องทาง|เพจ|แอป\S{0,10}|โปรแกรม|ปลอม|โซเชียลมีเดีย"
    r"|ใช้(?:งาน)?|โพสต์(?:ข้อความ)?(?:ลง|บน)?"
    r"|\bvia)\s*(?:เช่น|อาทิ|ทั้ง|ได้แก่)?\s*(?:[A-Za-z][\w.-]{0,20}\s*(?:,|และ|หรือ|or|and|\()\s*)?$"
    r"|(?:https?://|www\.)\S*$",
    re.IGNORECASE,
)
# A company Thailand acts against, not with: "ร้องศาลปิด Facebook", "ฟ้อง", "ระงับ", "บล็อก".
TARGET_BEFORE = re.compile(r"(?:ปิด(?:กั้น)?|ฟ้อง(?:ร้อง)?|ระงับ|แบน|บล็อก|\b(?:ban|block|sue))\s*$")
CHANNEL_AFTER = re.compile(
    r"\s*(?:OA\b|Official|Page\b|Live\b|Webex|Meeting|(?i:accounts?\b)|ปลอม|@"
    r"|\d[\d,]*\s*(?i:ยูอาร์แอล|URL|ลิงก์|link|บัญชี|account|โพสต์|post|คลิป|ราย))"
)
# The next of a list of channels: separators only ("เฟซบุ๊ก ไอจี ติ๊กต็อก และไลน์").
NEXT_IN_LIST = re.compile(r"\s*(?:,|และ|หรือ|and|or|/)?\s*\(?")
# A company named among another company's products or services, not a party: "สินค้าและบริการของ
# google เช่น ระบบการค้นหา (Search engine) แผนที่ (Google map) ... และ YouTube", "products of
# Google such as YouTube". The words before the other company, then a list up to this one.
PRODUCTS_OF_BEFORE = re.compile(
    r"(?:(?<!ให้)(?:สินค้า|บริการ|ผลิตภัณฑ์)(?:และ(?:สินค้า|บริการ|ผลิตภัณฑ์))?ของ\s?(?:บริษัท\s?)?"
    r"|\b(?:products|services)(?: and (?:products|services))? (?:of|from) )$",
    re.IGNORECASE,
)
PRODUCTS_LIST = re.compile(r"\s?(?:เช่น|อาทิ|ได้แก่|such as|including)[^\n]{0,150}", re.IGNORECASE)
PRODUCTS_CHARS = 180  # how far before a company the other one, its products' owner, is looked for
# Between two bodies of a list: separators only (not a bracket: "สหประชาชาติ (UNESCAP, ...)"
# names the UN's agencies, not the UN).
LISTED_GAP = re.compile(r"\s*(?:,|และ|and|/)?\s*")
# The same party named again at once: "โทรคมนาคมแห่งชาติ จำกัด (มหาชน) หรือ NT", "... : ITU".
SAME_AGAIN_GAP = re.compile(r"\s*(?:จำกัด\s*)?(?:\(มหาชน\)\s*)?(?:หรือ|\(|:|,|/)?\s*\(?")
# The same party in a gloss in brackets opened soon after its name, and within that gloss.
GLOSS_GAP = re.compile(r"[^()\n]{0,40}\([^()\n]{0,40}")
IN_GLOSS_GAP = re.compile(r"[^()\n]{0,40}")
# "from" a country after an expert, a company or its trade is where it comes from, not a
# party: "ผู้เชี่ยวชาญด้านดาวเทียมจากประเทศอังกฤษ", "Equinix ยักษ์ใหญ่ Data Center จากสหรัฐฯ".
ORIGIN_BEFORE = re.compile(
    r"(?:ผู้เชี่ยวชาญ|ยักษ์ใหญ่|ผู้ให้บริการ|ผู้ผลิต|นักลงทุน|บริษัท|\bexperts?|\bcompany|\bfirm)"
    r"[^\n]{0,40}(?:จาก|\bfrom)\s?(?:ประเทศ|สาธารณรัฐ)?\s*$",
    re.IGNORECASE,
)
# Between a company and its country: "TradeWaltz ของประเทศญี่ปุ่น", "Sberbank (Russia)".
COMPANY_COUNTRY_GAP = re.compile(r"^[\s(]*(?:ของ|จาก|สัญชาติ|of|from)?\s*(?:ประเทศ|สาธารณรัฐ)?$")
# A country counts as a party outside the headline when named with its government,
# an envoy or an agency ("เอกอัครราชทูตออสเตรเลีย", "กระทรวง...ของซาอุดีอาระเบีย",
# "Ministry of ... of Japan") or as the one Thailand works with ("ร่วมกับประเทศญี่ปุ่น",
# "ระหว่างไทยและ..."; not ระหว่างประเทศ, "international").
PARTY_BEFORE = re.compile(
    r"(?:รัฐบาล|เอกอัครราชทูต|ทูต|กระทรวง|รัฐมนตรี|รมว\.|นายกรัฐมนตรี|ประธานาธิบดี|ผู้แทน"
    r"|หน่วยงาน|ธนาคารกลาง|ร่วมกับ|ทวิภาคี|ระหว่าง(?!ประเทศ)|government|ministry|minister|embassy"
    r"|ambassador|president)[^.!?\n]{0,50}$",
    re.IGNORECASE,
)
# Cooperation or relations with a country or its state, named within one phrase (no space, but
# after ฯ, ประเทศ or สาธารณรัฐ) or after a lead-in's "เช่น", "อาทิ" or "ได้แก่": "ความร่วมมือกับ
# สาธารณรัฐประชาชนจีน", "ความร่วมมือกับประเทศ ญี่ปุ่น", "ความร่วมมือกับนานาประเทศ อาทิ ญี่ปุ่น",
# "ความร่วมมือกับทางการของประเทศกัมพูชา", "ร่วมมือกับองค์การความร่วมมือระหว่างประเทศแห่งญี่ปุ่น"; the
# countries listed right after the first count too (COOPERATION_LIST_GAP). The cue stops at the
# country's companies, business people, startups, exporters, investors, experts, market or
# partners ("ความร่วมมือกับผู้ประกอบการจีน", "ความร่วมมือกับนักธุรกิจจีน",
# "ความสัมพันธ์กับนักลงทุนญี่ปุ่น", "ความร่วมมือกับพันธมิตรระดับโลกจากสหรัฐอเมริกา"), as the
# company's, origin and nationality rules below do without it.
COOPERATION_BEFORE = re.compile(
    r"(?:ร่วมมือกับ|ความสัมพันธ์กับ)\s?"
    r"(?:(?!บริษัท|เอกชน|สถาบัน|ผู้ประกอบการ|นักลงทุน|นายทุน|กลุ่มทุน|ผู้เชี่ยวชาญ|ยักษ์ใหญ่|ผู้ให้บริการ"
    r"|ผู้ผลิต|ตลาด|พันธมิตร|จาก|นักธุรกิจ|สตาร์ทอัพ|ภาคธุรกิจ|ค่ายรถยนต์|ผู้ส่งออก)"
    r"(?:[^\s.!?]|(?<=ฯ)\s|(?<=ประเทศ)\s|(?<=สาธารณรัฐ)\s)){0,40}"
    r"(?:(?:\s?ๆ)?\s?(?:เช่น|อาทิ|ได้แก่)\s?)?$"
)
# Between two countries of the list a cooperation cue names: "ความร่วมมือกับญี่ปุ่น และเกาหลีใต้",
# "ประเทศต่าง ๆ เช่น ซาอุดีอาระเบีย สหรัฐอเมริกา" (corpus 55174).
COOPERATION_LIST_GAP = re.compile(r"\s*(?:,|และ|/)?\s*(?:ประเทศ|สาธารณรัฐ)?\s?")
# A country named in a trade agreement's name, across a dash, is a side of it: "ความตกลงการค้าเสรี
# อาเซียน-จีน", "ความตกลงเขตการค้าเสรีอาเซียน-ออสเตรเลีย-นิวซีแลนด์".
AGREEMENT_BEFORE = re.compile(r"ความตกลง[^.!?\n]{0,50}[-–]\s*$")
# A company named as a person's employer when the person speaks for another body: "นายผยง
# กรรมการผู้จัดการใหญ่ ธนาคารกรุงไทย จำกัด (มหาชน) ในฐานะประธานสมาคมธนาคารไทย", "... ผู้แทนสมาคม".
SPEAKS_FOR_AFTER = re.compile(
    r"\s*(?:จำกัด\s*)?(?:\(มหาชน\)\s*)?(?:\([^()]{1,20}\)\s*)?"
    r"(?:ในฐานะ\s?(?:ประธาน|รองประธาน|นายก|อุปนายก|กรรมการ|เลขาธิการ|ผู้แทน|ที่ปรึกษา)"
    r"|ผู้แทน\s?(?:สมาคม|สภา|ชมรม|มูลนิธิ))"
)
# ... and one named as one post of a person whose other post, named next, is at another body
# he speaks for: a party the article names ("คณะกรรมการบริหารบริษัท Amazon.com, Inc. และ
# ผู้ก่อตั้งบริษัท AI Fund"), or a Thai centre, office or institute ("ผู้ตรวจการธนาคารอาคาร
# สงเคราะห์ และรักษาการผู้อำนวยการศูนย์ข้อมูลอสังหาริมทรัพย์"). Beside a body the table does not
# know ("ประธานบริษัท SAAB และประธานกรรมการธนาคาร Skandinaviska ...") the company still counts.
_OTHER_POST = (
    r"\S{0,20}?(?:,?\s?(?:Inc|Ltd|Co)\b\.?)?\s*(?:จำกัด\s*)?(?:\(มหาชน\)\s*)?"
    r"และ\s?(?:รักษาการ\s?)?(?:ประธาน|รองประธาน|กรรมการ|ผู้อำนวยการ|ผู้ก่อตั้ง|นายก|อุปนายก"
    r"|เลขาธิการ|ที่ปรึกษา|ผู้จัดการ)\S{0,25}?\s?(?:ของ)?\s?"
)
OTHER_POST_BEFORE_PARTY = re.compile(_OTHER_POST + r"(?:บริษัท|บมจ\.)?\s?")  # up to the next name
OTHER_POST_AT_THAI_UNIT = re.compile(_OTHER_POST + r"(?:ศูนย์|สำนักงาน|สถาบัน)")
# ... and one named as the other post of a person named first for an association:
# "นายชาติศิริ ที่ปรึกษาสมาคมธนาคารไทยและประธานกรรมการของธนาคารกรุงเทพ" (the bank is
# his employer; an association as his other post is one more body he speaks for).
ASSOCIATIONS = ("สมาคม", "สภา", "ชมรม", "มูลนิธิ", "หอการค้า")
SPEAKS_FOR_BEFORE = re.compile(
    rf"(?:{'|'.join(ASSOCIATIONS)})\S{{0,40}}\s?และ\s?"
    r"(?:ประธาน|รองประธาน|นายก|อุปนายก|กรรมการ|เลขาธิการ|ที่ปรึกษา)\S{0,20}\s?"
    r"(?:ของ)?\s?(?:บริษัท|บมจ\.)?\s*$"
)
# A body named with Thailand after it: "องค์การอนามัยโลกและรัฐบาลไทย", "อาเซียน-ไทย".
PARTY_AFTER = re.compile(r"\s*(?:และ|กับ|[-–])\s*(?:รัฐบาล|ประเทศ)?ไทย")
# A body followed by the list of its members is named for them: "คณะกรรมการร่วมภาคเอกชน 3
# สถาบัน (กกร.) ประกอบด้วย สภาหอการค้าฯ สภาอุตสาหกรรมฯ สมาคมธนาคารไทย": the members count.
UMBRELLA_AFTER = re.compile(r"\s*(?:\([^()]{1,20}\)\s*)?(?:ประกอบด้วย|\bconsisting of)")
# A body paired with Thailand by a dash: "ความตกลงการค้าเสรีไทย-สมาคมการค้าเสรีแห่งยุโรป".
THAI_PAIR_BEFORE = re.compile(r"(?:ไทย|Thailand)\s*[-–—]\s*$")
# A forum paired by a dash with a company ("ไชน่า โมบาย - อาเซียน 2567": the company's
# conference), or with a country other than Thailand in the name of an event, a fair or an
# expo ("Korea-ASEAN Smart City & Service Tech Day", "งานแสดงสินค้าจีน-อาเซียน"), names that
# party's dealings with the forum, not Thailand's work with it. (Two forums paired,
# "อาเซียน-อียู", meet as forums, Thailand in one; so does a country's pair with a forum named
# otherwise, a summit, a framework, a centre: "การประชุมสุดยอดอาเซียน-สหรัฐฯ".)
PAIR_GAP = re.compile(r"\s*[-–—]\s*")
# A fair's or an expo's name only: the งาน of a working group, a coordinating committee, a work
# plan or a meeting Thailand hosts (คณะทำงาน / คณะกรรมการประสานงาน / แผนงาน / จัดงานประชุม
# อาเซียน-ญี่ปุ่น) and a week of a framework ("ASEAN-Japan Cybersecurity Week") are work
# Thailand does in the forum as a member.
PAIR_EVENT_BEFORE = re.compile(r"(?:งานแสดงสินค้า|มหกรรม|นิทรรศการ|เอ็กซ์โป|เทศกาล|แฟร์)\S{0,20}$")
PAIR_EVENT_AFTER = re.compile(r"[^.!?\n()]{0,40}?\b(?:Day|Fair|Expo|EXPO|Festival)\b")
# "under the plan of": a body whose programme the article's work belongs to.
UNDER_BEFORE = re.compile(r"(?:ภายใต้|ใต้)(?:แผน(?:งาน)?|กรอบ(?:ความร่วมมือ)?)?\s*$")
# A company the table does not know, named in Latin script after "บริษัท" (company):
# "บริษัท Empyrion Digital จำกัด" -> company:Empyrion Digital.
NAMED_COMPANY = re.compile(
    r"บริษัท\s*([A-Z][\w&.\-]*(?:[ ](?!(?:Co|Ltd|Limited|Inc|Corporation|Public|Pte|PLC|Company)\b)"
    r"[A-Z0-9][\w&.\-]*){0,4})"
)
COMPANY_SUFFIXES = re.compile(r"(?:[ ,.]+(?:Thailand|Asia|Group|Co|Ltd))+$")
# What follows บริษัท in Latin script but names a trade, not a company: "บริษัท Data Center ชั้นนำ".
NOT_COMPANY_NAMES = frozenset(
    {"Data Center", "Data Centre", "Cloud", "AI", "Tech", "Big Tech", "Startup"}
)
# A Latin country name followed by another capitalised word is part of a name ("Singapore
# Telecommunications"), unless a dash pairs it with Thailand or a forum before it: "ASEAN-Japan
# Cybersecurity Week", "Thailand-Japan Digital Forum" name the pair's side, as "อาเซียน-ญี่ปุ่น" does.
# A country's border agency is its government ("Malaysia border police", "Malaysia Border
# Police"); its forces are not (a clash is no partnership).
BORDER_AGENCY = r"(?i:police|guards?|officials?|authorit(?:y|ies))\b(?! (?i:forces?))"
_NOT_A_NAME = rf"Government|Ministry|Embassy|Border {BORDER_AGENCY}"
PROPER_NAME_AFTER = re.compile(rf" (?!{_NOT_A_NAME})[A-Z][a-z]")
# ... but not in a business body's name: "Thailand-Japan Chamber of Commerce" is the chamber's pair,
# as "หอการค้าไทย-ญี่ปุ่น" is (:data:`CHAMBER_BEFORE`). The body's word ends the same name, the
# title-case words right after the pair ("Thailand-Japan Digital Trade Association"), not another
# body's ("... Forum hosted by the Association of ..."); "Co" as "Co." or "Co, Ltd", not
# "Co-operation".
BUSINESS_BODY_AFTER = re.compile(
    r"(?: (?:[A-Z][\w&'’-]*|of|and|for|&)){0,6}? "
    r"(?:Chambers? of Commerce|Business Councils?|Associations?|Company|Co(?:\.|,? Ltd))(?![\w-])"
)
# A country across a dash in a chamber of commerce's or a business council's name is that body's:
# "หอการค้าไทย-ญี่ปุ่น", "สภาธุรกิจไทย-ญี่ปุ่น"; and so is one paired with Thailand after it
# (:func:`_paired_in_a_body_name`): "หอการค้าอินเดีย-ไทย", "Japan-Thailand Business Council".
CHAMBER_BEFORE = re.compile(r"(?:หอการค้า|สภาธุรกิจ)\s*(?:ไทย|ประเทศไทย)?\s*[-–—]\s*$")
CHAMBER_WORD_BEFORE = re.compile(r"(?:หอการค้า|สภาธุรกิจ)\s*$")
# "Thai" after a dash and before a chamber's or a business council's word: the Thai side of a
# body's pair ("Japan-Thai Chamber of Commerce", "India-Thai Business Council").
THAI_BODY_AFTER = re.compile(r"\s*[-–—]\s*Thai" + BUSINESS_BODY_AFTER.pattern)
# A Latin word and a dash right before a name: the name is the end of a longer hyphenated one
# ("Franco-Thai Chamber of Commerce", "Spanish-Thai ...", "Japan - Thai ...", "Japan—Thai ..."
# are not the Thai Chamber of Commerce).
HYPHENATED_BEFORE = re.compile(r"[A-Za-z]\s?[-–—]\s?$")
HYPHENATED_CHARS = 4  # how far before a name HYPHENATED_BEFORE is looked for: "n - "
# How a body's name ends when a dash and a country extend it to another body's name: หอการค้าไทย
# and สภาธุรกิจไทย in "หอการค้าไทย-ญี่ปุ่น", "สภาธุรกิจไทย-จีน".
PAIRABLE_BODY_END = "ไทย"
# Between a company and its unit named in a list: "บริษัท ทรู คอร์ปอเรชั่น จำกัด (มหาชน) และบริษัท ทรู
# อินเทอร์เน็ต ดาต้า เซ็นเตอร์", "True Corporation PCL, True IDC", "บมจ. ทรู คอร์ปอเรชั่น และ บจ. ทรู
# ไอดีซี" (both sign: the parent is a party). Not "/": "UN/ESCAP" is one name.
UNIT_LIST_GAP = re.compile(
    r" ?(?:จำกัด ?)?(?:\(มหาชน\) ?)?"
    r"(?:,? ?(?:Inc|Ltd|Co|PCL|Plc|Public Company Limited|Company Limited)\b\.?)*"
    r" ?(?:,|และ|and|&) ?(?:บริษัท|บมจ\.|บจก?\.)? ?"
)
# A border is a place: "ชายแดนไทย-กัมพูชา", "Thailand-Cambodia border situation"; a country's
# border police, guards or officials are its government (:data:`BORDER_AGENCY`).
BORDER_BEFORE = re.compile(
    r"(?:ชายแดน|พรมแดน|ข้ามแดน)\s*(?:ไทย|ประเทศไทย)?\s*(?:[-–—]|ไป|สู่|เข้า)?\s*$"
)
BORDER_AFTER = re.compile(rf" (?:[Bb]order|[Ff]rontier)\b(?! {BORDER_AGENCY})")
# So is a bridge across it, named right at the pair: "สะพานมิตรภาพไทย-ลาว", "Thailand - Cambodia
# Friendship Bridge" ("Thailand and Laos sign MoU on 5th Friendship Bridge" names a deal, not
# the bridge's name) ...
BRIDGE_BEFORE = re.compile(r"สะพานมิตรภาพ\s*(?:ไทย|ประเทศไทย)?\s*[-–—]?\s*$")
# (an ordinal between them is part of the name: "Thailand-Myanmar 2nd Friendship Bridge")
BRIDGE_AFTER = re.compile(
    r" (?:(?:\d+(?:st|nd|rd|th)|[Ss]econd|[Tt]hird|[Ff]ourth|[Ff]ifth) )?"
    r"(?:[Ff]riendship [Bb]ridge|Bridge)\b"
)
# ... unless an agreement or a negotiation is on it: "การเจรจาจัดทำร่างความตกลงว่าด้วยกรรมสิทธิ์
# การใช้ การบริหาร การบำรุงรักษาสะพานมิตรภาพไทย - กัมพูชา" (the neighbour is a party to it).
BRIDGE_DEAL_CHARS = 100  # how far before the bridge's pair its deal is looked for
# The deal is on the bridge when its word is followed by what it is about ("ความตกลงว่าด้วย",
# "MoU on") and no other party is named between ("บันทึกความเข้าใจด้านดิจิทัลกับญี่ปุ่น พร้อมตรวจ
# เยี่ยมด่านสะพานมิตรภาพไทย-ลาว": a deal with Japan, the bridge a place visited).
BRIDGE_DEAL_BEFORE = re.compile(
    r"(?:ความตกลง|เจรจา|บันทึกความเข้าใจ|\bMOU|\bMoU|\b[Aa]greement|\b[Nn]egotiations?)"
    r"\s*(?:ว่าด้วย|เรื่อง|เกี่ยวกับ|ร่าง|จัดทำ|(?:on|for|concerning|over)\b)"
    rf"(?:(?!กับ|\bwith\b)[^.!?\n]){{0,{BRIDGE_DEAL_CHARS}}}$"
)
# ... or follows the bridge's name: "Thailand-Laos Friendship Bridge MoU signed".
BRIDGE_DEAL_AFTER = re.compile(r"\s*(?:MOU|MoU|[Aa]greement|ความตกลง|บันทึกความเข้าใจ)")
# Thailand and a country named together: a bilateral party even beside a multilateral body.
BILATERAL_BEFORE = re.compile(
    r"(?:ไทย|Thailand|Thai)\s*(?:[-–—]|และ|กับ|and|with)\s*(?:ประเทศ|สาธารณรัฐ)?\s*$"
)
# ... unless Thailand and the country are both what a third party deals with: "ลาว...
# มีเส้นทางขนส่งเชื่อมต่อกับประเทศไทยและจีน" (Laos's links with Thailand and China).
THIRD_PARTY_BEFORE = re.compile(
    r"(?:กับ|\bwith)\s*(?:ประเทศ)?\s*(?:ไทย|Thailand)\s*(?:และ|and)\s*(?:ประเทศ|สาธารณรัฐ)?\s*$"
)

# How far past the opening a word cut at its end is read, to its next space.
WORD_TAIL = 40
_WORD_END = re.compile(r"\s")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_SPACES = re.compile(r"\s+")
# Thai marks that continue the syllable before them, and the vowels ะ า ำ, which make the consonant
# before them start a syllable (จีน in จีนะวิจารณะ, ลาว in กมลาวาส): a match ending before one ends
# mid-word.
_CONTINUES = frozenset(
    "\u0e30\u0e31\u0e32\u0e33\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e"
)
_LEADING_VOWELS = frozenset("\u0e40\u0e41\u0e42\u0e43\u0e44")
_STARTS_SYLLABLE = frozenset("\u0e30\u0e32\u0e33")  # ะ า ำ
# A name that ends in a vowel: a non-consonant ("ธอส.", "ไอซีที") or a vowel written with a
# consonant letter (เ-ีย, เ-ือ, -ัว: "เอเชีย"); ะ า ำ after it cannot take its last letter.
_ENDS_IN_VOWEL = re.compile(
    "(?:[^\u0e01-\u0e2e]|[\u0e35\u0e37][\u0e48-\u0e4b]?[ยอ]|\u0e31[\u0e48-\u0e4b]?ว)$"
)
_WORD = re.compile(r"[A-Za-z0-9]")
# Where a ``cased`` name is one: Thai text within this many characters of it, and no Latin word
# or number right after it ("True development", "True Food", "True ID", "True 5G") unless that
# word is another name of the table ("NT True AIS และ 3BB"). The word is its Latin letters and
# digits only: "AISและดีแทค", "NT." are AIS and NT.
CASED_CONTEXT = 40
_NEXT_LATIN_WORD = re.compile(r" ([A-Za-z0-9]+)")


def _in_thai_text(text: str, start: int, end: int, names: Mapping[str, str]) -> bool:
    """Whether the name at ``start:end`` stands in Thai text as a name of its own; ``names``
    maps the table's lookup keys (Latin in lower case) to their partners."""
    next_word = _NEXT_LATIN_WORD.match(text, end)
    return (next_word is None or bool(names.get(next_word[1].lower()))) and bool(
        _THAI.search(text, max(0, start - CASED_CONTEXT), start)
        or _THAI.search(text, end, end + CASED_CONTEXT)
    )


@dataclass(frozen=True)
class PartnerTable:
    """The compiled names: each lookup key gives the partner id it names."""

    ids: Mapping[str, str]  # lookup key (Latin in lower case) -> partner id; "" for NOT_NAMES
    multilateral: frozenset[str]
    members: Mapping[str, tuple[str, ...]]  # multilateral body -> its member countries' ids
    automaton: Automaton  # every key, Thai and Latin
    capitals: Mapping[str, frozenset[str]]  # acronyms, cased names: lower-case key -> spellings
    cased: frozenset[str]  # names matched only as written, in Thai text (:data:`CASED_CONTEXT`)
    known: Mapping[str, str]  # partner_key of each entry's id -> the id as the table writes it
    part_of: Mapping[str, str]  # an entry's id -> the body it is part of (``part_of``)

    def mentions(self, text: str) -> list[tuple[int, int, str]]:
        """``(start, end, partner id)`` of every name in ``text``, in order.

        ``text`` is single-spaced; Latin names are found in its lower-case form.
        """
        lower = text.lower()
        if len(lower) != len(text):  # a character whose lower case is longer: keep the text
            lower = text
        found: list[tuple[int, int, str]] = []
        for start, end, key in self.automaton.spans(lower):
            partner = self.ids[key]
            if not partner:
                continue
            if "\u0e00" <= key[0] <= "\u0e7f":  # a Thai name (_THAI at its start, without a call)
                if (
                    end < len(text)
                    and text[end] in _CONTINUES
                    and not (text[end] in _STARTS_SYLLABLE and _ENDS_IN_VOWEL.search(key))
                ):
                    continue  # ends mid-syllable
                if start and text[start - 1] in _LEADING_VOWELS:
                    continue  # starts mid-syllable
                if key in AMBIGUOUS and not text[:start].endswith("ประเทศ"):
                    continue
            else:
                if (start and _WORD.match(text[start - 1])) or (
                    end < len(text) and _WORD.match(text[end])
                ):
                    continue
                if key in self.capitals and text[start:end] not in self.capitals[key]:
                    continue  # an acronym matches in capitals only: "WHO", not "who"
                if text[start:end] in self.cased and not _in_thai_text(text, start, end, self.ids):
                    continue  # "True development", "True Food": an English word, a product
            found.append((start, end, partner))
        return found


class Found(NamedTuple):
    """An article's partners: every one, and those its headline names (ids, sorted)."""

    ids: tuple[str, ...]
    in_headline: tuple[str, ...]


def partners(title: str, body: str, table: PartnerTable | None = None) -> tuple[str, ...]:
    """The partner ids of an article, sorted, from its headline and its opening."""
    return found_partners(title, body, table).ids


def found_partners(title: str, body: str, table: PartnerTable | None = None) -> Found:
    """:func:`partners`, and which of them the headline names: both from one scan."""
    table = table or partner_table(None)
    head = single_spaced(title)
    opening = single_spaced(_opening(body))
    # One scan of both; the newline between them keeps names from spanning the two.
    text = f"{head}\n{opening}"
    mentions = _with_named_companies(text, table.mentions(text), table.known)
    cut = len(head) + 1
    in_head = [m for m in mentions if m[0] < cut]
    in_opening = [(start - cut, end - cut, p) for start, end, p in mentions if start >= cut]
    # A forum's members listed as a cooperation's sides are its members wherever the forum is
    # named: the headline's forum holds for the opening's list and the other way round.
    forum_members = frozenset(
        country
        for _, _, partner in mentions
        if partner in table.multilateral
        for country in table.members.get(partner, ())
    )
    in_headline, head_paired = _partners_in(
        head, in_head, table, headline=True, forum_members=forum_members
    )
    in_body, body_paired = _partners_in(
        opening, in_opening, table, headline=False, forum_members=forum_members
    )
    counted = in_headline | in_body
    unpaired = (in_headline - head_paired) | (in_body - body_paired)
    if paired := (head_paired | body_paired) - unpaired:
        in_companies_names = {
            named
            for start, end, partner in mentions
            if partner.startswith("company:") and partner in counted
            for named in _named_within(text[start:end], table)
        }
        counted -= paired & in_companies_names  # its company's pair, not the country's or forum's
    counted -= _parents_of(counted, table, text, mentions)
    return Found(tuple(sorted(counted)), tuple(sorted(in_headline & counted)))


def _parents_of(
    counted: set[str], table: PartnerTable, text: str, mentions: list[tuple[int, int, str]]
) -> set[str]:
    """The parties of ``counted`` whose unit counts too: a company beside a table entry named
    after it (``company:SCB`` beside ``company:SCB Academy``), a body beside an entry the
    table says is ``part_of`` it (``org:UN`` beside ``org:UNCITRAL``, its commission). The
    readers name the unit that does the work.

    Only a unit the table knows: a longer name read after บริษัท ("Kanemi Foods" beside
    "Kanemi", "GDS Holdings" beside "GDS") is the same company written in full. A company
    listed with its unit ("True Corporation and True IDC") is named in its own right: a party;
    a body listed with its own agency ("สหประชาชาติ และเอสแคป") is not: the agency does the work.
    """
    if len(counted) < 2:
        return set()  # a party and its unit are two (most articles name fewer)
    companies = [partner for partner in counted if partner.startswith("company:")]
    units = [unit for unit in companies if table.known.get(partner_key(unit)) == unit]
    unit_parents = {(unit, table.part_of[unit]) for unit in counted if unit in table.part_of}
    unit_parents |= {
        (unit, parent) for unit in units for parent in companies if unit.startswith(f"{parent} ")
    }
    hidden = {parent for _, parent in unit_parents if parent in counted}
    if not hidden:
        return set()
    company_units = {pair for pair in unit_parents if pair[1].startswith("company:")}
    return hidden - _listed_with_a_unit(text, mentions, company_units)


def _listed_with_a_unit(
    text: str, mentions: list[tuple[int, int, str]], unit_parents: set[tuple[str, str]]
) -> set[str]:
    """The parents of ``unit_parents`` (unit, parent) named next to their unit in a list,
    separators only between (:data:`UNIT_LIST_GAP`): "True Corporation and True IDC"."""
    listed: set[str] = set()
    for (_, end, first), (start, _, second) in pairwise(mentions):
        if not UNIT_LIST_GAP.fullmatch(text, end, start):
            continue
        if (first, second) in unit_parents:
            listed.add(second)
        elif (second, first) in unit_parents:
            listed.add(first)
    return listed


def _named_within(name: str, table: PartnerTable) -> set[str]:
    """The countries and forums a party's name holds: "สภาธุรกิจสหรัฐอเมริกา-อาเซียน" ->
    ``country:US`` and ``org:ASEAN``, "Vietnam Post" -> ``country:VN``.

    Scanned without its first character and without its last: whole, the longest
    match would be the name itself again.
    """
    return {
        partner
        for part in (name[1:], name[:-1])
        for _, _, partner in table.mentions(part)
        if partner.startswith("country:") or partner in table.multilateral
    }


def _opening(body: str) -> str:
    """The first :data:`OPENING_CHARS` characters of ``body``, and the rest of the word they end in.

    A name cut at the limit ("ซาอุดีอาระเ") is read whole, or not mistaken for a shorter one.
    """
    end = OPENING_CHARS
    if end < len(body) and not body[end - 1].isspace():
        match = _WORD_END.search(body, end, end + WORD_TAIL)
        end = match.start() if match else end
    return body[:end]


def _with_named_companies(
    text: str, mentions: list[tuple[int, int, str]], known: Mapping[str, str]
) -> list[tuple[int, int, str]]:
    """``mentions`` and the companies named after บริษัท that no mention covers.

    A company is one partner however the text writes it ("ZENIX CLOUDWORKS",
    "Zenix-Cloudworks"): its id is the one the table (``known``) writes, else
    its first spelling in ``text`` (:func:`partner_key`).
    """
    if "บริษัท" not in text:
        return mentions
    taken = [(start, end) for start, end, _ in mentions]
    found = list(mentions)
    spelled: dict[str, str] = {}  # partner_key -> its first spelling here, for those not known
    for match in NAMED_COMPANY.finditer(text):
        start, end = match.span(1)
        if any(s < end and start < e for s, e in taken):
            continue
        name = COMPANY_SUFFIXES.sub("", match.group(1)).strip(" .,-")
        if len(name) > 1 and name not in NOT_COMPANY_NAMES:
            partner = f"company:{name}"
            key = partner_key(partner)
            found.append(
                (start, end, known[key] if key in known else spelled.setdefault(key, partner))
            )
    return sorted(found)


@lru_cache(maxsize=512)
def partner_name(partner: str) -> str:
    """How a digest names a partner: ``country:JP`` -> ``Japan``, ``org:ASEAN`` -> ``ASEAN``."""
    kind, _, name = partner.partition(":")
    if kind == "country":
        import pycountry

        country = pycountry.countries.get(alpha_2=name)
        if country is not None:
            return getattr(country, "common_name", None) or country.name
    return name or partner


def feed_stem(partner: str) -> str:
    """The file name of a partner's feed, without suffix: ``country:JP`` -> ``country-jp``.

    Ids hold colons, spaces and apostrophes, which are not safe in every file
    system or URL: the name keeps its letters and digits, in lower case, with
    hyphens between. A name with none (one in Thai script only) is named by a
    hash of the id. Two ids of one table never share a stem (:func:`partner_table`);
    the digest names any others' feeds with :func:`feed_stems`.
    """
    kind, _, name = partner.partition(":")
    return f"{kind}-{path_name(name) or name_hash(partner)[:12]}"


def feed_stems(partners: Iterable[str]) -> dict[str, str]:
    """Each partner's feed file name, without suffix, none shared; ``partners`` first seen first.

    Two partners whose names differ only in letters outside ASCII ("Zenix Cloud",
    "Zenixé Cloud") would have one :func:`feed_stem`: the first seen keeps it (its
    subscribers' URL), a later one adds a short hash of its id. So a partner's file
    holds only its own items, and an old partner's empty feed never replaces an
    active one's.
    """
    stems: dict[str, str] = {}
    taken: set[str] = set()
    for partner in partners:
        if partner in stems:
            continue
        stem = feed_stem(partner)
        digest = name_hash(partner)
        for length in (8, 16, len(digest)):
            if stem not in taken:
                break
            stem = f"{feed_stem(partner)}-{digest[:length]}"
        stems[partner] = stem
        taken.add(stem)
    return stems


def partner_key(partner: str) -> str:
    """What makes two ids one partner: the kind and the name's letters and digits, in NFC
    (``é`` one letter, not an ``e`` and a combining accent), case-folded.

    Ids of companies the table does not know are taken from the article's text,
    which writes one company many ways: ``company:ZENIX CLOUDWORKS`` and
    ``company:Zenix-Cloudworks`` are ``company:zenixcloudworks``.
    """
    kind, _, name = partner.partition(":")
    folded = unicodedata.normalize("NFC", name).casefold()
    return f"{kind}:{''.join(c for c in folded if c.isalnum())}"


def first_spellings(partners: Iterable[str]) -> dict[str, str]:
    """Each id of ``partners`` (first seen first) -> the first id seen of its partner.

    Stored articles keep the ids as their text wrote them; the digest, its feeds and
    ``thaidigest partners`` name each partner once, as it was first seen, which keeps
    its name and its feed's file name from changing with a later spelling.
    """
    first: dict[str, str] = {}
    spellings: dict[str, str] = {}
    for partner in partners:
        spellings.setdefault(partner, first.setdefault(partner_key(partner), partner))
    return spellings


def _passing(text: str, mentions: list[tuple[int, int, str]], table: PartnerTable) -> set[str]:
    """Multilateral bodies named once in the opening, in passing: a region or a label.

    Named once but as the one Thailand works with ("ระหว่างกระทรวง... และสหภาพยุโรป",
    "ภายใต้แผน IMT-GT", "องค์การอนามัยโลกและรัฐบาลไทย", "ความตกลงการค้าเสรีไทย-เอฟตา"),
    or in a list with another party ("มี UNICEF ITU และ ECPAT ร่วมจัดงาน"), a body still counts.
    """
    counts: dict[str, int] = {}
    spans: dict[str, tuple[int, int]] = {}
    for start, end, partner in mentions:  # a name and its abbreviation are two: not in passing
        counts[partner] = counts.get(partner, 0) + 1
        spans.setdefault(partner, (start, end))
    once = [p for p, n in counts.items() if n == 1 and p in table.multilateral]
    if not once:
        return set()
    listed = _listed_with_a_party(text, mentions, table)
    passing = set()
    for partner in once:
        start, end = spans[partner]
        if not (
            partner in listed
            or PARTY_BEFORE.search(text, max(0, start - 80), start)
            or COOPERATION_BEFORE.search(text, max(0, start - 60), start)
            or UNDER_BEFORE.search(text, max(0, start - 20), start)
            or PARTY_AFTER.match(text, end)
            or THAI_PAIR_BEFORE.search(text, max(0, start - 20), start)
        ):
            passing.add(partner)
    return passing


def names_a_region(text: str, start: int, end: int) -> bool:
    """Whether the forum named at ``text[start:end]`` is named for its region or its market,
    not as the body: within one of :data:`REGION_NAMES` ("ในภูมิภาคอาเซียน"), or as a hub's, a
    gateway's or a market's (:data:`REGION_BEFORE`, :data:`REGION_AFTER`:
    "ฮับเศรษฐกิจดิจิทัลอาเซียน", "ASEAN Digital Hub", "the ASEAN region").

    ``text`` is normalised (single spaces, newlines between lines): the partners' rules read
    it single-spaced, :func:`thaidigest.relevance.signals` as normalised: a forum named for
    its region is no evidence of work with it either.
    """
    # A phrase around the name: one found between these bounds starts at or before the
    # name and ends at or after it.
    return bool(
        any(
            text.find(phrase, max(0, end - len(phrase)), start + len(phrase)) != -1
            for phrase in REGION_NAMES
        )
        or REGION_AFTER.match(text, end)
        or REGION_BEFORE.search(text[max(0, start - REGION_CHARS) : start])
    )


def _among_products(text: str, mentions: list[tuple[int, int, str]], index: int) -> bool:
    """Whether the company of mention ``index`` is listed among the products or services of
    another company named before it (:data:`PRODUCTS_OF_BEFORE`, :data:`PRODUCTS_LIST`)."""
    start, _, partner = mentions[index]
    for owner_start, owner_end, owner in reversed(mentions[:index]):
        if start - owner_end > PRODUCTS_CHARS:
            return False
        if (
            owner != partner
            and owner.startswith("company:")
            and PRODUCTS_OF_BEFORE.search(text, max(0, owner_start - 30), owner_start)
            and PRODUCTS_LIST.fullmatch(text, owner_end, start)
        ):
            return True
    return False


def _listed_with_a_party(
    text: str, mentions: list[tuple[int, int, str]], table: PartnerTable
) -> set[str]:
    """The partners named in a list (separators only between) that holds a party other than a
    forum or a country: "UNICEF ITU และ ECPAT", "สหประชาชาติ (UNESCAP, UNESCO, UNICEF และ UN Women)".

    A list of forums alone ("in APEC and ASEAN") may still be a label.
    """
    listed: set[str] = set()
    run: list[str] = []
    with_party = False
    for index, (start, _, partner) in enumerate(mentions):
        if index and not LISTED_GAP.fullmatch(text, mentions[index - 1][1], start):
            run, with_party = [], False
        run.append(partner)
        with_party = with_party or not (
            partner in table.multilateral or partner.startswith("country:")
        )
        if with_party:
            listed.update(run)
            run = []
    return listed


def _partners_in(
    text: str,
    mentions: list[tuple[int, int, str]],
    table: PartnerTable,
    *,
    headline: bool,
    forum_members: frozenset[str],
) -> tuple[set[str], set[str]]:
    """The partners among ``mentions`` of ``text`` that the guide's rules keep, and the
    countries and forums among them that every kept mention pairs with Thailand ("ไทย-สหรัฐ").

    ``forum_members``: the members of the forums the headline and the opening name, never the
    sides of a cooperation in a list of three or more (:func:`_between_sides`)."""
    if all(partner == f"country:{THAI_SIDE}" for _, _, partner in mentions):
        return set(), set()  # none, or Thailand alone (many headlines): nothing to judge
    members = _member_lists(text, mentions)
    between = _between_sides(text, mentions)
    forums = {p for _, _, p in mentions if p in table.multilateral}
    member_of_forum = {c for forum in forums for c in table.members.get(forum, ())}
    company_ends = [end for _, end, partner in mentions if partner.startswith("company:")]
    passing = set() if headline else _passing(text, mentions, table)
    repeats = _repeats(text, mentions)
    may_run_for = any(hint in text for hint in CANDIDACY_HINTS)
    may_have_guests = GUEST_HINT in text
    counted: set[str] = set()
    unpaired: set[str] = set()  # parties kept by a mention not paired with Thailand
    channel = False
    cooperation_list_end = -1  # where the last country of a cooperation cue's list ends
    for index, (start, end, partner) in enumerate(mentions):
        if index in repeats:
            continue  # the same name again: judged as the first
        is_company = partner.startswith("company:")
        if channel and is_company and NEXT_IN_LIST.fullmatch(text, mentions[index - 1][1], start):
            continue  # the next of a list of channels
        channel = is_company and bool(
            CHANNEL_BEFORE.search(text, max(0, start - 40), start) or CHANNEL_AFTER.match(text, end)
        )
        if channel or (is_company and TARGET_BEFORE.search(text, max(0, start - 20), start)):
            continue
        if is_company and _among_products(text, mentions, index):
            continue  # another company's product
        if (
            partner == f"country:{THAI_SIDE}"
            or (
                index in members
                and (index not in between.with_thailand or partner in forum_members)
            )
            or index in between.of_others
        ):
            continue  # never counted, whatever the rules below say: skip them (most mentions)
        before = text[max(0, start - 80) : start]
        if any(hint in before for hint in VENUE_PLACE_HINTS) and VENUE_PLACE.search(before):
            continue
        if POSTED_TO_HINT.search(before[-40:]) and (
            POSTED_TO.search(before[-40:]) or _mission_of_a_country(text, start, mentions)
        ):
            continue
        if TREATY_BEFORE.search(before[-12:]) or TREATY_AFTER.match(text, end):
            continue  # a treaty named after the body
        if (
            may_run_for
            and not partner.startswith("country:")
            and CANDIDACY_BEFORE.search(text, max(0, start - CANDIDACY_CHARS), start)
        ):
            continue  # the body whose seat Thailand runs for
        if is_company and (
            OWNERSHIP_BEFORE.search(before[-40:]) or VENTURE_OWNER_BEFORE.search(before)
        ):
            continue
        if (
            may_have_guests
            and is_company
            and GUEST_AFTER.match(text, end)
            and GUEST_BEFORE.search(text, max(0, start - GUEST_CHARS), start)
        ):
            continue  # a guest of honour
        if is_company and (
            SPEAKS_FOR_AFTER.match(text, end)
            or (
                (
                    SPEAKS_FOR_BEFORE.search(before[-80:])
                    or OTHER_POST_AT_THAI_UNIT.match(text, end)
                    or (
                        index + 1 < len(mentions)
                        and mentions[index + 1][2] != partner
                        and OTHER_POST_BEFORE_PARTY.fullmatch(text, end, mentions[index + 1][0])
                    )
                )
                and not text.startswith(ASSOCIATIONS, start)
            )
        ):
            continue  # the person named with it speaks for another body
        if (
            is_company
            and HYPHENATED_BEFORE.search(text, max(0, start - HYPHENATED_CHARS), start)
            and BUSINESS_BODY_AFTER.match(" " + text[start:end].partition(" ")[2])
        ):
            continue  # "Franco-Thai Chamber of Commerce": another body's name
        if is_company and _first_of_a_country_pair(text, mentions, index):
            continue  # "หอการค้าไทย-ญี่ปุ่น" is not หอการค้าไทย: a longer name, the pair's body
        if not partner.startswith("country:") and UMBRELLA_AFTER.match(text, end):
            continue  # named for its members, listed next
        if (
            partner in table.multilateral
            and (EVENT_BEFORE.search(before[-40:]) or names_a_region(text, start, end))
            and not THAI_PAIR_BEFORE.search(before[-20:])  # "การประชุมรัฐมนตรีไทย-สหภาพยุโรป"
        ):
            continue
        if partner in table.multilateral and _paired_with_another(text, mentions, index):
            continue  # another party's pair
        if not partner.startswith("country:"):
            if partner not in passing:
                counted.add(partner)
                if partner in table.multilateral and not BILATERAL_BEFORE.search(before):
                    unpaired.add(partner)
            continue
        if (
            text[start].isascii()
            and PROPER_NAME_AFTER.match(text, end)
            and not (
                _side_of_a_pair(text, mentions, index, table)
                and not BUSINESS_BODY_AFTER.match(text, end)
            )
        ):
            continue  # "Singapore Telecommunications": part of a company's name
        bilateral = bool(BILATERAL_BEFORE.search(before) and not THIRD_PARTY_BEFORE.search(before))
        if partner in member_of_forum and not headline and not bilateral:
            continue  # a member of the forum the article reports on
        if BORDER_BEFORE.search(before) or BORDER_AFTER.match(text, end):
            continue
        bridge = BRIDGE_AFTER.match(text, end)
        bridge_end = bridge.end() if bridge else end
        if (
            (BRIDGE_BEFORE.search(before) or bridge)
            and not BRIDGE_DEAL_BEFORE.search(text, max(0, start - BRIDGE_DEAL_CHARS - 40), start)
            and not BRIDGE_DEAL_AFTER.match(text, bridge_end)
        ):
            continue  # a bridge's name, no deal on it
        if (
            CHAMBER_BEFORE.search(before[-20:])
            or _paired_in_a_body_name(text, mentions, index)
            or THAI_BODY_AFTER.match(text, end)
        ):
            continue  # a chamber of commerce's or a business council's name
        if ORIGIN_BEFORE.search(before[-60:]):
            continue  # where a company or an expert comes from
        in_cooperation_list = bool(
            COOPERATION_BEFORE.search(before[-60:])
            or (
                index
                and mentions[index - 1][1] == cooperation_list_end
                and COOPERATION_LIST_GAP.fullmatch(text, cooperation_list_end, start)
            )
        )
        if in_cooperation_list:
            cooperation_list_end = end
        named_as_party = (
            PARTY_BEFORE.search(before)
            or in_cooperation_list
            or AGREEMENT_BEFORE.search(before)
            or index in between.with_thailand
        )
        if not headline and not bilateral and not named_as_party:
            continue  # named in passing: a market, a war, a speaker's home
        if before.endswith(NOT_A_PARTY_BEFORE) or VENUE_BEFORE.search(before[-60:]):
            continue
        if COMPANY_BEFORE.search(before[-60:]) or any(
            0 <= start - e <= 20 and COMPANY_COUNTRY_GAP.match(text[e:start]) for e in company_ends
        ):
            continue
        if before.endswith("(") and text[end : end + 1] == ")":
            continue  # "PayPal Pte Ltd (Singapore)": where a company is registered
        counted.add(partner)
        if not BILATERAL_BEFORE.search(before):
            unpaired.add(partner)
    pairable = {p for p in counted if p.startswith("country:") or p in table.multilateral}
    return counted, pairable - unpaired


def _mission_of_a_country(text: str, start: int, mentions: list[tuple[int, int, str]]) -> bool:
    """Whether the name at ``start`` is the body another country's mission is posted to
    (:data:`MISSION_TO`): a country other than Thailand is named between the mission's
    word and ``ประจำ``."""
    window = max(0, start - 60)
    mission = MISSION_TO.search(text, window, start)
    if mission is None:
        return False
    low, high = mission.span("country")
    return any(
        low <= begin and end <= high and partner.startswith("country:")
        for begin, end, partner in mentions
        if partner != f"country:{THAI_SIDE}"
    )


def _paired_with_another(text: str, mentions: list[tuple[int, int, str]], index: int) -> bool:
    """Whether the mention at ``index`` is paired by a dash (:data:`PAIR_GAP`) with the mention
    before or after it, a company, or a country other than Thailand in an event's name."""
    for other in (index - 1, index + 1):
        if not 0 <= other < len(mentions):
            continue
        party = mentions[other][2]
        low, high = sorted((other, index))
        if party == f"country:{THAI_SIDE}" or not PAIR_GAP.fullmatch(
            text, mentions[low][1], mentions[high][0]
        ):
            continue
        first, last = mentions[low][0], mentions[high][1]
        if party.startswith("company:") or (
            party.startswith("country:")
            and (
                PAIR_EVENT_BEFORE.search(text, max(0, first - 20), first)
                or PAIR_EVENT_AFTER.match(text, last)
            )
        ):
            return True
    return False


def _first_of_a_country_pair(text: str, mentions: list[tuple[int, int, str]], index: int) -> bool:
    """Whether the name at ``index`` ends in ไทย (:data:`PAIRABLE_BODY_END`) and is followed
    across a dash (:data:`PAIR_GAP`) by a country other than Thailand: "หอการค้าไทย-ญี่ปุ่น"
    names the Thai-Japanese chamber, not the Thai Chamber of Commerce (หอการค้าไทย) its start
    spells. A company before a country's name ("NT-ลาว", "Huawei-จีน") stays itself."""
    if index + 1 >= len(mentions):
        return False
    start, party = mentions[index + 1][0], mentions[index + 1][2]
    first_start, first_end, _ = mentions[index]
    return (
        text.endswith(PAIRABLE_BODY_END, first_start, first_end)
        and party.startswith("country:")
        and party != f"country:{THAI_SIDE}"
        and bool(PAIR_GAP.fullmatch(text, mentions[index][1], start))
    )


def _paired_in_a_body_name(text: str, mentions: list[tuple[int, int, str]], index: int) -> bool:
    """Whether the country at ``index`` is paired with Thailand after it, across a dash
    (:data:`PAIR_GAP`), in a chamber's or a business council's name: after the body's word
    ("หอการค้าอินเดีย-ไทย", :data:`CHAMBER_WORD_BEFORE`) or before it ("Japan-Thailand Business
    Council", :data:`BUSINESS_BODY_AFTER`)."""
    if index + 1 >= len(mentions):
        return False
    start, end, _ = mentions[index]
    thai_start, thai_end, party = mentions[index + 1]
    return (
        party == f"country:{THAI_SIDE}"
        and bool(PAIR_GAP.fullmatch(text, end, thai_start))
        and bool(
            CHAMBER_WORD_BEFORE.search(text, max(0, start - 12), start)
            or BUSINESS_BODY_AFTER.match(text, thai_end)
        )
    )


def _side_of_a_pair(
    text: str, mentions: list[tuple[int, int, str]], index: int, table: PartnerTable
) -> bool:
    """Whether the mention at ``index`` follows Thailand or a forum across a dash
    (:data:`PAIR_GAP`): "ASEAN-Japan Cybersecurity Week", "Thailand-Japan Digital Forum"."""
    if not index:
        return False
    _, end, party = mentions[index - 1]
    return (party == f"country:{THAI_SIDE}" or party in table.multilateral) and bool(
        PAIR_GAP.fullmatch(text, end, mentions[index][0])
    )


def _repeats(text: str, mentions: list[tuple[int, int, str]]) -> set[int]:
    """Indexes of the mentions that name the one before again at once ("... หรือ NT").

    So do those in a gloss in brackets soon after it: "การประชุมรัฐมนตรีอาเซียนด้านดิจิทัล
    ครั้งที่ 5 (The 5th ASEAN Digital Ministers' Meeting: The 5th ADGMIN)".
    """
    repeats: set[int] = set()
    in_gloss = False
    for index in range(1, len(mentions)):
        gap = (mentions[index - 1][1], mentions[index][0])
        same = mentions[index][2] == mentions[index - 1][2]
        # Within a gloss only while no bracket closes it: past it, a name is judged again.
        in_gloss = same and bool(
            GLOSS_GAP.fullmatch(text, *gap) or (in_gloss and IN_GLOSS_GAP.fullmatch(text, *gap))
        )
        if in_gloss or (same and SAME_AGAIN_GAP.fullmatch(text, *gap)):
            repeats.add(index)
    return repeats


def _member_lists(text: str, mentions: list[tuple[int, int, str]]) -> set[int]:
    """Indexes of the mentions in runs naming three or more countries together.

    A body or a company named within such a run ("จีน ญี่ปุ่น เกาหลีใต้ และ ITU",
    "... ผู้แทนจาก ITU, Salesforce และสหประชาชาติ") is one of the meeting's participants too.
    """
    if sum(1 for _, _, partner in mentions if partner.startswith("country:")) < MEMBER_LIST_MIN:
        return set()  # too few countries for any list (most texts): no gap to read
    runs: list[list[int]] = []
    previous_end = None
    for index, (start, end, _) in enumerate(mentions):
        if previous_end is not None and LIST_GAP.match(text[previous_end:start]):
            runs[-1].append(index)
        else:
            runs.append([index])
        previous_end = end
    countries = [sum(1 for i in run if mentions[i][2].startswith("country:")) for run in runs]
    return {i for run, n in zip(runs, countries, strict=True) if n >= MEMBER_LIST_MIN for i in run}


class BetweenSides(NamedTuple):
    """The indexes of the countries other than Thailand named as the sides of something between
    them (:func:`_between_sides`)."""

    of_others: frozenset[int]  # Thailand neither side: none of them is its partner there
    with_thailand: frozenset[int]  # Thailand a side of their cooperation too: its partners


def _between_sides(text: str, mentions: list[tuple[int, int, str]]) -> BetweenSides:
    """The countries other than Thailand named, after :data:`BETWEEN_BEFORE`, as the sides
    (:func:`_between_run`) of something between them, all of a list or none of it: of others
    when Thailand is neither in the list nor listed right after it (:data:`THAI_SIDE_AFTER`) and
    no signing's cue (:data:`SIGNING_BEFORE_BETWEEN`) comes before; with Thailand when it is
    either, they are at most :data:`MAX_OTHER_SIDES` and a cooperation lies between them
    (:func:`_cooperation_between`)."""
    thai = f"country:{THAI_SIDE}"
    of_others: set[int] = set()
    with_thailand: set[int] = set()
    index = 0
    while index < len(mentions):
        start, _, first = mentions[index]
        if not (
            first.startswith("country:")
            and BETWEEN_BEFORE.search(text, max(0, start - BETWEEN_BEFORE_CHARS), start)
        ):
            index += 1
            continue
        run = _between_run(text, mentions, index)
        index = run[-1] + 1
        countries = {mentions[i][2] for i in run}
        run_end = mentions[run[-1]][1]
        if (len(countries) > 1 and thai in countries) or _thai_side_after(text, mentions, run_end):
            if len(countries - {thai}) <= MAX_OTHER_SIDES and _cooperation_between(
                text, start, run_end
            ):
                with_thailand.update(i for i in run if mentions[i][2] != thai)
        elif len(countries) > 1 and not SIGNING_BEFORE_BETWEEN.search(
            text, max(0, start - 60), start
        ):
            of_others.update(run)
    return BetweenSides(frozenset(of_others), frozenset(with_thailand))


def _between_run(text: str, mentions: list[tuple[int, int, str]], first: int) -> list[int]:
    """The indexes of the countries listed from the mention ``first`` on: separated by
    :data:`BETWEEN_GAP`, or by a space alone (:data:`BETWEEN_SPACE_GAP`) before the first such
    separator; with spaces alone throughout, only three or more, the last ending a word."""
    run = [first]
    joined = False  # whether a separator of BETWEEN_GAP has joined two of the run's sides
    while run[-1] + 1 < len(mentions) and mentions[run[-1] + 1][2].startswith("country:"):
        gap = (mentions[run[-1]][1], mentions[run[-1] + 1][0])
        if BETWEEN_GAP.fullmatch(text, *gap):
            joined = True
        elif joined or not BETWEEN_SPACE_GAP.fullmatch(text, *gap):
            break
        run.append(run[-1] + 1)
    if not joined and (len(run) < MEMBER_LIST_MIN or RUNS_ON.match(text, mentions[run[-1]][1])):
        return [first]
    return run


def _cooperation_between(text: str, start: int, end: int) -> bool:
    """Whether the sides listed from ``start`` to ``end`` are those of a cooperation, a signing
    or an agreement (:data:`COOPERATION_BEFORE_BETWEEN`) not broken off (:data:`BROKEN_BEFORE`,
    :data:`BROKEN_AFTER`)."""
    cue = COOPERATION_BEFORE_BETWEEN.search(text, max(0, start - 80), start)
    return bool(
        cue
        and not BROKEN_BEFORE.search(text, max(0, cue.start() - BROKEN_BEFORE_CHARS), start)
        and not BROKEN_AFTER.match(text, end)
    )


def _thai_side_after(text: str, mentions: list[tuple[int, int, str]], end: int) -> bool:
    """Whether Thailand or its ministry is listed right after ``end`` (:data:`THAI_SIDE_AFTER`):
    a mention of Thailand, not a longer name that starts with ไทย ("ไทยพาณิชย์")."""
    listed = THAI_SIDE_AFTER.match(text, end)
    if listed is None:
        return False
    return bool(listed["ministry"]) or any(
        start == listed.end() and partner == f"country:{THAI_SIDE}"
        for start, _, partner in mentions
    )


def partner_table_digest() -> str:
    """sha256 of the packaged names (``partners.toml``): the table the relevance model's card
    says its partner signals were found with (whether the rules that read it changed the
    model's inputs is for retraining to tell: the weights change)."""
    text = resources.files("thaidigest").joinpath(DEFAULT_TABLE).read_text("utf-8")
    return hashlib.sha256(text.encode()).hexdigest()


def partners_digest() -> str:
    """sha256 of the packaged files that decide what :func:`found_partners` returns
    (:data:`DECIDING_FILES`), as installed: the store scores its articles again when it changes.

    The table alone would miss an upgrade that changes a rule and no name. The files are
    read as the package holds them, so an installed wheel, which ships its ``.py`` files,
    gives the digest its source tree gives.
    """
    return packaged_files_digest(DECIDING_FILES)


def packaged_files_digest(names: Iterable[str]) -> str:
    """The :func:`files_digest` of these files of the package, as installed."""
    package = resources.files("thaidigest")
    return files_digest(package.joinpath(name).read_bytes() for name in names)


def files_digest(contents: Iterable[bytes]) -> str:
    """sha256 of the files' sha256s, in order: each file counts whole, not as bytes that
    may move from one file to the next."""
    digest = hashlib.sha256()
    for content in contents:
        digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()


@lru_cache(maxsize=8)
def partner_table(user_table: str | None = None) -> PartnerTable:
    """The packaged names extended by a user table's TOML text; compiled once per text."""
    data = tomllib.loads(resources.files("thaidigest").joinpath(DEFAULT_TABLE).read_text("utf-8"))
    if user_table is not None:
        user = tomllib.loads(user_table)
        _check_user_table(user)
        data = _merge(data, user)
    return _compile(data)


def _check_user_table(user: dict[str, Any]) -> None:
    """Refuse a value of a user's partners file that is not of its kind, in one line naming
    it: a string where a list of names belongs (``th = "แอคมี่"`` would make each of its
    characters a name), a blank name, a country code that is not ISO 3166-1 alpha-2."""
    unknown = set(user) - {"countries", "partner"}
    if unknown:
        raise ValueError(f"unknown key in partners file: {sorted(unknown)}")
    countries = user.get("countries", {})
    problem = type_problem(countries, dict)
    if problem:
        raise ValueError(f"[countries]: {problem}")
    for code, names in countries.items():
        problem = _country_code_problem(code)
        if problem:
            raise ValueError(f"[countries]: {problem}")
        problem = list_problem(names, str, blank_item_problem)
        if problem:
            raise ValueError(f"[countries] {code}: {problem}")
    entries = user.get("partner", [])
    problem = list_problem(entries, dict)
    if problem:
        raise ValueError(f"partner: {problem} ([[partner]] tables)")
    for entry in entries:
        if "id" not in entry:
            raise ValueError(f"partners file: an entry without an id: {toml_value(entry)}")
        problem = type_problem(entry["id"], str)
        if problem:
            raise ValueError(f"partners file: id: {problem}")
        problem = _entry_problem(entry)
        if problem:
            raise ValueError(f"partner {entry['id']!r}: {problem}")


def _entry_problem(entry: dict[str, Any]) -> str | None:
    """What is wrong with the values of a ``[[partner]]`` table of a user's partners file."""
    for field in NAME_FIELDS:
        problem = list_problem(entry.get(field, []), str, blank_item_problem)
        if problem:
            return f"{field}: {problem}"
    problem = type_problem(entry["multilateral"], bool) if "multilateral" in entry else None
    if problem:
        return f"multilateral: {problem}"
    problem = list_problem(entry.get("members", []), str, _country_code_problem)
    return f"members: {problem}" if problem else None


def _country_code_problem(code: str) -> str | None:
    """Why ``code`` is not a country's ISO 3166-1 alpha-2 code, as pycountry lists them (in
    either case), or None."""
    import pycountry

    if pycountry.countries.get(alpha_2=code) is not None:
        return None
    same = pycountry.countries.get(alpha_3=code) if len(code) == 3 else None
    hint = f"; did you mean {same.alpha_2}?" if same else ""
    return f"{toml_value(code)} is not an ISO 3166-1 alpha-2 country code{hint}"


def _merge(base: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    countries = {code: list(names) for code, names in base.get("countries", {}).items()}
    for code, names in user.get("countries", {}).items():
        countries[code.upper()] = [*countries.get(code.upper(), []), *names]
    entries = {entry["id"]: dict(entry) for entry in base.get("partner", [])}
    for entry in user.get("partner", []):
        current = entries.setdefault(entry["id"], {"id": entry["id"]})
        for field, value in entry.items():
            if field in NAME_FIELDS:
                current[field] = [*current.get(field, []), *value]
            elif field != "id":
                current[field] = value
    return {"countries": countries, "partner": list(entries.values())}


def _compile(data: dict[str, Any]) -> PartnerTable:
    ids: dict[str, str] = {}
    for code, names in _country_names(data.get("countries", {})).items():
        for name in names:
            ids.setdefault(_key(name), f"country:{code}")
    multilateral: set[str] = set()
    members: dict[str, tuple[str, ...]] = {}
    stems: dict[str, str] = {}  # feed file name -> the partner that has it
    known: dict[str, str] = {}  # partner_key -> the partner written so
    part_of: dict[str, str] = {}  # an entry -> the body it is part of
    for entry in data.get("partner", []):
        partner = _checked_id(entry)
        stem = feed_stem(partner)
        if stem in stems:
            other = stems[stem]
            raise ValueError(
                f"partner {partner!r} is listed twice"
                if other == partner
                else f"partners {other!r} and {partner!r} would share the feed {stem}.atom"
            )
        stems[stem] = partner
        other = known.setdefault(partner_key(partner), partner)
        if other != partner:
            decomposed = unicodedata.normalize("NFC", other) == unicodedata.normalize(
                "NFC", partner
            )
            raise ValueError(
                f"partners {other!r} and {partner!r} are one name written two ways"
                + (": one composed (NFC), the other decomposed (NFD)" if decomposed else "")
            )
        unknown = set(entry) - {"id", *NAME_FIELDS, "multilateral", "members", "part_of"}
        if unknown:
            raise ValueError(f"partner {partner!r}: unknown field {sorted(unknown)}")
        if "part_of" in entry:
            part_of[partner] = _checked_part_of(partner, entry["part_of"])
        if entry.get("multilateral"):
            multilateral.add(partner)
            members[partner] = tuple(f"country:{c.upper()}" for c in entry.get("members", []))
        for name in [name for field in NAME_FIELDS for name in entry.get(field, [])]:
            ids[_key(name)] = partner  # an entry's name wins over a country's
    _check_part_of_names_entries(part_of, known)
    for name in NOT_NAMES:
        ids[_key(name)] = ""
    # A name given as ``en`` too, in any case (in one entry, or across the packaged and the user's
    # file), keeps the ``en`` matching: any case, anywhere. An ``en`` acronym, all capitals, is
    # matched in capitals only and leaves the cased name as it is (the packaged True: TRUE, True).
    named_en = {
        _key(name).lower()
        for entry in data.get("partner", [])
        for name in entry.get("en", [])
        if not _is_acronym(name)
    }
    cased = {
        key
        for entry in data.get("partner", [])
        for key in map(_key, entry.get("cased", []))
        if key.lower() not in named_en
    }
    capitals: dict[str, set[str]] = {}
    lowered: dict[str, str] = {}
    for key, partner in ids.items():
        if _THAI.search(key):
            lowered[key] = partner
            continue
        lowered.setdefault(key.lower(), partner)
        if _is_acronym(key) or key in cased:
            capitals.setdefault(key.lower(), set()).add(key)
    for key in ids:
        if not _THAI.search(key) and not _is_acronym(key) and key not in cased:
            capitals.pop(key.lower(), None)  # also written in lower case: any case matches
    return PartnerTable(
        ids=MappingProxyType(lowered),
        multilateral=frozenset(multilateral),
        members=MappingProxyType(members),
        automaton=Automaton(lowered),
        capitals=MappingProxyType({key: frozenset(v) for key, v in capitals.items()}),
        cased=frozenset(cased),
        known=MappingProxyType(known),
        part_of=MappingProxyType(part_of),
    )


def _is_acronym(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _checked_id(entry: dict[str, Any]) -> str:
    partner = entry.get("id", "")
    kind, _, name = partner.partition(":")
    if kind not in KINDS or not name:
        raise ValueError(f"partner id {partner!r}: want one of {KINDS}, a colon and a name")
    if shows_nothing(name):
        raise ValueError(
            f"partner id {partner!r}: its name shows nothing (only white space or invisible"
            " characters): give it a name a reader can see"
        )
    return partner


def _checked_part_of(partner: str, body: object) -> str:
    """The id ``partner``'s ``part_of`` names, refused unless a well-formed id of another entry."""
    if not isinstance(body, str):
        raise ValueError(f"partner {partner!r}: part_of {body!r} is not a partner id (a string)")
    kind, _, name = body.partition(":")
    if kind not in KINDS or not name:
        raise ValueError(
            f"partner {partner!r}: part_of {body!r} is not a partner id: want one of {KINDS},"
            " a colon and a name"
        )
    if body == partner:
        raise ValueError(f"partner {partner!r}: part_of names the entry itself")
    return body


def _check_part_of_names_entries(part_of: Mapping[str, str], known: Mapping[str, str]) -> None:
    """Refuse a ``part_of`` that names no entry (or one written another way) or runs in a
    cycle (A part of B, B part of A)."""
    entries = set(known.values())
    for partner, body in part_of.items():
        if body not in entries:
            spelled = known.get(partner_key(body))
            hint = f" (the table writes it {spelled!r})" if spelled else ""
            raise ValueError(f"partner {partner!r}: part_of {body!r} names no entry{hint}")
        seen = [partner]
        while body in part_of and body not in seen:
            seen.append(body)
            body = part_of[body]
        if body in seen:
            raise ValueError(
                f"partner {partner!r}: part_of runs in a cycle: {' -> '.join([*seen, body])}"
            )


def _country_names(extra: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """ISO alpha-2 code -> its names: pycountry's, their Thai translation, PyThaiNLP's, extras."""
    import pycountry
    from pythainlp.corpus import countries as thai_country_names

    thai = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["th"], fallback=True)
    names: dict[str, list[str]] = {}
    by_thai: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        own = [getattr(country, a, None) for a in ("name", "common_name", "official_name")]
        english = [n for n in own if n and "," not in n and n not in AMBIGUOUS_EN]
        translated = [thai.gettext(n).split(",")[0].strip() for n in own if n]
        thai_names = [n for n in translated if _THAI.search(n)]
        names[code] = [*english, *thai_names]
        by_thai.update({n: code for n in thai_names})
    for name in thai_country_names():
        if name in by_thai:
            names[by_thai[name]].append(name)
    for code, spellings in extra.items():
        names.setdefault(code.upper(), []).extend(spellings)
    return names


def _key(text: str) -> str:
    return _SPACES.sub(" ", text.strip())
