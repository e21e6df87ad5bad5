"""Print a new API token for a user (for scripts and tests)."""

from django.core.management.base import BaseCommand, CommandError

from rapport.accounts.models import User
from rapport.accounts.services import token_create


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user called {options['username']!r}.")
        _token, raw = token_create(actor=user, name=options["name"])
        self.stdout.write(raw)
