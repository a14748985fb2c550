-- Reporting views, second set (issue 7): task statuses, DAS tasks and schedules, and the
-- joiner-mover-leaver activity with the actions it caused.

CREATE VIEW report.task_statuses_recent AS
SELECT tenant, id, type, unique_name, target_name, launcher,
       coalesce(completion_status, 'PENDING') AS state, percent_complete,
       created, launched, completed, now() - coalesce(launched, created) AS running_for,
       created > now() - interval '24 hours' AS last_24_hours
FROM isc.task_statuses
WHERE deleted_at IS NULL AND created > now() - interval '30 days'
  AND (completion_status IS NULL OR completion_status IN ('ERROR', 'TEMPERROR', 'TERMINATED'));
COMMENT ON VIEW report.task_statuses_recent IS 'Pending and failed task statuses of the last 30 days (last_24_hours marks the last day); running_for tells how long a pending one has been going.';

CREATE VIEW report.das_task_problems AS
SELECT tenant, 'task' AS kind, task_id AS id, task_name AS name, task_type_name, status,
       start_time AS at, NULL::timestamptz AS due
FROM isc.das_tasks
WHERE deleted_at IS NULL AND status = 'Failed'
UNION ALL
SELECT tenant, 'schedule', schedule_task_id, schedule_task_name, task_type_name,
       CASE WHEN active THEN 'not run when due' ELSE 'inactive' END, last_run, next_run
FROM isc.das_schedules
WHERE deleted_at IS NULL AND active AND next_run < now() - interval '1 hour';
COMMENT ON VIEW report.das_task_problems IS 'Failed DAS tasks, and active DAS schedules whose next run is more than an hour past.';

CREATE VIEW report.jml_activity AS
SELECT e.tenant, e.event_id, e.observed_at, e.object_id AS identity_id,
       e.after->>'name' AS identity_name,
       e.before #>> '{lifecycleState,stateName}' AS state_before,
       e.after #>> '{lifecycleState,stateName}' AS state_after,
       e.op, e.changed_paths,
       a.id AS action_id, a.rule, a.action, a.status AS action_status,
       a.params->>'summary' AS action_summary, a.error AS action_error, a.updated_at AS action_updated_at
FROM mirror.change_events e
LEFT JOIN mirror.actions a ON a.event_id = e.event_id
WHERE e.resource = 'identities' AND NOT e.baseline;
COMMENT ON VIEW report.jml_activity IS 'Identity changes after the baseline (joiners, movers, leavers, rehires) with the actions rules took for them and their outcome.';
