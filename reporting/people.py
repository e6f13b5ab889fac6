"""People: adding a person with their role and units in one step, their staff
status, and the link that lets them set (or reset) their password.

Staff status is never set by hand: it follows from the role (every role signs
in to the admin; no role, no admin), and ``sync_staff_status`` is called by
every path that changes a person's roles. The link is Django's own password
reset token (``default_token_generator``), valid for ``PASSWORD_RESET_TIMEOUT``
and spent by setting a password; mail goes through the configured
``EMAIL_BACKEND`` (printed to the console locally, see docs/operations.md).
"""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from reporting.formatting import person_name
from reporting.models import PublicationEvent, Release
from reporting.roles import ADMINISTRATORS, DATA_ENTRY, LEADERSHIP
from units.models import EVERY_UNIT_PERMISSION, Unit

ROLES = [ADMINISTRATORS, DATA_ENTRY, LEADERSHIP]
ROLE_DESCRIPTIONS = {
    DATA_ENTRY: "enters and imports the figures of their units",
    ADMINISTRATORS: "everything: people, the catalogue, fiscal years, publishing",
    LEADERSHIP: "reads the figures and the annual summary, changes nothing",
}


def staff_status_for(user) -> bool:
    """Whether ``user`` signs in to the admin: superusers and anyone with a role."""
    return user.is_superuser or user.groups.filter(name__in=ROLES).exists()


def sync_staff_status(user) -> None:
    """Make ``user.is_staff`` follow their role (called after roles change)."""
    wanted = staff_status_for(user)
    if user.is_staff != wanted:
        user.is_staff = wanted
        user.save(update_fields=["is_staff"])


def check_units(role: str, units: Iterable[Unit], every_unit: bool) -> list[Unit]:
    """A data-entry person works on the units ticked, or on every unit with the
    box ticked: one or the other, never neither (the old "nothing ticked means
    every unit" was too easy to give by mistake). Other roles take no units."""
    units = list(units)
    if role != DATA_ENTRY:
        if units or every_unit:
            raise ValidationError(
                {"units": f"Only Data entry staff are assigned units; {role} work on all of them."}
            )
        return units
    if units and every_unit:
        raise ValidationError(
            {
                "every_unit": "Tick either the units they work on or “every unit”, not both: "
                "a person assigned to units works on those only."
            }
        )
    if not units and not every_unit:
        raise ValidationError(
            {
                "units": "Tick the units whose figures they enter, or tick “every unit” "
                "if they enter the figures of all units."
            }
        )
    return units


def every_unit_permission() -> Permission:
    app_label, codename = EVERY_UNIT_PERMISSION.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def add_person(
    *,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    units: Iterable[Unit] = (),
    every_unit: bool = False,
):
    """A new person with one role (and, for Data entry, their units or every unit).

    Their username is their email address, lower-cased; they have no password
    until they set one from the link ``send_invitation`` mails them.
    """
    User = get_user_model()
    email = User.objects.normalize_email(email.strip()).lower()
    if role not in ROLES:
        raise ValidationError({"role": f"Choose one of the roles: {', '.join(ROLES)}."})
    units = check_units(role, units, every_unit)
    if (
        User.objects.filter(username__iexact=email).exists()
        or User.objects.filter(email__iexact=email).exists()
    ):
        raise ValidationError(
            {"email": f"{email} already has an account: find it in the list of users."}
        )
    person = User(
        username=email, email=email, first_name=first_name.strip(), last_name=last_name.strip()
    )
    person.set_unusable_password()
    person.full_clean()
    person.save()
    person.groups.set([Group.objects.get(name=role)])
    person.assigned_units.set(units)
    if every_unit:
        person.user_permissions.add(every_unit_permission())
    sync_staff_status(person)
    return person


def send_invitation(user, *, request) -> None:
    """Mail a new person a one-time link to set their password (Django's reset token)."""
    context = {
        "user": user,
        "name": person_name(user),
        "username": user.get_username(),
        "link": request.build_absolute_uri(
            reverse(
                "password_reset_confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                },
            )
        ),
        "sign_in": request.build_absolute_uri(reverse("admin:login")),
        "site_name": "ALERT results records",
        "timeout_days": max(1, settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60)),
    }
    subject = render_to_string("registration/invitation_subject.txt", context).strip()
    body = render_to_string("registration/invitation_email.txt", context)
    send_mail(subject, body, None, [user.email])


class PasswordLinkForm(PasswordResetForm):
    """The sign-in page's "Forgot your password?": also reaches people who were
    added but have not set a password yet (their invitation may have expired).
    Django's own form skips them."""

    def get_users(self, email):
        User = get_user_model()
        return (
            user
            for user in User._default_manager.filter(email__iexact=email, is_active=True)
            if user.email
        )


def has_published(user_id) -> bool:
    """Whether the person published a release or prepared a correction (their
    account is then deactivated, never deleted)."""
    return (
        Release.objects.filter(published_by_id=user_id).exists()
        or PublicationEvent.objects.filter(by_id=user_id).exists()
    )
