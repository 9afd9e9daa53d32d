"""Build the offline fixture site in ``seeds/site/`` from the seed articles and the corpus.

One host serves both sites' paths (they do not collide):

- thaigov: real corpus articles in a dense id window around seed 001 (id 87382), with
  two seeds placed at free ids in that window, plus one keyword search page;
- mdes: two paginated category listings and their detail pages, built from seeds 003
  and 004 and corpus articles about the digital ministry, one of them the same release
  as a thaigov page. Detail pages take turns between the two known layouts (headline,
  lead image and date line inside the first ``.col-12``, or headline before it) and
  carry a "latest news" column of other headlines, with links or as plain text (as a
  page whose script fills it renders it).

Links that must carry the host are written with the ``{{BASE}}`` placeholder, which
``scraper.fixture_site`` replaces with its own base URL when serving. ``manifest.json``
describes every page: the path to request, the file, the source it was built from and the
body text. ``_soft404.html`` is what the server answers for thaigov ids without a page.

Usage: ``python tools/build_fixture_site.py SEEDS_DIR CORPUS_JSONL_XZ [OUT_DIR]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import lzma
import re
import shutil
import textwrap
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from scraper.fixture_site import SOFT_404_FILE, page_file
from thaidigest.sites import THAIGOV_SEARCH_URL, THAIGOV_TITLE_PREFIX, article_path, listing_path

BASE = "{{BASE}}"
SOURCE_LINE = "ที่มา :"

THAIGOV_WINDOW = (87360, 87400)
# Corpus ids in the window left out on purpose. Two take the placed seeds below; the rest,
# with the corpus's own gaps (87360, and 87361, an empty record), are the unpublished ids
# a spider walking the window meets.
THAIGOV_LEFT_OUT = (87368, 87371, 87376, 87379, 87390, 87397)
# Seeds re-published at free ids of the window: (seed file prefix, id, category).
THAIGOV_PLACED_SEEDS = (
    ("002", 87371, "ด้านสังคม"),
    ("000", 87390, "Government News"),
)
THAIGOV_SEED_AT_OWN_ID = ("001", 87382)
# Seed 000 is a re-publication without a date line; this is the day of the meeting it reports.
SEED_000_DATE = dt.date(2022, 5, 11)
SEARCH_KEYWORD = "ดีอี"
SEARCH_RESULT_IDS = (87372, 87374, 87382, 87393)
SEARCH_TITLE = f"ผลการค้นหา {SEARCH_KEYWORD}"

MDES_CATEGORIES = {3: "ข่าวประชาสัมพันธ์", 7: "ข่าวกิจกรรมผู้บริหาร"}
MDES_PAGE_SIZE = 3
MDES_FIRST_ID = 11001
MDES_ID_STEP = (1, 2, 1, 1, 2, 1, 1, 1, 2, 1, 1)  # gaps between consecutive ids
# (source, category): "seed:NNN" or a corpus id. Listed oldest first.
MDES_SOURCES = (
    ("seed:004", 3),
    ("seed:003", 3),
    ("corpus:86081", 7),
    ("corpus:86779", 3),
    ("corpus:87145", 7),
    ("corpus:87374", 7),
    ("corpus:87382", 3),
    ("corpus:87458", 3),
    ("corpus:87702", 3),
    ("corpus:87740", 7),
    ("corpus:87996", 3),
    ("corpus:89133", 7),
)
# Where the headline stands on a detail page: inside the first .col-12 (with the lead
# image, a dd/mm/BE date line and the share bar) or before it. Pages take turns.
MDES_LAYOUTS = ("headline_inside", "headline_before")
# The "latest news" column of a detail page: the newest other articles.
MDES_LATEST_HEADING = "ข่าวล่าสุด"
MDES_LATEST_COUNT = 4
MDES_VIEWS = 1024  # view counter base
# Listing dates for seeds that carry none in their text.
MDES_SEED_DATES = {"004": dt.date(2019, 3, 29), "003": dt.date(2022, 6, 20)}
# Lines of the third-party wrapper around seed 003, not part of the MDES release.
SEED_003_BOILERPLATE = (
    "We are creating some awesome events for you. Kindly bear with us.",
    "Image credits: mdes.go.th",
    "Send this to a friend",
)
# The MDES copy of thaigov 87382 is the same release with one sentence edited.
MDES_EDITS = {"corpus:87382": ("ดร.เอกพงษ์ ยังได้กล่าวถึง", "นายเอกพงษ์ได้กล่าวถึง")}

THAI_WEEKDAYS = ("จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์")
THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
DATE_LINE_RE = re.compile(r"^วัน\S+ที่ (\d{1,2}) (\S+) (\d{4})$")
SHORT_DATE_RE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
PRINT_LABEL = "พิมพ์"

ROBOTS_TXT = """User-agent: *
Disallow: /admin/
Disallow: /bot-check
Allow: /news/
Allow: /search
"""

THAIGOV_NAV = (
    ("หน้าหลัก", "/"),
    ("ข่าวทำเนียบรัฐบาล", "/news/index"),
    ("ข่าวนายกรัฐมนตรี", "/news/contents/prime_minister"),
    ("ข่าวรองนายกฯ", "/news/contents/deputy"),
    ("ข่าวกระทรวง", "/news/contents/ministry"),
    ("มติคณะรัฐมนตรี", "/news/cabinet"),
    ("Government News", "/en/news"),
    ("ภาพข่าว", "/gallery"),
    ("ติดต่อเรา", "/contact"),
)
MDES_NAV = (("หน้าแรก", "/"), ("เกี่ยวกับกระทรวง", "/about"), ("ติดต่อเรา", "/contact"))


@dataclass(frozen=True)
class Article:
    """One article as a fixture page shows it."""

    source: str
    title: str
    body: list[str]
    published: dt.date | None


@dataclass(frozen=True)
class Page:
    """One generated page: where it is written and what the manifest says about it."""

    file: str
    html: str
    entry: dict[str, object]


def thai_date_line(day: dt.date) -> str:
    """``วันพุธที่ 11 พฤษภาคม 2565`` for 2022-05-11."""
    weekday = THAI_WEEKDAYS[day.weekday()]
    return f"วัน{weekday}ที่ {day.day} {THAI_MONTHS[day.month - 1]} {day.year + 543}"


def parse_date_line(line: str) -> dt.date | None:
    """The date of a thaigov date line, None when the line is not one."""
    match = DATE_LINE_RE.match(line.strip())
    if not match or match.group(2) not in THAI_MONTHS:
        return None
    month = THAI_MONTHS.index(match.group(2)) + 1
    return dt.date(int(match.group(3)) - 543, month, int(match.group(1)))


def be_date(day: dt.date) -> str:
    """``dd/mm/yyyy`` in the Buddhist Era, as MDES listings show dates."""
    return f"{day.day:02d}/{day.month:02d}/{day.year + 543}"


def strip_blank_edges(lines: list[str]) -> list[str]:
    """``lines`` without leading and trailing empty lines."""
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def split_plain(text: str) -> tuple[str, list[str]]:
    """Title and body lines of a text in the public corpus format (source line dropped)."""
    lines = text.split("\n")
    title = lines[0].removeprefix(THAIGOV_TITLE_PREFIX).strip()
    body = strip_blank_edges(lines[1:])
    if body and body[-1].startswith(SOURCE_LINE):
        body = strip_blank_edges(body[:-1])
    return title, body


def first_date(lines: list[str]) -> dt.date | None:
    """The date of the first date line among ``lines``."""
    return next((d for d in map(parse_date_line, lines) if d), None)


def load_corpus(path: Path, ids: set[int]) -> dict[int, tuple[str, str]]:
    """``(text, category)`` of the corpus articles with the given ids, streaming the file."""
    rows: dict[int, tuple[str, str]] = {}
    with lzma.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if int(row["id"]) in ids:
                rows[int(row["id"])] = (row["text"], row["category"])
    return rows


def load_seeds(seeds_dir: Path) -> dict[str, tuple[str, str]]:
    """Seed texts by their three-digit prefix, with the file name."""
    return {
        path.name[:3]: (path.name, path.read_text(encoding="utf-8"))
        for path in sorted(seeds_dir.glob("[0-9][0-9][0-9]_*.txt"))
    }


def corpus_article(article_id: int, text: str) -> Article:
    """A corpus article with its body as thaigov shows it."""
    title, body = split_plain(text)
    return Article(f"corpus:{article_id}", title, body, first_date(body))


def seed_000_article(name: str, text: str) -> Article:
    """Seed 000 (English, APEC) as a thaigov page: date line, headline, paragraphs."""
    lines = [line for line in text.split("\n") if line.strip()]
    title, paragraphs = lines[1], lines[2:]  # lines[0] is the section label
    body = [thai_date_line(SEED_000_DATE), title, *paragraphs]
    return Article(f"seed:{name}", title, body, SEED_000_DATE)


def seed_thaigov_article(name: str, text: str) -> Article:
    """A seed in the corpus format (001, 002) as its thaigov page shows it."""
    title, body = split_plain(text)
    return Article(f"seed:{name}", title, body, first_date(body))


def mdes_body(body: list[str], title: str) -> list[str]:
    """A thaigov body as MDES shows it: no date, print or repeated-headline lines."""
    kept = [
        line
        for line in body
        if not (parse_date_line(line) or SHORT_DATE_RE.match(line) or line == PRINT_LABEL)
    ]
    while kept and kept[0].strip() == title:
        kept = kept[1:]
    return kept


def mdes_article(
    source: str, seeds: dict[str, tuple[str, str]], corpus: dict[int, tuple[str, str]]
) -> Article:
    """The article of one MDES source, with its body as the MDES page shows it."""
    kind, key = source.split(":")
    if kind == "corpus":
        title, body = split_plain(corpus[int(key)][0])
        published = first_date(body)
        body = mdes_body(body, title)
        if source in MDES_EDITS:
            old, new = MDES_EDITS[source]
            body = [line.replace(old, new) for line in body if not set(line) <= {"-"}]
        return Article(source, title, body, published)
    name, text = seeds[key]
    lines = text.split("\n")
    if key == "003":
        lines = [line for line in lines if line.strip() not in SEED_003_BOILERPLATE]
        lines = strip_blank_edges(lines)
    title = lines[0].strip()
    return Article(f"seed:{name}", title, strip_blank_edges(lines[1:]), MDES_SEED_DATES[key])


def slug(title: str) -> str:
    """The MDES URL slug: punctuation, symbols and spaces become ``-``, percent-encoded."""
    chars = ["-" if unicodedata.category(c)[0] in "PZSC" else c for c in title]
    return quote(re.sub("-+", "-", "".join(chars)).strip("-"), safe="-")


def esc(text: str) -> str:
    """HTML-escape text content."""
    return html.escape(text, quote=False)


def attr(text: str) -> str:
    """HTML-escape an attribute value."""
    return html.escape(text, quote=True)


# ---------------------------------------------------------------------------- thaigov pages


def thaigov_head(title: str) -> str:
    """The ``<head>`` and page header shared by every thaigov page."""
    nav = "\n".join(
        f'          <li><a href="{href}">{esc(label)}</a></li>' for label, href in THAIGOV_NAV
    )
    return f"""<!DOCTYPE html>
