"""Every programme and scope row of a public edition has a stable anchor and a link to itself."""

import re
from typing import Any

import pytest
from django.urls import reverse

from catalogue.models import Programme, Scope

pytestmark = pytest.mark.django_db


def test_every_programme_and_scope_row_has_an_anchor_from_its_catalogue_id(
    client: Any, published_edition: Any
) -> None:
    html = client.get(published_edition.get_absolute_url()).content.decode()
    for programme in Programme.objects.all():
        assert f'<tbody id="programme-{programme.pk}"' in html
    for scope in Scope.objects.all():
        assert f'<tr id="scope-{scope.pk}"' in html


def test_anchors_are_the_ones_the_snapshot_carries(client: Any, published_edition: Any) -> None:
    """The id comes from the frozen snapshot, so a later catalogue edit cannot move it."""
    html = client.get(reverse("public:home")).content.decode()
    ids = {s["id"] for p in published_edition.snapshot["programmes"] for s in p["scopes"]}
    assert set(map(int, re.findall(r'<tr id="scope-(\d+)"', html))) == ids


def test_each_row_has_a_plain_link_and_a_copy_button_to_itself(
    client: Any, published_edition: Any
) -> None:
    html = client.get(reverse("public:home")).content.decode()
    scope = Scope.objects.get(title="半導體")
    assert f'<a href="#scope-{scope.pk}" class="row-link">' in html
    assert f'<button type="button" class="copy-link" data-href="#scope-{scope.pk}">' in html
    assert f'<a href="/scopes/{scope.pk}/" class="row-link">' in html
    programme = scope.programme
    assert f'data-href="#programme-{programme.pk}"' in html
    # The script is a file (CSP forbids inline script), and nothing else is.
    assert '<script src="/static/public/copy-link.js" defer></script>' in html
    assert html.count("<script") == 1


def test_a_continued_card_names_its_programme(client: Any, published_edition: Any) -> None:
    html = client.get(reverse("public:home")).content.decode()
    scopes = Scope.objects.filter(programme__serial=2).order_by("order")
    second = scopes[1]
    row = html.split(f'<tr id="scope-{second.pk}"', 1)[1].split("</tr>", 1)[0]
    assert f'<span class="card-programme">2. {second.programme.name}</span>' in row


def test_the_table_page_has_a_jump_list_and_a_way_back_to_the_top(
    client: Any, published_edition: Any
) -> None:
    html = client.get(reverse("public:home")).content.decode()
    nav = html.split('<nav class="jump-list"', 1)[1].split("</nav>", 1)[0]
    for programme in Programme.objects.all():
        assert f'href="#programme-{programme.pk}"' in nav
    assert '<a href="#top">' in html and 'id="top"' in html


def test_every_data_cell_names_its_headers_and_every_header_has_an_id(
    client: Any, published_edition: Any
) -> None:
    html = client.get(reverse("public:home")).content.decode()
    table = html.split('<table class="bulletin">', 1)[1].split("</table>", 1)[0]
    ids = set(re.findall(r'<th[^>]* id="([^"]+)"', table))
    assert len(re.findall(r"<th\b", table)) == len(ids) == 5 + 9 + 20
    for headers in re.findall(r'<td[^>]* headers="([^"]+)"', table):
        assert set(headers.split()) <= ids
    assert len(re.findall(r"<td\b", table)) == len(re.findall(r"<td[^>]* headers=", table))


def test_a_shared_recognition_cell_names_every_scope_it_spans(
    client: Any, published_edition: Any
) -> None:
    html = client.get(reverse("public:home")).content.decode()
    cell = re.search(r'<td class="recognition" rowspan="4" headers="([^"]+)"', html)
    assert cell is not None
    scope_ids = [h for h in cell.group(1).split() if h.startswith("scope-")]
    assert len(scope_ids) == 4


def test_the_published_html_file_has_anchors_but_no_site_links(published_edition: Any) -> None:
    file = published_edition.files.get(format="html")
    html = file.file.open("rb").read().decode()
    assert 'id="scope-' in html
    assert "copy-link" not in html.split("<style>")[1].split("</style>")[1]
    assert "/scopes/" not in html
