namespace PersistedFolder.Tests.Integration;

/// <summary>The URLs of SPEC §3, by surface route: <c>web</c>, <c>desktop</c> or <c>environments</c> (web's deprecated alias).</summary>
public static class Routes
{
    public const string Web = "web";
    public const string Desktop = "desktop";
    public const string Environments = "environments";

    public static string Collection(string route, object project, bool slash = true)
    {
        var path = route switch
        {
            Web => $"/api/projects/{project}/persisted_folder",
            Desktop => $"/api/projects/{project}/desktop_persisted_folder",
            Environments => $"/api/environments/{project}/persisted_folder",
            _ => throw new ArgumentOutOfRangeException(nameof(route), route, "Unknown surface route."),
        };
        return slash ? path + "/" : path;
    }

    public static string Item(string route, object project, object id, bool slash = true) =>
        Collection(route, project) + id + (slash ? "/" : string.Empty);

    /// <summary>The value stored in <c>persisted_folder.surface</c> for rows made through this route.</summary>
    public static string StoredSurface(string route) => route == Desktop ? "desktop" : "web";

    /// <summary>A route of the other, isolated surface.</summary>
    public static string OtherSurface(string route) => route == Desktop ? Web : Desktop;
}
