-- One action's status.
SELECT status FROM mirror.actions WHERE id = $1
