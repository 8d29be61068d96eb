"""Issue 14, finding 3: identifiers stored with non-ASCII digits are normalised by a data migration
(valid and unique) or reported; lookups normalise through the validators' one function."""

import importlib

import pytest
from django.apps import apps

from agencies.identifiers import normalise
from agencies.models import Agency, Practitioner
from marketplace.identifiers import make_resident_id
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
migration = importlib.import_module("agencies.migrations.0005_sec1_ascii_identifiers")


def _store(agency, **values):
    Agency.objects.filter(pk=agency.pk).update(**values)  # as a pre-normalisation release would have


def test_migration_normalises_valid_unique_identifiers_and_reports_the_rest(capsys):
    a, b, c = AgencyFactory(), AgencyFactory(), AgencyFactory()
    rep = make_resident_id(11)
    _store(a, legal_rep_id=rep.translate(ARABIC), uscc=a.uscc.translate(FULLWIDTH))
    _store(b, legal_rep_id=rep)                            # the same person already heads b: a conflict
    _store(c, legal_rep_id="33048２19800101000X")          # normalises to an invalid ID (bad check digit)
    practitioner = Practitioner.objects.create(agency=c, name="张三", resident_id=make_resident_id(12).translate(ARABIC))

    migration.repair(apps, None)

    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db(), practitioner.refresh_from_db()
    assert a.uscc.isascii() and a.uscc == normalise(a.uscc)
    assert a.legal_rep_id == rep.translate(ARABIC)          # not merged into b's: reported instead
    assert c.legal_rep_id == "33048２19800101000X"
    assert practitioner.resident_id == make_resident_id(12)
    out = capsys.readouterr().out
    assert "already held by another row" in out and "invalid after normalisation" in out
    assert out.count("non-ASCII identifier") == 4


def test_migration_leaves_ascii_rows_alone(capsys):
    agency = AgencyFactory()
    migration.repair(apps, None)
    assert capsys.readouterr().out == ""
    assert Agency.objects.get(pk=agency.pk).uscc == agency.uscc


@pytest.mark.parametrize("typed", [lambda u: u.translate(FULLWIDTH), lambda u: u.lower()])
def test_public_lookups_normalise_the_uscc(client, typed):
    agency = AgencyFactory(status=Agency.Status.ADMITTED)
    assert client.get(f"/api/agencies/{typed(agency.uscc)}").status_code == 200
    assert client.get(f"/api/agencies/{typed(agency.uscc)}/credit").status_code == 200

