using System.Globalization;
using System.Security.Claims;
using PersistedFolder.Core.Keys;

namespace PersistedFolder.Api.Authentication;

/// <summary>
/// The folder user a folder request acts for, set on <see cref="HttpContext.User"/> by the folder
/// endpoints' authentication: from a personal API key (<see cref="Key"/> set: its scopes and
/// restrictions apply) or from a host principal (kept beside this identity, <see cref="Key"/> null).
/// </summary>
public sealed class FolderIdentity(long userId, PersonalApiKey? key, string authenticationType)
    : ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, userId.ToString(CultureInfo.InvariantCulture))], authenticationType)
{
    public long UserId { get; } = userId;

    public PersonalApiKey? Key { get; } = key;

    /// <summary>The folder identity of a principal, or null.</summary>
    public static FolderIdentity? Of(ClaimsPrincipal principal) => principal.Identities.OfType<FolderIdentity>().FirstOrDefault();
}
