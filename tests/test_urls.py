import pytest

from thaidigest.urls import (
    article_id,
    canonical_url,
    public_url,
    same_host,
    source_of,
    web_host,
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
            "https://www.thaigov.go.th/news/contents/ministry_details/087382/",
            "https://thaigov.go.th/news/contents/ministry_details/87382",
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
            "https://user:secret@thaigov.go.th/news/contents/details/87382",
            "https://thaigov.go.th/news/contents/details/87382",
        ),
        ("https://user:secret@MFA.go.th:443/a", "https://mfa.go.th/a"),
        ("http://mfa.go.th:80/a", "http://mfa.go.th/a"),
        ("http://mfa.go.th:8080/a", "http://mfa.go.th:8080/a"),  # another port, another site
        ("http://[::1]:8080/a", "http://[::1]:8080/a"),
    ],
)
def test_urls_naming_one_article_have_one_canonical_form(url, expected):
    assert canonical_url(url) == expected


def test_an_id_with_leading_zeros_is_the_article_and_thai_digits_are_no_id():
    assert article_id("https://thaigov.go.th/news/contents/details/0087382") == "87382"
    assert article_id("https://mdes.go.th/news/detail/010942-slug") == "10942"
    # Python's \d takes Thai digits, and int() reads them: such a path is no article id.
    thai_digits = "https://thaigov.go.th/news/contents/details/๘๗๓๘๒"
    assert article_id(thai_digits) is None
    assert canonical_url(thai_digits) == thai_digits
    endless = "https://thaigov.go.th/news/contents/details/0" + "9" * 5000
    assert article_id(endless) == "9" * 5000  # an id too long for int() is kept as written
    assert (
        canonical_url("https://www.mdes.go.th/news/detail/000")
        == "https://mdes.go.th/news/detail/0"
    )


def test_a_web_address_names_its_host_and_a_file_none():
    assert web_host("https://www.MFA.go.th/en/content/thai-japan-digital-mou") == "mfa.go.th"
    assert web_host("http://user@news.example.org:8080/a") == "news.example.org"
    assert web_host("file:///tmp/note.txt") is None
    assert web_host("") is None


def test_canonical_form_is_stable():
    url = "https://www.mdes.go.th/news/detail/10942-slug?utm_campaign=x"
    assert canonical_url(canonical_url(url)) == canonical_url(url)


@pytest.mark.parametrize("url", ["http://www.www.example.com/a", "https://WWW.www.mdes.go.th/"])
def test_canonical_form_of_a_host_named_www_twice_is_stable(url):
    assert canonical_url(canonical_url(url)) == canonical_url(url)


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


@pytest.mark.parametrize(
    ("url", "other", "expected"),
    [
        ("http://LocalHost:18781", "http://localhost:18781/news/detail/5410-x", True),
        ("https://WWW.MDES.go.th/news/3", "https://www.mdes.go.th/news/detail/1", True),
        ("http://localhost:80/news/3", "http://localhost/news/detail/1", True),  # default port
        ("https://mdes.go.th:443", "https://mdes.go.th/news/3", True),
        ("http://localhost:18781", "http://localhost:18782/news/3", False),
        ("http://localhost:18781", "http://127.0.0.1:18781/news/3", False),  # another alias
        ("https://www.mdes.go.th", "https://mdes.go.th/news/3", False),
        ("http://localhost:18781", "http://localhost:99999/news/3", False),  # no such port
    ],
)
def test_host_names_compare_in_any_case_and_a_default_port_as_none(url, other, expected):
    assert same_host(url, other) is expected
    assert same_host(other, url) is expected
