"""Django's ``flush`` (empty every table), which the insert-only tables'
triggers would refuse on SQLite: there it lifts them for the flush, in the
same transaction, and puts them back. PostgreSQL's flush is a TRUNCATE, which
row triggers do not see. The test suite's transactional tests flush after
each test."""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections, transaction

from reporting import insert_only


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                for statement in insert_only.remove_sql(connection.vendor):
                    cursor.execute(statement)
            try:
                return super().handle(**options)
            finally:
                with connection.cursor() as cursor:
                    for statement in insert_only.install_sql(connection.vendor):
                        cursor.execute(statement)
