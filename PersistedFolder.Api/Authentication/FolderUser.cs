using System.Globalization;
using System.Security.Claims;

namespace PersistedFolder.Api.Authentication;

/// <summary>
/// Who a host application's signed-in principal is to the folder API, as
/// <see cref="PersistedFolderApiOptions.MapHostUser"/> says: an existing folder user, or a host
/// identity (issuer + subject) that gets its own folder user on first use.
/// </summary>
public abstract record FolderUser
{
    private FolderUser()
    {
    }

    /// <summary>An existing folder user (an <c>app_user</c> id, e.g. made with <c>admin create-user</c>).</summary>
    public static FolderUser Existing(long userId) => new ExistingUser(userId);

    /// <summary>
    /// A host identity: any id the host has (an integer, a GUID, a string) under an issuer name of the
    /// host's choosing. The first request makes it a folder user with this e-mail address (or links it
    /// to the folder user that already has that address); later requests find that user again.
    /// </summary>
    public static FolderUser External(string issuer, string subject, string email)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(issuer);
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        return new ExternalUser(issuer, subject, email);
    }

    /// <summary>The default mapping: the <paramref name="claimType"/> claim holds an existing folder user id.</summary>
    public static FolderUser? FromUserIdClaim(ClaimsPrincipal principal, string claimType) =>
        long.TryParse(principal.FindFirst(claimType)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? Existing(id)
            : null;

    internal sealed record ExistingUser(long UserId) : FolderUser;

    internal sealed record ExternalUser(string Issuer, string Subject, string Email) : FolderUser;
}
