# ruff: noqa: S608 - the SQL is built from this file's constants only, never from input

from django.db import migrations, models

# Each order counts once for its buyer and once for its shop. The counts are kept by triggers, so no write
# path (the API's upsert, the simulator, a bulk insert in a bench or an import, a delete) can miss one.
KINDS = {"buyer": "buyer_id", "shop": "shop_id"}


def _add(row):
    return " ".join(
        f"INSERT INTO orders_ordercount (kind, owner_id, n) VALUES ('{kind}', {row}.{column}, 1) "
        "ON CONFLICT (kind, owner_id) DO UPDATE SET n = orders_ordercount.n + 1;"
        for kind, column in KINDS.items()
    )


def _remove(row):
    return " ".join(
        f"UPDATE orders_ordercount SET n = n - 1 WHERE kind = '{kind}' AND owner_id = {row}.{column};"
        for kind, column in KINDS.items()
    )


def _changed(vendor):
    distinct = "IS NOT" if vendor == "sqlite" else "IS DISTINCT FROM"
    return " OR ".join(f"OLD.{column} {distinct} NEW.{column}" for column in KINDS.values())


def _sqlite():
    return [
        f"CREATE TRIGGER orders_ordercount_ins AFTER INSERT ON orders_order BEGIN {_add('NEW')} END",
        f"CREATE TRIGGER orders_ordercount_del AFTER DELETE ON orders_order BEGIN {_remove('OLD')} END",
        (
            f"CREATE TRIGGER orders_ordercount_upd AFTER UPDATE ON orders_order WHEN {_changed('sqlite')} "
            f"BEGIN {_remove('OLD')} {_add('NEW')} END"
        ),
    ]


def _postgresql():
    return [
        (
            "CREATE FUNCTION orders_ordercount() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {_remove('OLD')} END IF; "
            f"IF TG_OP IN ('UPDATE', 'INSERT') THEN {_add('NEW')} END IF; "
            "RETURN NULL; END $$"
        ),
        (
            "CREATE TRIGGER orders_ordercount_insdel AFTER INSERT OR DELETE ON orders_order "
            "FOR EACH ROW EXECUTE FUNCTION orders_ordercount()"
        ),
        (
            "CREATE TRIGGER orders_ordercount_upd AFTER UPDATE ON orders_order FOR EACH ROW "
            f"WHEN ({_changed('postgresql')}) EXECUTE FUNCTION orders_ordercount()"
        ),
    ]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in _sqlite() if vendor == "sqlite" else _postgresql():
        schema_editor.execute(statement)
    for kind, column in KINDS.items():  # the orders stored before
        schema_editor.execute(
            f"INSERT INTO orders_ordercount (kind, owner_id, n) SELECT '{kind}', {column}, COUNT(*) "
            f"FROM orders_order GROUP BY {column}"
        )


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for suffix in ("ins", "del", "upd"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS orders_ordercount_{suffix}")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS orders_ordercount_insdel ON orders_order")
        schema_editor.execute("DROP TRIGGER IF EXISTS orders_ordercount_upd ON orders_order")
        schema_editor.execute("DROP FUNCTION IF EXISTS orders_ordercount()")


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0003_order_line_count'),
    ]

    operations = [
        migrations.CreateModel(
            name='OrderCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=8)),
                ('owner_id', models.BigIntegerField()),
                ('n', models.BigIntegerField(default=0)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('kind', 'owner_id'), name='order_count_key')],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
