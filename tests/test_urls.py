import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from thaidigest.urls import (
    addresses_meant,
    article_id,
    ascii_domain,
    base_url_problem,
    canonical_form_of_former,
    canonical_url,
    former_form,
    iri_to_uri,
    public_url,
    same_site,
    site_host,
    source_of,
    stored_forms,
    stray_percent_forms,
    web_host,
    web_url_problem,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTP://WWW.ThaiGov.go.th/news/contents/details/87382/",
            "https://thaigov.go.th/news/contents/details/87382",
        ),
        (
            "https://www.thaigov.go.th/news/contents/details/87382#top",
            "https://thaigov.go.th/news/contents/details/87382",
        ),
        (
            "https://www.thaigov.go.th/news/contents/details/87382?utm_source=x&fbclid=abc",
            "https://thaigov.go.th/news/contents/details/87382",
        ),
        (
            "https://www.mdes.go.th/news/detail/10942-%E0%B8%94%E0%B8%B5%E0%B8%AD%E0%B8%B5",
            "https://mdes.go.th/news/detail/10942",
        ),
        ("https://mdes.go.th/news/detail/10942-other-slug", "https://mdes.go.th/news/detail/10942"),
        # The sites serve an id written with leading zeros as the article itself.
        (
            "https://www.thaigov.go.th/news/contents/details/0087382",
            "https://thaigov.go.th/news/contents/details/87382",
        ),
        (
            # A ministry item is the same article as details/N (the crawl stores it there).
            "https://www.thaigov.go.th/news/contents/ministry_details/087382/",
            "https://thaigov.go.th/news/contents/details/87382",
        ),
        ("https://mdes.go.th/news/detail/010942-slug", "https://mdes.go.th/news/detail/10942"),
        ("https://example.org/a?b=2&a=1&utm_medium=x", "https://example.org/a?a=1&b=2"),
        # A port, a final dot or a user name and password are not the site's host: they
        # made one article several rows, and a password was published in the digest.
        (
            "https://www.thaigov.go.th:443/news/contents/details/87382",
            "https://thaigov.go.th/news/contents/details/87382",
        ),
        (
            "http://thaigov.go.th:80/news/contents/details/87382",
            "https://thaigov.go.th/news/contents/details/87382",
        ),
        (
            "https://thaigov.go.th./news/contents/details/87382",
            "https://thaigov.go.th/news/contents/details/87382",
        ),
        (
            "https://WWW.THAIGOV.GO.TH.:443/news/contents/details/87382",
            "https://thaigov.go.th/news/contents/details/87382",
        ),
        # A doubled www. (a typo in a link: no site serves it) names the same host.
        (
            "https://www.www.thaigov.go.th/news/contents/details/87382",
            "https://thaigov.go.th/news/contents/details/87382",
        ),
        (
            "https://www.mdes.go.th.:443/news/detail/11015-slug",
            "https://mdes.go.th/news/detail/11015",
        ),
        (
            "https://user:secret@thaigov.go.th/news/contents/details/87382",
            "https://thaigov.go.th/news/contents/details/87382",
        ),
        ("https://user:secret@MFA.go.th:443/a", "https://mfa.go.th/a"),
        ("http://mfa.go.th:80/a", "http://mfa.go.th/a"),
        ("http://mfa.go.th:8080/a", "http://mfa.go.th:8080/a"),  # another port, another site
        ("http://[::1]:8080/a", "http://[::1]:8080/a"),
        # A host in Thai is stored in its IDNA form, as a browser sends it and a link may
        # write it: in any case, with www., full-width letters and dots, a final dot.
        ("https://ตัวอย่าง.ไทย/news/1", "https://xn--72c1a1bt4awk9o.xn--o3cw4h/news/1"),
        (
            "https://WWW.XN--72C1A1BT4AWK9O.xn--o3cw4h/news/1",
            "https://xn--72c1a1bt4awk9o.xn--o3cw4h/news/1",
        ),
        ("https://ＷＷＷ．ตัวอย่าง．ไทย./news/1", "https://xn--72c1a1bt4awk9o.xn--o3cw4h/news/1"),
        (
            "http://ＴＥＡＭ.ไทย:8080/ข่าว",
            "http://team.xn--o3cw4h:8080/%E0%B8%82%E0%B9%88%E0%B8%B2%E0%B8%A7",
        ),
    ],
)
def test_urls_naming_one_article_have_one_canonical_form(url, expected):
    assert canonical_url(url) == expected


