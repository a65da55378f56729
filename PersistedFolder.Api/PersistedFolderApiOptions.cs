using System.Security.Claims;
using PersistedFolder.Api.Authentication;

namespace PersistedFolder.Api;

/// <summary>Options of the HTTP API, bound from the <c>PersistedFolder</c> configuration section.</summary>
public sealed class PersistedFolderApiOptions
{
    public const string Section = "PersistedFolder";

    /// <summary>
    /// A host application's authentication schemes (cookie, JWT) honoured on the folder endpoints,
    /// besides personal API keys, which are always on. Principals from them skip the API-key scope
    /// checks (as PostHog's session users do) and still need membership of the project.
    /// </summary>
    public IList<string> AuthenticationSchemes { get; } = [];

    /// <summary>The claim that carries a host principal's folder user id (an integer) when
    /// <see cref="MapHostUser"/> is not set.</summary>
    public string UserIdClaimType { get; set; } = ClaimTypes.NameIdentifier;

    /// <summary>
    /// Maps a host principal to a folder user: <see cref="FolderUser.Existing"/> for an existing
    /// folder user id, <see cref="FolderUser.External"/> for any host id (integer, GUID, string), made
    /// a folder user on first use; null when the principal has no folder user (a 403). Default: the
    /// <see cref="UserIdClaimType"/> claim as an existing folder user id.
    /// </summary>
    public Func<ClaimsPrincipal, FolderUser?>? MapHostUser { get; set; }

    /// <summary>Apply pending migrations when the application starts.</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
