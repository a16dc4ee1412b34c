from django.contrib.auth.models import AbstractUser
from django.db import models


class Member(AbstractUser):
    badge = models.CharField(max_length=12, unique=True, null=True)