THAIGOV_87382 = "https://thaigov.go.th/news/contents/details/87382"
MDES_10942 = "https://mdes.go.th/news/detail/10942"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # Every spelling of article 87382 the sites' links, a .txt file's source line or an
        # export record may hold is the one row of article 87382.
        ("https://www.thaigov.go.th/news/contents/details/087382", THAIGOV_87382),
        ("https://www.thaigov.go.th/news/contents/details/87382/", THAIGOV_87382),
        ("http://www.thaigov.go.th/news/contents/details/87382", THAIGOV_87382),
        ("https://www.thaigov.go.th/news/contents/details/87382?lang=th", THAIGOV_87382),
        ("https://thaigov.go.th/news/contents/details/87382?lang=en&page=2#x", THAIGOV_87382),
        ("https://www.thaigov.go.th/news/contents/details/๘๗๓๘๒", THAIGOV_87382),
        ("https://www.thaigov.go.th/news/contents/details/๐๘๗๓๘๒/", THAIGOV_87382),
        ("https://www.thaigov.go.th/news/contents/details/8๗3๘2", THAIGOV_87382),
        ("https://www.thaigov.go.th/news/contents/details/８７３８２", THAIGOV_87382),
        (
            "https://www.thaigov.go.th/news/contents/details/%E0%B9%98%E0%B9%97%E0%B9%93%E0%B9%98%E0%B9%92",
            THAIGOV_87382,
        ),
        (
            "https://www.thaigov.go.th/news/contents/details/%e0%b9%98%e0%b9%97%e0%b9%93%e0%b9%98%e0%b9%92",
            THAIGOV_87382,
        ),
        ("https://www.thaigov.go.th/news/contents/details/%38%37%33%38%32", THAIGOV_87382),
        (
            "https://thaigov.go.th/news/contents/ministry_details/%E0%B9%98%E0%B9%97%E0%B9%93%E0%B9%98%E0%B9%92?lang=th",
            THAIGOV_87382,
        ),
        ("https://www.mdes.go.th/news/detail/๑๐๙๔๒-ดีอี", MDES_10942),
        (
            "https://www.mdes.go.th/news/detail/%E0%B9%91%E0%B9%90%E0%B9%99%E0%B9%94%E0%B9%92",
            MDES_10942,
        ),
        ("https://www.mdes.go.th/news/detail/10942-slug?lang=th", MDES_10942),
        # A slug holding an escaped slash is still the slug of article 10942.
        ("https://www.mdes.go.th/news/detail/10942-a%2Fb", MDES_10942),
    ],
)
def test_every_spelling_of_a_site_article_is_its_id_in_ascii_digits(url, expected):
    assert canonical_url(url) == expected
    assert canonical_url(expected) == expected
    assert article_id(url) == article_id(expected) == expected.rpartition("/")[2]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # Another host keeps its query, and its path as written when it is no article path.
        ("https://example.org/news?lang=th&id=87", "https://example.org/news?id=87&lang=th"),
        ("https://example.org/%E0%B9%98%E0%B9%97", "https://example.org/%E0%B9%98%E0%B9%97"),
        (
            "http://127.0.0.1:8000/news/contents/details/๘๗?lang=th",
            "http://127.0.0.1:8000/news/contents/details/87?lang=th",
        ),
        # A site's page that is no article keeps its query: a search names what it lists.
        (
            "https://www.thaigov.go.th/search?keyword=MDES",
            "https://thaigov.go.th/search?keyword=MDES",
        ),
        ("https://mdes.go.th/news/3?page=2", "https://mdes.go.th/news/3?page=2"),
    ],
)
def test_a_query_stays_on_what_is_no_site_article(url, expected):
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://thaigov.go.th/news/contents/details/๘๗x",
        "https://thaigov.go.th/news/contents/details/87%20",
        "https://thaigov.go.th/news/contents/details/%2538%2537",  # escaped twice
        "https://thaigov.go.th/news/contents/details/²",  # a digit, but no decimal one
    ],
)
def test_a_path_with_no_id_in_any_digits_is_no_article(url):
    assert article_id(url) is None
    assert canonical_url(canonical_url(url)) == canonical_url(url)


@pytest.mark.parametrize(
    "url",
    [
        # Read whole and percent-decoded, these paths named article 87382 (10942): a login
        # page's address holding an article's, an id with a line break after it.
        "https://thaigov.go.th/news/contents/details/87382%0A",
        "https://thaigov.go.th/news/contents/details/87382%2F",
        "https://thaigov.go.th/news/contents/details%2F87382",
        "https://thaigov.go.th/news/contents/details/%2F87382",
        "https://thaigov.go.th/sso/login/%2Fnews%2Fcontents%2Fdetails%2F87382",
        "https://mdes.go.th/news/detail/10942%0A",
        "https://mdes.go.th/news%2Fdetail%2F10942",
    ],
)
def test_an_escaped_slash_or_line_break_makes_no_article_id(url):
    assert article_id(url) is None
    assert canonical_url(url) == url  # kept as written: no article's row


