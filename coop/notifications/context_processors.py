from __future__ import annotations

from typing import Any


def notifications(request: Any) -> dict[str, Any]:
    return {}
