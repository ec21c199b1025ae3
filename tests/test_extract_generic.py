"""The generic reading of a page of an unknown site (``extract_generic``), and the
defects a public benchmark of news pages found in extraction (issue 11)."""

import json
import re

import pytest

from caucasus_crawler.extract import ArticlePage, extract_article, extract_generic, read_page
from caucasus_crawler.extract.generic import choose_reading
from caucasus_crawler.extract.profile import SiteProfile, fold
from tests.test_extract import load

URL = "https://example.org/2025/08/story/"
STORY = [
    f"Paragraph {n} of the story, with a clause, and another, told in Gori on Tuesday "
    "by the people who were there when it happened."
    for n in range(6)
]


# Longer than a teaser a paywalled page shows (SiteProfile.teaser_max_words).
LONG = STORY + [p.replace("Paragraph", "Part") for p in STORY]


def page(body: str = "", head: str = "", title: str = "Story", text=STORY) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in text)
    return (
        f"<html><head><title>{title}</title>{head}</head><body><header><nav>"
        "<a href='/'>Home</a><a href='/world/'>World</a></nav></header>"
        f"<main><h1>{title}</h1>{body}<div class='content'>{paragraphs}</div></main>"
        "<footer><p>Copyright Example Media, all rights reserved, since 1999.</p></footer>"
        "</body></html>"
    )


def jsonld(node: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(node)}</script>'


@pytest.mark.parametrize(
    "head",
    [
        jsonld({"@type": "ClaimReview", "claimReviewed": "A claim"}),
        jsonld({"@type": "MedicalWebPage", "name": "Story"}),
        jsonld({"@type": "WebPage", "name": "Story"}),
        jsonld({"@type": "VideoObject", "name": "Story"}),
        "",  # no structured data, no date by the headline
    ],
)
def test_a_page_is_an_article_by_its_structure_whatever_its_structured_data(head):
    """These pages were refused as "not an article"; the outlet path still refuses them."""
    assert extract_generic(page(head=head), URL).body.split("\n\n") == STORY
    assert extract_article(page(head=head), URL, ArticlePage).article is None


def test_two_headlines_and_two_articles_do_not_hide_the_article():
    html = page(body="<article><h1>Also a headline</h1></article><article></article>")
    assert extract_generic(html, URL).body.split("\n\n") == STORY


def test_a_listing_is_not_an_article():
    response, expected = load("tag_listing")
    assert not expected["is_article"]
    assert extract_generic(response.text, response.url) is None


def test_a_page_with_little_text_is_not_an_article():
    assert extract_generic(page(text=["Contact us by mail."]), URL) is None


def test_a_comment_first_in_a_related_heading_still_ends_the_text():
    """WordPress writes <!-- wp:heading --> inside headings; <p><!--more--></p> too."""
    cards = "".join(
        f"<div><h4><a href='/other-{n}/'>Another story {n}</a></h4><p>An excerpt of another "
        f"story number {n}, long enough to compete with the article's text.</p></div>"
        for n in range(4)
    )
    related = f"<section><h3><!-- wp:heading -->Related<!-- /wp:heading --></h3>{cards}</section>"
    html = page(body="<p><!--more--></p>").replace("</main>", f"{related}</main>")
    extraction = extract_article(html, URL, ArticlePage)
    assert "Another story" not in extract_generic(html, URL).body
    assert extraction.article is None  # (an outlet's page: no date, no structured data)


def test_members_only_only_when_the_text_is_withheld():
    stated = {"@type": "NewsArticle", "headline": "Story", "isAccessibleForFree": False}
    whole = extract_article(page(head=jsonld(stated), text=LONG), URL, ArticlePage).article
    assert not whole.members_only
    assert whole.body.split("\n\n") == LONG
    teaser = extract_article(page(head=jsonld(stated), text=STORY[:1]), URL, ArticlePage).article
    assert teaser.members_only and teaser.body == ""


def test_members_only_reads_the_part_the_page_names():
    withheld = {
        "@type": "NewsArticle",
        "headline": "Story",
        "isAccessibleForFree": False,
        "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": False,
                    "cssSelector": ".paywalled"},
    }  # fmt: skip
    there = page(head=jsonld(withheld), text=LONG)
    there = there.replace("class='content'", "class='content paywalled'")
    assert not extract_article(there, URL, ArticlePage).article.members_only
    empty = page(head=jsonld(withheld), body="<div class='paywalled'></div>", text=LONG)
    assert extract_article(empty, URL, ArticlePage).article.members_only


