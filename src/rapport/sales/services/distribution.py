"""Who gets a new lead (distribution rules), telling them by e-mail, and the intake settings."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rapport.accounts.models import User
from rapport.core.configuration import reference_delete, reference_save
from rapport.sales.choices import DistributionMethod
from rapport.sales.models import DistributionRule, Lead, LeadWebForm


# Matching and assigning -------------------------------------------------------------------------
def rule_matches(rule: DistributionRule, lead: Lead) -> bool:
    """Every condition the rule sets must hold; an empty condition holds for any lead."""
    return (
        (rule.territory_id is None or rule.territory_id == lead.territory_id)
        and (not rule.industry or rule.industry == lead.industry)
        and (rule.web_form_id is None or rule.web_form_id == lead.web_form_id)
        and (not rule.source or rule.source == lead.source)
    )


def _next_in_turn(rule: DistributionRule) -> User | None:
    """The active team member after the one the rule gave its last lead to (by id, wrapping)."""
    members = list(
        User.objects.filter(team_id=rule.team_id, is_active=True).order_by("pk").only("pk")
    )
    if not members:
        return None
    last = rule.last_assigned_id or 0
    after = [m for m in members if m.pk > last]
    return (after or members)[0]


def distribute(lead: Lead) -> DistributionRule | None:
    """Give an ownerless lead an owner and/or a team by the first matching active rule.

    Called inside the write that creates the lead; the rule row is locked so two leads
    arriving at once do not go to the same person in a round-robin."""
    for rule in DistributionRule.objects.filter(is_active=True).order_by("position", "pk"):
        if not rule_matches(rule, lead):
            continue
        lead.team_id = rule.team_id
        if rule.method == DistributionMethod.ROUND_ROBIN:
            locked = DistributionRule.objects.select_for_update().get(pk=rule.pk)
            user = _next_in_turn(locked)
            if user is not None:
                lead.owner_id = user.pk
                locked.last_assigned_id = user.pk
                locked.save(update_fields=["last_assigned", "updated_at"])
        elif rule.method == DistributionMethod.USER:
            if rule.user_id and User.objects.filter(pk=rule.user_id, is_active=True).exists():
                lead.owner_id = rule.user_id
        # DistributionMethod.QUEUE: the team's queue, where a head assigns it by hand.
        return rule
    return None


# Telling the assignee ---------------------------------------------------------------------------
def _lead_url(lead: Lead) -> str:
    return settings.SITE_URL.rstrip("/") + lead.get_absolute_url()


def notify_assignees(lead_ids: list[int], *, actor_id: int | None = None) -> int:
    """One e-mail per new owner, in their own language, listing the leads given to them.

    Runs after the commit (see ``notify_after_commit``); nobody is told about a lead they
    assigned to themselves. Returns the number of messages handed to the mailer."""
    leads = Lead.objects.filter(pk__in=lead_ids, owner__isnull=False).select_related("owner")
    by_owner: dict[int, list[Lead]] = {}
    for lead in leads.order_by("pk"):
        if lead.owner_id != actor_id and lead.owner.is_active and lead.owner.email:
            by_owner.setdefault(lead.owner_id, []).append(lead)
    sent = 0
    for owned in by_owner.values():
        owner = owned[0].owner
        with translation.override(owner.language or settings.LANGUAGE_CODE):
            count = len(owned)
            if count == 1:
                subject = _("New lead for you: %(lead)s") % {"lead": owned[0]}
            else:
                subject = ngettext(
                    "%(count)d new lead for you", "%(count)d new leads for you", count
                ) % {"count": count}
            lines = [
                _("Hello, %(name)s!") % {"name": owner},
                "",
                ngettext(
                    "This lead was assigned to you:", "These leads were assigned to you:", count
                ),
                "",
            ]
            for lead in owned[:50]:
                source = lead.get_source_display()
                lines.append(f"- {lead} ({source}{', ' + lead.campaign if lead.campaign else ''})")
                lines.append(f"  {_lead_url(lead)}")
            if count > 50:
                lines.append(_("… and %(count)d more.") % {"count": count - 50})
            body = "\n".join(lines)
        send_mail(str(subject)[:200], body, None, [owner.email])
        sent += 1
    return sent


def notify_after_commit(lead_ids: list[int], *, actor=None) -> None:
    ids = list(lead_ids)
    actor_id = getattr(actor, "pk", None)
    if ids:
        transaction.on_commit(lambda: notify_assignees(ids, actor_id=actor_id))


# Administration: distribution rules and web forms ----------------------------------------------
def distribution_rule_save(*, actor, rule: DistributionRule) -> DistributionRule:
    from rapport.core.errors import ValidationError

    if rule.method == DistributionMethod.USER and not rule.user_id:
        raise ValidationError({"user": _("Choose the person who gets the leads.")})
    if rule.method == DistributionMethod.USER and rule.user.team_id != rule.team_id:
        raise ValidationError({"user": _("Choose a member of the rule's team.")})
    if rule.method != DistributionMethod.USER:
        rule.user = None
    return reference_save(actor=actor, obj=rule, event="distribution_rule")


def distribution_rule_delete(*, actor, rule: DistributionRule) -> None:
    reference_delete(actor=actor, obj=rule, event="distribution_rule")


def web_form_save(*, actor, form: LeadWebForm) -> LeadWebForm:
    return reference_save(actor=actor, obj=form, event="web_form")


def web_form_delete(*, actor, form: LeadWebForm) -> None:
    """Leads keep their history: ``Lead.web_form`` is set to nothing, the rules using it go."""
    reference_delete(actor=actor, obj=form, event="web_form")
