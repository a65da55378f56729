-- pgbench ceiling: the statements ONE request of this scenario sends, in order, each in
-- autocommit as the service sends them (run by scripts/bench.sh with -M prepared).
-- Variables come from pgbench -D (SecureValue TeamId UserId Surface Id Type Protocol) and are
-- named after the service's Dapper parameters (@Name -> :Name); scripts/bench.sh checks that
-- each statement still matches the SQL constant named above it and warns when it drifted.
-- Scenario: POST /api/projects/{id}/persisted_folder/ {"type":"home",...}, an upsert of the same row.
-- :Id is a fixed UUID that never gets inserted (the row exists, so ON CONFLICT updates it).
\set Path random(1, 1000000000)
-- (1) key lookup: PersistedFolder.Data/Identity/PersonalApiKeyStore.cs FindActiveSql
SELECT k.id, k.user_id, k.scopes, k.scoped_teams, k.scoped_organizations, k.last_used_at
FROM personal_api_key k
JOIN app_user u ON u.id = k.user_id
WHERE k.secure_value = :SecureValue AND u.is_active;
-- (2) project and membership: PersistedFolder.Data/Identity/ProjectAccessSource.cs FindSql
SELECT t.id AS team_id,
       t.organization_id,
       EXISTS (
           SELECT 1
           FROM organization_membership m
           JOIN app_user u ON u.id = m.user_id
           WHERE m.organization_id = t.organization_id AND m.user_id = :UserId AND u.is_active
       ) AS is_member
FROM team t
WHERE t.id = COALESCE(:TeamId, (SELECT current_team_id FROM app_user WHERE id = :UserId));
-- (3) PersistedFolder.Data/Folders/FolderRepository.cs UpsertSql
INSERT INTO persisted_folder (id, team_id, user_id, type, protocol, path, surface, created_at, updated_at)
VALUES (:Id, :TeamId, :UserId, :Type, :Protocol, :Path, :Surface, now(), now())
ON CONFLICT (team_id, user_id, type, (COALESCE(surface, 'web')))
DO UPDATE SET protocol = EXCLUDED.protocol, path = EXCLUDED.path, updated_at = now()
RETURNING id, type, protocol, path, created_at, updated_at;
