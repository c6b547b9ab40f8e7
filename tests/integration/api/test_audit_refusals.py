"""Anonymous requests refused with 401 are counted per hour and route: a flood adds a
bounded number of audit entries, and the count reaches the audit log as one entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from api_writable import WritableApi

from cityops.register.access_schema import audit_log, refused_requests
from cityops.services.audit import flush_refusals, verify
from cityops.services.unit_of_work import unit_of_work


def _audit_rows(api: WritableApi) -> list[sa.RowMapping]:
    with api.engine.connect() as connection:
        query = sa.select(audit_log).order_by(audit_log.c.seq)
        return list(connection.execute(query).mappings().all())


def test_two_hundred_anonymous_refusals_write_one_entry_and_count_the_rest(
    writable_api: WritableApi,
) -> None:
    before = len(_audit_rows(writable_api))
    for number in range(200):
        answer = writable_api.client.get(f"/api/v1/tickets/T-{number}")
        assert answer.status_code == 401
    rows = _audit_rows(writable_api)[before:]
    assert len(rows) == 1
    assert (rows[0]["action"], rows[0]["result"]) == ("authenticate", "refused")
    assert rows[0]["object"] == "/api/v1/tickets/T-0"
    with writable_api.engine.connect() as connection:
        counters = connection.execute(sa.select(refused_requests)).mappings().all()
    assert [(c["route"], c["count"]) for c in counters] == [
        ("GET /api/v1/tickets/{ticket_id}", 200)
    ]

    with unit_of_work(writable_api.workspace) as uow:
        assert flush_refusals(uow, now=datetime.now(UTC) + timedelta(hours=1)) == 1
        assert verify(uow).intact
    summary = _audit_rows(writable_api)[-1]
    assert summary["action"] == "authenticate:count"
    assert summary["object"].startswith("GET /api/v1/tickets/{ticket_id}: 200 refused in ")
    with writable_api.engine.connect() as connection:
        assert (
            connection.execute(
                sa.select(sa.func.count()).select_from(refused_requests)
            ).scalar_one()
            == 0
        )


def test_an_hour_over_is_written_when_the_next_refusal_comes(writable_api: WritableApi) -> None:
    """No process has to run for the count to reach the log: the next refusal (or
    ``cityops audit anchor``) writes the hours already over."""
    past = datetime.now(UTC) - timedelta(hours=2)
    with writable_api.engine.begin() as connection:
        connection.execute(
            refused_requests.insert().values(
                window_start=past.replace(minute=0, second=0, microsecond=0),
                route="GET /api/v1/facts",
                count=7,
                first_client="10.0.0.9",
                last_client="10.0.0.9",
            )
        )
    assert writable_api.client.get("/api/v1/facts").status_code == 401
    objects = [row["object"] for row in _audit_rows(writable_api)]
    assert any(text.startswith("GET /api/v1/facts: 7 refused in ") for text in objects)
    assert objects[-1] == "/api/v1/facts"
