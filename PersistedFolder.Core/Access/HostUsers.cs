namespace PersistedFolder.Core.Access;

/// <summary>Folder users of a host application's own identities (issuer + subject), made on first use.</summary>
public interface IHostUserDirectory
{
    /// <summary>
    /// The folder user linked to the host identity; the first time, links it to the user with
    /// <paramref name="email"/>, made when there is none. Safe under concurrent first requests.
    /// </summary>
    Task<long> LinkAsync(string issuer, string subject, string email, CancellationToken cancellationToken);
}
