"""The demo storefront as an ASGI application (``uvicorn marketdesk.simulator.storefront.asgi:application``)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketdesk.simulator.storefront.settings")
application = get_asgi_application()
