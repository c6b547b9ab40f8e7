"""The contacts a citizen leaves (name, phone, e-mail): encrypted at rest, never shown by
Open311, masked for staff, and shown in clear only to a user with the personal-data
right who asks, each such view (and each refusal) written to the audit log."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
import sqlalchemy as sa
from open311_city import Open311City, lake_events

from cityops.access.roles import Role
from cityops.register.access_schema import audit_log, service_requests, ticket_outbox
from cityops.tickets.outbox import flush_outbox

CONTACTS = {
    "first_name": "三",
    "last_name": "张",
    "phone": "13812341234",
    "email": "zhang@example.cn",
}
IN_CLEAR = {"name": "张三", "phone": "13812341234", "email": "zhang@example.cn"}
"""A Chinese name is written family name first, unspaced."""
MASKED = {"name": "张*", "phone": "138****1234", "email": "z***@example.cn"}
"""Masked the way government systems here do: the family name, the first three and
last four digits of a mobile number, the first letter and domain of an address."""
PERSONAL_VIEW = "read:personal_data"


def username(city: Open311City, headers: Mapping[str, str]) -> str:
    name: str = city.client.get("/api/v1/auth/me", headers=headers).json()["username"]
    return name


def personal_views(city: Open311City) -> list[tuple[str | None, str, str]]:
    """(user, object, result) of every audited attempt to see personal data."""
    query = (
        sa.select(audit_log.c.username, audit_log.c.object, audit_log.c.result)
        .where(audit_log.c.action == PERSONAL_VIEW)
        .order_by(audit_log.c.seq)
    )
    with city.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


def contacts(
    city: Open311City, request_id: str, headers: Mapping[str, str], **params: str
) -> object:
    answer = city.client.get(f"/api/v1/tickets/{request_id}", headers=headers, params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()["contacts"]


@pytest.mark.parametrize(
    ("role", "department"),
    [
        pytest.param(Role.DEPARTMENT, "城管局", id="department"),
        pytest.param(Role.SUPERVISOR, None, id="supervisor"),
        pytest.param(Role.AUDITOR, None, id="auditor"),
        pytest.param(Role.OPERATOR, None, id="operator"),
    ],
)
def test_staff_without_the_personal_data_right_see_contacts_masked(
    city: Open311City, role: Role, department: str | None
) -> None:
    request_id = city.submitted(**CONTACTS)
    staff = city.staff(role, department=department)

    one = contacts(city, request_id, staff)
    listed = city.client.get("/api/v1/tickets", headers=staff).json()

    assert one == {**MASKED, "masked": True}
    assert [t["contacts"] for t in listed] == [{**MASKED, "masked": True}]
    assert personal_views(city) == []


def test_the_right_alone_does_not_unmask_a_view_that_did_not_ask(city: Open311City) -> None:
    request_id = city.submitted(**CONTACTS)
    allowed = city.department(personal=True)

    assert contacts(city, request_id, allowed) == {**MASKED, "masked": True}
    assert personal_views(city) == []


def test_with_the_right_and_asking_contacts_come_in_clear_and_the_view_is_audited(
    city: Open311City,
) -> None:
    request_id = city.submitted(**CONTACTS)
    allowed = city.department(personal=True)

    one = contacts(city, request_id, allowed, unmasked="true")
    listed = city.client.get("/api/v1/tickets", headers=allowed, params={"unmasked": "true"})

    assert one == {**IN_CLEAR, "masked": False}
    assert [t["contacts"] for t in listed.json()] == [{**IN_CLEAR, "masked": False}]
    user = username(city, allowed)
    assert personal_views(city) == [(user, f"tickets/{request_id}", "ok"), (user, "tickets", "ok")]


def test_asking_without_the_right_is_refused_and_audited(city: Open311City) -> None:
    request_id = city.submitted(**CONTACTS)
    plain = city.department()

    answer = city.client.get(
        f"/api/v1/tickets/{request_id}", headers=plain, params={"unmasked": "true"}
    )

    assert answer.status_code == 403
    assert "13812341234" not in answer.text
    assert personal_views(city) == [(username(city, plain), f"tickets/{request_id}", "refused")]


def test_open311_answers_never_carry_the_contacts(city: Open311City) -> None:
    posted = [city.submit(fmt, **CONTACTS) for fmt in ("json", "xml")]
    [created] = posted[0].json()
    request_id, token = created["service_request_id"], created["token"]

    answers = [
        *posted,
        *(
            city.client.get(f"/open311/v2/{path}.{fmt}")
            for path in ("requests", f"requests/{request_id}", f"tokens/{token}")
            for fmt in ("json", "xml")
        ),
    ]

    assert all(a.status_code in (200, 201) for a in answers)
    leaked = [
        value
        for a in answers
        for value in (*IN_CLEAR.values(), *MASKED.values())
        if value in a.text
    ]
    assert leaked == []


def test_contacts_are_stored_only_encrypted(city: Open311City) -> None:
    first = city.submitted(**CONTACTS)
    second = city.submitted(**CONTACTS)
    flush_outbox(city.workspace)

    with city.engine.connect() as connection:
        rows = connection.execute(sa.select(service_requests)).mappings().all()
        outbox = connection.execute(sa.select(ticket_outbox)).mappings().all()
        audit = connection.execute(sa.select(audit_log)).mappings().all()
    sealed = {row["service_request_id"]: row for row in rows}

    for column, clear in (
        ("contact_name_enc", "张三"),
        ("contact_phone_enc", "13812341234"),
        ("contact_email_enc", "zhang@example.cn"),
    ):
        stored = [sealed[first][column], sealed[second][column]]
        assert all(clear not in value for value in stored)
        assert [city.cipher.decrypt(value) for value in stored] == [clear, clear]
        assert stored[0] != stored[1], "the same phone twice is not the same text twice"
    everything_else = [
        *(v for row in rows for k, v in row.items() if not k.endswith("_enc")),
        *(v for row in [*outbox, *audit] for v in row.values()),
        *(v for event in lake_events(city.workspace) for v in event.values()),
    ]
    assert [v for v in everything_else if isinstance(v, str) and _holds_contact(v)] == []


def test_no_file_of_the_workspace_holds_a_contact_in_clear(city: Open311City) -> None:
    city.submitted(**CONTACTS)
    flush_outbox(city.workspace)
    city.client.get("/api/v1/tickets", headers=city.department(personal=True))

    files = [p for p in city.workspace.root.rglob("*") if p.is_file()]
    holding = [
        str(p.relative_to(city.workspace.root))
        for p in files
        for clear in IN_CLEAR.values()
        if clear.encode() in p.read_bytes()
    ]

    assert any(p.suffix == ".parquet" for p in files), "the lake was written"
    assert holding == []


def _holds_contact(value: str) -> bool:
    return any(clear in value for clear in IN_CLEAR.values())
