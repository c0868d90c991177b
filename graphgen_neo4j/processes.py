"""Background server processes (the local Neo4j, the embedded model): is one alive, stop its group."""

from __future__ import annotations

import os
import signal


def alive(pid: int) -> bool:
    """True while ``pid`` runs (another user's process too); a zombie child of ours counts as
    dead (and is reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return True


def signal_group(pid: int, sig: signal.Signals) -> None:
    """Send ``sig`` to the process group of ``pid`` (gone already: nothing to do)."""
    try:
        os.killpg(os.getpgid(pid), sig)
    except ProcessLookupError:
        pass
