"""Other packages' apps, named in the reader's language in Django admin (their own names are fixed English).

Kept apart from ``core.apps``: Django picks an app's configuration from its ``apps`` module only when
that module holds a single one.
"""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_tasks_db.apps import TasksAppConfig


class TasksConfig(TasksAppConfig):
    # The package annotates a plain str; Django takes a lazy translation here as for any app.
    verbose_name = _("Background tasks")  # type: ignore[assignment]


class AxesConfig(AxesAppConfig):
    verbose_name = _("Sign-in attempts")


# Words of other packages that their own catalogues leave in English (Django 6.1's empty choice,
# the task queue's model): listed here so our catalogue translates them.
THIRD_PARTY_WORDS = (
    gettext_noop("- Select an option -"),
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
)
