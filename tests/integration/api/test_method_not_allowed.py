"""A method a path does not serve answers ``405`` with an ``Allow`` header that lists
every method the path serves (RFC 9110 §15.5.6), also where several operations share
the path."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize("method", ["OPTIONS", "PUT", "DELETE", "PATCH"])
def test_a_path_of_two_operations_allows_both(api_client: TestClient, method: str) -> None:
    answer = api_client.request(method, "/open311/v2/requests.json")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, POST"
    assert answer.json() == {"detail": "Method Not Allowed"}


def test_a_path_of_one_operation_allows_it(api_client: TestClient) -> None:
    answer = api_client.delete("/api/v1/regions")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET"


def test_other_http_errors_keep_their_answer(api_client: TestClient) -> None:
    answer = api_client.get("/api/v1/no-such-thing")
    assert answer.status_code == 404
    assert answer.json() == {"detail": "Not Found"}
