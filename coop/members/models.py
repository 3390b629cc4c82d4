from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from coop.geo.points import Point


class MembershipStatus(models.TextChoices):
    APPLICANT = "applicant", "Applicant"
    MEMBER = "member", "Member"
    SUSPENDED = "suspended", "Suspended"
    LEFT = "left", "Left"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account. Becoming a *member* (a share paid) gives a member number."""

    email = models.EmailField("email address", max_length=254, unique=True)
    display_name = models.CharField(max_length=80)
    preferred_language = models.CharField(
        max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # The home is optional and private; others only ever see an approximate point.
    home_lat = models.FloatField(null=True, blank=True)
    home_lng = models.FloatField(null=True, blank=True)
    bio = models.TextField(blank=True, max_length=2000)
    skills = models.JSONField(default=list, blank=True)

    membership_status = models.CharField(
        max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.APPLICANT
    )
    member_number = models.PositiveIntegerField(null=True, blank=True, unique=True)
    became_member_at = models.DateTimeField(null=True, blank=True)
    is_board = models.BooleanField(
        "board member", default=False, help_text="Board members run votes and review disputes."
    )

    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["display_name"]

    class Meta:
        ordering = ["id"]
        indexes = [
            # The bounding-box prefilter of coop.geo.search uses this index.
            models.Index(fields=["home_lat", "home_lng"], name="members_user_home_idx"),
            models.Index(fields=["membership_status"], name="members_user_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="members_user_email_ci_unique"),
            models.CheckConstraint(
                condition=(
                    models.Q(home_lat__isnull=True, home_lng__isnull=True)
                    | models.Q(
                        home_lat__isnull=False,
                        home_lng__isnull=False,
                        home_lat__gte=-90,
                        home_lat__lte=90,
                        home_lng__gte=-180,
                        home_lng__lte=180,
                    )
                ),
                name="members_user_home_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(membership_status=MembershipStatus.APPLICANT)
                | models.Q(member_number__isnull=True),
                name="members_user_applicant_has_no_number",
            ),
            models.CheckConstraint(
                condition=~models.Q(
                    membership_status__in=[MembershipStatus.MEMBER, MembershipStatus.SUSPENDED]
                )
                | models.Q(member_number__isnull=False),
                name="members_user_member_has_number",
            ),
            models.CheckConstraint(
                condition=models.Q(is_board=False)
                | models.Q(membership_status=MembershipStatus.MEMBER),
                name="members_user_board_is_member",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    @property
    def home(self) -> Point | None:
        if self.home_lat is None or self.home_lng is None:
            return None
        return Point(self.home_lat, self.home_lng)

    @property
    def in_good_standing(self) -> bool:
        """A member whose share is paid and who is not suspended: may vote, book and offer."""
        return self.is_active and self.membership_status == MembershipStatus.MEMBER
