"""Every write to members: creating accounts, admitting members, editing profiles."""

from __future__ import annotations

from collections.abc import Sequence

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from coop.geo.points import Point
from coop.locking import lock_for_update
from coop.members.exceptions import (
    EmailTaken,
    InvalidMembershipChange,
    InvalidProfile,
    MemberLeft,
    OpenObligations,
)
from coop.members.models import MembershipStatus, User

MAX_SKILLS = 30
MAX_SKILL_LENGTH = 40
_UNSET = object()


def _clean_skills(skills: Sequence[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in skills:
        skill = " ".join(str(raw).split())
        if not skill:
            continue
        if len(skill) > MAX_SKILL_LENGTH:
            raise InvalidProfile(
                fields={"skills": [f"Each skill is at most {MAX_SKILL_LENGTH} characters."]}
            )
        if skill.lower() not in {s.lower() for s in cleaned}:
            cleaned.append(skill)
    if len(cleaned) > MAX_SKILLS:
        raise InvalidProfile(fields={"skills": [f"List at most {MAX_SKILLS} skills."]})
    return cleaned


def _next_member_number() -> int:
    highest = User.objects.aggregate(highest=Max("member_number"))["highest"]
    return (highest or 0) + 1


def member_admit(*, user: User) -> User:
    """Make an applicant a member in good standing (their share is paid) with the next number.

    Two admissions at once may pick the same number; the unique constraint refuses the second,
    and we retry it with the next number.
    """
    for _attempt in range(5):
        try:
            with transaction.atomic():
                locked = User.objects.select_for_update().get(pk=user.pk)
                if locked.membership_status != MembershipStatus.APPLICANT:
                    raise InvalidMembershipChange(
                        f"{locked} is already {locked.get_membership_status_display().lower()}."
                    )
                locked.member_number = _next_member_number()
                locked.membership_status = MembershipStatus.MEMBER
                locked.became_member_at = timezone.now()
                locked.save(
                    update_fields=["member_number", "membership_status", "became_member_at"]
                )
                return locked
        except IntegrityError:
            continue
    raise InvalidMembershipChange("Could not assign a member number; please try again.")


@transaction.atomic
def member_create(
    *,
    email: str,
    display_name: str,
    password: str | None = None,
    is_board: bool = False,
    home: Point | None = None,
    preferred_language: str | None = None,
    bio: str = "",
    skills: Sequence[str] = (),
) -> User:
    """Create a member in good standing with a verified email (board onboarding in person)."""
    email = User.objects.normalize_email(email.strip()).lower()
    display_name = " ".join(display_name.split())
    if not display_name:
        raise InvalidProfile(fields={"display_name": ["A display name is required."]})
    if User.objects.filter(email__iexact=email).exists():
        raise EmailTaken(f"A member with the email address {email} already exists.")
    user = User.objects.create_user(
        email,
        password,
        display_name=display_name,
        preferred_language=preferred_language or settings.LANGUAGE_CODE,
        home_lat=home.lat if home else None,
        home_lng=home.lng if home else None,
        bio=bio,
        skills=_clean_skills(skills),
    )
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    user = member_admit(user=user)
    if is_board:
        user.is_board = True
        user.save(update_fields=["is_board"])
    return user


@transaction.atomic
def member_update_profile(
    *,
    user: User,
    display_name: str | None = None,
    preferred_language: str | None = None,
    bio: str | None = None,
    skills: Sequence[str] | None = None,
    home: Point | object | None = _UNSET,
) -> User:
    """Change what a member says about themselves. `home=None` clears the home location."""
    changed: list[str] = []
    if display_name is not None:
        name = " ".join(display_name.split())
        if not name:
            raise InvalidProfile(fields={"display_name": ["A display name is required."]})
        if len(name) > 80:
            raise InvalidProfile(fields={"display_name": ["At most 80 characters."]})
        user.display_name = name
        changed.append("display_name")
    if preferred_language is not None:
        if preferred_language not in dict(settings.LANGUAGES):
            codes = ", ".join(code for code, _ in settings.LANGUAGES)
            raise InvalidProfile(fields={"preferred_language": [f"Choose one of: {codes}."]})
        user.preferred_language = preferred_language
        changed.append("preferred_language")
    if bio is not None:
        if len(bio) > 2000:
            raise InvalidProfile(fields={"bio": ["At most 2000 characters."]})
        user.bio = bio.strip()
        changed.append("bio")
    if skills is not None:
        user.skills = _clean_skills(skills)
        changed.append("skills")
    if home is not _UNSET:
        point = home if isinstance(home, Point) else None
        user.home_lat = point.lat if point else None
        user.home_lng = point.lng if point else None
        changed += ["home_lat", "home_lng"]
    if changed:
        user.save(update_fields=changed)
    return user


def member_set_board(*, user: User, is_board: bool) -> User:
    if is_board and user.membership_status != MembershipStatus.MEMBER:
        raise InvalidMembershipChange("Only members in good standing can sit on the board.")
    User.objects.filter(pk=user.pk).update(is_board=is_board)
    user.is_board = is_board
    return user


def member_leave(*, user: User) -> User:
    """The member leaves the co-op (their share refunded): no longer a member, nor on the board.

    The member number stays theirs, so past records still name the same person.
    """
    if user.membership_status not in {MembershipStatus.MEMBER, MembershipStatus.SUSPENDED}:
        raise InvalidMembershipChange(f"{user} is not a member.")
    User.objects.filter(pk=user.pk).update(membership_status=MembershipStatus.LEFT, is_board=False)
    user.membership_status = MembershipStatus.LEFT
    user.is_board = False
    return user


def member_lock_active(*members: User | None) -> list[User]:
    """Lock the members' rows and refuse (409 `member_left`) if any of them has left.

    Every write that gives a member something `member_delete` checks or anonymises (a booking,
    a loan, hours, an offer, a post) calls this in its transaction, after locking its own rows,
    the order `member_delete` takes them in (its app's `privacy.py` `locks`, then the member):
    a write under way commits first and deletion sees it; a later one waits and finds them gone.
    `None` (a co-op owned item, say) is skipped.
    """
    fresh = lock_for_update(*(User(pk=member.pk) for member in members if member is not None))
    if any(not member.is_active for member in fresh):
        raise MemberLeft()
    return fresh


def member_delete(*, user: User) -> User:
    """The member leaves and is anonymised (`DELETE /api/v1/me`).

    Refused (409 `open_obligations`, each one listed under `fields.obligations`) while anything
    another member or the books rely on is open: a loan, an upcoming stay or ride, a timebank
    balance or exchange, a money balance or pending payment (see each app's `privacy.py`).
    Then every app anonymises its part and the account itself goes last: placeholder email,
    "Former member", no profile, unusable password, inactive, signed out everywhere. Ledger
    entries, bookings and votes stay and keep pointing at the same (now anonymous) user id, so
    every ledger still balances and secret ballots stay unlinkable.
    """
    from coop.members.privacy_registry import (  # noqa: PLC0415 (the apps' modules load late)
        privacy_anonymise,
        privacy_locks,
        privacy_obligations,
    )

    with transaction.atomic():
        # The race: a payment, a posting or a booking committing between our reading of the
        # obligations and our commit would leave an anonymised member owing or owed something.
        # So before reading we lock the rows each app's writes lock (`privacy_locks`: the
        # member's ledger and time accounts, homes, items, rides still to drive) and the
        # member's row (`payment_start` and every booking, loan, transfer or post lock it too,
        # through `member_lock_active`, and refuse a member who has left): a write under way
        # commits first and is seen here, a later one waits for us and then finds them gone.
        # The member's row comes last, in its own call (unlike the one-call rule elsewhere):
        # a transaction that inserts a row pointing at the member (a posting naming them) takes
        # a share lock on it only at COMMIT, when its foreign keys are checked, after the locks
        # it took while working. Holding the member's row while waiting for those locks would
        # deadlock with it.
        app_rows = privacy_locks(user)
        if app_rows:
            lock_for_update(*app_rows)
        # (`User(pk=...)`: callers may hand us request.user, a lazy wrapper.)
        (locked,) = lock_for_update(User(pk=user.pk))
        obligations = privacy_obligations(locked)
        if obligations:
            raise OpenObligations(
                "You can leave once these are settled: " + " ".join(obligations),
                fields={"obligations": obligations},
            )
        privacy_anonymise(locked)
    return locked
