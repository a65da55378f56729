namespace PersistedFolder.Core.Folders;

/// <summary>Validated values for a write; a null member means "keep what is stored".</summary>
public sealed record FolderChanges(string? Type, string? Protocol, string? Path);

/// <summary>
/// The field rules of SPEC §6, in PostHog's order: <c>type</c>, then <c>protocol</c>, then
/// <c>path</c>; the first broken rule is thrown as a <see cref="FolderValidationException"/>.
/// </summary>
public static class FolderValidator
{
    public const string DefaultProtocol = "products://";
    public const string DefaultPath = "";
    public const int ProtocolMaxLength = 64;

    /// <summary>POST: <c>type</c> required; omitted fields reset to their defaults.</summary>
    public static FolderChanges ForCreate(FolderInput input)
    {
        var type = RequiredType(input.Type);
        return new FolderChanges(
            type,
            Protocol(input.Protocol) ?? DefaultProtocol,
            Path(input.Path) ?? DefaultPath);
    }

    /// <summary>PUT: <c>type</c> required; omitted fields keep their stored values.</summary>
    public static FolderChanges ForReplace(FolderInput input)
    {
        return new(RequiredType(input.Type), Protocol(input.Protocol), Path(input.Path));
    }

    /// <summary>PATCH: every field optional.</summary>
    public static FolderChanges ForUpdate(FolderInput input)
    {
        return new(input.Type.IsMissing ? null : RequiredType(input.Type), Protocol(input.Protocol), Path(input.Path));
    }

    /// <summary>Length as PostgreSQL's <c>varchar(n)</c> and Python's <c>len</c> count it: in code points.</summary>
    public static int CodePoints(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    private static string RequiredType(FieldValue value)
    {
        const string attr = "type";
        switch (value.Kind)
        {
            case FieldKind.Missing:
                throw new FolderValidationException("required", "This field is required.", attr);
            case FieldKind.Null:
                throw new FolderValidationException("null", "This field may not be null.", attr);
            default:
                var text = value.Text ?? string.Empty;
                return FolderType.IsValid(text)
                    ? text
                    : throw new FolderValidationException("invalid_choice", $"\"{text}\" is not a valid choice.", attr);
        }
    }

    private static string? Protocol(FieldValue value)
    {
        var text = Text(value, "protocol");
        if (text is null)
        {
            return null;
        }

        if (text.Length == 0)
        {
            throw new FolderValidationException("blank", "This field may not be blank.", "protocol");
        }

        if (CodePoints(text) > ProtocolMaxLength)
        {
            throw new FolderValidationException(
                "max_length", $"Ensure this field has no more than {ProtocolMaxLength} characters.", "protocol");
        }

        return WithoutNul(text, "protocol");
    }

    private static string? Path(FieldValue value)
    {
        var text = Text(value, "path");
        return text is null ? null : WithoutNul(text, "path");
    }

    private static string WithoutNul(string text, string attr) =>
        text.Contains('\0', StringComparison.Ordinal)
            ? throw new FolderValidationException("null_characters_not_allowed", "Null characters are not allowed.", attr)
            : text;

    /// <summary>A trimmed string field, or null when it was not sent. Length and character rules
    /// are checked on the trimmed text, after the blank check, as DRF's CharField does.</summary>
    private static string? Text(FieldValue value, string attr)
    {
        switch (value.Kind)
        {
            case FieldKind.Missing:
                return null;
            case FieldKind.Null:
                throw new FolderValidationException("null", "This field may not be null.", attr);
            case FieldKind.NotText:
                throw new FolderValidationException("invalid_input", "Not a valid string.", attr);
            default:
                return (value.Text ?? string.Empty).Trim();
        }
    }
}
