using Dapper;
using PersistedFolder.Core.Access;

namespace PersistedFolder.Data.Identity;

internal sealed class HostUserDirectory(DatabaseConnections connections) : IHostUserDirectory
{
    private const string FindSql = "SELECT user_id FROM host_user WHERE issuer = @Issuer AND subject = @Subject";

    // First use: the user with that e-mail address (made when there is none), then the link. Each
    // statement sees the rows that a concurrent first request committed before it, and ON CONFLICT
    // makes the losers of a race take the winner's rows.
    private const string LinkSql = """
        INSERT INTO app_user (uuid, email) VALUES (@Uuid, @Email) ON CONFLICT ((lower(email))) DO NOTHING;
        INSERT INTO host_user (issuer, subject, user_id)
        SELECT @Issuer, @Subject, id FROM app_user WHERE lower(email) = lower(@Email)
        ON CONFLICT (issuer, subject) DO NOTHING;
        SELECT user_id FROM host_user WHERE issuer = @Issuer AND subject = @Subject;
        """;

    public async Task<long> LinkAsync(string issuer, string subject, string email, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var linked = await connection.QuerySingleOrDefaultAsync<long?>(
            new CommandDefinition(FindSql, new { Issuer = issuer, Subject = subject }, cancellationToken: cancellationToken));
        if (linked is { } userId)
        {
            return userId;
        }

        return await connection.QuerySingleAsync<long>(new CommandDefinition(
            LinkSql, new { Uuid = Guid.CreateVersion7(), Email = email, Issuer = issuer, Subject = subject }, cancellationToken: cancellationToken));
    }
}
