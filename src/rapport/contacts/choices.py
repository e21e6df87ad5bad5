"""Choices used by companies and people."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from rapport.core.choices import Language  # noqa: F401  (re-exported for the contacts app)


class CompanyKind(models.TextChoices):
    CUSTOMER = "customer", _("customer")
    PROSPECT = "prospect", _("prospect")
    PARTNER = "partner", _("partner")
    SUPPLIER = "supplier", _("supplier")
    COMPETITOR = "competitor", _("competitor")


class Industry(models.TextChoices):
    MANUFACTURING = "manufacturing", _("manufacturing")
    RETAIL = "retail", _("retail")
    WHOLESALE = "wholesale", _("wholesale")
    IT = "it", _("information technology")
    FINANCE = "finance", _("finance and insurance")
    CONSTRUCTION = "construction", _("construction")
    LOGISTICS = "logistics", _("transport and logistics")
    HEALTHCARE = "healthcare", _("healthcare")
    EDUCATION = "education", _("education")
    AGRICULTURE = "agriculture", _("agriculture")
    ENERGY = "energy", _("energy")
    HOSPITALITY = "hospitality", _("hotels and restaurants")
    PUBLIC = "public", _("public sector")
    SERVICES = "services", _("professional services")
    OTHER = "other", _("other")


class CompanySize(models.TextChoices):
    MICRO = "1-9", _("1–9 employees")
    SMALL = "10-49", _("10–49 employees")
    MEDIUM = "50-249", _("50–249 employees")
    LARGE = "250-999", _("250–999 employees")
    ENTERPRISE = "1000+", _("1000+ employees")


class Source(models.TextChoices):
    MANUAL = "manual", _("entered by hand")
    IMPORT = "import", _("import")
    WEB_FORM = "web_form", _("web form")
    EVENT = "event", _("event")
    CALL = "call", _("call")
    EMAIL = "email", _("e-mail")
    REFERRAL = "referral", _("referral")
    PARTNER = "partner", _("partner")
    API = "api", _("API")
    OTHER = "other", _("other")


class AddressKind(models.TextChoices):
    LEGAL = "legal", _("legal address")
    OFFICE = "office", _("office")
    POSTAL = "postal", _("postal address")
    DELIVERY = "delivery", _("delivery address")


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    PHONE = "phone", _("phone")
    SMS = "sms", _("SMS")
    MESSENGER = "messenger", _("messenger")
    POST = "post", _("post")
    MEETING = "meeting", _("in person")


class ConsentChannel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    PHONE = "phone", _("phone calls")
    SMS = "sms", _("SMS")
    POST = "post", _("post")


class ConsentMethod(models.TextChoices):
    WEB_FORM = "web_form", _("web form")
    PAPER = "paper", _("signed paper form")
    VERBAL = "verbal", _("verbally, recorded")
    EMAIL = "email", _("by e-mail")
    IMPORT = "import", _("import")
    OTHER = "other", _("other")


class ContactKind(models.TextChoices):
    WORK = "work", _("work")
    MOBILE = "mobile", _("mobile")
    HOME = "home", _("home")
    OTHER = "other", _("other")
