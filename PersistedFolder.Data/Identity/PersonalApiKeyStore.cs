using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PersistedFolder.Core.Keys;

namespace PersistedFolder.Data.Identity;

internal sealed class PersonalApiKeyStore(DatabaseConnections connections) : IPersonalApiKeyStore
{
    private const string FindActiveSql = """
        SELECT k.id, k.user_id, k.scopes, k.scoped_teams, k.scoped_organizations, k.last_used_at
        FROM personal_api_key k
        JOIN app_user u ON u.id = k.user_id
        WHERE k.secure_value = @SecureValue AND u.is_active
        """;

    private const string MarkUsedSql = """
        UPDATE personal_api_key
        SET last_used_at = now()
        WHERE id = ANY(@Ids) AND (last_used_at IS NULL OR last_used_at < now() - interval '1 hour')
        """;

    public async Task<PersonalApiKey?> FindActiveAsync(string secureValue, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<KeyRow>(
            new CommandDefinition(FindActiveSql, new { SecureValue = secureValue }, cancellationToken: cancellationToken));
        return row is null
            ? null
            : new PersonalApiKey(row.Id, row.UserId, row.Scopes, row.ScopedTeams, row.ScopedOrganizations, row.LastUsedAt);
    }

    public async Task MarkUsedAsync(IReadOnlyCollection<Guid> keyIds, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            new CommandDefinition(MarkUsedSql, new { Ids = keyIds.ToArray() }, cancellationToken: cancellationToken));
    }

    private sealed class KeyRow
    {
        public Guid Id { get; set; }

        public long UserId { get; set; }

        public string[] Scopes { get; set; } = [];

        public long[]? ScopedTeams { get; set; }

        public Guid[]? ScopedOrganizations { get; set; }

        public DateTime? LastUsedAt { get; set; }
    }
}
