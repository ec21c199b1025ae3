import pytest

from caucasus_crawler.mirror import MirrorMap

MIRROR = MirrorMap("https://oc-media.org", "http://127.0.0.1:8765")
PAGE = "https://oc-media.org/some-article/"


@pytest.mark.parametrize(
    "href, live",
    [
        ("https://oc-media.org/a/", "https://oc-media.org/a/"),
        ("http://oc-media.org/a/", "https://oc-media.org/a/"),
        ("//oc-media.org/category/georgia/", "https://oc-media.org/category/georgia/"),
        ("/tag/armenia/", "https://oc-media.org/tag/armenia/"),
        ("page/2/", "https://oc-media.org/some-article/page/2/"),
        ("http://127.0.0.1:8765/a/?p=1", "https://oc-media.org/a/?p=1"),
        ("https://OC-MEDIA.org/a/", "https://oc-media.org/a/"),
        # The www twin of the site's host is the site.
        ("https://www.oc-media.org/a/", "https://oc-media.org/a/"),
        # Elsewhere: other hosts, subdomains of the site, other ports, other schemes.
        ("https://shop.oc-media.org/", None),
        ("https://www.shop.oc-media.org/a/", None),
        ("https://oc-media.org.evil.example/a/", None),
        ("http://127.0.0.1:9999/a/", None),
        ("https://twitter.com/OCMediaorg", None),
        ("mailto:info@oc-media.org", None),
        ("javascript:void(0)", None),
        ("http://[::1", None),
    ],
)
def test_every_form_of_an_on_site_link_becomes_its_live_url(href, live):
    assert MIRROR.live_url(href, PAGE) == live


def test_requests_go_to_the_mirror_and_only_for_the_live_host():
    assert MIRROR.fetch_url("https://oc-media.org/a/?p=1") == "http://127.0.0.1:8765/a/?p=1"
    assert MIRROR.fetch_url("https://example.org/a/") == "https://example.org/a/"
    assert MirrorMap("https://oc-media.org").fetch_url("https://oc-media.org/a/") == (
        "https://oc-media.org/a/"
    )


@pytest.mark.parametrize("base_url", ["ftp://127.0.0.1/", "127.0.0.1:8000", "http://"])
def test_a_base_url_that_is_not_http_is_refused(base_url):
    with pytest.raises(ValueError, match="base_url must be an http"):
        MirrorMap("https://oc-media.org", base_url)


EURASIANET = MirrorMap(
    "https://eurasianet.org", "http://127.0.0.1:8765", hosts=("russian.eurasianet.org",)
)


def test_an_edition_on_another_host_is_on_the_site_and_mirrored_under_its_host():
    ru = "https://russian.eurasianet.org/region/kavkaz?page=2"
    assert EURASIANET.fetch_url(ru) == (
        "http://127.0.0.1:8765/_host/russian.eurasianet.org/region/kavkaz?page=2"
    )
    assert EURASIANET.live_url(EURASIANET.fetch_url(ru)) == ru
    # Links on a page of that host are resolved against it.
    assert EURASIANET.live_url("/statya", ru) == "https://russian.eurasianet.org/statya"
    assert EURASIANET.live_url("https://www.russian.eurasianet.org/a") == (
        "https://russian.eurasianet.org/a"
    )
    assert EURASIANET.fetch_url("https://eurasianet.org/a") == "http://127.0.0.1:8765/a"
    # A host prefix naming no host of the site is a path of the main host.
    assert EURASIANET.live_url("http://127.0.0.1:8765/_host/evil.example/a") == (
        "https://eurasianet.org/_host/evil.example/a"
    )
    assert EURASIANET.is_on_site("https://russian.eurasianet.org/")
    assert not EURASIANET.is_on_site("https://english.eurasianet.org/")
