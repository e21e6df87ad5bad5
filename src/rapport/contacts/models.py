"""Companies and people: the customer-centric "corporate memory"."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.contacts.choices import (
    AddressKind,
    Channel,
    CompanyKind,
    CompanySize,
    ConsentChannel,
    ConsentMethod,
    ContactKind,
    Industry,
    Language,
    Source,
)
from rapport.core import scoping
from rapport.core.models import BaseModel, SiteConfiguration

CUSTOMER_SCOPE = scoping.OwnedScope(owner="owner", curator="curator", team="team")


class CustomerRecord(BaseModel):
    """What companies and people share: responsibility, provenance, freshness, tags, custom data."""

    curator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("curator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The account manager responsible for this customer."),
        db_index=False,  # covered by the "<model>_curator_name" index, which leads with it
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # covered by the "<model>_owner" index
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # covered by the "<model>_team_name" index, which leads with it
    )
    tags = models.ManyToManyField("core.Tag", verbose_name=_("tags"), blank=True, related_name="+")
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    source_detail = models.CharField(
        _("source details"),
        max_length=200,
        blank=True,
        help_text=_("Which event, campaign, file or person this came from."),
    )
    verified_at = models.DateTimeField(_("last verified"), null=True, blank=True)
    last_contacted_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=10000)
    name_key = models.CharField(max_length=200, editable=False, blank=True)
    name_prefix = models.CharField(max_length=4, editable=False, blank=True)
    search_text = models.TextField(editable=False, blank=True)

    scope = CUSTOMER_SCOPE

    class Meta:
        abstract = True

    detail_url_name = ""  # the card's URL name

    @property
    def is_stale(self) -> bool:
        return needs_verification(self.verified_at, stale_cutoff())

    def get_absolute_url(self) -> str:
        return reverse(self.detail_url_name, args=[self.pk])

    @classmethod
    def url_pattern(cls) -> str:
        """The card's URL with "{}" for the id: reversed once for a whole page of rows."""
        return reverse(cls.detail_url_name, args=[PK_MARK]).replace(str(PK_MARK), "{}")


PK_MARK = 987654321  # stands for the id while url_pattern() reverses the card's URL


def needs_verification(verified_at: datetime.datetime | None, cutoff) -> bool:
    return verified_at is None or verified_at < cutoff


def full_name(first: str, middle: str, last: str) -> str:
    return " ".join(p for p in (first, middle, last) if p)


def stale_cutoff() -> datetime.datetime:
    """Records last verified before this moment (or never) need verification."""
    days = SiteConfiguration.get().stale_after_days
    return timezone.now() - datetime.timedelta(days=days)