def test_repeated_paragraphs_are_kept():
    """A recipe's steps, a refrain: text the page repeats is the text."""
    text = [STORY[0], "Stir for a minute.", STORY[1], "Stir for a minute.", *STORY[2:]]
    head = jsonld({"@type": "NewsArticle", "headline": "Story"})
    article = extract_article(page(head=head, text=text), URL, ArticlePage).article
    assert article.body.split("\n\n") == text


def test_a_line_break_inside_a_paragraph_separates_words():
    head = jsonld({"@type": "NewsArticle", "headline": "Story"})
    html = page(head=head, text=[*STORY, "Atlanta, GA<br/>June 17<br>2025"])
    article = extract_article(html, URL, ArticlePage).article
    assert article.body.split("\n\n")[-1] == "Atlanta, GA June 17 2025"


def test_a_class_name_ending_in_hidden_is_not_hidden_furniture():
    """Drupal wraps the text in "field-label-hidden" (the field's label is hidden)."""
    head = jsonld({"@type": "NewsArticle", "headline": "Story"})
    html = page(head=head).replace("class='content'", "class='field field-label-hidden'")
    assert extract_article(html, URL, ArticlePage).article.body.split("\n\n") == STORY
    hidden = page(head=head).replace("class='content'", "class='content is-hidden'")
    assert extract_article(hidden, URL, ArticlePage).article.body == ""


@pytest.mark.parametrize(
    "labels",
    [
        "node node-article node-promoted clearfix",  # Drupal 7
        "node node--type-article node--promoted node--view-mode-full",  # Drupal 8 and later
    ],
)
def test_drupal_node_labels_are_not_furniture(labels):
    """Drupal labels an article's wrapper with its type, view mode and state: a node
    promoted to the front page (articles are, by default) is not promoted content."""
    head = jsonld({"@type": "NewsArticle", "headline": "Story"})
    html = page(head=head).replace("class='content'", f"class='{labels}'")
    assert extract_article(html, URL, ArticlePage).article.body.split("\n\n") == STORY


# --- two readings ------------------------------------------------------------------

PROFILE = SiteProfile(site_name="")
BOILERPLATE = ["Subscribe to our newsletter for the day's news in your inbox every morning"]
NEW = ["A long paragraph the container missed: " + " ".join(f"word{n}" for n in range(40))]


@pytest.mark.parametrize(
    "ours, theirs, chosen",
    [
        (STORY, STORY, "theirs"),  # they agree
        (STORY + BOILERPLATE * 4, STORY, "theirs"),  # ours let boilerplate in
        (STORY, STORY + BOILERPLATE * 4, "ours"),  # theirs did
        (STORY, NEW + STORY, "theirs"),  # theirs found a paragraph more
        (STORY, [f"Menu item {n}, another line, and more lines of it" for n in range(9)], "theirs"),
        (STORY, [], "ours"),
        ([], STORY, "theirs"),
    ],
)
def test_of_two_readings_the_article_s_is_chosen(ours, theirs, chosen):
    assert choose_reading(ours, theirs, PROFILE) is (ours if chosen == "ours" else theirs)


# --- boilerplate a crawl learns across a site's pages -----------------------------------

APPEAL = "Support our journalism: become a member today."


def test_a_page_tells_its_short_blocks_and_leaves_out_those_known_to_repeat():
    head = jsonld({"@type": "NewsArticle", "headline": "Story"})
    html = page(head=head, text=[*STORY, *NEW, APPEAL])
    read = read_page(html, URL, ArticlePage, extract=True)
    assert read.extraction.article.body.split("\n\n") == [*STORY, *NEW, APPEAL]
    assert "support our journalism: become a member today." in read.short_blocks
    assert fold(NEW[0]) not in read.short_blocks  # a long block: text
    learnt = frozenset(["support our journalism: become a member today."])
    again = read_page(html, URL, ArticlePage, extract=True, repeated=learnt)
    assert again.extraction.article.body.split("\n\n") == [*STORY, *NEW]


