"""Tell a bot check, challenge or access-denied page from a page of the site.

A site behind Cloudflare, Akamai, an F5 firewall or the like may answer a client it
takes for a bot with HTTP 200 and a page of its own instead of the one asked for.
Such a page is judged by what only such pages are made of, never by the words of
the text: its whole ``<title>``, elements of the challenge (Cloudflare's
``challenge-*`` ids and ``_cf_chl_opt`` script, Imperva Incapsula's frame), F5 BIG-IP's
JavaScript challenge script with its inline state or support-ID notice on a page that
shows no text at all (F5 puts the same script in the pages it lets through), or a
captcha widget on a page with almost no text. An article that merely mentions these
words, or carries a captcha on a comment form, or a firewall's script, is not one.
Pure: it takes the page's text and nothing else.
"""

from __future__ import annotations

import re

from parsel import Selector, SelectorList

from scraper.sites import block_lines, first_text

CAPTCHA = "captcha"  # the kind of a page that is little but a captcha
# Whole page titles (case and runs of spaces ignored) of bot-check pages, by kind.
BOT_CHECK_TITLES = {
    "Cloudflare challenge": r"just a moment(\.\.\.|…)?|please wait\.\.\. \| cloudflare",
    "Cloudflare block": r"attention required! \| cloudflare"
    r"|access denied \| .+ used cloudflare to restrict access",
    "access denied": r"access denied|request rejected|pardon our interruption|ddos-guard",
    CAPTCHA: r"captcha|human verification|are you a robot\??",
}
# Elements only a bot-check page is made of, by kind.
BOT_CHECK_ELEMENTS = {
    "Cloudflare challenge": (
        "//*[@id='challenge-running' or @id='challenge-form' or @id='challenge-stage'"
        " or @id='challenge-body-text' or @id='challenge-error-title'"
        " or @id='cf-challenge-running']"
        " | //script[contains(., '_cf_chl_opt')] | //form[contains(@action, '__cf_chl_')]"
        " | //*[self::h1 or self::h2]"
        "[starts-with(normalize-space(), 'Checking if the site connection is secure')"
        " or starts-with(normalize-space(), 'Checking your browser before accessing')]"
    ),
    "Cloudflare block": "//*[@id='cf-wrapper' or @id='cf-error-details']",
    # The frame its challenge runs in; the pages it lets through carry its script, no frame.
    "Incapsula challenge": "//iframe[contains(@src, '/_Incapsula_Resource')]",
    CAPTCHA: "//*[@id='px-captcha']",
}
# F5 BIG-IP's bot defence: its challenge is a page of scripts that shows nothing without
# them; it puts the same script in the pages it lets through (a soft 404 shows little text).
F5_CHALLENGE = "F5 challenge"
F5_SCRIPT = "//script[contains(@src, '/TSPD/')]"
# What its challenge has beside the script, and the pages it lets through do not: its
# inline state (window["bobcmn"]) or its notice with the request's support ID. A page of
# the site's that shows no text (a refresh, a picture, one built by script) has neither.
F5_CHALLENGE_MARKS = "//script[contains(., 'bobcmn')] | //noscript[contains(., 'support ID')]"
# Captcha widgets, which a comment or contact form may carry too...
CAPTCHA_WIDGETS = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' g-recaptcha ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' h-captcha ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' cf-turnstile ')]"
    " | //iframe[contains(@src, 'captcha')]"
)
# ...so one makes a captcha page only on a page with less text than this.
CAPTCHA_PAGE_MAX_CHARS = 300

TITLE_PATTERNS = {
    kind: re.compile(pattern, re.IGNORECASE) for kind, pattern in BOT_CHECK_TITLES.items()
}

__all__ = ["bot_check_kind"]


def bot_check_kind(html: str) -> str | None:
    """The kind of bot-check page ``html`` is (``"Cloudflare challenge"``), or None
    for any other page (an article, a listing, a soft 404, an empty page)."""
    if not html.strip():
        return None
    page = Selector(text=html)
    title = " ".join(first_text(page.css("title")).split())
    for kind, pattern in TITLE_PATTERNS.items():
        if pattern.fullmatch(title):
            return kind
    for kind, xpath in BOT_CHECK_ELEMENTS.items():
        if page.xpath(xpath):
            return kind
    body = page.css("body")
    if page.xpath(F5_SCRIPT) and page.xpath(F5_CHALLENGE_MARKS) and not shown_chars(body):
        return F5_CHALLENGE
    if not body or not page.xpath(CAPTCHA_WIDGETS):
        return None
    return CAPTCHA if shown_chars(body) < CAPTCHA_PAGE_MAX_CHARS else None


def shown_chars(body: SelectorList) -> int:
    """How many characters of text the page's ``body`` (none: 0) shows."""
    return sum(map(len, block_lines(body[0]))) if body else 0
