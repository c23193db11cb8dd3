"""Course pages in English and German (Wagtail locales), at the same unprefixed URLs.

The page in the default language (LANGUAGE_CODE) is the *source*. Cohorts, lesson dates,
schedules, pieces of writing, nudges and every lesson or block id point to it; a translation is
only what a reader sees. Copying a page for translation keeps its StreamField block ids, so a
writing assignment has the same id in every language and a piece written from the German page is
the same piece the English page leads to.

Wagtail routes every request through `site.root_page.localized`: with German active, the German
tree answers at the same paths (HomePage.route falls back to the source tree for pages that are
not translated yet). Lists and emails show each source page through `Translations`, one query
for any number of pages and none in the default language.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import translation
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale


def default_language():
    return get_supported_content_language_variant(settings.LANGUAGE_CODE)


def _locale_id_key(language_code):
    return f"course:locale-id:{language_code}"


def default_locale_id():
    """The id of the default language's Wagtail locale, or None. Every page asks whether it is a
    source page, so the id is kept in the cache until a locale is saved or deleted."""
    language = default_language()
    key = _locale_id_key(language)
    locale_id = cache.get(key)
    if locale_id is None:
        locale_id = Locale.objects.filter(language_code=language).values_list("pk", flat=True).first() or 0
        cache.set(key, locale_id, timeout=None)
    return locale_id or None


def locales_changed(instance=None, **kwargs):
    """Signal receiver for Locale saves and deletes: forget every kept locale id, now and once the
    change commits (a request that read the uncommitted change may have kept it meanwhile)."""
    codes = {code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES}
    if instance is not None:
        codes.add(instance.language_code)
    keys = [_locale_id_key(code) for code in codes]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def content_language(language=None):
    """The content language for a UI language (by default the active one)."""
    try:
        return get_supported_content_language_variant(language or translation.get_language() or settings.LANGUAGE_CODE)
    except LookupError:
        return default_language()


def source_of(page):
    """The page's translation in the default language; the page itself when it is that page or
    has none. One query, none for a page in the default language."""
    if page.locale_id == default_locale_id():
        return page
    source = (
        type(page)
        .objects.filter(translation_key=page.translation_key, locale__language_code=default_language())
        .first()
    )
    return page if source is None or source.pk == page.pk else source


def is_untranslated_for(page, language=None):
    """Whether a reader of `language` (by default the active one) gets `page` in the source
    language because it has no translation in theirs yet (routing falls back to the source)."""
    # The reader's language first: it needs no cache read.
    return content_language(language) != default_language() and page.locale_id == default_locale_id()


def language_name(page_or_code):
    """The name of a page's language (or a language code's) in the active language."""
    code = getattr(getattr(page_or_code, "locale", None), "language_code", page_or_code)
    return translation.get_language_info(code)["name_translated"]


class Translations:
    """Source pages as a reader of `language` sees them: the live translation where there is one,
    else the source page. One query per page type, none for the default language (the pages
    given are sources, as everything keyed by id is)."""

    def __init__(self, pages, language=None):
        self.language = content_language(language)
        self._by_key = {}
        pages = [page for page in pages if page is not None]
        if not pages or self.language == default_language():
            return
        keys_by_model = {}
        for page in pages:
            keys_by_model.setdefault(type(page), set()).add(page.translation_key)
        for model, keys in keys_by_model.items():
            found = model.objects.live().filter(translation_key__in=keys, locale__language_code=self.language)
            self._by_key.update({(model, page.translation_key): page for page in found})

    def __call__(self, page):
        if page is None:
            return None
        return self._by_key.get((type(page), page.translation_key), page)


def translated_title(relation, model, language=None):
    """A query expression: the title of the live translation of `relation` (a foreign key to a
    page) in `language`, else its own title. No extra query however many rows."""
    language = content_language(language)
    if language == default_language():
        return F(f"{relation}__title")
    translation_title = (
        model.objects.live()
        .filter(translation_key=OuterRef(f"{relation}__translation_key"), locale__language_code=language)
        .values("title")[:1]
    )
    return Coalesce(Subquery(translation_title), F(f"{relation}__title"))
