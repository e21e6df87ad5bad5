"""Load realistic demo data (en/ru/uk/lv companies, people, history) and the demo accounts."""

from __future__ import annotations

import datetime
import random
import secrets

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from rapport.accounts.choices import DepartmentKind, Role
from rapport.accounts.models import Branch, Department, Team, Territory, User
from rapport.accounts.services import user_create
from rapport.activities.models import Activity
from rapport.contacts.models import Company, Employment, Person
from rapport.contacts.services import company_update, consent_set, person_update
from rapport.contacts.services.imports import import_companies_chunk, import_people_chunk
from rapport.core.models import Tag

LOCALES = {"en": "en_GB", "ru": "ru_RU", "uk": "uk_UA", "lv": "lv_LV"}
PHONE_PREFIX = {"en": "+44 20 7946 ", "ru": "+7 912 ", "uk": "+380 67 ", "lv": "+371 26"}
PHONE_DIGITS = {"en": 4, "ru": 7, "uk": 7, "lv": 6}
COUNTRY = {"en": "GB", "ru": "RU", "uk": "UA", "lv": "LV"}
INDUSTRIES = [
    "manufacturing",
    "retail",
    "wholesale",
    "it",
    "finance",
    "construction",
    "logistics",
    "healthcare",
    "education",
    "energy",
    "services",
]
KINDS = ["customer"] * 5 + ["prospect"] * 3 + ["partner", "supplier", "competitor"]
SUBJECTS = {
    "en": [
        "Pricing question",
        "Follow-up on the offer",
        "Delivery dates",
        "Annual review",
        "Complaint about an invoice",
        "New order discussed",
    ],
    "ru": [
        "Вопрос о ценах",
        "Обсуждение предложения",
        "Сроки поставки",
        "Годовая встреча",
        "Жалоба по счёту",
        "Обсудили новый заказ",
    ],
    "uk": [
        "Питання щодо цін",
        "Обговорення пропозиції",
        "Терміни постачання",
        "Річна зустріч",
        "Скарга щодо рахунку",
        "Обговорили нове замовлення",
    ],
    "lv": [
        "Jautājums par cenām",
        "Piedāvājuma apspriešana",
        "Piegādes termiņi",
        "Gada tikšanās",
        "Sūdzība par rēķinu",
        "Apspriests jauns pasūtījums",
    ],
}
DEMO_USERS = [
    ("director", "Diana", "Ozola", Role.DIRECTOR, None),
    ("head.sales", "Hugo", "Berzins", Role.HEAD, "Sales Riga"),
    ("anna", "Anna", "Kalnina", Role.SALES_REP, "Sales Riga"),
    ("ivan", "Ivan", "Petrenko", Role.SALES_REP, "Sales Kyiv"),
    ("olga", "Olga", "Smirnova", Role.SALES_REP, "Sales Kyiv"),
    ("mark", "Mark", "Evans", Role.MARKETER, "Marketing"),
    ("sofia", "Sofia", "Liepa", Role.SUPPORT, "Service desk"),
    ("audit", "Arthur", "Vitols", Role.AUDITOR, None),
]


