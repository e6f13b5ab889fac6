"""Cache invalidation only: forget a user's cached access (units.auth) when
their groups, permissions or unit assignments change. No domain rule lives here."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from units.auth import forget_access
from units.models import Unit

User = get_user_model()
CHANGES = {"post_add", "post_remove", "pre_clear"}  # a clear names no ids: look before it


def _users_of_groups(group_ids) -> list[int]:
    return list(User.objects.filter(groups__in=group_ids).values_list("pk", flat=True))


@receiver(m2m_changed, sender=User.groups.through)
def groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in CHANGES:
        return
    if not reverse:  # user.groups.add(...)
        forget_access([instance.pk])
    else:  # group.user_set.add(...)
        forget_access(pk_set or _users_of_groups([instance.pk]))


@receiver(m2m_changed, sender=User.user_permissions.through)
def user_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in CHANGES:
        return
    if not reverse:
        forget_access([instance.pk])
    else:  # permission.user_set.add(...)
        forget_access(
            pk_set or User.objects.filter(user_permissions=instance).values_list("pk", flat=True)
        )


@receiver(m2m_changed, sender=Group.permissions.through)
def group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in CHANGES:
        return
    if not reverse:  # group.permissions.add(...)
        forget_access(_users_of_groups([instance.pk]))
    else:  # permission.group_set.add(...)
        groups = pk_set or Group.objects.filter(permissions=instance).values_list("pk", flat=True)
        forget_access(_users_of_groups(list(groups)))


@receiver(m2m_changed, sender=Unit.data_entry_users.through)
def unit_assignments_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in CHANGES:
        return
    if not reverse:  # unit.data_entry_users.add(...)
        forget_access(pk_set or instance.data_entry_users.values_list("pk", flat=True))
    else:  # user.assigned_units.add(...)
        forget_access([instance.pk])


@receiver(post_save, sender=User)
@receiver(post_delete, sender=User)
def user_changed(sender, instance, **kwargs):
    # A new user may reuse the id of a deleted one (SQLite does); a saved one
    # may have changed is_active or is_superuser. Forgetting is cheap.
    forget_access([instance.pk])


@receiver(pre_delete, sender=Group)
def group_deleted(sender, instance, **kwargs):
    forget_access(_users_of_groups([instance.pk]))


@receiver(pre_delete, sender=Unit)
def unit_deleted(sender, instance, **kwargs):
    forget_access(instance.data_entry_users.values_list("pk", flat=True))


@receiver(pre_delete, sender=Permission)
def permission_deleted(sender, instance, **kwargs):
    users = set(User.objects.filter(user_permissions=instance).values_list("pk", flat=True))
    groups = Group.objects.filter(permissions=instance).values_list("pk", flat=True)
    forget_access(users | set(_users_of_groups(list(groups))))
