"""Barcelona for the demo: its ten districts, well-known neighbourhoods (barris) and names.

Centres are rounded to 4 decimals (about 10 m) and are the middle of the barri's streets, not of
its administrative polygon; `spread_m` keeps generated homes within the barri's built-up area
(small for the narrow seaside ones, so nobody lives on the beach).
"""

from __future__ import annotations

import math
import random
import unicodedata
from dataclasses import dataclass

from coop.geo.points import Point

# A generous box around the municipality; every demo point must fall inside it.
BBOX_SOUTH, BBOX_NORTH = 41.32, 41.47
BBOX_WEST, BBOX_EAST = 2.05, 2.23

METRES_PER_DEGREE_LAT = 111_320.0

DISTRICTS = (
    "Ciutat Vella",
    "Eixample",
    "Sants-Montjuïc",
    "Les Corts",
    "Sarrià-Sant Gervasi",
    "Gràcia",
    "Horta-Guinardó",
    "Nou Barris",
    "Sant Andreu",
    "Sant Martí",
)


@dataclass(frozen=True, slots=True)
class Barri:
    name: str
    short_name: str  # what people say: "el Born", not "Sant Pere, Santa Caterina i la Ribera"
    district: str
    lat: float
    lng: float
    spread_m: int

    @property
    def centre(self) -> Point:
        return Point(self.lat, self.lng)


BARRIS = (
    # Ciutat Vella
    Barri("el Raval", "el Raval", "Ciutat Vella", 41.3800, 2.1680, 350),
    Barri("el Barri Gòtic", "el Gòtic", "Ciutat Vella", 41.3830, 2.1770, 250),
    Barri("la Barceloneta", "la Barceloneta", "Ciutat Vella", 41.3806, 2.1894, 150),
    Barri("Sant Pere, Santa Caterina i la Ribera", "el Born", "Ciutat Vella", 41.3851, 2.1804, 250),
    # Eixample
    Barri("la Dreta de l'Eixample", "la Dreta de l'Eixample", "Eixample", 41.3940, 2.1700, 400),
    Barri(
        "l'Antiga Esquerra de l'Eixample",
        "l'Esquerra de l'Eixample",
        "Eixample",
        41.3885,
        2.1585,
        350,
    ),
    Barri("la Nova Esquerra de l'Eixample", "la Nova Esquerra", "Eixample", 41.3830, 2.1500, 350),
    Barri("Sant Antoni", "Sant Antoni", "Eixample", 41.3785, 2.1615, 300),
    Barri("la Sagrada Família", "la Sagrada Família", "Eixample", 41.4036, 2.1744, 350),
    Barri("el Fort Pienc", "el Fort Pienc", "Eixample", 41.3965, 2.1815, 250),
    # Sants-Montjuïc
    Barri("Sants", "Sants", "Sants-Montjuïc", 41.3752, 2.1346, 350),
    Barri("Hostafrancs", "Hostafrancs", "Sants-Montjuïc", 41.3760, 2.1440, 200),
    Barri("el Poble-sec", "el Poble-sec", "Sants-Montjuïc", 41.3730, 2.1620, 250),
    # Les Corts
    Barri("les Corts", "les Corts", "Les Corts", 41.3857, 2.1313, 350),
    Barri("Pedralbes", "Pedralbes", "Les Corts", 41.3900, 2.1130, 300),
    # Sarrià-Sant Gervasi
    Barri("Sarrià", "Sarrià", "Sarrià-Sant Gervasi", 41.3995, 2.1217, 350),
    Barri("Sant Gervasi - Galvany", "Galvany", "Sarrià-Sant Gervasi", 41.3960, 2.1430, 350),
    Barri("el Putxet i el Farró", "el Putxet", "Sarrià-Sant Gervasi", 41.4050, 2.1430, 300),
    # Gràcia
    Barri("la Vila de Gràcia", "Gràcia", "Gràcia", 41.4036, 2.1564, 350),
    Barri(
        "el Camp d'en Grassot i Gràcia Nova",
        "el Camp d'en Grassot",
        "Gràcia",
        41.4060,
        2.1650,
        250,
    ),
    Barri("Vallcarca i els Penitents", "Vallcarca", "Gràcia", 41.4130, 2.1450, 300),
    Barri("la Salut", "la Salut", "Gràcia", 41.4130, 2.1530, 250),
    # Horta-Guinardó
    Barri("Horta", "Horta", "Horta-Guinardó", 41.4297, 2.1621, 350),
    Barri("el Guinardó", "el Guinardó", "Horta-Guinardó", 41.4175, 2.1705, 350),
    Barri("el Carmel", "el Carmel", "Horta-Guinardó", 41.4225, 2.1560, 300),
    # Nou Barris
    Barri("Porta", "Porta", "Nou Barris", 41.4330, 2.1770, 300),
    Barri("la Prosperitat", "la Prosperitat", "Nou Barris", 41.4420, 2.1790, 300),
    Barri("el Turó de la Peira", "el Turó de la Peira", "Nou Barris", 41.4336, 2.1683, 250),
    # Sant Andreu
    Barri("Sant Andreu de Palomar", "Sant Andreu", "Sant Andreu", 41.4355, 2.1897, 350),
    Barri("la Sagrera", "la Sagrera", "Sant Andreu", 41.4230, 2.1895, 300),
    Barri("el Congrés i els Indians", "el Congrés", "Sant Andreu", 41.4236, 2.1811, 250),
    Barri("Navas", "Navas", "Sant Andreu", 41.4161, 2.1867, 250),
    # Sant Martí
    Barri("el Poblenou", "el Poblenou", "Sant Martí", 41.4036, 2.2017, 300),
    Barri("el Clot", "el Clot", "Sant Martí", 41.4096, 2.1873, 300),
    Barri("el Camp de l'Arpa del Clot", "el Camp de l'Arpa", "Sant Martí", 41.4150, 2.1820, 300),
    Barri("el Parc i la Llacuna del Poblenou", "la Llacuna", "Sant Martí", 41.3985, 2.1935, 300),
    Barri("Sant Martí de Provençals", "Sant Martí", "Sant Martí", 41.4160, 2.1990, 300),
    Barri("la Verneda i la Pau", "la Verneda", "Sant Martí", 41.4230, 2.2010, 300),
)


