import gc

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

#: Allocations between two collections of the youngest generation (Python's default is 700).
GC_YOUNG_THRESHOLD = 10_000


class CoreConfig(AppConfig):
    name = "marketdesk.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # A request allocates thousands of objects that die with it. At Python's default the young generation is
        # collected several times within one request, each time moving what the request still holds to an older
        # one, until a full collection walks the whole process (some 280,000 objects) every few dozen requests:
        # over a millisecond per API write, on average, when measured (bench/bench_open.py). Collected less often,
        # a request's garbage dies young; what is kept is unchanged (the same collector, run later).
        gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