# --- the generic path's own defects (tests/test_generic_pages.py) ---------------------


def test_footnote_numbers_are_not_glued_to_the_text():
    """trafilatura's reading glued a raised footnote number to its sentence ("…it
    happened.1"); a bracketed one reads as a mark, and a number linked on the line
    ("Section 3") is text."""
    marked = [f"{p}<a href='#fn-{n}'><sup>{n}</sup></a>" for n, p in enumerate(STORY[:3])]
    bracketed = f"{STORY[3]}<sup><a href='#cite-1'>[1]</a></sup>"
    reference = "As Section <a href='#section-3'>3</a> of the report says, it happened again."
    text = [*marked, bracketed, reference, *STORY[4:]]
    body = extract_generic(page(text=text), URL).body.split("\n\n")
    assert body == [
        *STORY[:3],
        STORY[3] + "[1]",
        "As Section 3 of the report says, it happened again.",
        *STORY[4:],
    ]


OTHER = "https://example.org/2025/07/what-is-the-corridor/"
TEASERS = {
    "a bold paragraph whose title is a link": (
        f"<p><strong>Explainer | <a href='{OTHER}'>What is the corridor, and who wants "
        "it?</a></strong></p>"
    ),
    "an 'Also read:' line": (
        f"<p><strong>Also read:</strong> <a href='{OTHER}'>What is the corridor, and who wants "
        "it?</a></p>"
    ),
    "a box with a dek": (
        f"<div class='note'><p><a href='{OTHER}'>What is the corridor, and who wants it?</a>"
        "</p><p>From a Soviet-era railway to a transit route: the history of the strip of "
        "land at the heart of the talks.</p></div>"
    ),
    "a quotation whose dek is the link": (
        "<blockquote><p><strong>Explainer | What is the corridor?</strong><br>"
        f"<a href='{OTHER}'>Why a road across Syunik became the most contested route in the "
        "region.</a></p></blockquote>"
    ),
    "a card with a linked heading, a label and a dek": (
        "<div class='posts'><article><div><a href='/category/explainers/'>Explainers</a></div>"
        f"<h3><a href='{OTHER}'>Explainer | What is the corridor?</a></h3><div>From a "
        "Soviet-era railway to a transit route: the history of the strip of land.</div>"
        "<div>by <a href='/authors/desk/'>Desk</a> 15 July 2025</div></article></div>"
    ),
}


@pytest.mark.parametrize("teaser", TEASERS.values(), ids=TEASERS.keys())
def test_a_teaser_of_another_article_in_the_text_is_left_out(teaser):
    """In either reading: trafilatura's keeps no links, so it leaves out the lines the
    container's reading found in a teaser."""
    text = [*STORY[:3], teaser, *STORY[3:]]
    assert extract_generic(page(text=text), URL).body.split("\n\n") == STORY


@pytest.mark.parametrize(
    "line",
    [
        "Read the <a href='https://commission.example.com/report'>full report of the "
        "commission</a> here.",  # another site's page
        "The <a href='/2025/07/what-is-the-corridor/'>corridor</a> was first proposed in "
        "the ceasefire statement of November 2020.",  # a link in a sentence
        "The hearing lasted <a href='#minutes'>less than an hour</a>, lawyers said.",
    ],
)
def test_a_short_paragraph_with_a_link_is_text(line):
    text = [*STORY[:3], line, *STORY[3:]]
    body = extract_generic(page(text=text), URL).body.split("\n\n")
    assert body == [*STORY[:3], re.sub("<[^>]+>", "", line), *STORY[3:]]


def test_the_author_box_is_not_the_text():
    """trafilatura's reading keeps a bio long enough to pass for a paragraph."""
    bio = (
        "<div class='about' itemprop='author' itemscope><a href='/authors/ani/'>Ani "
        "Petrosyan</a><div itemprop='description'><p>Ani Petrosyan is a journalist based in "
        "Yerevan who covers courts, prisons and the rights of detainees. She has written for "
        "several Armenian and international outlets, and teaches reporting at the state "
        "university.</p></div></div>"
    )
    html = page(text=STORY).replace("</div></main>", f"{bio}</div></main>")
    assert extract_generic(html, URL).body.split("\n\n") == STORY


