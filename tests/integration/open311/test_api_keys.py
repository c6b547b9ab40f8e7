"""Submitting a service request needs a client application's ``api_key`` (GeoReport
v2), unless the city runs the public mode, and is throttled per client and per key."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
import typer
from fastapi.testclient import TestClient
from open311_city import NO_PERIODIC_FLUSH, Open311City
from typer.testing import CliRunner

from cityops.cli.open311 import open311_app
from cityops.register.engine import make_engine
from cityops.server import create_app
from cityops.workspace.config import Open311Config, read_config, write_config
from cityops.workspace.workspace import Workspace, open_workspace

FORM = {"service_code": "road", "lat": "30.25", "long": "120.16"}


def _city_with(template: Workspace, root: Path, config: Open311Config) -> Iterator[Open311City]:
    shutil.copytree(template.root, root)
    write_config(root, read_config(root).model_copy(update={"open311": config}))
    workspace = open_workspace(root)
    engine = make_engine(workspace.register_url)
    try:
        with TestClient(create_app(workspace, NO_PERIODIC_FLUSH)) as client:
            yield Open311City(workspace, client, engine)
    finally:
        engine.dispose()


@pytest.fixture
def public_city(city_template: Workspace, tmp_path: Path) -> Iterator[Open311City]:
    yield from _city_with(city_template, tmp_path / "ws", Open311Config(public_post=True))


@pytest.fixture
def throttled_city(city_template: Workspace, tmp_path: Path) -> Iterator[Open311City]:
    """The city with the default limits: 20 a minute per client, 60 per key."""
    yield from _city_with(city_template, tmp_path / "ws", Open311Config())


def post(city: Open311City, fmt: str = "json", **more: str) -> httpx2.Response:
    return city.client.post(f"/open311/v2/requests.{fmt}", data={**FORM, **more})


def test_a_submission_without_a_key_is_refused_401_in_the_spec_error_format(
    city: Open311City,
) -> None:
    as_json = post(city, "json")
    as_xml = post(city, "xml")

    assert (as_json.status_code, as_xml.status_code) == (401, 401)
    [error] = as_json.json()
    assert error["code"] == 401
    assert "api_key" in error["description"]
    root = ET.fromstring(as_xml.content)
    assert (root.tag, root.findtext("error/code")) == ("errors", "401")


@pytest.mark.parametrize("key", ["o311_not-a-key", "x"])
def test_a_submission_with_a_wrong_key_is_refused_403(city: Open311City, key: str) -> None:
    answer = post(city, api_key=key)
    assert answer.status_code == 403
    assert answer.json() == [{"code": 403, "description": "Invalid api_key"}]


def test_a_submission_with_a_valid_key_is_created(city: Open311City) -> None:
    answer = post(city, api_key=city.api_key)
    assert answer.status_code == 201, answer.text


def test_a_revoked_key_is_refused(city: Open311City) -> None:
    key = city.api_key
    app = typer.Typer()
    app.add_typer(open311_app, name="open311")
    result = CliRunner().invoke(
        app, ["open311", "keys", "revoke", "tests", "-w", str(city.workspace.root)]
    )
    assert result.exit_code == 0, result.output
    assert post(city, api_key=key).status_code == 403


def test_the_public_mode_accepts_a_submission_without_a_key(public_city: Open311City) -> None:
    assert post(public_city).status_code == 201
    assert post(public_city, api_key="wrong").status_code == 403, "a key given must be valid"


def test_a_hundred_rapid_posts_from_one_client_are_throttled_after_the_limit(
    throttled_city: Open311City,
) -> None:
    key = throttled_city.api_key
    answers = [post(throttled_city, api_key=key) for _ in range(100)]

    codes = [a.status_code for a in answers]
    assert codes == [201] * 20 + [429] * 80
    refused = answers[20]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    [error] = refused.json()
    assert error["code"] == 429
    assert len(throttled_city.client.get("/open311/v2/requests.json").json()) == 20


def test_guessing_keys_is_throttled_too(throttled_city: Open311City) -> None:
    codes = [post(throttled_city, api_key=f"guess-{i}").status_code for i in range(25)]
    assert codes == [403] * 20 + [429] * 5


def test_one_key_is_throttled_across_clients(city_template: Workspace, tmp_path: Path) -> None:
    config = Open311Config(posts_per_minute_per_key=5, posts_per_minute_per_client=1000)
    for city in _city_with(city_template, tmp_path / "ws", config):
        codes = [post(city, api_key=city.api_key).status_code for _ in range(7)]
        assert codes == [201] * 5 + [429] * 2


def test_keys_are_created_listed_and_stored_only_as_digests(city: Open311City) -> None:
    app = typer.Typer()
    app.add_typer(open311_app, name="open311")
    where = ["-w", str(city.workspace.root), "--json"]
    runner = CliRunner()

    created = runner.invoke(app, ["open311", "keys", "create", "city-app", *where])
    listed = runner.invoke(app, ["open311", "keys", "list", *where])
    again = runner.invoke(app, ["open311", "keys", "create", "city-app", *where])

    assert created.exit_code == 0, created.output
    key = json.loads(created.stdout)["api_key"]
    assert [k["name"] for k in json.loads(listed.stdout)["keys"]] == ["city-app"]
    assert key not in listed.stdout
    assert again.exit_code != 0
    assert key.encode() not in (city.workspace.root / "register.sqlite").read_bytes()
    assert post(city, api_key=key).status_code == 201
