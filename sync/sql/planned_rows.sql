-- The row count the planner last learned for a table (-1: never analysed).
SELECT reltuples FROM pg_class WHERE oid = $1::regclass
