-- Issue 15, reading ISC as its definitions say. A certification reviewed by a governance group
-- is mirrored as such: its reviewer is the group (Reviewer.type GOVERNANCE_GROUP), not an
-- identity, and ISC refuses to list its access review items; reports tell the two apart.

ALTER TABLE isc.certifications ADD COLUMN reviewer_type text;
UPDATE isc.certifications SET reviewer_type = raw #>> '{reviewer,type}';
COMMENT ON COLUMN isc.certifications.reviewer_type IS
  'IDENTITY or GOVERNANCE_GROUP (Reviewer.type); reviewer_id is the group''s id for a group.';

-- The reviewer's type joins the view at its end (CREATE OR REPLACE keeps existing columns).
CREATE OR REPLACE VIEW report.open_certifications AS
SELECT c.tenant, c.id, c.name, c.campaign_name, c.reviewer_id, r.name AS reviewer_name,
       r.lifecycle_state = ANY ((SELECT report.leaver_states())::text[]) AS reviewer_is_leaver,
       c.decisions_made, c.decisions_total,
       round(100.0 * c.decisions_made / nullif(c.decisions_total, 0), 1) AS percent_done,
       c.due, c.due < now() AS overdue, c.reviewer_type
FROM isc.certifications c
LEFT JOIN isc.identities r ON r.tenant = c.tenant AND r.id = c.reviewer_id
WHERE c.deleted_at IS NULL AND NOT coalesce(c.completed, false);

-- Actions planned by earlier versions for accounts_disable/accounts_enable and not yet done
-- began with POST /v2024/identities-accounts/disable, which turns off the ISC login and leaves
-- the source accounts as they were (its definition: "disable IDN account"). Their per-account
-- calls, until now only a fallback, become the action: each one is made, each account named
-- so that a repeat skips the ones the tenant shows done. A row with no per-account call has
-- nothing right to do and is cancelled, saying why.
UPDATE mirror.actions a
SET params = jsonb_set(jsonb_set(a.params, '{calls}', (
               SELECT jsonb_agg(c || jsonb_build_object('object', split_part(c->>'path', '/', 4),
                                                        'expect', 'task') ORDER BY n)
               FROM jsonb_array_elements(a.params->'calls') WITH ORDINALITY AS e(c, n)
               WHERE n > 1)), '{each}', 'true'),
    updated_at = now()
WHERE a.action IN ('accounts_disable', 'accounts_enable')
  AND a.status IN ('pending', 'running', 'held', 'dry_run')
  AND a.params->'calls'->0->>'path' LIKE '/v2024/identities-accounts/%'
  AND jsonb_array_length(a.params->'calls') > 1;

UPDATE mirror.actions
SET status = 'cancelled', updated_at = now(),
    error = 'cancelled by migration 0007: planned as POST /v2024/identities-accounts/' ||
            'disable|enable, which changes the ISC login, not source accounts; the mirror knew ' ||
            'no source account to call'
WHERE action IN ('accounts_disable', 'accounts_enable')
  AND status IN ('pending', 'running', 'held', 'dry_run')
  AND params->'calls'->0->>'path' LIKE '/v2024/identities-accounts/%';
