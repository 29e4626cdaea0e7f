# A submitted progress report is never changed or deleted, not even by a bulk update() or raw
# SQL: PostgreSQL refuses it. (A correction is a new row: a new version.) The embedded SQLite
# run relies on the model's guard: its test flush deletes rows, which a trigger would refuse.
from django.db import migrations

POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION progress_report_frozen() RETURNS trigger AS $$
    BEGIN
        IF OLD.status = 'submitted' THEN
            RAISE EXCEPTION 'progress report % is submitted: it cannot be changed or deleted',
                OLD.id USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER progress_report_frozen
    BEFORE UPDATE OR DELETE ON progress_progressreport
    FOR EACH ROW EXECUTE FUNCTION progress_report_frozen();
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS progress_report_frozen ON progress_progressreport;",
    "DROP FUNCTION IF EXISTS progress_report_frozen();",
]
def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql, params=None)  # no placeholders: "%" is literal

    return run


class Migration(migrations.Migration):
    dependencies = [("progress", "0004_progress_reports")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL}),
            _run({"postgresql": POSTGRESQL_REVERSE}),
        )
    ]
