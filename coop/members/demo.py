"""Demo members: a board, a few dozen members around Barcelona, and some applicants.

Everyone lives on the reserved `coop.example` domain. Only the two published demo logins have a
password; the generated people cannot log in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Literal

from allauth.account.models import EmailAddress

from coop.demo.barcelona import (
    BARRIS,
    CATALAN_FIRST_NAMES,
    CATALAN_SURNAMES,
    INTERNATIONAL_NAMES,
    SPANISH_FIRST_NAMES,
    SPANISH_SURNAMES,
    Barri,
    email_local_part,
    point_near,
)
from coop.demo.registry import DemoContext, DemoLogin
from coop.geo.points import Point
from coop.members.models import MembershipStatus, User
from coop.members.services import member_create

DEMO_DOMAIN = "coop.example"
DEMO_MEMBER_EMAIL = f"demo@{DEMO_DOMAIN}"
DEMO_MEMBER_PASSWORD = "demo-member-2026"  # noqa: S105 - published on purpose, demo data only
BOARD_EMAIL = f"board@{DEMO_DOMAIN}"
BOARD_PASSWORD = "demo-board-2026"  # noqa: S105 - published on purpose, demo data only

GENERATED_MEMBERS = 48
GENERATED_APPLICANTS = 4
CURRENT_YEAR = 2026

SKILLS = (
    "bike mechanics", "small repairs", "cooking", "baking", "gardening", "childcare",
    "translation", "IT help", "sewing", "carpentry", "plumbing", "electrics", "moving help",
    "photography", "music lessons", "dog walking", "painting and decorating", "homework help",
    "elderly care", "paperwork and forms", "Catalan conversation", "English conversation",
    "Spanish conversation", "first aid", "phone repair",
)  # fmt: skip

BIOS: dict[str, tuple[str, ...]] = {
    "ca": (
        "Visc a {barri} des de {since}. M'agrada arreglar coses i compartir eines amb el barri.",
        "A {barri} des de {since}. Tinc un hort urbà i a l'estiu sempre sobren tomàquets.",
        "Treballo a prop de casa, a {barri}, i els caps de setmana dono un cop de mà.",
        "Des de {since} a {barri}. Puc ajudar amb la bici, l'ordinador o una mudança.",
        "Cuino per a massa gent i m'encanta compartir-ho. Visc a {barri} des de {since}.",
    ),
    "es": (
        "Vivo en {barri} desde {since}. Me gusta arreglar cosas y compartir herramientas.",
        "En {barri} desde {since}. Cocino para demasiada gente y me encanta compartirlo.",
        "Trabajo cerca de casa, en {barri}, y los fines de semana echo una mano.",
        "Desde {since} en {barri}. Puedo ayudar con la bici, el ordenador o una mudanza.",
        "Tengo un huerto urbano en {barri} y en verano siempre sobran tomates.",
    ),
    "en": (
        "I've lived in {barri} since {since}. Happy to lend tools and help with small repairs.",
        "Moved to {barri} in {since} and stayed for the neighbours. I cook far too much for one.",
        "Working from home in {barri}; glad to help with computers, forms and translations.",
        "In {barri} since {since}. Cycling everywhere, and fixing other people's bikes on Sundays.",
        "Learning Catalan, teaching English. Living in {barri} since {since}.",
    ),
}

Role = Literal["board", "member", "applicant"]


@dataclass(frozen=True)
class PersonSpec:
    email: str
    display_name: str
    role: Role
    language: str
    home: Point
    bio: str
    skills: tuple[str, ...] = ()
    password: str | None = None


@dataclass
class _Draw:
    """Everything random about the demo people comes from here, in one fixed order."""

    rng: random.Random
    used_emails: set[str] = field(default_factory=lambda: {DEMO_MEMBER_EMAIL, BOARD_EMAIL})

    def email(self, first: str, surname: str) -> str:
        local = email_local_part(first, surname)
        candidate, number = f"{local}@{DEMO_DOMAIN}", 1
        while candidate in self.used_emails:
            number += 1
            candidate = f"{local}{number}@{DEMO_DOMAIN}"
        self.used_emails.add(candidate)
        return candidate

    def name(self) -> tuple[str, str, str]:
        """(first name, surname, preferred language) from a mix like Barcelona's."""
        origin = self.rng.choices(("ca", "es", "international"), weights=(45, 35, 20))[0]
        if origin == "ca":
            first = self.rng.choice(CATALAN_FIRST_NAMES)
            surname = self.rng.choice(CATALAN_SURNAMES + SPANISH_SURNAMES[:4])
            language = self.rng.choices(("ca", "es", "en"), weights=(80, 15, 5))[0]
        elif origin == "es":
            first = self.rng.choice(SPANISH_FIRST_NAMES)
            surname = self.rng.choice(SPANISH_SURNAMES + CATALAN_SURNAMES[:4])
            language = self.rng.choices(("es", "ca", "en"), weights=(65, 30, 5))[0]
        else:
            first, surname = self.rng.choice(INTERNATIONAL_NAMES)
            language = self.rng.choices(("en", "es", "ca"), weights=(70, 25, 5))[0]
        return first, surname, language

    def profile(self, language: str) -> tuple[Point, str, tuple[str, ...]]:
        barri: Barri = self.rng.choice(BARRIS)
        home = point_near(barri, self.rng)
        since = CURRENT_YEAR - self.rng.randint(1, 30)
        bio = _write_bio(self.rng.choice(BIOS[language]), barri, since, language)
        skills = tuple(self.rng.sample(SKILLS, k=self.rng.randint(1, 4)))
        return home, bio, skills