<html lang="th">
<head>
  <meta charset="utf-8">
  <meta http-equiv="X-UA-Compatible" content="IE=edge">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{esc(THAIGOV_TITLE_PREFIX + title)}</title>
  <link rel="stylesheet" href="/assets/css/bootstrap.min.css">
  <link rel="stylesheet" href="/assets/css/style.css?v=3.2">
  <script src="/assets/js/jquery-1.11.3.min.js"></script>
  <script async src="https://www.googletagmanager.com/gtag/js?id=G-THAIGOV01"></script>
  <script>
    window.dataLayer = window.dataLayer || [];
    function gtag(){{dataLayer.push(arguments);}}
    gtag('js', new Date()); gtag('config', 'G-THAIGOV01');
  </script>
</head>
<body class="font_level1">
  <div class="skip"><a href="#content">ข้ามไปยังเนื้อหา</a></div>
  <header class="header-top">
    <div class="container">
      <a class="logo" href="/"><img src="/assets/img/logo.png" alt="รัฐบาลไทย"></a>
      <form class="search-top" action="/search" method="get">
        <input type="text" name="keyword" placeholder="ค้นหาข่าว">
        <button type="submit">ค้นหา</button>
      </form>
      <div class="font-size">ขนาดตัวอักษร <a href="#">ก</a> <a href="#">ก</a> <a href="#">ก</a></div>
    </div>
    <nav class="navbar navbar-default">
      <div class="container">
        <ul class="nav navbar-nav">
{nav}
        </ul>
      </div>
    </nav>
  </header>
