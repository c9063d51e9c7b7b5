# A schema change and a data migration in one: run twice, the seed row would be there twice (the
# table has no unique constraint on it), which is how the tests see a migration that ran more than once.
from django.db import migrations, models


def seed(apps, schema_editor):
    apps.get_model("accounts", "Account").objects.create(name="seed", email="seed@example.com")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [
        migrations.AddField(model_name="account", name="email", field=models.CharField(default="", max_length=200)),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
