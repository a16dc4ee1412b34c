INSTALLED_APPS = ["accounts", "shop", "catalog", "orders"]
AUTH_USER_MODEL = "accounts.Member"
