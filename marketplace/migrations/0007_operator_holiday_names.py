"""Holiday names loaded from chinesecalendar were its English names ("Spring Festival"); store the Chinese ones."""

from django.db import migrations


def to_chinese(apps, schema_editor):
    from chinese_calendar.constants import Holiday as Festival

    Holiday = apps.get_model("marketplace", "Holiday")
    for festival in Festival:
        Holiday.objects.filter(name=festival.value).update(name=festival.chinese[:50])


class Migration(migrations.Migration):
    dependencies = [("marketplace", "0006_merge_20261129_2346")]
    operations = [migrations.RunPython(to_chinese, migrations.RunPython.noop)]
