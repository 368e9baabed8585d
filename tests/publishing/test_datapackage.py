"""Each edition's datapackage.json describes its files as Frictionless tools read them.

Validated with the real `frictionless validate` on the files as the site serves them: their
sizes and SHA-256, the CSV's and XLSX's columns and types.
"""

import datetime
import hashlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from publishing.rendering.document import Document
from publishing.rendering.opendata import header, render_csv, render_datapackage, render_json
from publishing.snapshot import build_snapshot

pytestmark = pytest.mark.django_db

EDITION = "/editions/2025-12-30/"
FRICTIONLESS = str(Path(sys.executable).parent / "frictionless")


def _download_package(client: Any, folder: Path) -> dict[str, Any]:
    """The edition's data package and every file it lists, saved as a re-user saves them."""
    response = client.get(EDITION + "datapackage.json")
    assert response.status_code == 200
    (folder / "datapackage.json").write_bytes(response.content)
    package = json.loads(response.content)
    for resource in package["resources"]:
        (folder / resource["path"]).write_bytes(client.get(EDITION + resource["path"]).content)
    return package


def _validate(folder: Path) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        [FRICTIONLESS, "validate", "--json", "datapackage.json"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, json.loads(done.stdout)


def test_the_served_files_validate_against_their_data_package(
    client: Any, published_edition: Any, tmp_path: Path
) -> None:
    package = _download_package(client, tmp_path)
    code, report = _validate(tmp_path)
    assert code == 0 and report["valid"], report
    assert {task["name"] for task in report["tasks"]} == {
        "scopes-csv",
        "scopes-xlsx",
        "scopes-ods",
        "scopes-json",
        "bulletin-html",
    }
    stored = {f.format: f for f in published_edition.files.all()}
    for resource in package["resources"]:
        file = stored[resource["format"]]
        assert resource["bytes"] == file.size
        assert resource["hash"] == f"sha256:{file.sha256}"
    # The package is one of the edition's files: in its manifest, with its own hash.
    manifest = client.get(EDITION + "manifest.json").json()
    listed = {f["format"]: f for f in manifest["files"]}
    assert listed["datapackage"]["sha256"] == stored["datapackage"].sha256
    assert listed["datapackage"]["url"].endswith(EDITION + "datapackage.json")


def test_a_file_altered_after_download_fails_validation(
    client: Any, published_edition: Any, tmp_path: Path
) -> None:
    package = _download_package(client, tmp_path)
    csv = tmp_path / next(r["path"] for r in package["resources"] if r["format"] == "csv")
    csv.write_bytes(csv.read_bytes().replace("經濟部".encode(), "經建會".encode(), 1))
    code, report = _validate(tmp_path)
    assert code != 0 and not report["valid"]
    (task,) = [t for t in report["tasks"] if not t["valid"]]
    assert task["name"] == "scopes-csv"
    assert "hash-count" in {error["type"] for error in task["errors"]}


def test_data_package_states_licence_iso_date_and_chinese_column_titles(
    demo_bulletin: Any,
) -> None:
    document = Document(build_snapshot(demo_bulletin), datetime.date(2025, 12, 30), "說明")
    files = {"csv": render_csv(document), "json": render_json(document)}
    package = json.loads(render_datapackage(document, files))
    assert package["licenses"] == [
        {
            "name": "OGDL-Taiwan-1.0",
            "title": "政府資料開放授權條款－第1版",
            "path": "https://data.gov.tw/license",
        }
    ]
    assert package["version"] == package["edition"]["date"] == "2025-12-30"
    assert package["edition"]["roc_date"] == "114.12.30"
    csv_resource, json_resource = package["resources"]
    assert csv_resource["path"] == "policy-industries-114-12-30.csv"
    assert csv_resource["hash"] == "sha256:" + hashlib.sha256(files["csv"]).hexdigest()
    fields = csv_resource["schema"]["fields"]
    assert [f["name"] for f in fields] == [f["title"] for f in fields] == header()
    types = {f["name"]: f["type"] for f in fields}
    assert types["序號"] == "integer" and types["版本日期（西元）"] == "date"
    assert json_resource["type"] == "file" and "schema" not in json_resource


def test_verify_finds_an_altered_data_package(published_edition: Any) -> None:
    stored = published_edition.files.get(format="datapackage")
    path = Path(stored.file.path)
    path.write_bytes(path.read_bytes().replace(b'"bytes": ', b'"bytes": 1', 1))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("edition", "verify", "--all", stdout=out)
    assert re.search(r"不符：datapackage（editions/\S+\.json）：大小為 \d+ 位元組", out.getvalue())
