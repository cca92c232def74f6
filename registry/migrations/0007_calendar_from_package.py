"""The State Council's holidays now come from the ``chinese-calendar`` package: calendar rows
that say what the package says (those loaded from the retired ``holidays.json``) go; rows the
bureau entered that differ from it, or for a year it does not know, stay as overrides."""

from django.db import migrations


def drop_rows_the_package_repeats(apps, schema_editor):
    import chinese_calendar
    from chinese_calendar.constants import holidays

    known = range(min(holidays).year, max(holidays).year + 1)
    CalendarDay = apps.get_model("registry", "CalendarDay")
    redundant = [
        row.pk
        for row in CalendarDay.objects.all()
        if row.date.year in known and chinese_calendar.is_workday(row.date) == row.is_working_day
    ]
    CalendarDay.objects.filter(pk__in=redundant).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_input_bounds")]

    # Going back leaves the overrides alone; ``registry_reference_load`` of the old code reloads the file.
    operations = [migrations.RunPython(drop_rows_the_package_repeats, migrations.RunPython.noop)]
