"""Indexes for searching accounts (search app): username prefixes, and trigram similarity over
username and display name together."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("profiles", "0004_social_layer")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX profiles_user_username_prefix "
            "ON profiles_user (lower(username) text_pattern_ops)",
            "DROP INDEX IF EXISTS profiles_user_username_prefix",
        ),
        migrations.RunSQL(
            "CREATE INDEX profiles_user_names_trgm ON profiles_user "
            "USING gin (lower(username || ' ' || display_name) gin_trgm_ops)",
            "DROP INDEX IF EXISTS profiles_user_names_trgm",
        ),
    ]