"""


THAIGOV_FOOT = """  <footer class="footer">
    <div class="container">
      <div class="row">
        <div class="col-xs-12 col-sm-6">
          <p>สำนักงานเลขาธิการนายกรัฐมนตรี ทำเนียบรัฐบาล ถนนพิษณุโลก เขตดุสิต กรุงเทพฯ 10300</p>
          <p>โทรศัพท์ 0 2283 4000</p>
        </div>
        <div class="col-xs-12 col-sm-6">
          <p>นโยบายเว็บไซต์ | นโยบายการคุ้มครองข้อมูลส่วนบุคคล | แผนผังเว็บไซต์</p>
          <p>สงวนลิขสิทธิ์ © สำนักโฆษก สำนักเลขาธิการนายกรัฐมนตรี</p>
          <p>จำนวนผู้เข้าชม <span id="counter">1,284,551</span></p>
        </div>
      </div>
    </div>
  </footer>
  <div class="cookie-consent" id="cookie">
    เว็บไซต์นี้ใช้คุกกี้เพื่อพัฒนาประสบการณ์การใช้งาน <button onclick="acceptCookie()">ยอมรับ</button>
  </div>
  <script src="/assets/js/bootstrap.min.js"></script>
  <script>
    function acceptCookie(){ document.getElementById('cookie').style.display = 'none'; }
    $(function(){
      $('.share a').on('click', function(e){
        window.open(this.href, 'share'); e.preventDefault();
      });
    });
  </script>
