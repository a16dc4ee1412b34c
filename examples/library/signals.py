from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import ReaderProfile


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def create_reader_profile(sender, instance, **kwargs):
    # DJI009: runs on every save of a user, and the second one collides on user_id.
    ReaderProfile.objects.create(user=instance)
