from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0001_initial"),
    ]

    operations = [
        # DJI004: books already in the table have no edition; the ALTER TABLE fails.
        migrations.AddField(
            model_name="book",
            name="edition",
            field=models.PositiveIntegerField(),
        ),
        # DJI002: existing tags may already hold duplicate names; nothing removes them first.
        migrations.AlterField(
            model_name="tag",
            name="name",
            field=models.CharField(max_length=50, unique=True),
        ),
    ]
