"""EXPLAIN on PostgreSQL for the benchmarks: a query's plan as its node types, with the Seq Scans
on big tables flagged (a big table read whole grows with the instance, not with the page).

No Django set-up on import: bench/scale_bench.py and its test in the suite
(tests/schoolplan/test_scale_bench.py) call it with a database cursor."""

import json

# A table with more rows than this, read by a Seq Scan, is flagged.
BIG_TABLE_ROWS = 20_000


def plan(cursor, sql):
    """The plan of sql (captured with its values, as Django runs it on PostgreSQL): its root."""
    cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
    found = cursor.fetchone()[0]
    if isinstance(found, str):
        found = json.loads(found)
    return found[0]["Plan"]


def nodes(root):
    """[(node type, table or index or "")] of a plan, depth first."""
    found = []

    def walk(node):
        where = node.get("Index Name") or node.get("Relation Name") or ""
        found.append((node["Node Type"], where, node.get("Relation Name", "")))
        for child in node.get("Plans", []):
            walk(child)

    walk(root)
    return [(kind, where) for kind, where, _ in found], found


def table_rows(cursor):
    """{table: estimated rows} from pg_class (the statistics ANALYZE keeps)."""
    cursor.execute(
        "SELECT c.relname, c.reltuples::bigint FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()"
    )
    return dict(cursor.fetchall())


def describe(cursor, sql, rows=None, big=BIG_TABLE_ROWS):
    """(one line of node types, [big tables read by a Seq Scan]) for sql."""
    rows = table_rows(cursor) if rows is None else rows
    shown, found = nodes(plan(cursor, sql))
    flagged = sorted(
        {table for kind, _, table in found if kind == "Seq Scan" and rows.get(table, 0) > big}
    )
    line = " > ".join(f"{kind} ({where})" if where else kind for kind, where in shown)
    return line, flagged
