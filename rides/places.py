"""Barcelona neighbourhoods offered as quick picks on the phone forms (and used by the demo).

Centres are approximate public landmarks; a member can always give an exact point instead.
"""

from __future__ import annotations

from coop.geo.points import Point

NEIGHBOURHOODS: dict[str, tuple[str, Point]] = {
    "zona-universitaria": ("Zona Universitària", Point(41.3851, 2.1130)),
    "sarria": ("Sarrià", Point(41.3995, 2.1219)),
    "les-corts": ("Les Corts", Point(41.3887, 2.1290)),
    "sants": ("Sants", Point(41.3752, 2.1368)),
    "francesc-macia": ("Francesc Macià", Point(41.3927, 2.1431)),
    "gracia": ("Gràcia", Point(41.4025, 2.1565)),
    "eixample": ("Eixample", Point(41.3907, 2.1629)),
    "raval": ("El Raval", Point(41.3797, 2.1683)),
    "gotic": ("Barri Gòtic", Point(41.3833, 2.1766)),
    "horta": ("Horta", Point(41.4300, 2.1600)),
    "sagrada-familia": ("Sagrada Família", Point(41.4036, 2.1744)),
    "sant-andreu": ("Sant Andreu", Point(41.4353, 2.1897)),
    "glories": ("Glòries", Point(41.4036, 2.1874)),
    "poblenou": ("Poblenou", Point(41.4064, 2.1968)),
    "barceloneta": ("La Barceloneta", Point(41.3806, 2.1899)),
    "sant-marti": ("Sant Martí", Point(41.4180, 2.1990)),
}


def place_choices() -> list[tuple[str, str]]:
    return [(key, label) for key, (label, _) in NEIGHBOURHOODS.items()]
