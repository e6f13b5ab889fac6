"""The database's own guard of the insert-only tables: releases and the
publication log refuse UPDATE and DELETE however they are sent (the ORM's
private paths, raw SQL, a foreign key's SET_NULL), on PostgreSQL and SQLite.

Installed by migration 0013. On SQLite a migration that rebuilds one of these
tables (most ``AlterField`` and ``RemoveField`` operations) drops its
triggers: such a migration must call ``install`` again (the trigger test
fails otherwise).
"""

TABLES = ("reporting_release", "reporting_publicationevent")
MESSAGE = "is insert-only: a published release and the publication log never change"


def install_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        statements = [
            "CREATE OR REPLACE FUNCTION reporting_refuse_change() RETURNS trigger "
            "LANGUAGE plpgsql AS $body$ BEGIN "
            f"RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' {MESSAGE}', "
            "ERRCODE = 'integrity_constraint_violation'; "
            "END $body$"
        ]
        for table in TABLES:
            statements += [
                f"DROP TRIGGER IF EXISTS {table}_insert_only ON {table}",
                f"CREATE TRIGGER {table}_insert_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION reporting_refuse_change()",
            ]
        return statements
    statements = []
    for table in TABLES:
        for action in ("update", "delete"):
            statements += [
                f"DROP TRIGGER IF EXISTS {table}_no_{action}",
                f"CREATE TRIGGER {table}_no_{action} BEFORE {action.upper()} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} {MESSAGE}'); END",
            ]
    return statements


def remove_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            *(f"DROP TRIGGER IF EXISTS {table}_insert_only ON {table}" for table in TABLES),
            "DROP FUNCTION IF EXISTS reporting_refuse_change()",
        ]
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_{action}"
        for table in TABLES
        for action in ("update", "delete")
    ]


def install(schema_editor) -> None:
    for statement in install_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def remove(schema_editor) -> None:
    for statement in remove_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)