def test_an_id_with_leading_zeros_is_the_article():
    assert article_id("https://thaigov.go.th/news/contents/details/0087382") == "87382"
    assert article_id("https://mdes.go.th/news/detail/010942-slug") == "10942"
    endless = "https://thaigov.go.th/news/contents/details/0" + "9" * 5000
    assert article_id(endless) == "9" * 5000  # an id too long for int() is kept as written
    assert (
        canonical_url("https://www.mdes.go.th/news/detail/000")
        == "https://mdes.go.th/news/detail/0"
    )


def test_a_web_address_names_its_host_and_a_file_none():
    assert web_host("https://www.MFA.go.th/en/content/thai-japan-digital-mou") == "mfa.go.th"
    # As a reader reads it: a host stored in its IDNA form in Thai.
    assert web_host("https://xn--72c1a1bt4awk9o.xn--o3cw4h/news/1") == "ตัวอย่าง.ไทย"
    assert web_host("https://ＷＷＷ．ตัวอย่าง.ไทย/news/1") == "ตัวอย่าง.ไทย"
    assert web_host("http://user@news.example.org:8080/a") == "news.example.org"
    assert web_host("file:///tmp/note.txt") is None
    assert web_host("") is None


@pytest.mark.parametrize(
    "host",
    [
        "xn--80ak6aa92e.com",  # Cyrillic letters that look like 'apple'
        "xn--pypal-4ve.com",  # 'paypal' with a Cyrillic 'а'
        "xn--abc-vml3c0l.com",  # Thai and Latin letters in one part: 'ไทยabc'
        "xn--zz.com",  # no IDNA form to decode
    ],
)
def test_a_host_in_idna_form_is_shown_in_unicode_only_in_thai_or_ascii(host):
    assert web_host(f"https://{host}/x") == host


def test_a_host_in_thai_with_ascii_digits_is_shown_in_thai():
    assert web_host(canonical_url("https://ไทย5.com/x")) == "ไทย5.com"
    assert web_host(canonical_url("https://ข่าว.ตัวอย่าง.ไทย/x")) == "ข่าว.ตัวอย่าง.ไทย"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://ก_ข.com/x", "'ก_ข.com' has no IDNA form: the part 'ก_ข' is refused: "),
        ("https://ก%20.com/x", "'ก%20.com' has no IDNA form: the part 'ก%20' is refused: "),
    ],
)
def test_a_host_in_thai_with_a_character_no_host_holds_is_refused(url, reason):
    problem = web_url_problem(url)
    assert problem is not None
    assert problem.startswith(f"{url!r} has a host that cannot be looked up: {reason}")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://127.0.0.1:8000", None),
        ("https://mirror.example/thaigov/", None),  # a path prefix: the pages' paths follow it
        ("http://127.0.0.1:8000/?x=1", "'http://127.0.0.1:8000/?x=1' has a query (?x=1)"),
        ("http://host?x=1#top", "'http://host?x=1#top' has a query (?x=1)"),
        ("http://host/?", "'http://host/?' has a query (?)"),
        ("http://host/#top", "'http://host/#top' has a fragment (#top)"),
        ("http://host#", "'http://host#' has a fragment (#)"),
        ("ftp://host/", "'ftp://host/' is not an http:// or https:// address"),
        ("https://ตัวอย่าง.ไทย", None),
        (
            "https://a..ไทย/",
            "'https://a..ไทย/' has a host that cannot be looked up: 'a..ไทย' has no IDNA "
            "form: a part between dots is empty or longer than 63 characters",
        ),
    ],
)
def test_a_base_url_is_a_web_address_with_no_query_and_no_fragment(url, problem):
    """The crawl writes each page's path after the base URL: after a query or a fragment
    the path is part of them, and no page of the site's is asked for."""
    found = base_url_problem(url)
    if problem is None:
        assert found is None
    else:
        assert found is not None and found.startswith(problem), found


def test_canonical_form_is_stable():
    url = "https://www.mdes.go.th/news/detail/10942-slug?utm_campaign=x"
    assert canonical_url(canonical_url(url)) == canonical_url(url)


THAI_NEWS = "https://mfa.go.th/%E0%B8%82%E0%B9%88%E0%B8%B2%E0%B8%A7/a"


