"""The site speaks Traditional Chinese by default and English to browsers that ask for it.

The English catalogue is locale/en/LC_MESSAGES/django.po (msgids are the Chinese texts), compiled
into django.mo beside it; both are kept in the repository, so a machine without gettext serves it.
"""

import ast
import gettext
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from catalogue.models import Agency

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdif]|%%|\{(\w*)\}")


def read_po(path: Path) -> list[dict[str, Any]]:
    """A .po file's entries: {"msgid", "msgid_plural", "msgstr": [...], "flags"}; no header."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, Any] = {"msgstr": [], "flags": set()}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#") or not line.strip():
                continue
            elif line.startswith('"'):
                _append(entry, key, ast.literal_eval(line))
            else:
                key, _, value = line.partition(" ")
                _append(entry, key, ast.literal_eval(value), new=True)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def _append(entry: dict[str, Any], key: str | None, text: str, new: bool = False) -> None:
    if key is not None and key.startswith("msgstr"):
        if new:
            entry["msgstr"].append(text)
        else:
            entry["msgstr"][-1] += text
    elif key is not None:
        entry[key] = text if new else entry[key] + text


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text) if match.group(0))


@pytest.fixture(scope="module")
def po_entries() -> list[dict[str, Any]]:
    return read_po(LOCALE_DIR / "django.po")


def test_every_message_of_the_english_catalogue_has_a_translation(po_entries):
    assert len(po_entries) > 300
    untranslated = [e["msgid"] for e in po_entries if not all(s.strip() for s in e["msgstr"])]
    assert untranslated == []


def test_no_english_translation_is_left_fuzzy(po_entries):
    assert [e["msgid"] for e in po_entries if "fuzzy" in e["flags"]] == []


def test_english_translations_keep_every_placeholder_of_their_chinese_text(po_entries):
    broken = []
    for entry in po_entries:
        for text in entry["msgstr"]:
            wanted = entry["msgid"] if "msgid_plural" not in entry else entry["msgid_plural"]
            # A plural's singular form may say "1 record" instead of "%(counter)s record".
            if set(placeholders(text)) - set(placeholders(wanted)) or (
                "msgid_plural" not in entry and placeholders(text) != placeholders(wanted)
            ):
                broken.append((entry["msgid"], text))
    assert broken == []


def test_the_compiled_catalogue_matches_the_po_file(po_entries):
    with (LOCALE_DIR / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = []
    for entry in po_entries:
        if "msgid_plural" in entry:
            forms = [compiled.ngettext(entry["msgid"], entry["msgid_plural"], n) for n in (1, 2)]
            if forms != entry["msgstr"]:
                stale.append(entry["msgid"])
        elif compiled.gettext(entry["msgid"]) != entry["msgstr"][0]:
            stale.append(entry["msgid"])
    assert stale == [], "run: manage.py compilemessages --ignore=.venv"


def test_gettext_answers_in_english_only_when_english_is_active():
    assert translation.gettext("認定方式") == "認定方式"
    with translation.override("en"):
        assert translation.gettext("認定方式") == "Recognition criteria"
        assert str(Agency._meta.verbose_name) == "Ministry/agency"


def _choose_english(client) -> None:
    """What the language switch on every page does."""
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302


# The admin


@pytest.mark.django_db
def test_admin_login_page_is_in_traditional_chinese_without_accept_language(client):
    page = client.get(reverse("admin:login")).content.decode()
    assert "政策性產業彙整表管理系統" in page
    assert 'lang="zh-hant"' in page


@pytest.mark.django_db
def test_admin_login_page_stays_in_chinese_for_a_browser_set_to_english(client):
    """The agency's site is Chinese for everyone; English is there for those who pick it."""
    page = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content
    assert "政策性產業彙整表管理系統" in page.decode()


