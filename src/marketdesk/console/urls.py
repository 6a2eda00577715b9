from django.urls import path

from marketdesk.console.views import audit, dashboard, funding, macros, queue, satisfaction

app_name = "console"
urlpatterns = [
    # The queue is the console's home; its older addresses keep working, with their filters.
    path("console/", queue.queue, name="queue"),
    path("console/queue/", queue.queue_moved, name="queue_moved"),
    path("console/queue/bulk/", queue.bulk, name="bulk"),
    path("console/queue/views/", queue.view_save, name="view_save"),
    path("console/queue/views/<int:pk>/delete/", queue.view_delete, name="view_delete"),
    path("console/queue/<int:pk>/claim/", queue.claim, name="claim"),
    path("console/queue/<int:pk>/assign/", queue.assign, name="assign"),
    path("console/dashboard/", dashboard.dashboard, name="dashboard"),
    path("console/dashboard.csv", dashboard.dashboard_csv, name="dashboard_csv"),
    path("console/funding.csv", funding.funding_csv, name="funding_csv"),
    path("console/audit/", audit.audit, name="audit"),
    path("console/audit.csv", audit.audit_csv, name="audit_csv"),
    path("console/macros/", macros.macro_list, name="macros"),
    path("console/macros/new/", macros.macro_new, name="macro_new"),
    path("console/macros/check/", macros.macro_check, name="macro_check"),
    path("console/macros/<int:pk>/", macros.macro_edit, name="macro_edit"),
    path("console/macros/<int:pk>/translate/", macros.macro_translate, name="macro_translate"),
    path("console/macros/<int:pk>/archive/", macros.macro_archive, name="macro_archive"),
    path("console/macros/<int:pk>/delete/", macros.macro_delete, name="macro_delete"),
    path("console/macros/<int:pk>/insert/<int:case_pk>/", macros.macro_insert, name="macro_insert"),
    path("console/satisfaction/", satisfaction.results, name="satisfaction"),
    path("satisfaction/<int:pk>/", satisfaction.survey, name="survey"),
]