</body>
</html>
"""


def thaigov_body_html(article: Article, use_br: bool) -> str:
    """The ``div.border-normal.clearfix`` content, one element or ``<br>`` line per body line."""
    parts: list[str] = []
    paragraphs: list[str] = []
    for line in article.body:
        if parse_date_line(line) or SHORT_DATE_RE.match(line):
            parts.append(f'<p class="Circular font_level3 color4">{esc(line)}</p>')
        elif line == PRINT_LABEL:
            parts.append(
                '<div class="print"><a href="javascript:window.print();">'
                f'<i class="fa fa-print"></i> {PRINT_LABEL}</a></div>'
            )
        elif line.strip() == article.title and not paragraphs:
            parts.append(f'<h4 class="Circular font_level4 color1">{esc(line)}</h4>')
        elif use_br:
            paragraphs.append(esc(line))
        else:
            paragraphs.append(f"<p>{esc(line)}</p>")
    joiner = "<br>\n" if use_br else "\n"
    content = joiner.join(paragraphs)
    wrapped = f'<div class="text-content">\n{content}\n</div>' if use_br else content
    return "\n".join([*parts, wrapped])


def thaigov_page(article: Article | None, category: str, related: list[tuple[int, str]]) -> str:
    """A thaigov article page; ``None`` gives the soft-404 page (empty headline)."""
    title = article.title if article else ""
    body = (
        thaigov_body_html(article, use_br=len(article.body) % 2 == 1)
        if article
        else '<p class="Circular font_level3 color4">วันพฤหัสบดีที่ 1 มกราคม 2513</p>'
    )
    related_html = "\n".join(
        f'            <li><a href="{article_path("thaigov", i)}">{esc(t)}</a></li>'
        for i, t in related
    )
    return f"""{thaigov_head(title)}  <div class="container" id="content">
    <ol class="breadcrumb">
      <li><a href="/">หน้าหลัก</a></li><li><a href="/news/index">ข่าว</a></li>
      <li class="active">รายละเอียดข่าว</li>
    </ol>
    <div class="row">
      <div class="col-xs-12 col-sm-6 padding-sm1 news-2">
        <h3 class="news-1 Circular color2">{esc(title)}</h3>
      </div>
      <div class="col-xs-12 col-sm-6 padding-sm1">
        <span class="Circular headtitle-2 font_level6 color2 col-xs-9 remove-xs"
          >{esc(category)}</span>
        <div class="share col-xs-3">
          <a href="https://www.facebook.com/sharer/sharer.php?u=" title="Facebook"
            ><i class="fa fa-facebook"></i></a>
          <a href="https://twitter.com/intent/tweet?url=" title="X"
            ><i class="fa fa-twitter"></i></a>
          <a href="https://social-plugins.line.me/lineit/share?url=" title="LINE"
            ><i class="fa fa-line"></i></a>
        </div>
      </div>
    </div>
    <div class="row">
      <div class="col-xs-12 col-md-9">
        <div class="border-normal clearfix">
{body}
        </div>
      </div>
      <div class="col-xs-12 col-md-3">
        <div class="related">
          <h4 class="Circular">ข่าวที่เกี่ยวข้อง</h4>
          <ul>
{related_html}
          </ul>
        </div>
      </div>
    </div>
  </div>
{THAIGOV_FOOT}"""


def search_page(results: list[tuple[int, Article]]) -> str:
    """The thaigov keyword search page listing ``results``."""
    items = "\n".join(
        f"""      <div class="row result">
        <div class="col-xs-12 col-sm-3 col-md-2"><img src="/assets/img/thumb-{i}.jpg" alt=""></div>
        <div class="col-xs-12 col-sm-9 col-md-10 news-2">
          <p><a href="{article_path("thaigov", i)}">{esc(a.title)}</a></p>
          <p class="date">{be_date(a.published) if a.published else ""}</p>
        </div>
      </div>"""
        for i, a in results
    )
    return f"""{thaigov_head(SEARCH_TITLE)}  <div class="container" id="content">
    <h3 class="Circular">ผลการค้นหา "{esc(SEARCH_KEYWORD)}" พบ {len(results)} รายการ</h3>
{items}
  </div>
{THAIGOV_FOOT}"""


# ------------------------------------------------------------------------------- mdes pages


def mdes_page(title: str, active: int | None, main: str) -> str:
    """An MDES page: head, nav with the active category, ``main`` content, footer."""
    links = [
        *(
            f'<li class="nav-item"><a class="nav-link" href="{BASE}{h}">{esc(t)}</a></li>'
            for t, h in MDES_NAV
        ),
        *(
            f'<li class="nav-item{" active" if cat == active else ""}">'
            f'<a class="nav-link" href="{BASE}{listing_path(cat)}">{esc(name)}</a></li>'
            for cat, name in MDES_CATEGORIES.items()
        ),
    ]
    nav = "\n".join(f"          {link}" for link in links)
    return f"""<!DOCTYPE html>
