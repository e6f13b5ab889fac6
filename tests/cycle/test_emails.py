"""Each step of the reporting cycle sends one email to the people concerned,
once the step is committed: a submission to the administrators; an
approval, a return (with its comment) and a reopen to the unit's data-entry
staff. The person who took the step is not told; a step that fails sends
nothing."""

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.exceptions import ValidationError

from reporting import services
from reporting.roles import ADMINISTRATORS, DATA_ENTRY


@pytest.fixture
def people(ice, ice_clerk, administrator, clerk, leader):
    """Bob (ICE's clerk), Alice and Erin (administrators), Frank (a clerk of every
    unit: assigned to none), Gina (CFSEU's clerk), Carol (leadership)."""
    cfseu_clerk = User.objects.create_user("gina", email="gina@alert.example")
    cfseu_clerk.groups.add(Group.objects.get(name=DATA_ENTRY))
    cfseu_clerk.assigned_units.add(ice.__class__.objects.get(code="CFSEU"))
    every_unit_clerk = User.objects.create_user("frank", email="frank@alert.example")
    every_unit_clerk.groups.add(Group.objects.get(name=DATA_ENTRY))
    second_admin = User.objects.create_user("erin", email="erin@alert.example")
    second_admin.groups.add(Group.objects.get(name=ADMINISTRATORS))
    User.objects.create_user("gone", email="gone@alert.example", is_active=False).groups.add(
        Group.objects.get(name=ADMINISTRATORS)
    )
    for user, address in ((ice_clerk, "bob"), (administrator, "alice"), (leader, "carol")):
        user.email = f"{address}@alert.example"
        user.save()
    return {"second_admin": second_admin}


def step(action: str, *, year, ice, user, quarter: str = "Q1", text: str = ""):
    return services.move_quarter(
        action=action, unit=ice, fiscal_year=year, quarter=quarter, user=user, text=text
    )


def test_a_submission_tells_the_administrators(
    people, year, ice, ice_clerk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        step("submit", year=year, ice=ice, user=ice_clerk)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@alert.example", "erin@alert.example"]
    assert message.subject == "ICE 2023-24 Q1 submitted for approval"
    assert "bob submitted ICE 2023-24 Q1 (" in message.body
    assert "frozen for data-entry staff" in message.body
    assert "http://localhost:8000/admin/reporting/unitquarter/" in message.body


def test_a_return_tells_the_units_clerks_with_the_comment(
    people, year, ice, ice_clerk, administrator, django_capture_on_commit_callbacks
):
    step("submit", year=year, ice=ice, user=ice_clerk)
    with django_capture_on_commit_callbacks(execute=True):
        step("return", year=year, ice=ice, user=administrator, text="Q1 intakes look doubled.")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    # ICE's clerk and the clerk of every unit; not CFSEU's, not leadership, not Alice.
    assert message.to == ["bob@alert.example", "frank@alert.example"]
    assert message.subject == "ICE 2023-24 Q1 returned"
    assert "alice returned ICE 2023-24 Q1" in message.body
    assert "Q1 intakes look doubled." in message.body
    assert f"/admin/reporting/figure/grid/{ice.pk}/{year.pk}/" in message.body


def test_an_approval_and_a_reopen_tell_the_units_clerks(
    people, year, ice, ice_clerk, administrator, django_capture_on_commit_callbacks
):
    step("submit", year=year, ice=ice, user=ice_clerk)
    with django_capture_on_commit_callbacks(execute=True):
        step("approve", year=year, ice=ice, user=administrator)
    with django_capture_on_commit_callbacks(execute=True):
        step("reopen", year=year, ice=ice, user=people["second_admin"], text="Late lab results.")
    assert [m.subject for m in mail.outbox] == [
        "ICE 2023-24 Q1 approved",
        "ICE 2023-24 Q1 reopened",
    ]
    assert all(m.to == ["bob@alert.example", "frank@alert.example"] for m in mail.outbox)
    assert "read-only now" in mail.outbox[0].body
    assert "Late lab results." in mail.outbox[1].body


def test_a_refused_step_sends_nothing(
    people, year, ice, ice_clerk, administrator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValidationError):
            step("approve", year=year, ice=ice, user=administrator)  # nothing submitted
        with pytest.raises(ValidationError):
            step("return", year=year, ice=ice, user=administrator)  # no comment
    assert mail.outbox == []


def test_nobody_with_an_address_means_no_email(
    year, ice, ice_clerk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        step("submit", year=year, ice=ice, user=ice_clerk)
    assert mail.outbox == []


def test_a_mail_server_that_is_down_leaves_the_step_recorded_and_logs_it(
    people, year, ice, ice_clerk, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", 9, False
    with django_capture_on_commit_callbacks(execute=True):
        record = step("submit", year=year, ice=ice, user=ice_clerk)
    record.refresh_from_db()
    assert record.state == "submitted"
    assert "ICE 2023-24 Q1 submitted for approval" in caplog.text
    assert "alice@alert.example" in caplog.text
