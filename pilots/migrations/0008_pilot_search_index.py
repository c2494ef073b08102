"""A GIN index for the library's Swedish full-text search, on PostgreSQL only.

The expression must match the one pilots.library builds (same fields, same order, same
configuration), or the planner cannot use it. SQLite searches with LIKE and needs no index.
"""

from django.db import migrations

FIELDS = ("title", "need", "summary", "approach", "lessons", "target_group")
INDEX_NAME = "pilot_search_swedish_idx"


def _index():
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    return GinIndex(SearchVector(*FIELDS, config="swedish"), name=INDEX_NAME)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("pilots", "Pilot"), _index())


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("pilots", "Pilot"), _index())


class Migration(migrations.Migration):
    dependencies = [("pilots", "0007_pilot_list_indexes")]

    operations = [migrations.RunPython(create_index, drop_index)]