<html lang="th">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{esc(title)} | กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม</title>
  <link rel="stylesheet" href="{BASE}/assets/bootstrap5/css/bootstrap.min.css">
  <script src="{BASE}/assets/js/jquery-3.6.0.min.js"></script>
  <script>var siteUrl = '{BASE}'; var lang = 'th';</script>
</head>
<body>
  <div class="top-bar">
    <div class="container">
      กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม Ministry of Digital Economy and Society
    </div>
  </div>
  <nav class="navbar navbar-expand-lg">
    <div class="container">
      <a class="navbar-brand" href="{BASE}/"
        ><img src="{BASE}/assets/images/logo-mdes.png" alt="MDES"></a>
      <ul class="navbar-nav">
{nav}
      </ul>
    </div>
  </nav>
  <section class="content-area" id="content">
    <div class="container">
{main}
    </div>
  </section>
  <footer class="footer">
    <div class="container">
      <div class="row">
        <div class="col-md-6">
          กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม 120 หมู่ 3 ศูนย์ราชการเฉลิมพระเกียรติ
          ถนนแจ้งวัฒนะ แขวงทุ่งสองห้อง เขตหลักสี่ กรุงเทพฯ 10210
        </div>
        <div class="col-md-6">โทร 0 2141 6747 | Copyright © MDES</div>
      </div>
    </div>
  </footer>
  <script src="{BASE}/assets/bootstrap5/js/bootstrap.bundle.min.js"></script>
  <script>
    document.querySelectorAll('.share-btn').forEach(b => b.addEventListener('click',
      () => navigator.share && navigator.share({{url: location.href}})));
  </script>
