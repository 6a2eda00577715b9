"""ASGI entry point (uvicorn marketdesk.asgi:application)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketdesk.settings")
django_application = get_asgi_application()

# In front of Django, which reads the whole body before any view could refuse it.
from marketdesk.web.bodylimit import BodyLimitMiddleware  # noqa: E402 - needs settings configured

application = BodyLimitMiddleware(django_application)

# Load the triage model at start-up, not on a buyer's first keystroke (scikit-learn takes seconds
# to import). Only web processes come through here; commands and workers never pay for it.
from marketdesk.triage.model import model_get  # noqa: E402

model_get()
