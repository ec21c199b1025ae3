"""What extraction knows of each language the archive meets: English, Russian,
Georgian, Armenian and Azerbaijani, one ``Language`` each.

Month names in every form dates are written with (nominative, genitive, dative,
abbreviations), byline labels and the "and" between names, the labels of dates
("Updated", "Published"), the headings that open blocks of other articles ("Related",
"Read also"), in-text teaser labels, picture-credit words, share lines and what a
paywall box says.

Words are written as a reader sees them; matching folds case (Azerbaijani's dotted
capital İ included). Forms marked "assumed" are written from the languages' grammar
and CLDR's names, not yet seen on an outlet's page.

Kept apart from ``extract`` so that ``normalize`` (dates) can read it too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str
    # Twelve tuples, January first: every form of the month's name.
    months: tuple[tuple[str, ...], ...]
    byline_labels: tuple[str, ...]  # before the names, with the colon where one is written
    name_joiners: tuple[str, ...]  # between the last two names: "and"
    published_labels: tuple[str, ...]
    updated_labels: tuple[str, ...]
    end_markers: tuple[str, ...]  # headings that open blocks of other articles
    teaser_labels: tuple[str, ...]  # "Read also: …" before a link to another article
    photo_words: tuple[str, ...]  # a picture credit begins with one: "Photo: …"
    share_labels: tuple[str, ...]  # a line of share buttons: "Share this"
    # How a line asking readers to subscribe or follow begins ("Subscribe to our Telegram
    # channel …"), or the lone button that ends such a box.
    subscribe_calls: tuple[str, ...]
    paywall_phrases: tuple[str, ...]  # a box over a withheld text: "For members only"
    # What a box asking readers for money says ("Support our work", "Make a donation"):
    # phrases of an appeal only, not the verb alone ("support" is news's word too).
    appeal_phrases: tuple[str, ...]
    # Search: the endings of inflected words that a search removes to find every form of
    # a word (cases, articles, plurals), longest first. With ``stemmer`` (a Snowball
    # algorithm), only endings of this list are taken from its stems: Snowball takes
    # the "-н" of "Пашинян" and the "-ов" of "Байрамов" for endings, and names must keep
    # them to be found in other scripts.
    word_endings: tuple[str, ...] = ()
    # Endings that also end surnames and short words (Иванов, Алиев; Armenian սահման,
    # "border", and Սահմանազատման, "of demarcation"): removed only from a word in lower
    # case whose stem keeps five letters or more.
    common_noun_endings: tuple[str, ...] = ()
    # A stem's last letters that an ending changed, restored after a consonant: Armenian
    # Բաքու (Baku) is Բաքվ- before an ending (Բաքվի, Բաքվում).
    alternations: tuple[tuple[str, str], ...] = ()
    # Letters that join an ending to a stem ending in a vowel, each with the vowels it
    # follows: Azerbaijani Bakı-nın, şəhəri-ndə, Gəncə-yə, but İrəvan-ın, İrəvan-da.
    # ("Rusiyanın" reads as Rusiyan-ın: a stem in -a or -ə is rarer than one in -an.)
    buffer_letters: tuple[tuple[str, str], ...] = ()
    stemmer: str | None = None
    # Letters romanised otherwise than by the international default (anyascii), as
    # the language's own romanisation writes them in English: "ə" is "a" (Əliyev,
    # Aliyev), Armenian "ու" is "u".
    romanised: tuple[tuple[str, str], ...] = ()


EN = Language(
    code="en",
    months=(
        ("january", "jan"),
        ("february", "feb"),
        ("march", "mar"),
        ("april", "apr"),
        ("may",),
        ("june", "jun"),
        ("july", "jul"),
        ("august", "aug"),
        ("september", "sep", "sept"),
        ("october", "oct"),
        ("november", "nov"),
        ("december", "dec"),
    ),
    # "By" takes no colon; an interview is signed by who asked ("Interview by …").
    byline_labels=(
        "by",
        "author",
        "author:",
        "authors",
        "authors:",
        "interview by",
        "interviewed by",
        "interviewer:",
        "text by",
        "reporting by",
    ),  # fmt: skip
    name_joiners=("and",),
    published_labels=("published", "posted"),
    updated_labels=("last updated", "updated"),
    end_markers=(
        "related articles",
        "related stories",
        "related",
        "read more",
        "read also",
        "also read",
        "see also",
        "more stories",
        "most popular",
        "most read",
        "editor's picks",
        "editors' picks",
        "recommended",
        "you may also like",
        "share this",
        "share this article",
    ),
    teaser_labels=("read more", "read also", "also read", "see also", "related"),
    photo_words=(
        "photo",
        "photos",
        "image",
        "images",
        "picture",
        "pictures",
        "illustration",
        "screenshot",
        "screengrab",
        "video",
    ),
    share_labels=(
        "share",
        "share this",
        "share this article",
        "share this story",
        "share this update",
        "follow us",
    ),  # fmt: skip
    subscribe_calls=(
        "subscribe to our",
        "follow us on",
        "join our telegram",
        "join us on",
        "listen on",
    ),  # fmt: skip
    # (Not "Already a member?": a login prompt, on open pages too.)
    paywall_phrases=(
        "members only",
        "members-only",
        "subscribers only",
        "subscribe to continue reading",
        "subscribe to read the full",
        "subscribe to keep reading",
        "log in to continue reading",
        "become a member to continue reading",
        "become a member to keep reading",
    ),
    # (Not "Become a member": of the EU, of NATO.)
    appeal_phrases=(
        "support our work",
        "support our journalism",
        "support independent journalism",
        "support independent media",
        "reader-supported",
        "reader supported",
        "reader-funded",
        "make a donation",
        "donate now",
        "donate today",
        "become a supporter",
        "become a patron",
    ),
    stemmer="english",
)

RU = Language(
    code="ru",
    months=(
        ("января", "январь", "янв"),
        ("февраля", "февраль", "фев", "февр"),
        ("марта", "март", "мар"),
        ("апреля", "апрель", "апр"),
        ("мая", "май"),
        ("июня", "июнь", "июн"),
        ("июля", "июль", "июл"),
        ("августа", "август", "авг"),
        ("сентября", "сентябрь", "сен", "сент"),
        ("октября", "октябрь", "окт"),
        ("ноября", "ноябрь", "ноя", "нояб"),
        ("декабря", "декабрь", "дек"),
    ),
    byline_labels=(
        "автор",
        "автор:",
        "авторы",
        "авторы:",
        "автора",
        "автора:",
        "беседовал",
        "беседовал:",
        "беседовала",
        "беседовала:",
    ),  # fmt: skip
    name_joiners=("и",),
    published_labels=("опубликовано",),  # assumed
    updated_labels=("последнее обновление", "обновлено"),
    end_markers=("похожие статьи", "читайте также", "по теме", "популярное", "выбор редакции"),
    teaser_labels=("читайте также", "смотрите также", "по теме"),
    photo_words=("фото",),
    share_labels=("поделиться",),
    subscribe_calls=("подписывайтесь на", "подпишитесь на", "подписаться", "слушайте на"),
    paywall_phrases=(
        "только для подписчиков",
        "доступен только подписчикам",  # assumed
        "доступно только подписчикам",  # assumed
        "чтобы дочитать",  # ("Чтобы дочитать материал, оформите подписку")
        "чтобы продолжить чтение",
    ),
    appeal_phrases=(
        "поддержите нас",
        "поддержите редакцию",
        "поддержите нашу работу",
        "поддержите независимую журналистику",
        "поддержите независимые сми",
        "поддержать нас",
        "поддержать редакцию",
        "поддержать нашу работу",
        "поддержать независимую журналистику",
        "сделать пожертвование",
        "сделайте пожертвование",
    ),  # fmt: skip
    # Nouns', adjectives' and verbs' endings; not "-ин" (surnames) nor "-н".
    common_noun_endings=("ов", "ев"),  # выборов, журналистов
    word_endings=(
        "ями",
        "ами",
        "ого",
        "его",
        "ому",
        "ему",
        "ыми",
        "ими",
        "ией",
        "иям",
        "иях",
        "ой",
        "ей",
        "ом",
        "ем",
        "ам",
        "ям",
        "ах",
        "ях",
        "ую",
        "юю",
        "ая",
        "яя",
        "ое",
        "ее",
        "ые",
        "ие",
        "ый",
        "ий",
        "ых",
        "их",
        "ым",
        "им",
        "ия",
        "ии",
        "ию",
        "ть",
        "ла",
        "ли",
        "ло",
        "ет",
        "ют",
        "ит",
        "ат",
        "ят",
        "а",
        "я",
        "у",
        "ю",
        "е",
        "ы",
        "и",
        "о",
        "ь",
        "й",
    ),  # fmt: skip
    stemmer="russian",
)

KA = Language(
    code="ka",
    # Nominative (the form dates use: "31 აგვისტო 2025"), dative in -ს, and CLDR's
    # abbreviations.
    months=(
        ("იანვარი", "იანვარს", "იან"),
        ("თებერვალი", "თებერვალს", "თებ"),
        ("მარტი", "მარტს", "მარ"),
        ("აპრილი", "აპრილს", "აპრ"),
        ("მაისი", "მაისს", "მაი"),
        ("ივნისი", "ივნისს", "ივნ"),
        ("ივლისი", "ივლისს", "ივლ"),
        ("აგვისტო", "აგვისტოს", "აგვ"),
        ("სექტემბერი", "სექტემბერს", "სექ"),
        ("ოქტომბერი", "ოქტომბერს", "ოქტ"),
        ("ნოემბერი", "ნოემბერს", "ნოე"),
        ("დეკემბერი", "დეკემბერს", "დეკ"),
    ),
    byline_labels=("ავტორი", "ავტორი:", "ავტორები", "ავტორები:"),
    name_joiners=("და",),
    published_labels=("გამოქვეყნებულია",),  # assumed
    updated_labels=("ბოლო განახლება", "განახლებულია"),  # assumed
    end_markers=("ასევე წაიკითხეთ", "მსგავსი სიახლეები", "ბოლო სიახლეები"),  # assumed
    teaser_labels=("ასევე წაიკითხეთ", "წაიკითხეთ ასევე"),  # assumed
    photo_words=("ფოტო",),
    share_labels=("გაზიარება",),  # assumed
    subscribe_calls=("გამოიწერეთ", "გამოგვყევით"),  # assumed
    paywall_phrases=("მხოლოდ გამომწერებისთვის", "მხოლოდ წევრებისთვის"),  # assumed
    appeal_phrases=(
        "მხარი დაგვიჭირეთ",
        "დაგვიჭირეთ მხარი",
        "დაუჭირეთ მხარი ჩვენს საქმიანობას",
        "დაუჭირეთ მხარი დამოუკიდებელ ჟურნალისტიკას",
        "გააკეთეთ შემოწირულობა",
    ),  # assumed
    # Case endings (and the plural "-ებ-" before them); Georgian has no Snowball stemmer.
    word_endings=(
        "ებისთვის",
        "ისთვის",
        "ებიდან",
        "ებისგან",
        "ებთან",
        "ისგან",
        "იდან",
        "ებში",
        "ებზე",
        "ებით",
        "ებად",
        "ების",
        "ებმა",
        "ებს",
        "ები",
        "თან",
        "ში",
        "ზე",
        "ით",
        "ად",
        "ის",
        "მა",
        "ს",
        "მ",
        "ი",
        "ა",
        "ე",
        "ო",
    ),  # fmt: skip
)

HY = Language(
    code="hy",
    # Nominative, the genitive dates use ("31 օգոստոսի 2025"), and CLDR's abbreviations.
    months=(
        ("հունվար", "հունվարի", "հնվ"),
        ("փետրվար", "փետրվարի", "փտվ"),
        ("մարտ", "մարտի", "մրտ"),
        ("ապրիլ", "ապրիլի", "ապր"),
        ("մայիս", "մայիսի", "մյս"),
        ("հունիս", "հունիսի", "հնս"),
        ("հուլիս", "հուլիսի", "հլս"),
        ("օգոստոս", "օգոստոսի", "օգս"),
        ("սեպտեմբեր", "սեպտեմբերի", "սեպ"),
        ("հոկտեմբեր", "հոկտեմբերի", "հոկ"),
        ("նոյեմբեր", "նոյեմբերի", "նոյ"),
        ("դեկտեմբեր", "դեկտեմբերի", "դեկ"),
    ),
    # (Armenian writes its own colon-like "՝" after a label, or a colon.)
    byline_labels=("հեղինակ", "հեղինակ՝", "հեղինակ:", "հեղինակներ", "հեղինակներ՝", "հեղինակներ:"),
    name_joiners=("և", "եւ"),
    published_labels=("հրապարակվել է",),  # assumed
    updated_labels=("թարմացվել է", "թարմացված է"),  # assumed
    end_markers=("կարդացեք նաև", "կարդացեք նաեւ", "նմանատիպ նյութեր"),  # assumed
    teaser_labels=("կարդացեք նաև", "կարդացեք նաեւ"),  # assumed
    photo_words=("լուսանկար", "լուսանկարը", "լուսանկարներ"),
    share_labels=("կիսվել",),  # assumed
    subscribe_calls=("բաժանորդագրվեք", "հետևեք մեզ"),  # assumed
    paywall_phrases=("միայն բաժանորդների համար", "միայն անդամների համար"),  # assumed
    appeal_phrases=(
        "աջակցեք մեզ",
        "աջակցեք մեր աշխատանքին",
        "աջակցեք անկախ լրագրությանը",
        "աջակցել մեզ",
        "կատարեք նվիրատվություն",
    ),  # assumed
    # Case endings and the definite article; not "-ան" nor a lone "-ն" (Երևան).
    word_endings=(
        "ներից",
        "ներում",
        "ներով",
        "ներին",
        "ների",
        "ները",
        "երից",
        "երում",
        "երով",
        "երին",
        "երի",
        "երը",
        "ներ",
        "եր",
        "ից",
        "ում",
        "ով",
        "ին",
        "ու",
        "ի",
        "ը",
    ),  # fmt: skip
    common_noun_endings=("ման",),  # the oblique "-ում": կառավարում, կառավարման
    alternations=(("վ", "ու"),),
    stemmer="armenian",
    romanised=(("ու", "u"), ("և", "ev")),
)

AZ = Language(
    code="az",
    # Dates write the nominative ("31 avqust 2025", "İyun"); CLDR's abbreviations.
    months=(
        ("yanvar", "yan"),
        ("fevral", "fev"),
        ("mart", "mar"),
        ("aprel", "apr"),
        ("may",),
        ("iyun", "iyn"),
        ("iyul", "iyl"),
        ("avqust", "avq"),
        ("sentyabr", "sen"),
        ("oktyabr", "okt"),
        ("noyabr", "noy"),
        ("dekabr", "dek"),
    ),
    byline_labels=("müəllif", "müəllif:", "müəlliflər", "müəlliflər:"),
    name_joiners=("və",),
    published_labels=("dərc olunub",),  # assumed
    updated_labels=("yenilənib", "son yenilənmə"),  # assumed
    end_markers=("oxşar xəbərlər", "həmçinin oxuyun", "digər xəbərlər"),  # assumed
    teaser_labels=(
        "həmçinin oxuyun",
        "həmçinin oxu",
        "daha çox oxuyun",
        "ətraflı oxuyun",
        "oxuyun həmçinin",
    ),  # assumed; fmt: skip
    photo_words=("foto", "şəkil"),
    share_labels=("paylaş",),  # assumed
    subscribe_calls=("abunə olun", "bizi izləyin"),  # assumed
    paywall_phrases=("yalnız abunəçilər üçün", "yalnız üzvlər üçün"),  # assumed
    appeal_phrases=(
        "bizi dəstəkləyin",
        "işimizi dəstəkləyin",
        "müstəqil jurnalistikanı dəstəkləyin",
        "ianə edin",
    ),  # assumed
    # Case and plural endings in both vowel harmonies; not "-tan" (Pakistan). Azerbaijani
    # has no Snowball stemmer.
    buffer_letters=(("n", "ıiuü"), ("y", "aəıiouöü")),
    word_endings=(
        "lərindən",
        "larından",
        "lərdən",
        "lardan",
        "lərində",
        "larında",
        "lərinə",
        "larına",
        "lərdə",
        "larda",
        "lərə",
        "lara",
        "lərin",
        "ların",
        "ləri",
        "ları",
        "lər",
        "lar",
        "ından",
        "indən",
        "undan",
        "ündən",
        "nın",
        "nin",
        "nun",
        "nün",
        "dan",
        "dən",
        "nda",
        "ndə",
        "ya",
        "yə",
        "da",
        "də",
        "la",
        "lə",
        "ın",
        "in",
        "un",
        "ün",
        "a",
        "ə",
        "ı",
        "i",
        "u",
        "ü",
    ),  # fmt: skip
    romanised=(
        ("ə", "a"),
        ("ş", "sh"),
        ("ç", "ch"),
        ("ğ", "gh"),
        ("ı", "i"),
        ("ö", "o"),
        ("ü", "u"),
        ("x", "kh"),
        ("c", "j"),
        ("j", "zh"),
    ),  # fmt: skip
)

LANGUAGES = (EN, RU, KA, HY, AZ)

# Where the link of an appeal box goes: a page of the outlet's own whose path has one of
# these segments ("/donate", "/en/support-us/", "/membership.html"), or a site for
# readers' money. Whole segments only: "/news/support-for-farmers/" is an article.
DONATION_PATH_SEGMENTS = frozenset(
    "donate donation donations support support-us supportus membership memberships "
    "become-a-member become-a-supporter contribute podderzhat podderzhite pozhertvovat "
    "ianə iane destek".split()
)
DONATION_HOSTS = (
    "patreon.com",
    "buymeacoffee.com",
    "ko-fi.com",
    "opencollective.com",
    "donorbox.org",
    "boosty.to",
)


def fold_case(text: str) -> str:
    """Lower case, with Azerbaijani's (and Turkish's) dotted capital İ as a plain i
    (``str.lower`` makes it an i and a combining dot)."""
    return text.replace("İ", "i").lower()


def words(kind: str) -> tuple[str, ...]:
    """Every language's words of one ``kind`` (a field of ``Language``), in order."""
    return tuple(word for language in LANGUAGES for word in getattr(language, kind))


def alternatives(kind: str) -> str:
    """A regular expression group matching any of the words of ``kind``, longest
    first (so that "updated" does not win over "last updated"), with any white space
    between their words."""
    found = sorted(set(words(kind)), key=len, reverse=True)
    return "(?:" + "|".join(r"\s+".join(map(re.escape, w.split())) for w in found) + ")"


# Month name (folded) -> number, over every language (no two disagree).
MONTHS: dict[str, int] = {
    name: number
    for language in LANGUAGES
    for number, names in enumerate(language.months, start=1)
    for name in names
}