@pytest.mark.parametrize(
    "url",
    [
        THAI_NEWS,
        "https://mfa.go.th/ข่าว/a",
        "https://mfa.go.th/%e0%b8%82%e0%b9%88%e0%b8%b2%e0%b8%a7/a",
        "https://www.mfa.go.th/%E0%B8%82่าว/a/",  # half escaped, half in Thai
        "https://mfa.go.th/%E0%B8%82%e0%b9%88%E0%B8%B2%e0%b8%a7/a",
    ],
)
def test_a_path_in_thai_or_its_escapes_in_either_case_is_one_address(url):
    """Each of these spellings of one page was stored as a row of its own."""
    assert canonical_url(url) == THAI_NEWS
    assert stored_forms(url)[0] == THAI_NEWS


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # An escaped % is no %: %25 stays, and %2541 is no %41 (A), in either case.
        ("https://example.org/100%25/ข", "https://example.org/100%25/%E0%B8%82"),
        ("https://example.org/a%2541", "https://example.org/a%2541"),
        ("https://example.org/a%2f%25e0", "https://example.org/a%2F%25e0"),  # e0 no escape
        # An escaped ASCII character stays escaped: %2F is no /, %41 is kept as written.
        ("https://example.org/a%2Fb/%41", "https://example.org/a%2Fb/%41"),
        # A % that starts no escape stays as written (stray_percent_forms).
        ("https://example.org/100%/ข", "https://example.org/100%/%E0%B8%82"),
        ("https://example.org/100%ข", "https://example.org/100%%E0%B8%82"),
        # Characters no URI holds are escaped as Thai is.
        ("https://example.org/a|b{c}", "https://example.org/a%7Cb%7Bc%7D"),
    ],
)
def test_a_path_is_percent_encoded_alike_without_decoding_an_escape(url, expected):
    assert canonical_url(url) == expected
    assert canonical_url(expected) == expected


# Addresses in their canonical form as databases already hold them: the seeds' and the
# fixtures' articles, and other hosts' pages as the rules before this one stored them.
STORED_CANONICAL_FORMS = [
    "https://thaigov.go.th/news/contents/details/87382",  # seeds/001
    "https://thaigov.go.th/news/contents/details/57312",  # seeds/002
    "https://thaigov.go.th/news/contents/details/34466",
    "https://mdes.go.th/news/detail/11015",
    "https://thaigov.go.th/search?keyword=MDES",
    "https://mdes.go.th/news/3?page=2",
    "https://example.org/a?a=1&b=2",
    "https://example.org/%E0%B9%98%E0%B9%97",
    "https://example.org/a?q=%E0%B8%81&r=5%25",
    "https://example.org/100%25/x",
    "https://example.org/100%/x",
    "https://example.org/100%2541",
    "https://thaigov.go.th/news/contents/details%2F87382",
    "https://thaigov.go.th/news/contents/details/87382%0A",
    "http://127.0.0.1:8000/news/contents/details/87?lang=th",
    "http://mfa.go.th:8080/a",
    "http://[::1]:8080/a",
    "https://mfa.go.th/en/content/thai-japan-digital-mou",
    "file:///tmp/seeds/000_8eb7cbd3a19608f9.txt",
    "file:///tmp/ข่าว%20ใหม่.txt",  # a file's address is kept as written
]


def fixture_urls() -> set[str]:
    """Every article address the seeds and the test data name."""
    root = Path(__file__).parent.parent
    urls = {
        match[1]
        for seed in (root / "seeds").glob("*.txt")
        for match in re.finditer(r"ที่มา : (\S+)", seed.read_text(encoding="utf-8"))
    }
    for data in (root / "tests" / "data").glob("*.jsonl"):
        for line in data.read_text(encoding="utf-8").splitlines():
            record = json.loads(line) if line.strip() else {}
            if isinstance(record.get("url"), str) and "://" in record["url"]:
                urls.add(record["url"])
    manifest = json.loads((root / "seeds" / "site" / "manifest.json").read_text("utf-8"))
    hosts = {"thaigov": "https://www.thaigov.go.th", "mdes": "https://www.mdes.go.th"}
    urls |= {hosts[page["site"]] + page["path"] for page in manifest["pages"]}
    return urls


@pytest.mark.parametrize(
    "stored", sorted({*STORED_CANONICAL_FORMS, *map(canonical_url, fixture_urls())})
)
def test_an_address_stored_in_its_canonical_form_keeps_it(stored):
    """A database holds its rows under their canonical form: a rule that changed it would
    make each of them a second row when its article is read again."""
    assert stored.isascii() or stored.startswith("file:")
    assert canonical_url(stored) == stored
    assert canonical_form_of_former(stored) is None
    assert former_form(stored) is None


def test_the_fixtures_name_their_articles_in_canonical_form():
    assert len(fixture_urls()) > 50


@pytest.mark.parametrize("url", ["http://www.www.example.com/a", "https://WWW.www.mdes.go.th/"])
def test_canonical_form_of_a_host_named_www_twice_is_stable(url):
    assert canonical_url(canonical_url(url)) == canonical_url(url)


