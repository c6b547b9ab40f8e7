"""Headers every answer carries: no sniffing, no framing, and no caching of data, while the
console's static files may be kept by the browser for an hour."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_api_answers_are_never_cached_and_never_framed(api_client: TestClient) -> None:
    answer = api_client.get("/api/v1/regions")
    assert answer.status_code == 401
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_static_files_are_kept_by_the_browser_for_an_hour(api_client: TestClient) -> None:
    answer = api_client.get("/static/console.css")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "private, max-age=3600"
    assert answer.headers["x-content-type-options"] == "nosniff"
