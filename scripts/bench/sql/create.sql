-- pgbench ceiling: the statements ONE request of this scenario sends, in order, as the service
-- sends them to PostgreSQL for a personal-API-key caller (run by scripts/bench.sh with -M prepared).
-- A write is ONE batch, one round trip and one implicit transaction: the lock timeout, then the
-- write joined to the key, the project it names and the membership (FolderRepository's KeyGate).
-- Variables come from pgbench -D (SecureValue ProjectId Granting Surface Id Type Protocol
-- LockTimeout; TeamId and UserId too, unused since the key caller's SQL finds them itself) and are
-- named after the service's Dapper parameters (@Name -> :Name); scripts/bench.sh checks that each
-- statement still matches the SQL constant named above it (the constants it interpolates, such as
-- {KeyGate}, expanded) and warns when it drifted.
-- :Granting is the write set, '{*,persisted_folder:write}', and :LockTimeout the service's default
-- 1000 (ms) (bench.sh).
-- Scenario: POST /api/projects/{id}/persisted_folder/ {"type":"home",...}, an upsert of the same row.
-- :Id is a fixed UUID that never gets inserted (the row exists, so ON CONFLICT updates it; the
-- service binds a new UUIDv7 per request, which is not inserted either).
-- The service sends the two statements as ONE Npgsql batch: Parse/Bind/Execute for each, then a
-- single Sync, so they travel in one round trip and run in one implicit transaction, and
-- set_config(..., true) lasts for exactly this write. pgbench's pipeline sends them the same way
-- (both statements, then one Sync at \endpipeline; no BEGIN/COMMIT): an explicit BEGIN; ...; COMMIT;
-- would be the same transaction but two more statements and three more round trips than the
-- service makes, so it would understate the ceiling.
\set Path random(1, 1000000000)
\startpipeline
-- (1) lock timeout: PersistedFolder.Data/Folders/FolderRepository.cs LockTimeoutSql
SELECT set_config('lock_timeout', :LockTimeout, true);
-- (2) key, project, membership and the upsert: PersistedFolder.Data/Folders/FolderRepository.cs UpsertByKeySql
WITH g AS (SELECT k.id AS key_id, k.user_id, k.scopes, k.scoped_teams, k.scoped_organizations, k.last_used_at,
                  t.id AS team_id, t.organization_id, m.user_id IS NOT NULL AS is_member,
                  m.user_id IS NOT NULL
                      AND (COALESCE(cardinality(k.scoped_teams), 0) = 0 OR t.id = ANY(k.scoped_teams))
                      AND (COALESCE(cardinality(k.scoped_organizations), 0) = 0 OR t.organization_id = ANY(k.scoped_organizations))
                      AND k.scopes && :Granting::text[] AS allowed
           FROM personal_api_key k
           JOIN app_user u ON u.id = k.user_id AND u.is_active
           LEFT JOIN team t ON t.id = COALESCE(:ProjectId, u.current_team_id)
           LEFT JOIN organization_membership m ON m.organization_id = t.organization_id AND m.user_id = k.user_id
           WHERE k.secure_value = :SecureValue),
w AS (
    INSERT INTO persisted_folder (id, team_id, user_id, type, protocol, path, surface, created_at, updated_at)
    SELECT :Id, g.team_id, g.user_id, :Type, :Protocol, :Path, :Surface, now(), now() FROM g WHERE g.allowed
    ON CONFLICT (team_id, user_id, type, (COALESCE(surface, 'web')))
    DO UPDATE SET protocol = EXCLUDED.protocol, path = EXCLUDED.path, updated_at = GREATEST(now(), persisted_folder.updated_at + interval '1 microsecond')
    RETURNING id, type, protocol, path, created_at, updated_at
)
SELECT g.key_id, g.user_id, g.scopes, g.scoped_teams, g.scoped_organizations, g.last_used_at, g.team_id, g.organization_id, g.is_member, g.allowed, w.* FROM g LEFT JOIN w ON true;
\endpipeline