@pytest.mark.parametrize(
    ("address", "meant"),
    [
        # Pasted from a browser's address bar: the sites' articles are stored on https.
        ("mdes.go.th/news/detail/11015", ["https://mdes.go.th/news/detail/11015"]),
        (
            "www.thaigov.go.th/news/contents/details/1/",
            ["https://thaigov.go.th/news/contents/details/1"],
        ),
        # Another host's article may have been imported under either scheme.
        (
            "mfa.go.th/en/content/1?utm_source=x",
            ["https://mfa.go.th/en/content/1", "http://mfa.go.th/en/content/1"],
        ),
        ("mfa.go.th:8080/a", ["https://mfa.go.th:8080/a", "http://mfa.go.th:8080/a"]),
        ("http://mfa.go.th/a", ["http://mfa.go.th/a"]),
        ("file:///tmp/a.txt", ["file:///tmp/a.txt"]),
        # Names that are no address: taken as they are, never as a host.
        ("corpus.jsonl", ["corpus.jsonl"]),
        ("./seeds/a", ["./seeds/a"]),
        ("seeds/a.md", ["seeds/a.md"]),
        ("nosuch", ["nosuch"]),
    ],
)
def test_an_address_given_without_its_scheme_is_meant_as_https_then_http(address, meant):
    assert addresses_meant(address) == meant


@pytest.mark.parametrize(
    ("address", "meant"),
    [
        # A stray % as published (%25), then as stored: a path is stored as written.
        (
            "https://example.org/100%25/x",
            ["https://example.org/100%25/x", "https://example.org/100%/x"],
        ),
        # As the page wrote it, then as published: an import of the copied link stored it so.
        (
            "https://example.org/100%/x",
            ["https://example.org/100%/x", "https://example.org/100%25/x"],
        ),
        (
            "example.org/5%25",
            [
                "https://example.org/5%25",
                "https://example.org/5%",
                "http://example.org/5%25",
                "http://example.org/5%",
            ],
        ),
        # %25 before two hex digits is an escaped % that was written so: %2541 is not %41.
        ("https://example.org/100%2541", ["https://example.org/100%2541"]),
        # A query is stored with its stray % as %25 already: one form.
        ("https://example.org/a?q=5%25", ["https://example.org/a?q=5%25"]),
    ],
)
def test_an_address_with_a_stray_percent_as_published_is_meant_as_stored_too(address, meant):
    """Outputs publish a stray ``%`` as ``%25``: the link copied from one finds the article
    stored under the bare ``%``."""
    assert addresses_meant(address) == meant


@pytest.mark.parametrize(
    ("url", "forms"),
    [
        (
            "https://example.org/100%/x",
            ["https://example.org/100%/x", "https://example.org/100%25/x"],
        ),
        (
            "https://example.org/100%25/x",
            ["https://example.org/100%25/x", "https://example.org/100%/x"],
        ),
        # Mixed: the two whole forms.
        (
            "https://example.org/a%25/b%",
            [
                "https://example.org/a%25/b%",
                "https://example.org/a%25/b%25",
                "https://example.org/a%/b%",
            ],
        ),
        # An escape is no stray %: %2541 is an escaped %41, %E0%B8%81 Thai.
        ("https://example.org/100%2541", ["https://example.org/100%2541"]),
        ("https://example.org/%E0%B8%81", ["https://example.org/%E0%B8%81"]),
        # A query is stored with its stray % as %25 already (canonical_url): as it is.
        ("https://example.org/a?q=5%25", ["https://example.org/a?q=5%25"]),
        ("https://example.org/a", ["https://example.org/a"]),
    ],
)
def test_a_path_with_a_stray_percent_names_its_page_in_either_form(url, forms):
    assert stray_percent_forms(url) == forms
    for form in forms[1:]:  # a whole form names the page under the other too
        assert set(forms[1:]) <= set(stray_percent_forms(form))


def test_site_and_id_come_from_the_url():
    assert source_of("https://www.thaigov.go.th/news/contents/details/1") == "thaigov"
    assert source_of("https://user@www.thaigov.go.th:443/news/contents/details/1") == "thaigov"
    assert source_of("https://mdes.go.th/news/detail/5-x") == "mdes"
    assert source_of("file:///tmp/a.txt") == "file"
    assert article_id("https://www.thaigov.go.th/news/contents/ministry_details/42") == "42"
    assert article_id("http://127.0.0.1:8000/news/detail/11003-%E0%B8%81") == "11003"
    assert article_id("https://mdes.go.th/news/3") is None


def test_public_url_is_the_canonical_url_of_the_article():
    assert public_url("thaigov", "87382") == canonical_url(
        "https://www.thaigov.go.th/news/contents/details/87382"
    )
    assert public_url("mdes", "11003") == "https://mdes.go.th/news/detail/11003"


