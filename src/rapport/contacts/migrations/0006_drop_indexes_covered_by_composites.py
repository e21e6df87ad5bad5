"""Drop the single-column indexes of foreign keys that a composite index already leads with.

On SQLite altering these fields remakes the tables, which drops the triggers that keep the FTS5
search tables in step: the last operation puts them back (see 0003_search_indexes)."""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


search_indexes = importlib.import_module("rapport.contacts.migrations.0003_search_indexes")


def restore_search_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        search_indexes.create(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('contacts', '0005_name_indexes_cover_scope'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='company',
            name='branch',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, to='accounts.branch', verbose_name='serving branch'),
        ),
        migrations.AlterField(
            model_name='company',
            name='curator',
            field=models.ForeignKey(blank=True, db_index=False, help_text='The account manager responsible for this customer.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='curator'),
        ),
        migrations.AlterField(
            model_name='company',
            name='owner',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by'),
        ),
        migrations.AlterField(
            model_name='company',
            name='team',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accounts.team', verbose_name='team'),
        ),
        migrations.AlterField(
            model_name='company',
            name='territory',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, to='accounts.territory', verbose_name='territory'),
        ),
        migrations.AlterField(
            model_name='person',
            name='curator',
            field=models.ForeignKey(blank=True, db_index=False, help_text='The account manager responsible for this customer.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='curator'),
        ),
        migrations.AlterField(
            model_name='person',
            name='owner',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by'),
        ),
        migrations.AlterField(
            model_name='person',
            name='team',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accounts.team', verbose_name='team'),
        ),
        migrations.RunPython(restore_search_triggers, migrations.RunPython.noop),
    ]