</body>
</html>
"""


def mdes_sidebar(latest: list[tuple[str, Article]], links: bool) -> str:
    """The "latest news" column: other headlines and their dates, linked or (as a page
    whose script fills the list renders it) plain text."""
    items = []
    for href, other in latest:
        title = f'<a href="{href}">{esc(other.title)}</a>' if links else esc(other.title)
        when = be_date(other.published) if other.published else ""
        items.append(
            f"""          <div class="news-item">
            <div class="news-item-title">{title}</div>
            <span class="date-news">{when}</span>
          </div>"""
        )
    return f"""        <div class="col-12 col-lg-4 latest-box">
          <h4 class="box-head">{MDES_LATEST_HEADING}</h4>
{chr(10).join(items)}
        </div>"""


def mdes_detail_page(
    mdes_id: int,
    article: Article,
    category: int,
    layout: str,
    latest: list[tuple[str, Article]],
    sidebar_links: bool,
) -> str:
    """An MDES detail page in one of ``MDES_LAYOUTS``, with a "latest news" column."""
    body = "\n".join(f"          <p>{esc(line)}</p>" for line in article.body if line)
    date = be_date(article.published) if article.published else ""
    image = f"""<div id="carouselNews" class="carousel slide" data-bs-ride="carousel">
  <div class="carousel-inner">
    <div class="carousel-item active">
      <img src="{BASE}/uploads/news/{mdes_id}/cover.jpg" class="d-block w-100"
        alt="{attr(article.title)}">
    </div>
    <div class="carousel-item">
      <img src="{BASE}/uploads/news/{mdes_id}/2.jpg" class="d-block w-100" alt="">
    </div>
  </div>
