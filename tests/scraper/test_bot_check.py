"""Bot-check, challenge and access-denied pages told from the sites' own pages.

The bot-check pages are saved as the vendors serve them (``pages/bot_check/``); the
sites' pages are every saved page of the parsers' tests, and articles that mention
the same words in their text or carry a captcha on a form.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scraper.bot_check import bot_check_kind
from scraper.fixture_site import BOT_CHECK_HTML, DEFAULT_ROOT

PAGES = Path(__file__).parent / "pages"

# Saved page -> the kind of bot check it is.
BOT_CHECK_PAGES = {
    "cloudflare_challenge.html": "Cloudflare challenge",
    "cloudflare_attention_required.html": "Cloudflare block",
    "cloudflare_access_denied.html": "Cloudflare block",
    "akamai_access_denied.html": "access denied",
    "f5_request_rejected.html": "access denied",
    "f5_javascript_challenge.html": "F5 challenge",
    "incapsula_challenge.html": "Incapsula challenge",
    "captcha.html": "captcha",
}
SITE_PAGES = sorted(
    [*PAGES.glob("thaigov/*.html"), *PAGES.glob("mdes/*.html"), *DEFAULT_ROOT.rglob("*.html")]
)
# Words of bot-check pages, as an article may quote them in its text.
QUOTED = (
    "<p>Just a moment...</p><p>Checking if the site connection is secure</p>"
    "<p>Access Denied</p><p>Attention Required! | Cloudflare</p>"
    "<p>ระบบจะขอให้ผู้ใช้ยืนยันตัวตนด้วย CAPTCHA และหน้า challenge-running ของ cf_chl</p>"
)
# The scripts F5 BIG-IP's bot defence and Imperva Incapsula put in the pages they let through.
PROTECTED_PAGE_SCRIPTS = (
    '<script type="text/javascript" src="/TSPD/08a3b5c7d9e1f2000b4c6d8e0f1a2b3c?type=7"></script>'
    '<script src="/_Incapsula_Resource?SWJIYLWA=719d34d31c8e3a6e6fffd425f7e032f3"></script>'
)
COMMENT_FORM = (
    '<form action="/comment"><div class="g-recaptcha" data-sitekey="x"></div></form></body>'
)


def page(name: str) -> str:
    return (PAGES / "bot_check" / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "kind"), BOT_CHECK_PAGES.items())
def test_a_bot_check_page_is_told_with_its_kind(name: str, kind: str) -> None:
    assert bot_check_kind(page(name)) == kind


def test_a_cloudflare_challenge_is_told_by_its_elements_without_its_title() -> None:
    html = page("cloudflare_challenge.html").replace("Just a moment...", "www.thaigov.go.th")

    assert bot_check_kind(html) == "Cloudflare challenge"


def test_the_fixture_sites_bot_check_is_a_cloudflare_challenge() -> None:
    assert bot_check_kind(BOT_CHECK_HTML) == "Cloudflare challenge"


@pytest.mark.parametrize("path", SITE_PAGES, ids=lambda path: path.name)
def test_a_page_of_the_sites_is_no_bot_check(path: Path) -> None:
    assert bot_check_kind(path.read_bytes().decode("utf-8", errors="replace")) is None


def test_an_article_quoting_bot_check_words_with_a_captcha_form_is_no_bot_check() -> None:
    html = (PAGES / "thaigov" / "article_th.html").read_text(encoding="utf-8")
    quoting = html.replace("</p>", "</p>" + QUOTED, 1).replace("</body>", COMMENT_FORM)
    assert quoting.count("g-recaptcha") == 1 and "cf_chl" in quoting

    assert bot_check_kind(quoting) is None


def test_an_article_headlined_about_a_captcha_is_no_bot_check() -> None:
    html = (PAGES / "mdes" / "article.html").read_text(encoding="utf-8")
    title = "<title>ดีอี เตือนภัย CAPTCHA ปลอม หลอกให้กด Access Denied | กระทรวงดิจิทัลฯ</title>"
    retitled, replaced = re.subn(r"<title>.*?</title>", title, html, count=1)
    assert replaced == 1

    assert bot_check_kind(retitled) is None


@pytest.mark.parametrize(
    "path", [path for path in SITE_PAGES if b"</head>" in path.read_bytes()], ids=lambda p: p.name
)
def test_a_page_of_the_sites_with_the_scripts_a_firewall_adds_is_no_bot_check(path: Path) -> None:
    html = path.read_bytes().decode("utf-8", errors="replace")
    protected = html.replace("</head>", PROTECTED_PAGE_SCRIPTS + "</head>", 1)

    assert bot_check_kind(protected) is None


def test_an_f5_challenge_is_told_by_its_script_on_a_page_that_shows_nothing() -> None:
    html = page("f5_javascript_challenge.html")
    showing = html.replace("<body>", "<body><p>ข่าวทำเนียบรัฐบาล</p>")
    without_script = html.replace("/TSPD/08", "/js/08")

    assert bot_check_kind(showing) is None
    assert bot_check_kind(without_script) is None


@pytest.mark.parametrize(
    "body",
    [
        "",  # a refresh page: its head says where to go
        '<img src="/uploads/infographic.jpg">',  # a picture, its words in it
        '<div id="app"></div><script src="/app.js"></script>',  # built by script
    ],
    ids=["refresh", "picture", "scripted"],
)
def test_a_page_the_f5_firewall_let_through_that_shows_no_text_is_no_bot_check(body) -> None:
    """F5 puts its /TSPD/ script in every page it lets through: one of the site's own
    pages that shows no text was taken for its challenge, and the site stopped."""
    html = (
        '<html><head><meta http-equiv="refresh" content="0;url=/news/detail/9001-x">'
        f"{PROTECTED_PAGE_SCRIPTS}</head><body>{body}</body></html>"
    )

    assert bot_check_kind(html) is None


def test_an_f5_challenge_is_told_by_its_inline_state_or_its_support_id_notice() -> None:
    html = page("f5_javascript_challenge.html")
    without_state = html.replace('window["bobcmn"]', 'window["other"]')
    without_notice = html.replace("support ID", "request")
    without_either = without_state.replace("support ID", "request")

    assert bot_check_kind(without_state) == bot_check_kind(without_notice) == "F5 challenge"
    assert bot_check_kind(without_either) is None
