-- Issue 15: a certification reviewed by a governance group is mirrored as such. Its reviewer
-- is the group (Reviewer.type GOVERNANCE_GROUP), not an identity, and ISC refuses to list its
-- access review items; reports tell the two apart.

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
