SECRET_KEY = "example-only"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "library",
]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "example.sqlite3",
                "ATOMIC_REQUESTS": True},
}
ROOT_URLCONF = "library.urls"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
