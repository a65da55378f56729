-- pgbench ceiling: the statements ONE request of this scenario sends, in order, as the service
-- sends them to PostgreSQL for a personal-API-key caller (run by scripts/bench.sh with -M prepared).
-- A read is ONE statement in autocommit, one round trip: the key, the project it names, the
-- membership and the folders, joined (FolderRepository's KeyGate).
-- Variables come from pgbench -D (SecureValue ProjectId Granting Surface Id Type Protocol
-- LockTimeout; TeamId and UserId too, unused since the key caller's SQL finds them itself) and are
-- named after the service's Dapper parameters (@Name -> :Name); scripts/bench.sh checks that each
-- statement still matches the SQL constant named above it (the constants it interpolates, such as
-- {KeyGate}, expanded) and warns when it drifted.
-- :Granting is the read set, '{*,persisted_folder:read,persisted_folder:write}' (bench.sh).
-- Scenario: GET /api/projects/{id}/persisted_folder/
-- (1) key, project, membership and folders: PersistedFolder.Data/Folders/FolderRepository.cs ListByKeySql
SELECT g.key_id, g.user_id, g.scopes, g.scoped_teams, g.scoped_organizations, g.last_used_at, g.team_id, g.organization_id, g.is_member, g.allowed, f.id, f.type, f.protocol, f.path, f.created_at, f.updated_at
FROM (SELECT k.id AS key_id, k.user_id, k.scopes, k.scoped_teams, k.scoped_organizations, k.last_used_at,
             t.id AS team_id, t.organization_id, m.user_id IS NOT NULL AS is_member,
             m.user_id IS NOT NULL
                 AND (COALESCE(cardinality(k.scoped_teams), 0) = 0 OR t.id = ANY(k.scoped_teams))
                 AND (COALESCE(cardinality(k.scoped_organizations), 0) = 0 OR t.organization_id = ANY(k.scoped_organizations))
                 AND k.scopes && :Granting::text[] AS allowed
      FROM personal_api_key k
      JOIN app_user u ON u.id = k.user_id AND u.is_active
      LEFT JOIN team t ON t.id = COALESCE(:ProjectId, u.current_team_id)
      LEFT JOIN organization_membership m ON m.organization_id = t.organization_id AND m.user_id = k.user_id
      WHERE k.secure_value = :SecureValue) g
LEFT JOIN persisted_folder f
    ON g.allowed AND f.team_id = g.team_id AND f.user_id = g.user_id AND COALESCE(f.surface, 'web') = :Surface
ORDER BY lower(f.type);
