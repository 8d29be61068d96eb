from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION marketplace_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only (% refused) / 审计记录不可修改或删除', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS marketplace_audit_append_only ON marketplace_auditentry;
CREATE TRIGGER marketplace_audit_append_only BEFORE UPDATE OR DELETE ON marketplace_auditentry
    FOR EACH ROW EXECUTE FUNCTION marketplace_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS marketplace_audit_append_only ON marketplace_auditentry;
DROP FUNCTION IF EXISTS marketplace_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
