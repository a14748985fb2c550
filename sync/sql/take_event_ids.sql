-- $1 change event ids from the sequence, in order: rules need them within the transaction.
SELECT nextval(pg_get_serial_sequence('mirror.events', 'event_id'))
  FROM generate_series(1, $1)