PAYWALL = (
    "<div class='card'><h2>Exclusive</h2><p>This story is available to our members only. "
    "Become a member to read it in full.</p><p><a href='/membership/'>Join</a></p></div>"
)


def test_a_page_whose_paywall_box_withholds_the_text_is_members_only():
    head = jsonld({"@type": "NewsArticle", "headline": "Story"})
    html = page(head=head, text=[STORY[0] + " […]"])
    article = extract_generic(html.replace("</div></main>", f"{PAYWALL}</div></main>"), URL)
    assert article.members_only and article.body == ""


def test_a_paywall_phrase_over_the_whole_text_is_not_members_only():
    """Open articles advertise "members-only events" too."""
    appeal = "<p>Join us for members-only events and the Daily Brief.</p>"
    article = extract_generic(page(text=[appeal, *LONG]), URL)
    assert not article.members_only


def test_a_paywall_phrase_in_a_login_box_over_a_text_trafilatura_finds_is_not_members_only():
    """The container is the login box (the text's paragraphs are line breaks)."""
    login = (
        "<div class='account'><p>Subscribers only: sign in to comment, to save stories and "
        "to follow the writers you like best.</p></div>"
    )
    text = "<br><br>".join(LONG)
    html = page(body=login, text=[]).replace(
        "<div class='content'>", f"<div class='content'>{text}"
    )
    article = extract_generic(html, URL)
    assert not article.members_only
    assert "\n\n".join(LONG) in article.body


@pytest.mark.parametrize(
    "call",
    [
        "Подписывайтесь на Telegram-канал редакции, чтобы первыми узнавать о событиях.",
        "Subscribe to our WhatsApp channel for the news of the day.",
        "Abunə olun",
        "Listen on Apple Podcasts, Spotify, or wherever you get your podcasts.",
    ],
)
def test_a_call_to_subscribe_is_not_the_text(call):
    text = [
        f"The committee met on Tuesday {n} to discuss the draft law on local "
        "government, which would give districts more control over their budgets."
        for n in range(4)
    ]
    page = (
        "<html><body><article><h1>Council debates the budget law</h1>"
        + "".join(f"<p>{p}</p>" for p in text[:2])
        + f"<div><p>{call}</p><p>Подписаться</p></div>"
        + "".join(f"<p>{p}</p>" for p in text[2:])
        + "</article></body></html>"
    )
    article = extract_generic(page, "https://www.kavkaz-uzel.eu/articles/123456/")
    # (trafilatura's reading keeps the headline, as the benchmarks' main text does)
    assert [p for p in article.body.split("\n\n") if p != article.title] == text


@pytest.mark.parametrize(
    "byline", ["Հեղինակ՝ Անի Մկրտչյան", "Müəllif: Leyla Həsənova", "By Ani Petrosyan"]
)
def test_a_byline_line_in_the_container_is_not_the_text(byline):
    """(trafilatura's reading keeps bylines, as the benchmarks' main text does.)"""
    text = [
        f"Parliament met on Tuesday {n} to discuss the draft law on local government, "
        "which would give districts more control over their budgets."
        for n in range(4)
    ]
    page = (
        "<html><body><article><h1>Council debates the budget law</h1>"
        "<time datetime='2026-03-21T12:40:00+04:00'>21.03.2026</time>"
        + "".join(f"<p>{p}</p>" for p in text)
        + f"<p>{byline}</p></article></body></html>"
    )
    article = extract_article(page, "https://news.am/eng/news/912345.html").article
    assert article.body.split("\n\n") == text


def test_paragraphs_written_as_runs_between_line_breaks_are_the_text():
    """A CMS with no <p>: "First…<br><br>Second…"; a footer of <p>s is no rival for it,
    and the paragraphs stay apart."""
    runs = "<br><br>\n".join(STORY)
    html = (
        "<html><head><title>Story</title></head><body><div class='article'><h1>Story</h1>"
        f"<div class='article-text'>\n{runs}\n</div></div>"
        "<div id='footer'><p>Copyright Example Media, all rights reserved, since 1999.</p>"
        "<p>Address: Yerevan, 0010, Armenia. Tel.: +374 10 000000, mail: info@example.org</p>"
        "</div></body></html>"
    )
    head = jsonld({"@type": "NewsArticle", "headline": "Story"})
    assert extract_generic(html, URL).body.split("\n\n") == STORY
    outlet = extract_article(html.replace("</head>", f"{head}</head>"), URL, ArticlePage)
    assert outlet.article.body.split("\n\n") == STORY


