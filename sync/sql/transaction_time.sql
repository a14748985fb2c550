-- The transaction's own time, so that a closed version and its successor meet exactly.
SELECT now()::text
