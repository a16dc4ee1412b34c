SECRET_KEY = "example-only"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "library",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "example.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