def test_one_run_of_text_beside_a_line_break_is_no_paragraph_of_the_text():
    """A sidebar's cards ("Today's story<br><br>A headline") do not outweigh the text."""
    cards = "".join(
        f"<div class='card'>A card of today's news number {n}<br><br>"
        f"<a href='/other-{n}/'>Another story number {n}, its headline</a></div>"
        for n in range(8)
    )
    html = page().replace("</main>", f"</main><div class='column'>{cards}</div>")
    assert extract_generic(html, URL).body.split("\n\n") == STORY


APPEAL_BOXES = [
    # Its wording and its button (Civil.ge's, in a theme's "info box").
    "<div class='tie-box info-box'><div class='box-inner-block'><p><strong>Example.org is "
    "reader-supported.</strong> Independent journalism is under pressure. "
    "<a href='https://example.org/donate'>Support our work</a>.</p></div></div>",
    # Its button alone: a page for readers' money.
    "<div class='box'><p>Journalism like this takes time and money, and it is free to read "
    "for everyone.</p><p><a href='https://www.patreon.com/example'>Join us</a></p></div>",
    "<div class='box'><p>We rely on our readers.</p><a href='/en/support-us/'>Read how</a></div>",
    # Its wording alone, in each language.
    *(
        f"<div class='callout'><p>{phrase.capitalize()}: it keeps this site open.</p></div>"
        for phrase in (
            "support our work",
            "make a donation",
            "поддержите нас",
            "მხარი დაგვიჭირეთ",
            "աջակցեք մեզ",
            "bizi dəstəkləyin",
        )
    ),
]


def with_paragraph(before_fourth: str) -> str:
    """An outlet's article page with ``before_fourth`` among its paragraphs."""
    head = jsonld({"@type": "NewsArticle", "headline": "Story"})
    return page(head=head).replace(f"<p>{STORY[3]}</p>", f"{before_fourth}<p>{STORY[3]}</p>")


READERS = {
    "outlet": lambda html: extract_article(html, URL, ArticlePage).article,
    "generic": lambda html: extract_generic(html, URL),  # trafilatura's reading too
}


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("box", APPEAL_BOXES)
def test_a_box_appealing_for_readers_money_is_not_the_text(box, reader):
    article = READERS[reader](with_paragraph(box))
    assert article.body.split("\n\n") == STORY


def test_an_appeal_with_its_button_in_a_paragraph_of_its_own_is_not_the_text():
    line = "<p>Example.org is reader-supported. <a href='/donate/'>Make a donation</a></p>"
    article = extract_article(with_paragraph(line), URL, ArticlePage).article
    assert article.body.split("\n\n") == STORY


@pytest.mark.parametrize(
    "paragraph",
    [
        # A quotation that says it, in a paragraph of the text.
        "<p>“We ask the donors who support our work to stay,” the director of the shelter "
        "said on Tuesday, after the ministry cut its grant.</p>",
        # In a wrapper of its own, as some CMSs write every paragraph: longer than an appeal.
        "<div class='paragraph'><p>“Support our work, or the shelter closes,” the director "
        "said on Tuesday, after the ministry cut its grant to the only shelter in the region "
        "for women and children, which had taken in more than four hundred people since it "
        "opened in 2019, most of them from villages near the line of separation, and which "
        "the city council has refused to fund for the third year in a row.</p></div>",
        # A link to an article about support, and a link to a charity's page in the news.
        "<div class='paragraph'><p>Farmers will get new loans, the ministry said (<a "
        "href='/news/support-for-farmers/'>details</a>).</p></div>",
    ],
)
def test_a_paragraph_that_merely_mentions_support_is_the_text(paragraph):
    article = extract_article(with_paragraph(paragraph), URL, ArticlePage).article
    assert len(article.body.split("\n\n")) == len(STORY) + 1
