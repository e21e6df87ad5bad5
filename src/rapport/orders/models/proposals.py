"""Proposals (commercial offers) on a deal: versions, lines, participants, discount approval."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rapport.core import scoping
from rapport.orders.choices import ApprovalStatus, ProposalStatus
from rapport.orders.models.base import Document, DocumentLine


class Proposal(Document):
    """A commercial offer. A deal may have several in parallel; each may have versions (a new
    version keeps the number and replaces the previous one)."""

    deal = models.ForeignKey(
        "sales.Deal", verbose_name=_("deal"), on_delete=models.CASCADE, related_name="proposals"
    )
    title = models.CharField(_("title"), max_length=200)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("previous version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_version",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    price_list = models.ForeignKey(
        "catalog.PriceList",
        verbose_name=_("price list"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    introduction = models.TextField(_("introduction"), blank=True, max_length=5000)
    terms = models.TextField(_("terms"), blank=True, max_length=10000)
    client_people = models.ManyToManyField(
        "contacts.Person",
        verbose_name=_("people on the customer's side"),
        blank=True,
        related_name="+",
    )
    our_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("people on our side"),
        blank=True,
        related_name="+",
    )
    discount_approval = models.CharField(
        _("discount approval"),
        max_length=12,
        choices=ApprovalStatus.choices,
        default=ApprovalStatus.NOT_NEEDED,
    )
    discount_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("discount approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Bumped by every write: a form or API call made on an older revision is refused.
    revision = models.PositiveIntegerField(_("revision"), default=1)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    decided_at = models.DateTimeField(_("accepted or rejected"), null=True, blank=True)

    tracked_fields = [
        "number",
        "version",
        "title",
        "status",
        "company",
        "person",
        "currency",
        "language",
        "price_list",
        "valid_until",
        "introduction",
        "terms",
        "discount_approval",
        "discount_approved_by",
        "total",
        "owner",
        "team",
    ]

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["deal", "-created_at"], name="proposal_deal"),
            models.Index(fields=["company", "-created_at"], name="proposal_company"),
            models.Index(fields=["status", "-created_at"], name="proposal_status"),
            models.Index(fields=["owner", "status"], name="proposal_owner"),
            models.Index(fields=["team", "status"], name="proposal_team"),
            models.Index(fields=["number", "version"], name="proposal_number"),
            models.Index(fields=["-created_at", "id"], name="proposal_created"),
            models.Index(fields=["discount_approval", "team"], name="proposal_approval"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["number", "version"],
                condition=~models.Q(number=""),
                name="proposal_unique_number_version",
            )
        ]

    def __str__(self) -> str:
        number = self.number or f"#{self.pk}"
        return f"{number} v{self.version}" if self.version > 1 else number

    def get_absolute_url(self) -> str:
        return reverse("orders:proposal_detail", args=[self.pk])


class ProposalLine(DocumentLine):
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="lines"
    )

    scope = scoping.ParentScope(
        parents=("proposal",), owner=None, extra={"proposal": "orders.Proposal"}
    )

    class Meta:
        verbose_name = _("proposal line")
        verbose_name_plural = _("proposal lines")
        ordering = ["proposal", "position", "pk"]
        indexes = [
            models.Index(fields=["proposal", "position"], name="proposalline_proposal"),
            models.Index(fields=["product"], name="proposalline_product"),
        ]