def in_barcelona(point: Point) -> bool:
    """Inside the box around the city (a cheap sanity check, not the municipal boundary)."""
    return BBOX_SOUTH <= point.lat <= BBOX_NORTH and BBOX_WEST <= point.lng <= BBOX_EAST


def point_near(barri: Barri, rng: random.Random) -> Point:
    """A point uniformly spread over a disc of `barri.spread_m` around its centre (~1 m precise)."""
    distance = barri.spread_m * math.sqrt(rng.random())  # sqrt: uniform over the area
    bearing = rng.uniform(0.0, 2 * math.pi)
    dlat = distance * math.cos(bearing) / METRES_PER_DEGREE_LAT
    dlng = (
        distance * math.sin(bearing) / (METRES_PER_DEGREE_LAT * math.cos(math.radians(barri.lat)))
    )
    return Point(round(barri.lat + dlat, 5), round(barri.lng + dlng, 5))


# People. Grouped by where the names come from, so a name and its surname go together and the
# preferred language follows (roughly) from it.

CATALAN_FIRST_NAMES = (
    "Núria", "Jordi", "Montserrat", "Pau", "Laia", "Marc", "Mireia", "Oriol", "Arnau", "Roser",
    "Quim", "Meritxell", "Joan", "Aina", "Pol", "Berta", "Ferran", "Marta", "Xavier", "Carla",
    "Jaume", "Gemma", "Albert", "Neus", "Guillem", "Anna", "Sergi", "Clara", "Biel", "Judit",
)  # fmt: skip
CATALAN_SURNAMES = (
    "Puig", "Vila", "Ferrer", "Soler", "Serra", "Font", "Roca", "Pujol", "Casals", "Vidal",
    "Riera", "Bosch", "Sala", "Mas", "Coll", "Prat", "Camps", "Sabaté", "Roig", "Castells",
    "Torrent", "Batlle", "Vives", "Grau", "Miró",
)  # fmt: skip
SPANISH_FIRST_NAMES = (
    "Lucía", "Javier", "Carmen", "Alejandro", "María", "Pablo", "Sofía", "Diego", "Elena",
    "Manuel", "Isabel", "Sergio", "Paula", "Antonio", "Cristina", "Raúl", "Rocío", "Álvaro",
    "Inés", "Rubén",
)  # fmt: skip
SPANISH_SURNAMES = (
    "García", "Martínez", "López", "Sánchez", "Fernández", "Romero", "Navarro", "Ruiz", "Moreno",
    "Jiménez", "Ortega", "Molina", "Delgado", "Castro", "Muñoz", "Herrera",
)  # fmt: skip
INTERNATIONAL_NAMES = (
    ("Amira", "Haddad"), ("Chen", "Wei"), ("Fatima", "El Amrani"), ("Giulia", "Rossi"),
    ("Hannah", "Müller"), ("Ibrahim", "Diallo"), ("Lukas", "Schneider"), ("Olga", "Ivanova"),
    ("Priya", "Sharma"), ("Rahul", "Mehta"), ("Yuki", "Tanaka"), ("Kwame", "Mensah"),
    ("Sven", "Andersson"), ("Ana Paula", "Silva"), ("Mohamed", "Benali"), ("Camille", "Dubois"),
    ("Tomasz", "Kowalski"), ("Emma", "Smith"), ("Ayesha", "Khan"), ("Linh", "Nguyen"),
    ("Chiara", "Bianchi"), ("Joost", "de Vries"), ("Siobhan", "Murphy"), ("Mateo", "Fernández"),
)  # fmt: skip


def email_local_part(*names: str) -> str:
    """ "Núria", "Sabaté" -> "nuria.sabate" (ASCII only, for the reserved demo domain)."""
    parts = []
    for name in names:
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        parts.append("".join(ch for ch in ascii_name.lower() if ch.isalnum()))
    return ".".join(part for part in parts if part)
