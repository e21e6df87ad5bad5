"""Leads, web forms and distribution rules; pipelines, stages, deals and their stage history."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rapport.contacts.choices import Industry, Source
from rapport.core import scoping
from rapport.core.models import BaseModel, RestrictedManager
from rapport.core.money import amount_field, currency_field
from rapport.sales.choices import (
    DealContactRole,
    DealStatus,
    DisqualifyReason,
    DistributionMethod,
    LeadStatus,
    ParticipantRole,
    StageKind,
)

OWNED = scoping.OwnedScope(owner="owner", team="team")


def _deal_part(owner=None):
    return scoping.ParentScope(parents=("deal",), owner=owner, extra={"deal": "sales.Deal"})


# Leads -----------------------------------------------------------------------------------------
class LeadWebForm(BaseModel):
    """A public form a company embeds on its site; leads from it go to ``team``."""

    name = models.CharField(_("name"), max_length=100)
    key = models.SlugField(
        _("public key"), max_length=40, unique=True, help_text=_("Part of the form's address.")
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team receiving the leads"), on_delete=models.PROTECT
    )
    campaign = models.CharField(_("default campaign"), max_length=100, blank=True)
    thank_you_message = models.CharField(_("thank-you message"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope = scoping.GlobalScope()
    tracked_fields = ["name", "key", "team", "campaign", "thank_you_message", "is_active"]

    class Meta:
        verbose_name = _("lead web form")
        verbose_name_plural = _("lead web forms")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Lead(BaseModel):
    """A prospect not yet qualified. Unassigned leads (no owner) wait in their team's queue."""

    status = models.CharField(
        _("status"), max_length=15, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    position = models.CharField(_("position"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices, blank=True)
    territory = models.ForeignKey(
        "accounts.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, blank=True)
    message = models.TextField(_("message"), blank=True, max_length=5000)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    source_detail = models.CharField(_("source details"), max_length=200, blank=True)
    campaign = models.CharField(_("campaign"), max_length=100, blank=True)
    utm_source = models.CharField("utm_source", max_length=100, blank=True)
    utm_medium = models.CharField("utm_medium", max_length=100, blank=True)
    utm_campaign = models.CharField("utm_campaign", max_length=100, blank=True)
    utm_term = models.CharField("utm_term", max_length=100, blank=True)
    utm_content = models.CharField("utm_content", max_length=100, blank=True)
    web_form = models.ForeignKey(
        LeadWebForm,
        verbose_name=_("web form"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    disqualify_reason = models.CharField(
        _("reason for disqualifying"), max_length=20, choices=DisqualifyReason.choices, blank=True
    )
    disqualify_note = models.CharField(_("note on disqualifying"), max_length=500, blank=True)
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True)
    company = models.ForeignKey(
        "contacts.Company",
        verbose_name=_("customer company"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    person = models.ForeignKey(
        "contacts.Person",
        verbose_name=_("customer person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )

    scope = OWNED
    tracked_fields = [
        "status",
        "company_name",
        "first_name",
        "last_name",
        "position",
        "email",
        "phone",
        "website",
        "industry",
        "territory",
        "language",
        "message",
        "source",
        "source_detail",
        "campaign",
        "owner",
        "team",
        "disqualify_reason",
        "disqualify_note",
        "company",
        "person",
    ]

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["-created_at", "id"], name="lead_created"),
            models.Index(fields=["status", "-created_at"], name="lead_status"),
            models.Index(fields=["owner", "status", "-created_at"], name="lead_owner"),
            models.Index(fields=["team", "owner", "-created_at"], name="lead_team_queue"),
            models.Index(fields=["source", "-created_at"], name="lead_source"),
            models.Index(fields=["campaign"], name="lead_campaign"),
            models.Index(fields=["email"], name="lead_email"),
            models.Index(fields=["company_name", "id"], name="lead_company_name"),
            models.Index(fields=["last_name", "first_name", "id"], name="lead_last_name"),
        ]

    def __str__(self) -> str:
        person = " ".join(p for p in (self.first_name, self.last_name) if p)
        parts = [p for p in (self.company_name, person) if p]
        return " — ".join(parts) or self.email or f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("sales:lead_detail", args=[self.pk])


class DistributionRule(BaseModel):
    """Who gets a new lead: the first active rule (by position) whose conditions all hold."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    # Conditions (empty = any).
    territory = models.ForeignKey(
        "accounts.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices, blank=True)
    web_form = models.ForeignKey(
        LeadWebForm,
        verbose_name=_("web form"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, blank=True)
    # Action.
    method = models.CharField(
        _("assign"),
        max_length=15,
        choices=DistributionMethod.choices,
        default=DistributionMethod.ROUND_ROBIN,
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    # Round-robin pointer: the last user this rule gave a lead to.
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope = scoping.GlobalScope()
    tracked_fields = [
        "name",
        "position",
        "is_active",
        "territory",
        "industry",
        "web_form",
        "source",
        "method",
        "team",
        "user",
    ]

    class Meta:
        verbose_name = _("lead distribution rule")
        verbose_name_plural = _("lead distribution rules")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


# Pipelines and deals ---------------------------------------------------------------------------
class Pipeline(BaseModel):
    """A sales process with its own stages and its own name for a deal (H6)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    deal_noun = models.CharField(
        _("a deal is called"),
        max_length=50,
        blank=True,
        help_text=_("E.g. “renewal” or “project”; empty: “deal”."),
    )
    deal_noun_plural = models.CharField(_("deals are called"), max_length=50, blank=True)
    currency = currency_field(_("default currency"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    scope = scoping.GlobalScope()
    tracked_fields = ["name", "deal_noun", "deal_noun_plural", "currency", "position", "is_active"]

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["position", "name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sales:board", args=[self.pk])


class Stage(BaseModel):
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.CASCADE, related_name="stages"
    )
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("win probability, %"), default=10, validators=[MaxValueValidator(100)]
    )
    kind = models.CharField(
        _("kind"), max_length=5, choices=StageKind.choices, default=StageKind.OPEN
    )

    scope = scoping.GlobalScope()
    tracked_fields = ["name", "position", "probability", "kind"]

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline", "position", "pk"]
        indexes = [models.Index(fields=["pipeline", "position"], name="stage_pipeline_position")]

    def __str__(self) -> str:
        return self.name


class LostReason(BaseModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope = scoping.GlobalScope()
    tracked_fields = ["name", "is_active"]

    class Meta:
        verbose_name = _("reason for losing")
        verbose_name_plural = _("reasons for losing")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Deal(BaseModel):
    """A sales opportunity on a pipeline. ``status`` follows the stage's kind."""

    name = models.CharField(_("name"), max_length=200)
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("pipeline"), on_delete=models.PROTECT, related_name="deals"
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="deals"
    )
    status = models.CharField(
        _("status"), max_length=5, choices=DealStatus.choices, default=DealStatus.OPEN
    )
    company = models.ForeignKey(
        "contacts.Company",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals",
    )
    person = models.ForeignKey(
        "contacts.Person",
        verbose_name=_("customer (person)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deals",
        help_text=_("For a private customer, or the main contact at the company."),
    )
    amount = amount_field(_("amount"), validators=[MinValueValidator(Decimal(0))])
    currency = currency_field()
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    probability = models.PositiveSmallIntegerField(
        _("probability, %"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("Empty: the stage's probability."),
    )
    source = models.CharField(
        _("lead source"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    campaign = models.CharField(_("campaign"), max_length=100, blank=True)
    lead = models.OneToOneField(
        Lead,
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deal",
    )
    lost_reason = models.ForeignKey(
        LostReason,
        verbose_name=_("reason for losing"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    lost_note = models.CharField(_("note on losing"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=10000)
    stage_changed_at = models.DateTimeField(_("in this stage since"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope = OWNED
    tracked_fields = [
        "name",
        "pipeline",
        "stage",
        "status",
        "company",
        "person",
        "amount",
        "currency",
        "expected_close_date",
        "probability",
        "source",
        "campaign",
        "lost_reason",
        "lost_note",
        "description",
        "owner",
        "team",
    ]

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The board: one column = one stage, newest movers first.
            models.Index(fields=["stage", "-stage_changed_at", "id"], name="deal_stage_column"),
            models.Index(fields=["pipeline", "status", "expected_close_date"], name="deal_pipe"),
            models.Index(fields=["owner", "status", "stage"], name="deal_owner"),
            models.Index(fields=["team", "status", "stage"], name="deal_team"),
            models.Index(fields=["status", "expected_close_date"], name="deal_status_close"),
            models.Index(fields=["status", "closed_at"], name="deal_status_closed"),
            models.Index(fields=["company", "-created_at"], name="deal_company"),
            models.Index(fields=["person", "-created_at"], name="deal_person"),
            models.Index(fields=["-created_at", "id"], name="deal_created"),
            models.Index(fields=["name", "id"], name="deal_name"),
            models.Index(fields=["source", "status"], name="deal_source"),
            # The list's sorts.
            models.Index(fields=["expected_close_date", "id"], name="deal_close_date"),
            models.Index(fields=["amount", "id"], name="deal_amount"),
            models.Index(fields=["stage_changed_at", "id"], name="deal_stage_changed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(company__isnull=False) | models.Q(person__isnull=False),
                name="deal_has_customer",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="deal_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sales:deal_detail", args=[self.pk])

    @property
    def effective_probability(self) -> int:
        return self.probability if self.probability is not None else self.stage.probability


class DealContact(BaseModel):
    """A person on the customer's side taking part in a deal."""

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="contacts"
    )
    person = models.ForeignKey(
        "contacts.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="deal_roles",
    )
    role = models.CharField(
        _("role"), max_length=20, choices=DealContactRole.choices, default=DealContactRole.OTHER
    )

    scope = _deal_part()

    class Meta:
        verbose_name = _("contact person of a deal")
        verbose_name_plural = _("contact people of a deal")
        ordering = ["deal", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "person"], name="dealcontact_unique")
        ]
        indexes = [models.Index(fields=["person"], name="dealcontact_person")]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class DealParticipant(BaseModel):
    """Someone on our side (a colleague) or from a partner company taking part in a deal (F3)."""

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("colleague"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    partner = models.ForeignKey(
        "contacts.Company",
        verbose_name=_("partner company"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="partner_deals",
    )
    role = models.CharField(
        _("role"), max_length=20, choices=ParticipantRole.choices, default=ParticipantRole.SALES
    )

    scope = _deal_part()

    class Meta:
        verbose_name = _("participant of a deal")
        verbose_name_plural = _("participants of a deal")
        ordering = ["deal", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(partner__isnull=False),
                name="dealparticipant_someone",
            )
        ]

    def __str__(self) -> str:
        return str(self.user or self.partner)


class DealCompetitor(BaseModel):
    """A competitor taking part in a deal (D7)."""

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="competitors"
    )
    company = models.ForeignKey(
        "contacts.Company",
        verbose_name=_("competitor"),
        on_delete=models.CASCADE,
        related_name="competing_deals",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    scope = _deal_part()

    class Meta:
        verbose_name = _("competitor in a deal")
        verbose_name_plural = _("competitors in a deal")
        ordering = ["deal", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "company"], name="dealcompetitor_unique")
        ]

    def __str__(self) -> str:
        return str(self.company)


class DealStageChange(models.Model):
    """One move of a deal between stages: who, when, and how long it stayed in the stage left."""

    deal = models.ForeignKey(
        Deal, verbose_name=_("deal"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.ForeignKey(
        Stage,
        verbose_name=_("from stage"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_stage = models.ForeignKey(
        Stage, verbose_name=_("to stage"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    seconds_in_from_stage = models.PositiveBigIntegerField(
        _("time in the previous stage (seconds)"), null=True, blank=True
    )

    objects = RestrictedManager()
    scope = _deal_part()

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["deal", "changed_at", "pk"]
        indexes = [
            models.Index(fields=["deal", "changed_at"], name="stagechange_deal"),
            models.Index(fields=["from_stage", "changed_at"], name="stagechange_from"),
        ]

    def __str__(self) -> str:
        return f"{self.from_stage} → {self.to_stage}"
