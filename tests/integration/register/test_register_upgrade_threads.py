"""Upgrading the register from several threads of one process at once (the API's
requests run in a thread pool, and each contract request checks the migrations)."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic.script import ScriptDirectory

from cityops.register.migrate import alembic_config, current_revision, upgrade

THREADS = 6
UPGRADES_EACH = 5


def test_concurrent_upgrades_in_one_process_do_not_break_each_other(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'register.sqlite'}"
    upgrade(url)
    failures: list[BaseException] = []

    def upgrade_repeatedly() -> None:
        try:
            for _ in range(UPGRADES_EACH):
                upgrade(url)
        except Exception as error:  # collected: the assertion below names it
            failures.append(error)

    threads = [threading.Thread(target=upgrade_repeatedly) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert current_revision(url) == head
