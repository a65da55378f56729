using System.Security.Claims;

namespace PersistedFolder.Api;

/// <summary>Options of the HTTP API, bound from the <c>PersistedFolder</c> configuration section.</summary>
public sealed class PersistedFolderApiOptions
{
    public const string Section = "PersistedFolder";

    /// <summary>Authentication schemes tried on the folder endpoints. A host adds its own
    /// (cookie, JWT) here; principals from them skip the API-key scope checks.</summary>
    public IList<string> AuthenticationSchemes { get; } = [Authentication.PersonalApiKeyDefaults.AuthenticationScheme];

    /// <summary>The claim that carries a host principal's user id (an integer).</summary>
    public string UserIdClaimType { get; set; } = ClaimTypes.NameIdentifier;

    /// <summary>Apply pending migrations when the application starts.</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
