from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttachmentsConfig(AppConfig):
    name = "marketdesk.attachments"
    label = "attachments"
    verbose_name = _("Attachments")

    def ready(self) -> None:
        from django.conf import settings
        from PIL import Image
        from pillow_heif import register_heif_opener

        # HEIC photos (iPhones) open through Pillow; they are stored as JPEG.
        register_heif_opener()
        # Pillow's own bomb guard at our limit: it warns above it and refuses outright at twice it;
        # media.image_prepare turns the warning into a refusal too.
        Image.MAX_IMAGE_PIXELS = settings.ATTACHMENT_MAX_IMAGE_PIXELS
