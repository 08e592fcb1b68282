"""One account per name in any case (a unique index on UPPER(username), which also answers
every lookup by name), and an index for finding accounts by address in any case."""

import django.db.models.functions.text
from django.db import migrations, models

import profiles.models


# The rename touches the name alone: the admin and `User.objects.get()` read every column of the
# release's model, some of which later migrations add (they fail until the upgrade is done).
RENAME_HOW = (
    "manage.py shell -c \"from profiles.models import User; "
    "User.objects.filter(username='OLD').update(username='NEW')\""
)


def refuse_names_taken_twice(apps, schema_editor) -> None:  # noqa: ANN001
    """Accounts made outside the sign-up rules (createsuperuser) may share a name in another
    case; the index cannot be built over them, and which one keeps the name is the operator's
    choice: name them and stop."""
    User = apps.get_model("profiles", "User")
    clashes = (
        User.objects.annotate(key=django.db.models.functions.text.Upper("username"))
        .values("key")
        .annotate(count=models.Count("id"))
        .filter(count__gt=1)
        .values_list("key", flat=True)
    )
    names = [
        ", ".join(User.objects.filter(username__iexact=key).values_list("username", flat=True))
        for key in clashes[:20]
    ]
    if names:
        raise RuntimeError(
            "accounts share a username in different cases; rename all but one of each and "
            f"migrate again ({RENAME_HOW}): " + "; ".join(names)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("profiles", "0006_user_private_index"),
    ]

    operations = [
        migrations.AlterModelManagers(
            name="user",
            managers=[("objects", profiles.models.AnyCaseUserManager())],
        ),
        migrations.RunPython(refuse_names_taken_twice, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="user",
            index=models.Index(
                django.db.models.functions.text.Upper("email"), name="user_email_any_case_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Upper("username"),
                name="user_username_any_case_unique",
            ),
        ),
    ]
