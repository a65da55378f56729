namespace PersistedFolder.Core.Folders;

/// <summary>How a field arrived in a request body, before validation.</summary>
public enum FieldKind
{
    /// <summary>The field was not sent.</summary>
    Missing,

    /// <summary>The field was sent as JSON <c>null</c>.</summary>
    Null,

    /// <summary>A string, or a number taken as its text.</summary>
    Text,

    /// <summary>A boolean, object or array: never a valid string.</summary>
    NotText,
}

/// <summary>One field of a request body as it arrived; <see cref="Text"/> holds the text or the raw JSON.</summary>
public readonly record struct FieldValue(FieldKind Kind, string? Text = null)
{
    public static FieldValue Missing { get; } = new(FieldKind.Missing);

    public static FieldValue Null { get; } = new(FieldKind.Null);

    public static FieldValue Of(string text) => new(FieldKind.Text, text);

    public bool IsMissing => Kind == FieldKind.Missing;
}

/// <summary>The writable fields of a folder as a client sent them.</summary>
public sealed record FolderInput(FieldValue Type, FieldValue Protocol, FieldValue Path)
{
    public static FolderInput Empty { get; } = new(FieldValue.Missing, FieldValue.Missing, FieldValue.Missing);
}