def _write_bio(template: str, barri: Barri, since: int, language: str) -> str:
    name = barri.short_name
    if language == "en":
        # English drops the Catalan article: "in Poblenou", not "in el Poblenou".
        for article in ("el ", "la ", "les ", "l'"):
            name = name.removeprefix(article)
    text = template.format(barri=name, since=since)
    if language == "ca":
        # Catalan contracts a + el: "Visc al Carmel", "Al Born des de 2010".
        text = text.replace(" a el ", " al ").replace("A el ", "Al ")
    return text


_BOARD = (
    # (first name, surname, language, email, password)
    ("Montserrat", "Puig", "ca", BOARD_EMAIL, BOARD_PASSWORD),
    ("Jordi", "Casals", "ca", None, None),
    ("Lucía", "Fernández", "es", None, None),
    ("Amira", "Haddad", "en", None, None),
    ("Oriol", "Vidal", "ca", None, None),
)


def demo_people(rng: random.Random) -> list[PersonSpec]:
    """The same people for the same generator state: board, the demo member, members, applicants."""
    draw = _Draw(rng)
    people: list[PersonSpec] = []
    for first, surname, language, email, password in _BOARD:
        home, bio, skills = draw.profile(language)
        people.append(
            PersonSpec(
                email=email or draw.email(first, surname),
                display_name=f"{first} {surname}",
                role="board",
                language=language,
                home=home,
                bio=bio,
                skills=skills,
                password=password,
            )
        )
    home, bio, skills = draw.profile("en")
    people.append(
        PersonSpec(
            email=DEMO_MEMBER_EMAIL,
            display_name="Marta Soler",
            role="member",
            language="en",
            home=home,
            bio=bio,
            skills=skills,
            password=DEMO_MEMBER_PASSWORD,
        )
    )
    groups: tuple[tuple[Role, int], ...] = (
        ("member", GENERATED_MEMBERS),
        ("applicant", GENERATED_APPLICANTS),
    )
    for role, count in groups:
        for _ in range(count):
            first, surname, language = draw.name()
            home, bio, skills = draw.profile(language)
            people.append(
                PersonSpec(
                    email=draw.email(first, surname),
                    display_name=f"{first} {surname}",
                    role=role,
                    language=language,
                    home=home,
                    bio=bio,
                    # Applicants have not filled in their profile yet.
                    skills=skills if role == "member" else (),
                )
            )
    return people


def _create(person: PersonSpec) -> User:
    if person.role != "applicant":
        return member_create(
            email=person.email,
            display_name=person.display_name,
            password=person.password,
            is_board=person.role == "board",
            home=person.home,
            preferred_language=person.language,
            bio=person.bio,
            skills=person.skills,
        )
    # Applicants come from allauth's sign-up, which is not one of our services; this writes what
    # a sign-up followed by the email confirmation leaves behind.
    user = User.objects.create_user(
        person.email,
        None,
        display_name=person.display_name,
        preferred_language=person.language,
        home_lat=person.home.lat,
        home_lng=person.home.lng,
        bio=person.bio,
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def seed(context: DemoContext) -> None:
    people = demo_people(context.random)
    existing = {
        user.email: user for user in User.objects.filter(email__in=[p.email for p in people])
    }
    for person in people:
        user = existing.get(person.email)
        context.tally("person", created=user is None)
        if user is None:
            user = _create(person)
        if user.membership_status == MembershipStatus.APPLICANT:
            context.applicants.append(user)
        elif user.in_good_standing:
            context.members.append(user)
            if user.is_board:
                context.board.append(user)
    context.logins += [
        DemoLogin(DEMO_MEMBER_EMAIL, DEMO_MEMBER_PASSWORD, "a member"),
        DemoLogin(BOARD_EMAIL, BOARD_PASSWORD, "a board member"),
    ]
    context.write(
        f"members: {len(context.board)} on the board, {len(context.members)} members in good "
        f"standing, {len(context.applicants)} applicants "
        f"({context.created['person']} created, {context.existing['person']} already there)"
    )
