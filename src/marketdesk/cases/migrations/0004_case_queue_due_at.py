"""Store each case's deadline that matters now (``queue_due_at``) and its appeal window, for the queue's index."""

import datetime
from django.conf import settings
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery

# The statuses and the column each takes its deadline from (as Case.queue_due() reads them now).
FROM_COLUMN = {
    "awaiting_seller": "seller_due_at",
    "awaiting_info": "info_due_at",
    "escalated": "decision_due_at",
    "under_review": "decision_due_at",
    "appealed": "decision_due_at",
    "offer_made": "expires_at",
    "declined": "expires_at",
}


def fill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Decision = apps.get_model("cases", "Decision")
    PolicyVersion = apps.get_model("core", "PolicyVersion")
    latest = PolicyVersion.objects.order_by("-version").first()
    days = (latest.values or {}).get("appeal_window_days", 30) if latest else 30
    first = Decision.objects.filter(case=OuterRef("pk"), is_appeal=False).order_by("decided_at").values("decided_at")
    Case.objects.update(appeal_due_at=Subquery(first[:1]))
    Case.objects.filter(appeal_due_at__isnull=False).update(
        appeal_due_at=F("appeal_due_at") + datetime.timedelta(days=days)
    )
    for status, column in FROM_COLUMN.items():
        Case.objects.filter(status=status, **{f"{column}__isnull": False}).update(queue_due_at=F(column))
    Case.objects.filter(status="decided", appeal_due_at__isnull=False).update(queue_due_at=F("appeal_due_at"))
    _add_answered_waits(apps)


def _add_answered_waits(apps):
    """Support's deadline on an open case now holds the waits for answers (case_info_provide adds each one as it
    comes); before, the console added them when it showed the clock. Add those already answered, since the
    escalation (or the appeal, for an appealed case)."""
    Case = apps.get_model("cases", "Case")
    InfoRequest = apps.get_model("cases", "InfoRequest")
    Appeal = apps.get_model("cases", "Appeal")
    platform = ("escalated", "under_review", "awaiting_info", "appealed")
    answered = InfoRequest.objects.filter(answered_at__isnull=False, case__status__in=platform)
    for case in Case.objects.filter(pk__in=answered.values("case_id"), decision_due_at__isnull=False):
        since = case.escalated_at
        if case.status == "appealed":
            appeal = Appeal.objects.filter(case=case).order_by("-filed_at").first()
            since = appeal.filed_at if appeal else since
        requests = answered.filter(case=case)
        if since is not None:
            requests = requests.filter(asked_at__gte=since)
        waited = sum((r.answered_at - r.asked_at for r in requests), datetime.timedelta(0))
        if not waited:
            continue
        case.decision_due_at += waited
        if case.status != "awaiting_info":
            case.queue_due_at = case.decision_due_at
        case.save(update_fields=["decision_due_at", "queue_due_at"])


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_case_assigned_at_case_assignee_and_more'),
        ('orders', '0001_initial'),
        ('core', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='appeal_due_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='appeal window closes'),
        ),
        migrations.AddField(
            model_name='case',
            name='queue_due_at',
            field=models.DateTimeField(default=datetime.datetime(9999, 12, 31, 0, 0, tzinfo=datetime.UTC), editable=False, verbose_name='deadline that matters now'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('status__in', ('awaiting_seller', 'offer_made', 'declined', 'escalated', 'under_review', 'awaiting_info', 'decided', 'appealed'))), fields=['queue_due_at', 'id'], name='case_queue_due_idx'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
