namespace PersistedFolder.Core.Folders;

/// <summary>Input that breaks a folder rule. Only the first broken rule is reported.</summary>
public sealed class FolderValidationException : Exception
{
    public FolderValidationException(string code, string detail, string? attr)
        : base(detail)
    {
        Code = code;
        Attr = attr;
    }

    public string Code { get; }

    public string Detail => Message;

    public string? Attr { get; }

    /// <summary>The type is already taken by another folder of the same user, team and surface.</summary>
    public static FolderValidationException DuplicateType() =>
        new("unique", "A folder of this type already exists.", "type");
}