class Command(BaseCommand):
    help = "Create demo users, 200+ companies, 1000+ people and their history (once)."

    def add_arguments(self, parser):
        parser.add_argument("--companies", type=int, default=220)
        parser.add_argument("--people", type=int, default=1100)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options):
        password_file = settings.DATA_DIR / "admin_password.txt"
        if User.objects.filter(username="admin").exists():
            self.print_credentials(password_file)
            return
        rng = random.Random(options["seed"])
        from faker import Faker

        fakers = {lang: Faker(locale) for lang, locale in LOCALES.items()}
        for i, faker in enumerate(fakers.values()):
            faker.seed_instance(options["seed"] + i)
        admin_password = secrets.token_urlsafe(9)
        demo_password = secrets.token_urlsafe(9)
        with transaction.atomic():
            users = self.create_users(admin_password, demo_password)
            reps = [u for u in users if u.role in (Role.SALES_REP, Role.HEAD)]
            self.create_companies(rng, fakers, reps, options["companies"])
            self.create_people(rng, fakers, reps, options["people"])
            self.create_history(rng, users)
            self.seed_other_apps(rng, users)
        password_file.write_text(
            f"admin {admin_password}\ndemo {demo_password}\n", encoding="utf-8"
        )
        password_file.chmod(0o600)
        self.print_credentials(password_file)

    def seed_other_apps(self, rng, users):
        """Apps after the customer base add their demo data in ``<app>/demo.py``: ``seed(*, rng,
        users, stdout)``, called in the order of INSTALLED_APPS inside the same transaction."""
        from importlib import import_module

        from django.apps import apps
        from django.utils.module_loading import module_has_submodule

        for config in apps.get_app_configs():
            if config.name.startswith("rapport.") and module_has_submodule(config.module, "demo"):
                import_module(f"{config.name}.demo").seed(rng=rng, users=users, stdout=self.stdout)

    def print_credentials(self, password_file):
        if not password_file.exists():
            return
        lines = dict(line.split(" ", 1) for line in password_file.read_text().splitlines() if line)
        self.stdout.write(
            self.style.SUCCESS("\nRapport demo accounts (log in at http://127.0.0.1:8000):")
        )
        self.stdout.write(f"  administrator:  admin / {lines.get('admin', '?')}")
        names = ", ".join(u[0] for u in DEMO_USERS)
        self.stdout.write(f"  demo users ({names}) share the password: {lines.get('demo', '?')}\n")

    @staticmethod
    def phone(rng, lang: str) -> str:
        digits = PHONE_DIGITS[lang]
        return f"{PHONE_PREFIX[lang]}{rng.randint(10 ** (digits - 1), 10**digits - 1)}"

    @staticmethod
    def ensure_all_imported(outcome) -> None:
        if outcome.rejected:
            raise RuntimeError(f"Demo rows were rejected: {outcome.rejected[:3]}")

    def create_users(self, admin_password, demo_password):
        sales = Department.objects.create(name="Sales", kind=DepartmentKind.SALES)
        marketing = Department.objects.create(name="Marketing", kind=DepartmentKind.MARKETING)
        service = Department.objects.create(name="Service", kind=DepartmentKind.SERVICE)
        management = Department.objects.create(name="Management", kind=DepartmentKind.MANAGEMENT)
        teams = {
            "Sales Riga": Team.objects.create(name="Sales Riga", department=sales),
            "Sales Kyiv": Team.objects.create(name="Sales Kyiv", department=sales),
            "Marketing": Team.objects.create(name="Marketing", department=marketing),
            "Service desk": Team.objects.create(name="Service desk", department=service),
        }
        for name, city in (
            ("Riga office", "Riga"),
            ("Kyiv office", "Kyiv"),
            ("London office", "London"),
        ):
            Branch.objects.create(name=name, city=city)
        for name in ("Baltics", "Ukraine", "UK and Ireland", "CIS"):
            Territory.objects.create(name=name)
        admin = user_create(
            actor=None,
            username="admin",
            password=admin_password,
            first_name="Admin",
            last_name="Rapport",
            email="admin@example.com",
            role=Role.ADMINISTRATOR,
            department=management,
        )
        users = [admin]
        for username, first, last, role, team in DEMO_USERS:
            team_obj = teams.get(team) if team else None
            department = team_obj.department if team_obj else management
            users.append(
                user_create(
                    actor=admin,
                    username=username,
                    password=demo_password,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@example.com",
                    role=role,
                    team=team_obj,
                    department=department,
                )
            )
        return users

    def create_companies(self, rng, fakers, reps, count):
        for tag in ("VIP", "key account", "new", "tender", "reseller"):
            Tag.objects.get_or_create(name=tag)
        langs = list(LOCALES)
        for rep_index, rep in enumerate(reps):
            rows = []
            share = range(rep_index, count, len(reps))
            for i in share:
                lang = langs[(i // len(reps)) % 4]
                faker = fakers[lang]
                rows.append(
                    (
                        i + 2,
                        {
                            "name": faker.company()[:190] + (f" {i}" if i % 37 == 0 else ""),
                            "kind": rng.choice(KINDS),
                            "industry": rng.choice(INDUSTRIES),
                            "tax_number": f"{COUNTRY[lang]}{rng.randint(10**9, 10**10 - 1)}",
                            "phone": self.phone(rng, lang),
                            "email": f"info{i}@{faker.domain_name()}",
                            "website": f"https://www.{faker.domain_name()}",
                            "street": faker.street_address()[:190],
                            "city": faker.city()[:90],
                            "postal_code": faker.postcode()[:20],
                            "country": COUNTRY[lang],
                            "tags": rng.choice(
                                ["", "", "VIP", "key account", "new", "tender, VIP"]
                            ),
                            "source_detail": rng.choice(
                                [
                                    "Riga Food 2025",
                                    "website",
                                    "cold call",
                                    "partner referral",
                                    "trade fair",
                                ]
                            ),
                        },
                    )
                )
            self.ensure_all_imported(
                import_companies_chunk(
                    actor=rep, rows=rows, on_duplicate="create", source_name="demo"
                )
            )
        now = timezone.now()
        for company in Company.objects.all():
            company.verified_at = now - datetime.timedelta(days=rng.randint(1, 900))
            company.size = rng.choice(["1-9", "10-49", "50-249", "250-999", "1000+"])
        Company.objects.bulk_update(Company.objects.all(), ["verified_at", "size"], batch_size=500)

    def create_people(self, rng, fakers, reps, count):
        companies_by_owner = {}
        for company in Company.objects.order_by("pk"):
            companies_by_owner.setdefault(company.owner_id, []).append(company.name)
        langs = list(LOCALES)
        for rep_index, rep in enumerate(reps):
            rows = []
            names = companies_by_owner.get(rep.pk, [])
            for i in range(rep_index, count, len(reps)):
                lang = langs[(i // len(reps)) % 4]
                faker = fakers[lang]
                male = rng.random() < 0.5
                first = faker.first_name_male() if male else faker.first_name_female()
                last = (
                    faker.last_name_male()
                    if male and hasattr(faker, "last_name_male")
                    else (
                        faker.last_name_female()
                        if hasattr(faker, "last_name_female")
                        else faker.last_name()
                    )
                )
                middle = ""
                if lang in ("ru", "uk") and hasattr(faker, "middle_name_male"):
                    middle = faker.middle_name_male() if male else faker.middle_name_female()
                birthday = faker.date_of_birth(minimum_age=22, maximum_age=70)
                if i % 70 == 0:  # a few birthdays this week, so the demo shows them
                    soon = timezone.localdate() + datetime.timedelta(days=i % 7)
                    birthday = birthday.replace(month=soon.month, day=min(soon.day, 28))
                rows.append(
                    (
                        i + 2,
                        {
                            "first_name": first,
                            "middle_name": middle,
                            "last_name": last,
                            "emails": f"{faker.user_name()}{i}@{faker.free_email_domain()}",
                            "phones": self.phone(rng, lang),
                            "company": rng.choice(names) if names else "",
                            "position": faker.job()[:140],
                            "birthday": birthday.isoformat(),
                            "preferred_language": lang,
                            "tags": rng.choice(["", "", "", "VIP", "decision maker"]),
                        },
                    )
                )
            self.ensure_all_imported(
                import_people_chunk(actor=rep, rows=rows, on_duplicate="create", source_name="demo")
            )

    def create_history(self, rng, users):
        """Calls, meetings, e-mails and notes over two years, plus some edits in the change log."""
        now = timezone.now()
        activities = []
        people = list(Person.objects.select_related("owner").order_by("pk"))
        primary = dict(
            Employment.objects.filter(is_primary=True).values_list("person_id", "company_id")
        )
        for person in people:
            lang = person.preferred_language or "en"
            for _n in range(rng.randint(1, 5)):
                when = now - datetime.timedelta(
                    days=rng.randint(0, 720), minutes=rng.randint(0, 600)
                )
                kind = rng.choice(["call", "call", "meeting", "email", "note"])
                activities.append(
                    Activity(
                        kind=kind,
                        direction=rng.choice(["in", "out"]) if kind in ("call", "email") else "",
                        subject=rng.choice(SUBJECTS[lang]),
                        occurred_at=when,
                        duration_minutes=rng.choice([5, 10, 15, 30, 60])
                        if kind in ("call", "meeting")
                        else None,
                        owner=person.owner,
                        person=person,
                        company_id=primary.get(person.pk),
                    )
                )
        Activity.objects.bulk_create(activities, batch_size=1000)
        last = {}
        for a in activities:
            for key in (("c", a.company_id), ("p", a.person_id)):
                if key[1] and (key not in last or a.occurred_at > last[key]):
                    last[key] = a.occurred_at
        companies = list(Company.objects.all())
        for company in companies:
            company.last_contacted_at = last.get(("c", company.pk))
        Company.objects.bulk_update(companies, ["last_contacted_at"], batch_size=500)
        for person in people:
            person.last_contacted_at = last.get(("p", person.pk))
        Person.objects.bulk_update(people, ["last_contacted_at"], batch_size=500)
        # Some edits through the services, so cards show real change history.
        for company in rng.sample(companies, min(40, len(companies))):
            actor = company.owner
            company_update(actor=actor, company=company, notes="Prefers invoices by e-mail.")
        for person in rng.sample(people, min(60, len(people))):
            person_update(
                actor=person.owner, person=person, position=(person.position + " (senior)")[:150]
            )
            consent_set(
                actor=person.owner,
                person=person,
                channel="email",
                is_granted=True,
                method="web_form",
                text="I agree to receive news and offers by e-mail.",
            )
