-- The isc.* tables' comments without pointers to a design document outside the repository,
-- and with what later versions corrected (the DAS lists are paged). Each is the first
-- comment paragraph of its schema/<resource>.yaml.

COMMENT ON TABLE isc.identities IS 'GET /v2024/identities. Identities cannot be sorted by id; the default order is stable. defaultFilter=NONE: the default, CORRELATED_ONLY, leaves out identities without a correlated authoritative account, so an identity that loses its account would look deleted (and fire no leaver rule).';
COMMENT ON TABLE isc.accounts IS 'GET /v2024/accounts: incremental by modified, with a periodic full reconciliation.';
COMMENT ON TABLE isc.task_statuses IS 'GET /v2025/task-status: every task, completed and in progress. The beta list holds completed tasks only (its description says so), so stuck ones would never be seen there. ISC keeps 90 days: older ones disappear as expiries.';
COMMENT ON TABLE isc.certifications IS 'GET /v3/certifications. Certifications cannot be sorted by id.';
COMMENT ON TABLE isc.certification_reviewers IS 'GET /v3/certifications/{id}/reviewers for every open certification.';
COMMENT ON TABLE isc.access_review_items IS 'GET /v3/certifications/{id}/access-review-items for every open certification.';
COMMENT ON TABLE isc.certification_tasks IS 'GET /v3/certification-tasks.';
COMMENT ON TABLE isc.das_applications IS 'GET /das/v1/applications: paged with limit, offset and count like every collection.';
COMMENT ON TABLE isc.das_tasks IS 'GET /das/v1/tasks: paged like every collection; times are epoch seconds.';
COMMENT ON TABLE isc.das_schedules IS 'GET /das/v1/tasks/schedules: paged like every collection; times are epoch seconds.';
COMMENT ON TABLE isc.das_identity_collectors IS 'GET /das/identity-collectors/v1: paged like every collection; no sorters (the definition: "supplying the sorters query parameter results in a validation error").';
COMMENT ON TABLE isc.das_resource_owners IS 'GET /das/v1/owners/applications/{appId} for every DAS application. DAS names identities by dashed UUID; identity_id holds the 32-hex form ISC uses everywhere else. One request per application: the definition says of limit and offset "Not applicable for this endpoint. Do not use." A pager would read the same full list again and again.';
