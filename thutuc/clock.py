"""The build's today: the day stale facts, future retirements and `updated:` dates
are judged against. THUTUC_TODAY=YYYY-MM-DD sets it, for tests and for checking
what a build will do on a given day ("will the retirement apply on the 1st?")."""

from __future__ import annotations

import os
from datetime import date


def today() -> date:
    given = os.environ.get("THUTUC_TODAY", "")
    try:
        return date.fromisoformat(given) if given else date.today()
    except ValueError:
        return date.today()
