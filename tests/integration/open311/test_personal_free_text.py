"""A phone or ID-card number a citizen types into the description, however spelled,
is sealed at rest and masked wherever it is shown to someone without the
personal-data right: Open311's anonymous readers (JSON and XML) and staff
listing tickets; it comes in clear only to a user with the right who asks."""

from __future__ import annotations

from collections.abc import Mapping

import pytest
import sqlalchemy as sa
from open311_city import Open311City

from cityops.access.roles import Role
from cityops.register.access_schema import service_requests
from cityops.services.tickets import seal_free_text
from cityops.services.unit_of_work import Backend

DESCRIPTION = "路灯不亮。电话１３８ 1234-1234，身份证110105-19491231-002X，邮箱zhang@example.cn"
MASKED = "路灯不亮。电话138****1234，身份证110105********002X，邮箱z***@example.cn"
NOTE = "已回电 138\u00a01234\u00a01234"
NOTE_MASKED = "已回电 138****1234"
SECRETS = ("12341234", "1234-1234", "19491231", "zhang@")


def leaked(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def test_open311_reads_show_the_description_masked_in_json_and_xml(city: Open311City) -> None:
    request_id = city.submitted(description=DESCRIPTION)

    answers = [
        city.client.get(f"/open311/v2/{path}.{fmt}")
        for path in ("requests", f"requests/{request_id}")
        for fmt in ("json", "xml")
    ]

    assert [a.status_code for a in answers] == [200] * 4
    assert [leaked(a.text) for a in answers] == [[]] * 4
    assert city.request(request_id)["description"] == MASKED
    assert all(MASKED in a.text for a in answers)


def test_status_notes_are_masked_for_open311_readers(city: Open311City) -> None:
    request_id = city.submitted(description="路灯不亮")
    staff = city.staff(Role.DEPARTMENT, department="城管局")
    answer = city.client.post(
        f"/api/v1/tickets/{request_id}/events",
        headers=staff,
        json={"status": "resolved", "note": NOTE},
    )
    assert answer.status_code == 201, answer.text

    assert city.request(request_id)["status_notes"] == NOTE_MASKED
    assert leaked(city.client.get(f"/open311/v2/requests/{request_id}.xml").text) == []


@pytest.mark.parametrize(
    ("role", "department"),
    [
        pytest.param(Role.DEPARTMENT, "城管局", id="department"),
        pytest.param(Role.SUPERVISOR, None, id="supervisor"),
        pytest.param(Role.AUDITOR, None, id="auditor"),
        pytest.param(Role.OPERATOR, None, id="operator"),
    ],
)
def test_staff_without_the_right_see_the_description_masked(
    city: Open311City, role: Role, department: str | None
) -> None:
    request_id = city.submitted(description=DESCRIPTION)
    staff = city.staff(role, department=department)

    listed = city.client.get("/api/v1/tickets", headers=staff)
    one = city.client.get(f"/api/v1/tickets/{request_id}", headers=staff)

    assert [t["description"] for t in listed.json()] == [MASKED]
    assert one.json()["description"] == MASKED
    assert leaked(listed.text) == leaked(one.text) == []


def test_with_the_right_and_asking_the_description_comes_in_clear(city: Open311City) -> None:
    request_id = city.submitted(description=DESCRIPTION)
    allowed: Mapping[str, str] = city.department(personal=True)

    asked = city.client.get(
        f"/api/v1/tickets/{request_id}", headers=allowed, params={"unmasked": "true"}
    )
    not_asked = city.client.get(f"/api/v1/tickets/{request_id}", headers=allowed)

    assert asked.json()["description"] == DESCRIPTION
    assert not_asked.json()["description"] == MASKED


def test_free_text_is_stored_only_encrypted(city: Open311City) -> None:
    request_id = city.submitted(description=DESCRIPTION)
    staff = city.staff(Role.DEPARTMENT, department="城管局")
    city.client.post(
        f"/api/v1/tickets/{request_id}/events",
        headers=staff,
        json={"status": "resolved", "note": NOTE},
    )

    with city.engine.connect() as connection:
        row = connection.execute(sa.select(service_requests)).mappings().one()

    assert leaked(" ".join(str(v) for v in row.values())) == []
    assert (row["description"], row["status_notes"]) == (None, None)
    assert city.cipher.decrypt(row["description_enc"]) == DESCRIPTION
    assert city.cipher.decrypt(row["status_notes_enc"]) == NOTE


def test_free_text_stored_in_clear_before_sealing_is_sealed_by_the_migration_step(
    city: Open311City,
) -> None:
    request_id = city.submitted(description="路灯不亮")
    with city.engine.begin() as connection:  # as a register from before migration 0007 holds it
        connection.execute(
            service_requests.update().values(description=DESCRIPTION, description_enc=None)
        )
    assert city.request(request_id)["description"] == MASKED

    with Backend.open(city.workspace) as backend, backend.unit_of_work() as uow:
        assert seal_free_text(uow) == 1

    with city.engine.connect() as connection:
        row = connection.execute(sa.select(service_requests)).mappings().one()
    assert row["description"] is None
    assert city.cipher.decrypt(row["description_enc"]) == DESCRIPTION
    assert city.request(request_id)["description"] == MASKED