SAME_SITE = {
    "case": ("http://LocalHost:18781", "http://localhost:18781/news/detail/5410-x"),
    "case-with-www": ("https://WWW.MDES.go.th/news/3", "https://www.mdes.go.th/news/detail/1"),
    "default-port": ("http://localhost:80/news/3", "http://localhost/news/detail/1"),
    "default-tls-port": ("https://mdes.go.th:443", "https://mdes.go.th/news/3"),
    "www-dropped": ("https://www.mdes.go.th", "https://mdes.go.th/news/3"),
    "www-in-any-case": ("https://thaigov.go.th", "https://WWW.ThaiGov.go.th/news/3"),
    "www-doubled": ("https://www.www.mdes.go.th", "https://mdes.go.th/news/3"),
    "www-and-its-port": ("http://www.localhost:18781", "http://localhost:18781/news/3"),
    "idna": ("https://ตัวอย่าง.ไทย", "https://XN--72C1A1BT4AWK9O.xn--o3cw4h:443/news/3"),
    "idna-with-www": ("https://www.ตัวอย่าง.ไทย", "https://xn--72c1a1bt4awk9o.xn--o3cw4h/"),
}
ANOTHER_SITE = {
    "another-port": ("http://localhost:18781", "http://localhost:18782/news/3"),
    "another-alias": ("http://localhost:18781", "http://127.0.0.1:18781/news/3"),
    "no-such-port": ("http://localhost:18781", "http://localhost:99999/news/3"),
    "another-idna-name": ("https://ตัวอย่าง.ไทย", "https://xn--o3cw4h.xn--o3cw4h/news/3"),
    "another-subdomain": ("https://www.mdes.go.th", "https://news.mdes.go.th/news/3"),
    "a-subdomain-of-www": ("https://mdes.go.th", "https://news.www.mdes.go.th/news/3"),
    "www-without-its-dot": ("https://mdes.go.th", "https://wwwmdes.go.th/news/3"),
    "www-only": ("https://www.mdes.go.th", "https://www/news/3"),
    "no-host": ("file:///tmp/a.html", "file:///tmp/b.html"),
    "unreadable": ("https://mdes.go.th", "http://[::1/news/3"),
}


@pytest.mark.parametrize(("url", "other"), SAME_SITE.values(), ids=SAME_SITE)
def test_a_host_with_or_without_www_in_any_case_and_its_default_port_is_one_site(url, other):
    assert same_site(url, other)
    assert same_site(other, url)


@pytest.mark.parametrize(("url", "other"), ANOTHER_SITE.values(), ids=ANOTHER_SITE)
def test_another_port_alias_or_subdomain_is_another_site(url, other):
    assert not same_site(url, other)
    assert not same_site(other, url)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://WWW.MDES.go.th/news/3", "mdes.go.th"),
        ("https://mdes.go.th:443", "mdes.go.th"),
        ("http://www.localhost:18781/", "localhost"),
        ("https://www.ตัวอย่าง.ไทย", "xn--72c1a1bt4awk9o.xn--o3cw4h"),
        ("https://news.mdes.go.th", "news.mdes.go.th"),
        ("http://[::1/news/3", ""),
    ],
)
def test_a_sites_host_is_its_name_in_lower_case_and_idna_form_without_www(url, host):
    assert site_host(url) == host


SCHEME_CHANGES = {
    "upgrade": ("https://www.mdes.go.th/news/3", "http://www.mdes.go.th", True),
    "upgrade-and-www": ("https://thaigov.go.th/news/3", "http://www.thaigov.go.th", True),
    "upgrade-ports-written": ("https://mdes.go.th:443/news/3", "http://mdes.go.th:80", True),
    "in-any-case": ("HTTPS://mdes.go.th/news/3", "Http://mdes.go.th", True),
    "downgrade": ("http://www.mdes.go.th/news/3", "https://www.mdes.go.th", False),
    "downgrade-and-www": ("http://mdes.go.th/news/3", "https://www.mdes.go.th", False),
    "upgrade-to-another-port": ("https://mdes.go.th:8443/news/3", "http://mdes.go.th", False),
    "upgrade-from-another-port": ("https://mdes.go.th/news/3", "http://mdes.go.th:8080", False),
    "upgrade-on-one-port": ("https://mdes.go.th:8080/news/3", "http://mdes.go.th:8080", False),
    "upgrade-to-another-host": ("https://news.mdes.go.th/news/3", "http://mdes.go.th", False),
    "to-another-scheme": ("ftp://mdes.go.th/news/3", "http://mdes.go.th", False),
}


@pytest.mark.parametrize(("url", "site", "same"), SCHEME_CHANGES.values(), ids=SCHEME_CHANGES)
def test_https_is_the_site_at_http_only_as_an_upgrade_on_the_default_ports(url, site, same):
    """A site moved to https: its pages on https are the site configured on http. A page of
    an https site on http is not (it would be asked for in the clear)."""
    assert same_site(url, site) is same


