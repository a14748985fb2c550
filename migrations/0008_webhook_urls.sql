-- Issue 16: a webhook's URL is often its credential (a Slack or Teams hook carries its token in
-- the path), so from now on it stays in the config like the webhook's secret, and the outbox
-- keeps only its scheme, host and port. Rows written by earlier versions held the whole URL in
-- params.target, in the summary, the request and errors: their user part, path, query and
-- fragment become [redacted] there. The worker takes the URL from the config's rule, so
-- pending rows still post.
CREATE FUNCTION pg_temp.redact_urls(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT regexp_replace(regexp_replace($1, '(://)[^/?#@\s]*@', '\1[redacted]@', 'g'),
                        '(://[^/?#\s]*)[/?#]\S*', '\1/[redacted]', 'g')
$$;

UPDATE mirror.actions
SET params = jsonb_set(jsonb_set(params, '{target}',
                                 to_jsonb(pg_temp.redact_urls(params->>'target'))),
                       '{summary}', to_jsonb(pg_temp.redact_urls(params->>'summary'))),
    request = pg_temp.redact_urls(request),
    error = pg_temp.redact_urls(error)
WHERE action = 'webhook' AND params ? 'target' AND params ? 'summary';

UPDATE mirror.actions
SET params = jsonb_set(params, '{target}', to_jsonb(pg_temp.redact_urls(params->>'target'))),
    request = pg_temp.redact_urls(request),
    error = pg_temp.redact_urls(error)
WHERE action = 'webhook' AND params ? 'target' AND NOT params ? 'summary';
