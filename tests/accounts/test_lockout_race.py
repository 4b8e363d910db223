"""Eight wrong passwords at once on PostgreSQL: the account locks at exactly the fifth, no failure is
lost, and the three after the lock are refused without counting."""

import threading
from datetime import UTC, datetime, timedelta

from nurture.accounts import audit, users
from nurture.db import session_scope

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
THREADS = 8


def test_eight_concurrent_wrong_passwords_lock_at_five_and_lose_no_count(pg_url):
    with session_scope() as s:
        users.add(s, "maria", "ops", "correct horse battery", actor="cli:root", now=NOW)
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            start.wait()
            with session_scope() as s:
                assert users.authenticate(s, "maria", "a wrong password here", NOW) is None
        except BaseException as exc:  # a thread's failure must fail the test, not vanish
            errors.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with session_scope() as s:
        maria = users.by_name(s, "maria")
        assert maria.failed_signins == 5 and maria.locked_until == NOW + timedelta(minutes=15)
        actions = [e.action for e in audit.entries(s, target_kind="account", target="maria")]
    assert actions.count("sign-in failed") == 5
    assert actions.count("account locked") == 1
    assert actions.count("sign-in refused") == THREADS - 5
    with session_scope() as s:
        assert users.authenticate(s, "maria", "correct horse battery", NOW + timedelta(minutes=14)) is None