THAI_PATH = "https://thaigov.go.th/news/contents/ข่าว/รายละเอียด"
ENCODED_PATH = (
    "https://thaigov.go.th/news/contents/%E0%B8%82%E0%B9%88%E0%B8%B2%E0%B8%A7/"
    "%E0%B8%A3%E0%B8%B2%E0%B8%A2%E0%B8%A5%E0%B8%B0%E0%B9%80%E0%B8%AD%E0%B8%B5%E0%B8%A2%E0%B8%94"
)


@pytest.mark.parametrize(
    ("iri", "uri"),
    [
        (THAI_PATH, ENCODED_PATH),
        (
            f"{THAI_PATH}?q=ไทย#บน",
            f"{ENCODED_PATH}?q=%E0%B9%84%E0%B8%97%E0%B8%A2#%E0%B8%9A%E0%B8%99",
        ),
        # Already a URI: as it is, its escapes and reserved characters untouched.
        (ENCODED_PATH, ENCODED_PATH),
        (
            "https://mfa.go.th/a?b=1&c=%2F;d=(e)*f@g!$',+~",
            "https://mfa.go.th/a?b=1&c=%2F;d=(e)*f@g!$',+~",
        ),
        # A % that starts no escape is one: %25, so that the address is a URI.
        ("https://mfa.go.th/100%/ไทย", "https://mfa.go.th/100%25/%E0%B9%84%E0%B8%97%E0%B8%A2"),
        ("https://mfa.go.th/a?q=%zz&r=%4", "https://mfa.go.th/a?q=%25zz&r=%254"),
        ("https://mfa.go.th/a?q=ก%", "https://mfa.go.th/a?q=%E0%B8%81%25"),
        # Brackets enclose an IPv6 host only: in a path, query or fragment they are encoded.
        ("https://mfa.go.th/a[1]?b[]=2#[c]", "https://mfa.go.th/a%5B1%5D?b%5B%5D=2#%5Bc%5D"),
        ("http://[::1]:8080/[ไทย]", "http://[::1]:8080/%5B%E0%B9%84%E0%B8%97%E0%B8%A2%5D"),
        # ASCII characters no URI holds are percent-encoded too.
        (
            'https://mfa.go.th/a"b<c>{d}|e^f`g\\h',
            "https://mfa.go.th/a%22b%3Cc%3E%7Bd%7D%7Ce%5Ef%60g%5Ch",
        ),
        # A Thai host in its IDNA form, which legacy resolvers look up; its port kept.
        (
            "https://ไทย.ไทย:8443/ข่าว",
            "https://xn--o3cw4h.xn--o3cw4h:8443/%E0%B8%82%E0%B9%88%E0%B8%B2%E0%B8%A7",
        ),
        # A host IDNA cannot write (an empty label) is percent-encoded as the rest.
        ("https://a..ไทย/", "https://a..%E0%B9%84%E0%B8%97%E0%B8%A2/"),
        ("http://[::1]:8080/ไทย", "http://[::1]:8080/%E0%B9%84%E0%B8%97%E0%B8%A2"),
    ],
)
def test_an_address_with_thai_is_written_as_an_ascii_uri(iri, uri):
    assert iri_to_uri(iri) == uri
    assert uri.isascii()


def test_a_thai_address_written_as_a_uri_decodes_back_to_itself():
    iri = f"{THAI_PATH}?q=ไทย&หน้า=2"
    assert unquote(iri_to_uri(iri)) == iri
    stray = "https://mfa.go.th/100%/[ไทย]"  # its % and brackets encoded, decoded back
    assert unquote(iri_to_uri(stray)) == stray


def test_a_thai_host_stays_in_its_idna_form_when_the_uri_is_decoded():
    assert unquote(iri_to_uri("https://ไทย.ไทย/ข่าว")) == "https://xn--o3cw4h.xn--o3cw4h/ข่าว"


@pytest.mark.parametrize(
    ("domain", "ascii_form"),
    [
        ("ไทย.com", "xn--o3cw4h.com"),
        ("ตัวอย่าง.ไทย", "xn--72c1a1bt4awk9o.xn--o3cw4h"),
        ("ไทย.ไทย.", "xn--o3cw4h.xn--o3cw4h."),  # a final dot kept
        # Sara am (U+0E33) is written as its parts, nikhahit and sara aa (NFKC).
        ("น้ำ.com", "xn--q3c4c8cq.com"),
        # A zero-width space, which Thai text holds between words, is dropped.
        ("ตัวอย่าง\u200b.ไทย", "xn--72c1a1bt4awk9o.xn--o3cw4h"),
        # Upper case and full-width letters and dots, mapped as a browser maps them.
        ("ＴＥＡＭ．ไทย", "team.xn--o3cw4h"),
        # As browsers write it (UTS #46, non-transitional): ß is a letter of its own, not ss.
        ("ß.de", "xn--zca.de"),
        ("straße.ไทย", "xn--strae-oqa.xn--o3cw4h"),
        ("ｅｘａｍｐｌｅ．ｃｏｍ", "example.com"),
        # A domain in ASCII as it is: its case, an address literal, an underscore.
        ("Example.ORG", "Example.ORG"),
        ("[127.0.0.1]", "[127.0.0.1]"),
        ("mail_host.example.org", "mail_host.example.org"),
    ],
)
def test_a_domain_outside_ascii_is_written_in_its_idna_form(domain, ascii_form):
    assert ascii_domain(domain) == ascii_form


