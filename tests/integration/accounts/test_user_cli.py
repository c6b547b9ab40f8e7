"""``cityops user``: a password comes from ``$CITYOPS_PASSWORD`` (a process setting), else
is asked for twice, never from the command line, and must meet the policy; users are
bound only to existing regions; ``disable``, ``enable``, ``password`` and ``totp``."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from typer.testing import CliRunner, Result

from cityops.accounts.totp import code_at
from cityops.cli.user import user_app
from cityops.services.accounts import authenticate, principal_for_token
from cityops.services.unit_of_work import unit_of_work
from cityops.settings import ProcessSettings
from cityops.workspace.create import create_workspace
from cityops.workspace.workspace import Workspace

STRONG = "Harbour-lights-7"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return create_workspace(tmp_path_factory.mktemp("users") / "ws", name="示范县")


def _run(workspace: Workspace, *arguments: str, given: str = "") -> Result:
    return CliRunner().invoke(user_app, [*arguments, "-w", str(workspace.root)], input=given)


def _said(result: Result) -> str:
    """What a user sees: the output, and an intended error's message (printed by
    ``cityops.cli.app.main`` on stderr)."""
    return result.output + str(result.exception or "")


def _create(workspace: Workspace, username: str, *options: str, given: str = "") -> str:
    command = ["create", username, "--role", "admin", "--json", *options]
    result = _run(workspace, *command, given=given)
    assert result.exit_code == 0, result.output
    return result.output


def _log_in(workspace: Workspace, username: str, password: str, code: str | None = None) -> str:
    with unit_of_work(workspace) as uow:
        issued = authenticate(uow, username, password, client="tests", code=code).token
    return "" if issued is None else issued.token


def test_a_password_on_the_command_line_is_refused(
    workspace: Workspace, environment: pytest.MonkeyPatch
) -> None:
    environment.delenv("CITYOPS_PASSWORD", raising=False)
    result = _run(workspace, "create", "given", "--role", "admin", "--password", STRONG)
    assert result.exit_code == 2
    assert "No such option" in result.output
    assert not _log_in(workspace, "given", STRONG)


def test_the_environment_gives_the_password(
    workspace: Workspace, environment: pytest.MonkeyPatch
) -> None:
    environment.setenv("CITYOPS_PASSWORD", "From the environment 1")
    assert json.loads(_create(workspace, "envuser"))["username"] == "envuser"
    assert _log_in(workspace, "envuser", "From the environment 1")


def test_without_it_the_password_is_asked_twice(
    workspace: Workspace, environment: pytest.MonkeyPatch
) -> None:
    environment.delenv("CITYOPS_PASSWORD", raising=False)
    output = _create(workspace, "asked", given=f"{STRONG}\n{STRONG}\n")
    assert output.count("Password") == 1
    assert "Repeat for confirmation" in output
    assert _log_in(workspace, "asked", STRONG)


@pytest.mark.parametrize("weak", ["aaaaaaaaaa", "1234567890", "qwertyuiop12", "Weak-Admin-2026"])
def test_a_weak_password_is_refused_and_no_user_made(
    workspace: Workspace, environment: pytest.MonkeyPatch, weak: str
) -> None:
    environment.setenv("CITYOPS_PASSWORD", weak)
    result = _run(workspace, "create", "weak-admin", "--role", "admin")
    assert result.exit_code != 0
    assert "too weak" in _said(result)
    assert weak not in _said(result)
    listed = json.loads(_run(workspace, "list", "--json").output)["users"]
    assert "weak-admin" not in [user["username"] for user in listed]


def test_a_user_bound_to_a_region_that_does_not_exist_is_refused(
    workspace: Workspace, environment: pytest.MonkeyPatch
) -> None:
    environment.setenv("CITYOPS_PASSWORD", STRONG)
    result = _run(workspace, "create", "nowhere", "--role", "supervisor", "--region", "999999")
    assert result.exit_code != 0
    assert "region '999999' is not in the register" in _said(result)


def test_a_disabled_user_can_neither_log_in_nor_use_a_token(
    workspace: Workspace, environment: pytest.MonkeyPatch
) -> None:
    environment.setenv("CITYOPS_PASSWORD", STRONG)
    _create(workspace, "leaver")
    token = _log_in(workspace, "leaver", STRONG)
    assert token
    disabled = _run(workspace, "disable", "leaver")
    assert disabled.exit_code == 0, disabled.output
    assert "1 token(s) revoked" in disabled.output
    assert not _log_in(workspace, "leaver", STRONG)
    with unit_of_work(workspace) as uow:
        assert principal_for_token(uow, token) is None
    assert _run(workspace, "enable", "leaver").exit_code == 0
    assert _log_in(workspace, "leaver", STRONG)
    with unit_of_work(workspace) as uow:
        assert principal_for_token(uow, token) is None


def test_a_password_is_changed_from_the_prompt(
    workspace: Workspace, environment: pytest.MonkeyPatch
) -> None:
    environment.setenv("CITYOPS_PASSWORD", STRONG)
    _create(workspace, "changer")
    environment.delenv("CITYOPS_PASSWORD")
    ProcessSettings.settings_clear_cache()  # as a new process would
    new = "Another strong one 2"
    changed = _run(workspace, "password", "changer", given=f"{new}\n{new}\n")
    assert changed.exit_code == 0, changed.output
    assert not _log_in(workspace, "changer", STRONG)
    assert _log_in(workspace, "changer", new)
    weak = _run(workspace, "password", "changer", given="aaaaaaaaaa\naaaaaaaaaa\n")
    assert weak.exit_code != 0
    assert _log_in(workspace, "changer", new)


def test_an_enrolled_admin_needs_the_current_code_once(
    workspace: Workspace, environment: pytest.MonkeyPatch
) -> None:
    environment.setenv("CITYOPS_PASSWORD", STRONG)
    _create(workspace, "two-factor")
    enrolled = _run(workspace, "totp", "two-factor")
    assert enrolled.exit_code == 0, enrolled.output
    uri = urlparse(enrolled.output.strip())
    assert uri.scheme == "otpauth"
    encoded = parse_qs(uri.query)["secret"][0]
    secret = base64.b32decode(encoded + "=" * (-len(encoded) % 8))
    assert not _log_in(workspace, "two-factor", STRONG)
    now = datetime.now(UTC)
    assert not _log_in(workspace, "two-factor", STRONG, code_at(secret, now - timedelta(hours=1)))
    code = code_at(secret, now)
    assert _log_in(workspace, "two-factor", STRONG, code)
    assert not _log_in(workspace, "two-factor", STRONG, code)  # a code serves once


def test_a_second_factor_is_only_for_admins_and_supervisors(
    workspace: Workspace, environment: pytest.MonkeyPatch
) -> None:
    environment.setenv("CITYOPS_PASSWORD", STRONG)
    result = _run(workspace, "totp", "nobody-here")
    assert result.exit_code != 0
    assert "there is no user 'nobody-here'" in _said(result)


def test_a_users_tokens_are_listed_without_the_tokens_and_revoked(
    workspace: Workspace, environment: pytest.MonkeyPatch
) -> None:
    environment.setenv("CITYOPS_PASSWORD", STRONG)
    _create(workspace, "holder")
    first, second = _log_in(workspace, "holder", STRONG), _log_in(workspace, "holder", STRONG)
    listed = _run(workspace, "tokens", "holder", "--json")
    assert listed.exit_code == 0, listed.output
    assert first not in listed.output
    assert second not in listed.output
    tokens = json.loads(listed.output)["tokens"]
    assert [token["revoked"] for token in tokens] == [False, False]
    short = _run(workspace, "tokens", "holder", "--revoke", "ab")
    assert short.exit_code != 0
    one = _run(workspace, "tokens", "holder", "--revoke", tokens[0]["digest_prefix"], "--json")
    assert json.loads(one.output)["revoked"] == 1
    with unit_of_work(workspace) as uow:
        still = [principal_for_token(uow, token) is not None for token in (first, second)]
    assert sorted(still) == [False, True]
    every = _run(workspace, "tokens", "holder", "--revoke", "all", "--json")
    assert json.loads(every.output)["revoked"] == 1
    with unit_of_work(workspace) as uow:
        assert all(principal_for_token(uow, token) is None for token in (first, second))
