"""The admin's Import and Export buttons: download, upload, preview, confirm — for editors only."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalogue.models import Programme, Scope
from catalogue.spreadsheet.admin import SESSION_KEY
from catalogue.spreadsheet.formats import FORMATS
from catalogue.spreadsheet.resources import cell_text, export_dataset
from catalogue.spreadsheet.services import export_bulletin

CHANGELIST = reverse("admin:catalogue_programme_changelist")
EXPORT = reverse("admin:catalogue_programme_spreadsheet_export")
IMPORT = reverse("admin:catalogue_programme_spreadsheet_import")
CONFIRM = reverse("admin:catalogue_programme_spreadsheet_confirm")


def edited_csv(bulletin, **changes) -> bytes:
    """The bulletin's sheet as CSV, with the first row's cells changed (column header → text)."""
    dataset = export_dataset(bulletin)
    first = dict(zip(dataset.headers, dataset[0], strict=True))
    first.update(changes)
    dataset[0] = [first[h] for h in dataset.headers]
    return FORMATS["csv"].export_data(dataset)


def upload(client, bulletin, content: bytes, *, name="edited.csv", allow_delete=False):
    data = {"bulletin": bulletin.pk, "file": SimpleUploadedFile(name, content)}
    if allow_delete:
        data["allow_delete"] = "on"
    return client.post(IMPORT, data)


def test_the_programme_list_has_import_and_export_buttons_for_an_editor(
    client, editor, demo_bulletin
):
    client.force_login(editor)
    page = client.get(CHANGELIST).content.decode()
    assert f'href="{IMPORT}"' in page
    assert f'href="{EXPORT}"' in page


def test_an_approver_sees_export_but_not_import(client, approver, demo_bulletin):
    client.force_login(approver)
    page = client.get(CHANGELIST).content.decode()
    assert f'href="{EXPORT}"' in page
    assert f'href="{IMPORT}"' not in page


def test_export_downloads_the_sheet_in_the_chosen_format(client, approver, demo_bulletin):
    client.force_login(approver)
    assert "檔案格式" in client.get(EXPORT).content.decode()

    response = client.get(EXPORT, {"bulletin": demo_bulletin.pk, "file_format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="policy-industries-' in response["Content-Disposition"]
    table = FORMATS["xlsx"].read(response.content)
    assert table.headers[0] == "序號" and len(table.rows) == 20


def test_upload_shows_a_preview_with_changed_cells_and_writes_nothing(
    client, editor, demo_bulletin
):
    client.force_login(editor)
    scope = Scope.objects.filter(programme__bulletin=demo_bulletin).first()

    response = upload(client, demo_bulletin, edited_csv(demo_bulletin, 願景="成為半導體強國"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "匯入預覽" in page
    assert (
        'class="cell-changed"><ins>成為半導體強國</ins><del>成為全球半導體全供應鏈主導者</del>'
        in page
    )
    assert "新增 0 列、修改 1 列、不變 19 列" in page
    assert "確認匯入" in page
    scope.refresh_from_db()
    assert scope.headline == "成為全球半導體全供應鏈主導者"
    assert scope.history.count() == 1


def test_confirming_the_preview_applies_it_with_the_editor_and_file_in_history(
    client, editor, demo_bulletin
):
    client.force_login(editor)
    scope = Scope.objects.filter(programme__bulletin=demo_bulletin).first()
    preview = upload(client, demo_bulletin, edited_csv(demo_bulletin, 願景="成為半導體強國"))
    form = preview.context["confirm_form"]

    response = client.post(
        CONFIRM, {"token": form["token"].value(), "fingerprint": form["fingerprint"].value()}
    )

    assert response.status_code == 302
    assert response["Location"] == CHANGELIST
    scope.refresh_from_db()
    assert scope.headline == "成為半導體強國"
    latest = scope.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (editor, "匯入 edited.csv")
    assert client.session[SESSION_KEY] == {}


def test_a_preview_can_be_confirmed_only_once(client, editor, demo_bulletin):
    client.force_login(editor)
    preview = upload(client, demo_bulletin, edited_csv(demo_bulletin, 願景="成為半導體強國"))
    form = preview.context["confirm_form"]
    data = {"token": form["token"].value(), "fingerprint": form["fingerprint"].value()}
    client.post(CONFIRM, data)
    scope = Scope.objects.filter(programme__bulletin=demo_bulletin).first()
    revisions = scope.history.count()

    response = client.post(CONFIRM, data, follow=True)

    assert "找不到這次匯入的預覽" in response.content.decode()
    assert scope.history.count() == revisions


def test_an_untouched_export_previews_as_no_change_and_offers_no_confirm(
    client, editor, demo_bulletin
):
    client.force_login(editor)
    content = client.get(EXPORT, {"bulletin": demo_bulletin.pk, "file_format": "ods"}).content

    page = upload(client, demo_bulletin, content, name="untouched.ods").content.decode()

    assert "沒有需要匯入的變更" in page
    assert "確認匯入" not in page


def test_a_bad_file_is_refused_on_the_upload_page_with_row_and_column(
    client, editor, demo_bulletin
):
    client.force_login(editor)

    response = upload(client, demo_bulletin, edited_csv(demo_bulletin, **{"部會/機關": "外星部"}))

    page = response.content.decode()
    assert "檔案未匯入，有 1 個問題" in page
    assert "第 2 列「部會/機關」欄：找不到部會或機關「外星部」" in page
    assert SESSION_KEY not in client.session


def test_missing_rows_are_deleted_only_when_the_editor_ticks_the_option(
    client, editor, demo_bulletin
):
    client.force_login(editor)
    dataset = export_dataset(demo_bulletin)
    gone = Programme.objects.get(bulletin=demo_bulletin, serial=9)
    rows = [row for row in dataset if row[0] != 9]
    dataset.wipe()
    dataset.headers = export_dataset(demo_bulletin).headers
    for row in rows:
        dataset.append(row)
    content = FORMATS["csv"].export_data(dataset)

    kept = upload(client, demo_bulletin, content).content.decode()
    assert "將保留的項目" in kept and "9. 臺灣2050淨零轉型" in kept
    assert "沒有需要匯入的變更" in kept

    preview = upload(client, demo_bulletin, content, allow_delete=True)
    assert "確認後將刪除的項目" in preview.content.decode()
    form = preview.context["confirm_form"]
    client.post(
        CONFIRM, {"token": form["token"].value(), "fingerprint": form["fingerprint"].value()}
    )
    assert not Programme.objects.filter(pk=gone.pk).exists()


def test_an_approver_may_not_import(client, approver, demo_bulletin):
    client.force_login(approver)
    assert client.get(IMPORT).status_code == 403
    response = upload(client, demo_bulletin, edited_csv(demo_bulletin, 願景="核定者改的"))
    assert response.status_code == 403
    assert client.post(CONFIRM, {"token": "0" * 32, "fingerprint": "0" * 64}).status_code == 403
    assert not Scope.objects.filter(headline="核定者改的").exists()


def test_an_outsider_is_sent_to_the_login_page(client, outsider, demo_bulletin):
    client.force_login(outsider)
    for url in (IMPORT, EXPORT):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    response = upload(client, demo_bulletin, edited_csv(demo_bulletin, 願景="外人改的"))
    assert response.status_code == 302
    assert not Scope.objects.filter(headline="外人改的").exists()


def test_confirm_accepts_only_post(client, editor, demo_bulletin):
    client.force_login(editor)
    assert client.get(CONFIRM).status_code == 405


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_csv_export_streams_the_same_file_as_the_writer(
    client, approver, demo_bulletin, django_assert_max_num_queries
):
    client.force_login(approver)
    with django_assert_max_num_queries(12):
        response = client.get(EXPORT, {"bulletin": demo_bulletin.pk, "file_format": "csv"})
    assert response.streaming
    assert 'filename="policy-industries-' in response["Content-Disposition"]
    assert _body(response) == export_bulletin(bulletin=demo_bulletin, file_format="csv")


def test_the_exported_file_round_trips_through_the_admin(client, editor, demo_bulletin):
    client.force_login(editor)
    for file_format in ("csv", "xlsx", "ods", "json"):
        content = _body(
            client.get(EXPORT, {"bulletin": demo_bulletin.pk, "file_format": file_format})
        )
        response = upload(client, demo_bulletin, content, name=f"x.{file_format}")
        plan = response.context["plan"]
        assert plan.change_count == 0, file_format
        assert [cell_text(c.value) for c in plan.rows[0].cells][0] == "1"
