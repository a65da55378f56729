-- pgbench ceiling: the statements ONE request of this scenario sends, in order, each in
-- autocommit as the service sends them (run by scripts/bench.sh with -M prepared).
-- Variables come from pgbench -D (SecureValue TeamId UserId Surface Id Type Protocol) and are
-- named after the service's Dapper parameters (@Name -> :Name); scripts/bench.sh checks that
-- each statement still matches the SQL constant named above it and warns when it drifted.
-- Scenario: GET /api/projects/{id}/persisted_folder/ with a key that does not exist (401):
-- only the key lookup runs, and finds nothing (:SecureValue is the bogus key's hash).
-- (1) key lookup: PersistedFolder.Data/Identity/PersonalApiKeyStore.cs FindActiveSql
SELECT k.id, k.user_id, k.scopes, k.scoped_teams, k.scoped_organizations, k.last_used_at
FROM personal_api_key k
JOIN app_user u ON u.id = k.user_id
WHERE k.secure_value = :SecureValue AND u.is_active;
