namespace PersistedFolder.Core.Folders;

/// <summary>The folder types a user may have, at most one of each per project and surface.</summary>
public static class FolderType
{
    public const string Home = "home";
    public const string Pinned = "pinned";
    public const string CustomProducts = "custom_products";

    /// <summary>Every type, in list order (<c>lower(type)</c>).</summary>
    public static IReadOnlyList<string> All { get; } = [CustomProducts, Home, Pinned];

    /// <summary>Case-sensitive, as PostHog's choice field is.</summary>
    public static bool IsValid(string value) => value is Home or Pinned or CustomProducts;
}
