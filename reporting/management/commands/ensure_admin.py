"""Make sure a local administrator exists; print its generated password once."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the local administrator 'admin' with a generated password, if none exists."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username: str, **options):
        users = get_user_model().objects
        if users.filter(is_superuser=True).exists():
            names = ", ".join(users.filter(is_superuser=True).values_list("username", flat=True))
            self.stdout.write(
                f"Administrator account(s): {names}. Forgot the password? "
                f"Run: .venv/bin/python manage.py changepassword {username}"
            )
            return
        password = secrets.token_urlsafe(12)
        users.create_superuser(username=username, email="", password=password)
        bar = "=" * 64
        self.stdout.write(
            f"{bar}\nCreated the administrator account.\n"
            f"  username: {username}\n  password: {password}\n"
            f"This password is shown only this once: note it now.\n{bar}"
        )
