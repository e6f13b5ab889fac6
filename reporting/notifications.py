"""Who is told of a step of the reporting cycle, and what they read.

One email per step, sent through Django's email framework once the step is
committed (``services.move_quarter`` calls ``quarter_moved`` in
``transaction.on_commit``, so a step that rolls back tells no one). A
submission goes to the administrators; an approval, a return (with its
comment) and a reopen go to the unit's data-entry staff. The person who took
the step is not told of it. People with no email address on record are
skipped; with nobody to tell, nothing is sent. A mail server that refuses or
cannot be reached is logged: the step is already recorded and stands.
"""

import logging
import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from reporting import cycle
from reporting.formatting import format_moment, person_name
from reporting.models import UnitQuarter
from reporting.roles import ADMINISTRATORS, DATA_ENTRY
from units.models import Unit

logger = logging.getLogger(__name__)


def unit_clerks(unit: Unit):
    """The unit's data-entry staff: assigned to it, or to no unit (they work on all)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=DATA_ENTRY)
        .filter(Q(assigned_units=unit) | Q(assigned_units__isnull=True))
        .exclude(email="")
        .distinct()
    )


def administrators():
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name=ADMINISTRATORS) | Q(is_superuser=True))
        .exclude(email="")
        .distinct()
    )


def recipients(record: UnitQuarter, transition: "cycle.Transition", user) -> list[str]:
    people = unit_clerks(record.unit) if transition.notify == cycle.CLERKS else administrators()
    if user is not None:
        people = people.exclude(pk=user.pk)
    return sorted(people.values_list("email", flat=True))


def quarter_moved(*, record: UnitQuarter, transition: "cycle.Transition", user) -> None:
    """Send the one email of this step to the people concerned."""
    to = recipients(record, transition, user)
    if not to:
        return
    context = {
        "record": record,
        "action": transition.action,
        "done": transition.done,
        "who": person_name(user),
        "when": format_moment(getattr(record, f"{transition.stamp}_at")),
        "text": getattr(record, transition.text_field) if transition.text_field else "",
        "board": settings.ALERT_SITE_URL + reverse("admin:reporting_unitquarter_changelist"),
        "grid": settings.ALERT_SITE_URL
        + reverse("admin:reporting_figure_grid", args=[record.unit_id, record.fiscal_year_id]),
    }
    subject = f"{record} {transition.done}"
    if transition.action == "submit":
        subject += " for approval"
    body = render_to_string("reporting/email/quarter_step.txt", context)
    try:
        send_mail(subject, body, None, to)
    except (smtplib.SMTPException, OSError):
        logger.exception("The email “%s” to %s was not sent.", subject, ", ".join(to))