class Company(CustomerRecord):
    detail_url_name = "contacts:company_detail"

    kind = models.CharField(
        _("type"), max_length=20, choices=CompanyKind.choices, default=CompanyKind.PROSPECT
    )
    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=300, blank=True)
    tax_number = models.CharField(_("tax number"), max_length=40, blank=True)
    registry_number = models.CharField(_("registry number"), max_length=40, blank=True)
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices, blank=True)
    size = models.CharField(_("size"), max_length=10, choices=CompanySize.choices, blank=True)
    territory = models.ForeignKey(
        "accounts.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,  # covered by "company_territory", which leads with it
    )
    branch = models.ForeignKey(
        "accounts.Branch",
        verbose_name=_("serving branch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,  # covered by "company_branch", which leads with it
    )
    website = models.URLField(_("website"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)

    tracked_fields = [
        "kind",
        "name",
        "legal_name",
        "tax_number",
        "registry_number",
        "industry",
        "size",
        "territory",
        "branch",
        "website",
        "phone",
        "email",
        "curator",
        "team",
        "source",
        "source_detail",
        "verified_at",
        "notes",
        "custom",
        "tags",
    ]

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name", "pk"]
        indexes = [
            # The scope columns ride along so that a deep page is an index-only walk.
            models.Index(fields=["name", "id", "team", "curator", "owner"], name="company_name"),
            models.Index(fields=["kind", "name", "id"], name="company_kind_name"),
            models.Index(fields=["curator", "name", "id"], name="company_curator_name"),
            models.Index(fields=["team", "name", "id"], name="company_team_name"),
            models.Index(fields=["owner"], name="company_owner"),
            models.Index(fields=["industry", "name"], name="company_industry"),
            models.Index(fields=["territory", "name"], name="company_territory"),
            models.Index(fields=["branch", "name"], name="company_branch"),
            models.Index(fields=["verified_at"], name="company_verified"),
            models.Index(fields=["-last_contacted_at", "id"], name="company_last_contact"),
            models.Index(fields=["-created_at", "id"], name="company_created"),
            models.Index(fields=["tax_number"], name="company_tax"),
            models.Index(fields=["name_prefix"], name="company_name_prefix"),
            models.Index(fields=["name_key"], name="company_name_key"),
            models.Index(fields=["email"], name="company_email"),
            models.Index(fields=["phone"], name="company_phone"),
        ]

    def __str__(self) -> str:
        return self.name


class CompanyAddress(BaseModel):
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="addresses"
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=AddressKind.choices, default=AddressKind.OFFICE
    )
    street = models.CharField(_("street and house"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text="ISO 3166")

    scope = scoping.ParentScope(
        parents=("company",), owner=None, extra={"company": "contacts.Company"}
    )

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["company", "pk"]

    def __str__(self) -> str:
        parts = [self.street, self.postal_code, self.city, self.region, self.country]
        return ", ".join(p for p in parts if p)


class Person(CustomerRecord):
    detail_url_name = "contacts:person_detail"

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    middle_name = models.CharField(_("middle name / patronymic"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    position = models.CharField(_("position"), max_length=150, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    birthday_md = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=20, choices=Channel.choices, blank=True
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=Language.choices, blank=True
    )
    # The primary e-mail and phone are copied here so lists show them without a query per row.
    email = models.EmailField(_("e-mail"), max_length=254, blank=True, editable=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True, editable=False)
    companies = models.ManyToManyField(
        Company, through="Employment", related_name="people", verbose_name=_("companies")
    )

    tracked_fields = [
        "first_name",
        "middle_name",
        "last_name",
        "position",
        "birthday",
        "preferred_channel",
        "preferred_language",
        "email",
        "phone",
        "curator",
        "team",
        "source",
        "source_detail",
        "verified_at",
        "notes",
        "custom",
        "tags",
    ]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name", "pk"]
        indexes = [
            # The scope columns ride along so that a deep page is an index-only walk.
            models.Index(
                fields=["last_name", "first_name", "id", "team", "curator", "owner"],
                name="person_name",
            ),
            # The same columns as the list's name order, so a curator's or a team's page is
            # read in order from the index instead of sorted.
            models.Index(
                fields=["curator", "last_name", "first_name", "id"], name="person_curator_name"
            ),
            models.Index(fields=["team", "last_name", "first_name", "id"], name="person_team_name"),
            models.Index(fields=["owner"], name="person_owner"),
            models.Index(fields=["verified_at"], name="person_verified"),
            models.Index(fields=["-last_contacted_at", "id"], name="person_last_contact"),
            models.Index(fields=["-created_at", "id"], name="person_created"),
            models.Index(fields=["birthday_md"], name="person_birthday"),
            models.Index(fields=["name_prefix"], name="person_name_prefix"),
            models.Index(fields=["name_key"], name="person_name_key"),
            models.Index(fields=["email"], name="person_email"),
            models.Index(fields=["phone"], name="person_phone"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return full_name(self.first_name, self.middle_name, self.last_name)

    def days_to_birthday(self, today: datetime.date | None = None) -> int | None:
        if not self.birthday:
            return None
        today = today or timezone.localdate()
        for year in (today.year, today.year + 1):
            try:
                next_day = self.birthday.replace(year=year)
            except ValueError:  # 29 February in a common year
                next_day = datetime.date(year, 3, 1)
            if next_day >= today:
                return (next_day - today).days
        return None


class PersonEmail(BaseModel):
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="emails"
    )
    email = models.EmailField(_("e-mail"), max_length=254)
    kind = models.CharField(
        _("kind"), max_length=10, choices=ContactKind.choices, default=ContactKind.WORK
    )
    is_primary = models.BooleanField(_("primary"), default=False)

    scope = scoping.ParentScope(
        parents=("person",), owner=None, extra={"person": "contacts.Person"}
    )

    class Meta:
        verbose_name = _("e-mail address")
        verbose_name_plural = _("e-mail addresses")
        ordering = ["-is_primary", "pk"]
        indexes = [models.Index(fields=["email"], name="personemail_email")]
        constraints = [
            models.UniqueConstraint(fields=["person", "email"], name="personemail_unique")
        ]

    def __str__(self) -> str:
        return self.email


class PersonPhone(BaseModel):
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="phones"
    )
    number = models.CharField(_("phone"), max_length=20, help_text=_("Stored in E.164 format."))
    kind = models.CharField(
        _("kind"), max_length=10, choices=ContactKind.choices, default=ContactKind.MOBILE
    )
    is_primary = models.BooleanField(_("primary"), default=False)

    scope = scoping.ParentScope(
        parents=("person",), owner=None, extra={"person": "contacts.Person"}
    )

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        ordering = ["-is_primary", "pk"]
        indexes = [models.Index(fields=["number"], name="personphone_number")]
        constraints = [
            models.UniqueConstraint(fields=["person", "number"], name="personphone_unique")
        ]

    def __str__(self) -> str:
        return self.number


class Employment(BaseModel):
    """A person's role at a company; a person may work with several companies."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="employments"
    )
    company = models.ForeignKey(
        Company, verbose_name=_("company"), on_delete=models.CASCADE, related_name="employments"
    )
    position = models.CharField(_("role or position"), max_length=150, blank=True)
    is_primary = models.BooleanField(_("main company"), default=True)
    is_current = models.BooleanField(_("current"), default=True)

    scope = scoping.ParentScope(
        parents=("person", "company"),
        owner=None,
        extra={"person": "contacts.Person", "company": "contacts.Company"},
    )

    class Meta:
        verbose_name = _("role at a company")
        verbose_name_plural = _("roles at companies")
        ordering = ["-is_primary", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["person", "company"], name="employment_unique")
        ]
        indexes = [models.Index(fields=["company", "person"], name="employment_company")]

    def __str__(self) -> str:
        return f"{self.person} — {self.company}"


class Consent(BaseModel):
    """Marketing consent per channel: whether, when, how and with which wording."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="consents"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=ConsentChannel.choices)
    is_granted = models.BooleanField(_("consent given"), default=False)
    recorded_at = models.DateTimeField(_("when"), default=timezone.now)
    method = models.CharField(
        _("how"), max_length=10, choices=ConsentMethod.choices, default=ConsentMethod.OTHER
    )
    text = models.TextField(_("consent text"), blank=True, max_length=5000)

    scope = scoping.ParentScope(
        parents=("person",), owner=None, extra={"person": "contacts.Person"}
    )

    class Meta:
        verbose_name = _("marketing consent")
        verbose_name_plural = _("marketing consents")
        ordering = ["channel"]
        constraints = [
            models.UniqueConstraint(fields=["person", "channel"], name="consent_unique_channel")
        ]

    def __str__(self) -> str:
        state = _("given") if self.is_granted else _("withdrawn")
        return f"{self.get_channel_display()}: {state}"
