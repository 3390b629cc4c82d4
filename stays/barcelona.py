"""Barcelona's ten districts as SIMPLIFIED polygons, with their demo short-stay policy.

The outlines are hand-drawn approximations of five to seven vertices each ([lat, lng], WGS84),
good enough to place a home in the right district in the demo and the tests; they are not the
official boundaries (Open Data BCN publishes those) and neighbouring shapes may leave small gaps
or overlap near the borders. The licence format is the Catalan tourist register's HUTB-number.
"""

from __future__ import annotations

from dataclasses import dataclass

LICENCE_PATTERN = r"HUTB-\d{6}"


@dataclass(frozen=True, slots=True)
class District:
    slug: str
    name: str
    polygon: list[list[float]]
    licence_required: int
    max_nights: int
    max_guests: int
    new_listings: int


DISTRICTS: tuple[District, ...] = (
    District(
        "ciutat-vella",
        "Ciutat Vella",
        [[41.387, 2.165], [41.3925, 2.179], [41.385, 2.195], [41.374, 2.188], [41.3745, 2.166]],
        1,
        30,
        4,
        0,
    ),
    District(
        "eixample",
        "Eixample",
        [
            [41.379, 2.143],
            [41.3745, 2.156],
            [41.3745, 2.166],
            [41.387, 2.165],
            [41.3925, 2.179],
            [41.3985, 2.193],
            [41.407, 2.18],
            [41.401, 2.158],
            [41.4, 2.15],
            [41.393, 2.14],
        ],
        1,
        60,
        4,
        1,
    ),
    District(
        "sants-montjuic",
        "Sants-Montjuïc",
        [
            [41.33, 2.11],
            [41.379, 2.125],
            [41.379, 2.143],
            [41.3745, 2.156],
            [41.3745, 2.166],
            [41.374, 2.178],
            [41.36, 2.175],
            [41.33, 2.15],
        ],
        1,
        90,
        4,
        1,
    ),
    District(
        "les-corts",
        "Les Corts",
        [[41.379, 2.1], [41.395, 2.105], [41.393, 2.14], [41.379, 2.143], [41.379, 2.125]],
        1,
        90,
        4,
        1,
    ),
    District(
        "sarria-sant-gervasi",
        "Sarrià-Sant Gervasi",
        [
            [41.395, 2.105],
            [41.435, 2.09],
            [41.43, 2.135],
            [41.42, 2.14],
            [41.405, 2.148],
            [41.4, 2.15],
            [41.393, 2.14],
        ],
        1,
        90,
        4,
        1,
    ),
    District(
        "gracia",
        "Gràcia",
        [
            [41.4, 2.15],
            [41.405, 2.148],
            [41.42, 2.14],
            [41.415, 2.17],
            [41.407, 2.18],
            [41.401, 2.158],
        ],
        1,
        60,
        4,
        1,
    ),
    District(
        "horta-guinardo",
        "Horta-Guinardó",
        [
            [41.42, 2.14],
            [41.43, 2.135],
            [41.448, 2.15],
            [41.428, 2.165],
            [41.418, 2.18],
            [41.415, 2.17],
        ],
        1,
        90,
        4,
        1,
    ),
    District(
        "nou-barris",
        "Nou Barris",
        [[41.448, 2.15], [41.468, 2.175], [41.455, 2.195], [41.43, 2.183], [41.428, 2.165]],
        1,
        90,
        4,
        1,
    ),
    District(
        "sant-andreu",
        "Sant Andreu",
        [
            [41.43, 2.183],
            [41.455, 2.195],
            [41.45, 2.215],
            [41.43, 2.205],
            [41.412, 2.19],
            [41.418, 2.18],
            [41.428, 2.165],
        ],
        1,
        90,
        4,
        1,
    ),
    District(
        "sant-marti",
        "Sant Martí",
        [
            [41.385, 2.195],
            [41.3985, 2.193],
            [41.407, 2.18],
            [41.418, 2.18],
            [41.412, 2.19],
            [41.43, 2.205],
            [41.41, 2.225],
            [41.39, 2.205],
        ],
        1,
        90,
        4,
        1,
    ),
)
