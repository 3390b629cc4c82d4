"""Coarse cells: the only places the commons publishes.

A cell is 0.02 degrees of latitude by 0.03 of longitude, about 2.2 km by 2.2 km (5 km²) at
European latitudes: large enough that a cell never points at a home, small enough for a
city to plan with. The grid is fixed to whole multiples of the cell size, so the same place
always falls in the same cell from month to month.
"""

from __future__ import annotations

import math
from typing import Any

CELL_LAT_DEG = 0.02
CELL_LNG_DEG = 0.03


def cell_of(lat: float, lng: float) -> str:
    return f"r{math.floor(lat / CELL_LAT_DEG)}c{math.floor(lng / CELL_LNG_DEG)}"


def _indexes(cell: str) -> tuple[int, int]:
    row, col = cell[1:].split("c")
    return int(row), int(col)


def cell_polygon(cell: str) -> dict[str, Any]:
    """The cell as a GeoJSON Polygon (coordinates are [lng, lat])."""
    row, col = _indexes(cell)
    south, west = row * CELL_LAT_DEG, col * CELL_LNG_DEG
    north, east = south + CELL_LAT_DEG, west + CELL_LNG_DEG
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


def cell_centre(cell: str) -> list[float]:
    row, col = _indexes(cell)
    return [
        round((col + 0.5) * CELL_LNG_DEG, 6),
        round((row + 0.5) * CELL_LAT_DEG, 6),
    ]