@pytest.mark.parametrize(
    ("domain", "reason"),
    [
        ("a..ไทย", "a part between dots is empty or longer than 63 characters"),
        ("ไทย" * 30 + ".com", "a part between dots is empty or longer than 63 characters"),
        ("a..org", "a part between dots is empty or longer than 63 characters"),
        ("a" * 64 + ".org", "a part between dots is empty or longer than 63 characters"),
        # Refused for another reason: that reason, not the part's length.
        ("ไทย.aא.com", "the part 'aא' is refused: Invalid direction for codepoint at position 2"),
        ("x\ue000.ไทย", r"the part 'x\ue000' is refused: Codepoint U+E000 not allowed"),
        ("ก_ข.ไทย", "the part 'ก_ข' is refused: Codepoint U+005F not allowed"),
        ("ไทย." + "ก" * 90 + ".com", "a part between dots is empty or longer than 63 characters"),
        ("ไทย." + "ก.ข." * 70 + "com", "it is longer than 253 characters in IDNA form"),
    ],
)
def test_a_domain_without_an_idna_form_is_refused_saying_why(domain, reason):
    with pytest.raises(ValueError, match=re.escape(reason)) as raised:
        ascii_domain(domain)
    assert str(raised.value).startswith(f"{domain!r} has no IDNA form: ")


FORMER_FORM_CASES = [
    "https://www.thaigov.go.th/news/contents/details/87382",
    "https://www.thaigov.go.th/news/contents/details/87382?lang=th",
    "https://www.thaigov.go.th/news/contents/details/๘๗๓๘๒",
    "https://www.thaigov.go.th/news/contents/details/%E0%B9%98%E0%B9%97",
    "https://www.thaigov.go.th/news/contents/ministry_details/87382",
    "http://thaigov.go.th/news/contents/details/087382/#top",
    "https://www.mdes.go.th/news/detail/10942-%E0%B8%94%E0%B8%B5",
    "https://www.mdes.go.th/news/detail/๑๐๙๔๒",
    "https://example.org/news/detail/5?x=1",
    "file:///tmp/a.txt",
    # A path as a database made before stored it: in Thai, escapes in lower case, a "|".
    "https://mfa.go.th/ข่าว/a",
    "https://mfa.go.th/%e0%b8%82/a",
    "https://mfa.go.th/a|b",
    THAI_NEWS,
    # A host in Thai, as a database made before stored it, and in its IDNA form.
    "https://www.ตัวอย่าง.ไทย/news/1",
    "https://xn--72c1a1bt4awk9o.xn--o3cw4h/news/1",
]


def test_a_host_in_thai_is_stored_before_under_its_unicode_form():
    """A database made before a host was stored in IDNA form holds its article under the
    host as written: that row is the article's, and the IDNA form's own row its own."""
    thai, idna = "https://ตัวอย่าง.ไทย/news/1", "https://xn--72c1a1bt4awk9o.xn--o3cw4h/news/1"
    assert stored_forms("https://www.ตัวอย่าง.ไทย/news/1/") == [idna, thai]
    assert former_form("https://www.ตัวอย่าง.ไทย/news/1") == thai
    assert canonical_form_of_former(thai) == idna
    assert former_form(idna) is None
    assert canonical_form_of_former(idna) is None
    assert addresses_meant("ตัวอย่าง.ไทย/news/1") == [
        idna,
        thai,
        "http" + idna[5:],
        "http" + thai[5:],
    ]


@pytest.mark.parametrize("url", FORMER_FORM_CASES)
def test_the_former_form_is_the_second_stored_form_or_none(url: str) -> None:
    """``former_form``'s quick answer for a plain address agrees with the full reading."""
    forms = stored_forms(url)
    assert former_form(url) == (forms[1] if len(forms) > 1 else None)


@pytest.mark.parametrize("url", FORMER_FORM_CASES)
def test_a_stored_address_in_a_former_form_has_its_canonical_form_and_no_other_does(
    url: str,
) -> None:
    canonical, *former = stored_forms(url)
    assert canonical_form_of_former(canonical) is None
    for stored in former:
        assert canonical_form_of_former(stored) == canonical
