"""Stored identifiers with non-ASCII characters (issue 14, finding 3): a USCC, legal representative's,
contact's or practitioner's ID typed with full-width or other-script digits (`330482١٩٨٠...`) slipped past
the old validator and the one-person-one-agency check. Each is normalised to ASCII with the validators'
own function where the result is valid and not held by another row; anything else is reported (printed
and logged) for an operator to correct, and left unchanged. Never fails the migration."""

import logging

from django.db import migrations

logger = logging.getLogger("agencies.migrations")

# (app, model, column, validator name, must the value be unique across the table?)
COLUMNS = [
    ("agencies", "Agency", "uscc", "validate_uscc", True),
    ("agencies", "Agency", "legal_rep_id", "validate_resident_id", True),  # one legal representative, one agency
    ("agencies", "Agency", "contact_id", "validate_resident_id", False),
    ("agencies", "Practitioner", "resident_id", "validate_resident_id", True),
    ("agencies", "Blacklist", "uscc", "validate_uscc", False),
    ("marketplace", "Organisation", "uscc", "validate_uscc", True),
]


def repair(apps, schema_editor):
    from agencies import identifiers

    for app, model_name, column, validator, unique in COLUMNS:
        model = apps.get_model(app, model_name)
        rows = [(pk, v) for pk, v in model.objects.values_list("pk", column).iterator() if v and not v.isascii()]
        for pk, value in rows:
            def taken(fixed, pk=pk):
                return unique and model.objects.filter(**{column: fixed}).exclude(pk=pk).exists()

            fixed, why = identifiers.ascii_repair(value, getattr(identifiers, validator), taken)
            if fixed:
                model.objects.filter(pk=pk).update(**{column: fixed})
                message = f"{model_name}.{column} #{pk}: {value!r} → {fixed}"
            else:
                message = f"{model_name}.{column} #{pk}: {value!r} NOT changed, {why}; correct it by hand"
            logger.warning("non-ASCII identifier: %s", message)
            print(f"  non-ASCII identifier: {message}")  # noqa: T201 (the operator running migrate reads this)


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0004_credit_correction"),
        ("marketplace", "0004_search_vector_table"),
    ]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