@pytest.mark.django_db
def test_admin_login_page_is_in_english_once_english_is_chosen(client):
    _choose_english(client)
    response = client.get(reverse("admin:login"))
    page = response.content.decode()
    assert "Policy Industries Bulletin Administration" in page
    assert "政策性產業彙整表管理系統" not in page
    assert 'lang="en"' in page


def test_admin_index_names_the_catalogue_in_traditional_chinese_by_default(client, editor):
    client.force_login(editor)
    page = client.get(reverse("admin:index")).content.decode()
    assert "政策性產業目錄" in page
    assert "產業範疇" in page
    assert "Industry scope" not in page


def test_admin_index_names_the_catalogue_in_english_once_english_is_chosen(client, editor):
    client.force_login(editor)
    _choose_english(client)
    page = client.get(reverse("admin:index")).content.decode()
    assert "Policy industry catalogue" in page
    assert "Industry scope" in page
    assert "Administration" in page
    # Nothing on the index is data, so no Chinese is left at all, but for the name of the
    # language in the language switch (each language is named in itself).
    page = re.sub(r'<form class="language-switch".*?</form>', "", page, flags=re.S)
    assert re.search(r"[\u3400-\u9fff]", page) is None


def test_chosen_language_outlasts_the_browser_setting(client, editor):
    """/i18n/setlang/ stores the choice in a cookie, which wins over Accept-Language."""
    client.force_login(editor)
    client.post(reverse("set_language"), {"language": "en", "next": reverse("admin:index")})
    page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-TW").content.decode()
    assert "Industry scope" in page


def test_admin_pages_offer_the_language_choice(client, editor):
    client.force_login(editor)
    page = client.get(reverse("admin:index")).content.decode()
    assert 'action="/i18n/setlang/"' in page
    assert '<option value="en"' in page


def test_revision_reason_an_english_editor_leaves_blank_is_stored_in_chinese(client, editor):
    """Revision history is data: the default reason is the site's, not the browser's."""
    client.force_login(editor)
    _choose_english(client)
    response = client.post(
        reverse("admin:catalogue_agency_add"),
        {"name": "測試部", "short_name": "測試", "order": 99, "change_reason": ""},
    )
    assert response.status_code == 302
    agency = Agency.objects.get(name="測試部")
    assert agency.history.get().history_change_reason == "後台新增"


# The public site


def test_public_home_page_is_in_traditional_chinese_by_default(client, published_edition):
    page = client.get(reverse("public:home")).content.decode()
    assert '<html lang="zh-Hant-TW">' in page
    assert "本版異動" in page
    assert "認定方式" in page
    assert "中華民國114年12月30日" in page


def test_public_home_page_stays_in_chinese_for_a_browser_set_to_english(client, published_edition):
    page = client.get(reverse("public:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-Hant-TW">' in page
    assert "本版異動" in page
    assert 'href="/language/en/?next=/"' in page


def test_public_home_page_is_in_english_once_english_is_chosen(client, published_edition):
    _choose_english(client)
    response = client.get(reverse("public:home"))
    page = response.content.decode()
    assert "Cookie" in response["Vary"]
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in page
    assert "Changes in this edition" in page
    assert "Recognition criteria" in page
    assert "ROC 114/12/30" in page
    assert "本版異動" not in page
    # The bulletin itself is data and stays as published.
    assert "政府推動之「政策性產業」彙整表" in page


def test_public_home_page_without_an_edition_is_in_english_too(client, db):
    _choose_english(client)
    page = client.get(reverse("public:home")).content.decode()
    assert "No edition has been published yet." in page


def test_files_published_from_an_english_browser_are_still_in_chinese(approved_edition, approver):
    """The published files are the official text, in the site's language whoever publishes."""
    from publishing import services

    with translation.override("en"):
        edition = services.publish_edition(edition=approved_edition, user=approver)
    html = edition.files.get(format="html").file.open("rb").read().decode()
    assert "認定方式" in html
    assert "Recognition criteria" not in html