</div>"""
    tools = (
        '<button class="share-btn">แชร์</button> <button class="print-btn">พิมพ์</button> '
        f'<span class="view">เข้าชม {MDES_VIEWS + mdes_id % 97:,} ครั้ง</span>'
    )
    sidebar = mdes_sidebar(latest, sidebar_links)
    attachments = f"""      <div class="row">
        <div class="col-12 attach">
          <p>ไฟล์แนบ: <a href="{BASE}/uploads/news/{mdes_id}/release.pdf">ข่าวประชาสัมพันธ์ (PDF)</a></p>
          <p>แท็ก: <a href="{BASE}{listing_path(category)}">{esc(MDES_CATEGORIES[category])}</a></p>
        </div>
      </div>"""
    if layout == "headline_before":
        main = f"""      <h1 class="title-page">{esc(article.title)}</h1>
      <div class="row">
        <div class="col date-news">{date}</div>
        <div class="col text-end">{tools}</div>
      </div>
{textwrap.indent(image, "      ")}
      <div class="row">
        <div class="col-12 col-lg-8 detail-news">
{body}
        </div>
{sidebar}
      </div>
{attachments}"""
    else:
        main = f"""      <div class="row">
        <div class="col-12 col-lg-8">
          <h1 class="title-page">{esc(article.title)}</h1>
{textwrap.indent(image, "          ")}
          <p class="news-date">{date}</p>
          <div class="news-tools">{tools}</div>
{body}
        </div>
{sidebar}
      </div>
{attachments}"""
    return mdes_page(article.title, category, main)


def page_item(label: str, path: str | None, active: bool = False) -> str:
    """One ``.pagination`` item; without a path it is disabled and holds no link."""
    if path is None:
        return f'<li class="page-item disabled"><span class="page-link">{label}</span></li>'
    state = " active" if active else ""
    return f'<li class="page-item{state}"><a class="page-link" href="{BASE}{path}">{label}</a></li>'


def mdes_listing_page(
    category: int, page: int, pages: int, cards: list[tuple[str, Article]]
) -> str:
    """One page of an MDES category listing; the last ``li`` links to the next page."""
    card_html = "\n".join(
        f"""        <div class="col-12 col-md-4">
          <div class="card card-news">
            <img src="{BASE}/uploads/news/thumb.jpg" class="card-img-top" alt="">
            <div class="card-body">
              <h5 class="card-title-news"><a href="{href}">{esc(a.title)}</a></h5>
              <div class="row">
                <div class="col date-news">{be_date(a.published) if a.published else ""}</div>
                <div class="col text-end">อ่านต่อ</div>
              </div>
            </div>
          </div>
        </div>"""
        for href, a in cards
    )
    previous = listing_path(category, page - 1) if page > 1 else None
    following = listing_path(category, page + 1) if page < pages else None
    items = [
        page_item("&laquo;", previous),
        *(page_item(str(n), listing_path(category, n), n == page) for n in range(1, pages + 1)),
        page_item("&raquo;", following),
    ]
    pagination = "\n".join(f"          {item}" for item in items)
    main = f"""      <h1 class="title-page">{esc(MDES_CATEGORIES[category])}</h1>
      <div class="row news-list">
{card_html}
      </div>
      <nav aria-label="pagination">
        <ul class="pagination">
{pagination}
        </ul>
      </nav>"""
    return mdes_page(MDES_CATEGORIES[category], category, main)


# ----------------------------------------------------------------------------------- build


def entry(path: str, site: str, kind: str, article: Article | None, **extra: object) -> dict:
    """A manifest entry for one page."""
    return {
        "path": path,
        "site": site,
        "kind": kind,
        "source": article.source if article else None,
        "title": article.title if article else extra.pop("title", None),
        "text": "\n".join(article.body) if article else None,
        "published": article.published.isoformat() if article and article.published else None,
        **extra,
    }


def thaigov_pages(
    seeds: dict[str, tuple[str, str]], corpus: dict[int, tuple[str, str]]
) -> list[Page]:
    """The thaigov article pages of the window, the soft-404 page and the search page."""
    articles: dict[int, tuple[Article, str]] = {}
    for article_id in range(THAIGOV_WINDOW[0], THAIGOV_WINDOW[1] + 1):
        text, category = corpus.get(article_id, ("", ""))
        if article_id in THAIGOV_LEFT_OUT or not text.startswith(THAIGOV_TITLE_PREFIX):
            continue
        articles[article_id] = (corpus_article(article_id, text), category)
    own_key, own_id = THAIGOV_SEED_AT_OWN_ID
    name, text = seeds[own_key]
    articles[own_id] = (seed_thaigov_article(name, text), articles[own_id][1])
    for key, article_id, category in THAIGOV_PLACED_SEEDS:
        name, text = seeds[key]
        build = seed_000_article if key == "000" else seed_thaigov_article
        articles[article_id] = (build(name, text), category)

    ids = sorted(articles)
    pages: list[Page] = []
    for position, article_id in enumerate(ids):
        article, category = articles[article_id]
        neighbours = [i for i in ids[max(0, position - 2) : position + 3] if i != article_id][:3]
        related = [(i, articles[i][0].title) for i in neighbours]
        pages.append(
            Page(
                page_file(article_path("thaigov", article_id)),
                thaigov_page(article, category, related),
                entry(
                    article_path("thaigov", article_id),
                    "thaigov",
                    "article",
                    article,
                    id=article_id,
                    category=category,
                ),
            )
        )
    pages.append(Page(SOFT_404_FILE, thaigov_page(None, "", []), {}))
    results = [(i, articles[i][0]) for i in SEARCH_RESULT_IDS]
    pages.append(
        Page(
            "search.html",
            search_page(results),
            entry(
                THAIGOV_SEARCH_URL.format(keyword=quote(SEARCH_KEYWORD)),
                "thaigov",
                "search",
                None,
                title=SEARCH_TITLE,
                links=[article_path("thaigov", i) for i, _ in results],
            ),
        )
    )
    return pages


def mdes_pages(seeds: dict[str, tuple[str, str]], corpus: dict[int, tuple[str, str]]) -> list[Page]:
    """The MDES detail pages and the paginated listings of both categories.

    The detail pages take turns through ``MDES_LAYOUTS`` (headline inside or before the
    article column) and through a "latest news" column with and without links.
    """
    pages: list[Page] = []
    listed: dict[int, list[tuple[str, Article]]] = {cat: [] for cat in MDES_CATEGORIES}
    built: list[tuple[int, Article, int, str]] = []
    mdes_id = MDES_FIRST_ID
    for (source, category), step in zip(MDES_SOURCES, (0, *MDES_ID_STEP), strict=True):
        mdes_id += step
        article = mdes_article(source, seeds, corpus)
        built.append(
            (mdes_id, article, category, f"{article_path('mdes', mdes_id)}-{slug(article.title)}")
        )
    newest_first = [(BASE + path, article) for _, article, _, path in reversed(built)]
    for number, (mdes_id, article, category, path) in enumerate(built):
        layout = MDES_LAYOUTS[number % len(MDES_LAYOUTS)]
        sidebar_links = number // len(MDES_LAYOUTS) % 2 == 0
        latest = [item for item in newest_first if item[1] is not article][:MDES_LATEST_COUNT]
        extra: dict[str, object] = {
            "id": mdes_id,
            "category": MDES_CATEGORIES[category],
            "layout": layout,
            "sidebar_links": sidebar_links,
            "sidebar_titles": [other.title for _, other in latest],
        }
        source = article.source
        if (
            source.startswith("corpus:")
            and THAIGOV_WINDOW[0] <= int(source[7:]) <= THAIGOV_WINDOW[1]
        ):
            extra["same_release_as"] = article_path("thaigov", source[7:])
        pages.append(
            Page(
                page_file(article_path("mdes", mdes_id)),
                mdes_detail_page(mdes_id, article, category, layout, latest, sidebar_links),
                entry(path, "mdes", "article", article, **extra),
            )
        )
        listed[category].append((BASE + path, article))
    for category, cards in listed.items():
        cards.reverse()  # newest first
        count = -(-len(cards) // MDES_PAGE_SIZE)
        for page in range(1, count + 1):
            chunk = cards[(page - 1) * MDES_PAGE_SIZE : page * MDES_PAGE_SIZE]
            path = listing_path(category, page)
            pages.append(
                Page(
                    page_file(path),
                    mdes_listing_page(category, page, count, chunk),
                    entry(
                        path,
                        "mdes",
                        "listing",
                        None,
                        title=MDES_CATEGORIES[category],
                        links=[href.removeprefix(BASE) for href, _ in chunk],
                    ),
                )
            )
    return pages


def main(argv: list[str] | None = None) -> int:
    """Write the fixture site to OUT_DIR (default ``seeds/site`` beside this tool's repo)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("seeds", type=Path)
    parser.add_argument("corpus", type=Path)
    parser.add_argument(
        "out", type=Path, nargs="?", default=Path(__file__).resolve().parents[1] / "seeds/site"
    )
    args = parser.parse_args(argv)
    seeds = load_seeds(args.seeds)
    wanted = set(range(THAIGOV_WINDOW[0], THAIGOV_WINDOW[1] + 1))
    wanted |= {int(s[7:]) for s, _ in MDES_SOURCES if s.startswith("corpus:")}
    corpus = load_corpus(args.corpus, wanted)
    pages = thaigov_pages(seeds, corpus) + mdes_pages(seeds, corpus)
    if args.out.exists():
        shutil.rmtree(args.out)
    for page in pages:
        target = args.out / page.file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.html, encoding="utf-8")
    (args.out / "robots.txt").write_text(ROBOTS_TXT, encoding="utf-8")
    thaigov_ids = sorted(
        p.entry["id"] for p in pages if p.entry.get("site") == "thaigov" and "id" in p.entry
    )
    manifest = {
        "thaigov_window": list(THAIGOV_WINDOW),
        "thaigov_ids": thaigov_ids,
        "pages": [{**p.entry, "file": p.file} for p in pages if p.entry],
    }
    (args.out / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(pages)} pages to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
