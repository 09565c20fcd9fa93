"""Run user ids: claimed by the caller, a set per sandbox, none that anything else uses.

The zygote kills every process of a run's user id after the run, so an id that anything
else uses, another sandbox included, must never be given to a run. An id is free when no
account, no group and no process has it, and no other sandbox has claimed it: each claim is
an ``flock`` on a file in ``UID_LOCK_DIR``, which the kernel drops when its holder exits, so
a crashed sandbox leaves no stale claim. Claiming happens in the caller, not the zygote:
account look-ups load NSS libraries, and every library mapped in the zygote makes each fork
dearer.
"""

from __future__ import annotations

import contextlib
import fcntl
import grp
import os
import pwd

UID_LOCK_DIR = "/tmp/datagen-sandbox-uids"
DEFAULT_UID_BASE = 64000
LAST_UID = 65533
"""Run user ids stay below 65534 (nobody) so they exist in 16-bit user namespaces too."""


class UidClaim:
    """User ids held for one sandbox until ``release()`` (or until this process exits)."""

    def __init__(self, uids: tuple[int, ...], locks: list[int]):
        self.uids = uids
        self._locks = locks

    def release(self) -> None:
        while self._locks:
            os.close(self._locks.pop())


def claim_uids(count: int, *, base: int = DEFAULT_UID_BASE) -> UidClaim:
    """``count`` free user ids from ``base`` up (see the module's docstring)."""
    os.makedirs(UID_LOCK_DIR, mode=0o755, exist_ok=True)
    busy = _process_uids()
    uids: list[int] = []
    locks: list[int] = []
    for uid in range(base, LAST_UID + 1):
        if uid in busy or _has_account(uid):
            continue
        lock = os.open(f"{UID_LOCK_DIR}/{uid}", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock)
            continue
        uids.append(uid)
        locks.append(lock)
        if len(uids) == count:
            return UidClaim(tuple(uids), locks)
    UidClaim((), locks).release()
    raise RuntimeError(
        f"only {len(uids)} free user ids between {base} and {LAST_UID}, need {count}: "
        f"lower uid_base or run fewer workers"
    )


def _process_uids() -> set[int]:
    uids = set()
    for name in os.listdir("/proc"):
        if name.isdigit():
            with contextlib.suppress(FileNotFoundError):
                uids.add(os.stat(f"/proc/{name}").st_uid)
    return uids


def _has_account(uid: int) -> bool:
    for lookup in (pwd.getpwuid, grp.getgrgid):
        try:
            lookup(uid)
            return True
        except KeyError:
            pass
    return False
