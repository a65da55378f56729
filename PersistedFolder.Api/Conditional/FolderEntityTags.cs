using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Net.Http.Headers;
using PersistedFolder.Api.Contracts;
using PersistedFolder.Core.Folders;

namespace PersistedFolder.Api.Conditional;

/// <summary>
/// SPEC §5 conditional requests: the entity tags of what the API returns, computed from what is
/// stored (no query of their own). A folder's tag is its id and <c>updated_at</c> (every write moves
/// it strictly forward); a list page's is a digest of its rows' tags and the count.
/// </summary>
public static class FolderEntityTags
{
    private static readonly long UnixEpochTicks = DateTime.UnixEpoch.Ticks;

    /// <summary><c>"&lt;id, 32 hex&gt;-&lt;updated_at in µs since 1970, hex&gt;"</c>: strong, and readable back into a version.</summary>
    public static string Of(FolderDto folder) => $"\"{Opaque(folder.Id, folder.UpdatedAt)}\"";

    /// <summary>The page's rows in order plus the count: a write to any row, an insert or a delete changes it.</summary>
    public static string Of(FolderPage page)
    {
        var text = new StringBuilder().Append(page.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var folder in page.Results)
        {
            text.Append(';').Append(Opaque(folder.Id, folder.UpdatedAt));
        }

        var digest = SHA256.HashData(Encoding.ASCII.GetBytes(text.ToString()));
        return $"\"l-{Convert.ToHexStringLower(digest.AsSpan(0, 16))}\"";
    }

    /// <summary>
    /// An <c>If-Match</c> as a plain precondition for Core. Absent or <c>*</c> (which matches any
    /// existing folder, and the folder must exist anyway) is unconditional; otherwise the versions of
    /// this folder that the strong tags name. Weak tags never match (RFC 9110 §13.1.1 strong
    /// comparison), and a header that is not a list of entity tags matches nothing.
    /// </summary>
    public static FolderPrecondition IfMatch(HttpRequest request, Guid id)
    {
        if (!request.Headers.TryGetValue(HeaderNames.IfMatch, out var values))
        {
            return FolderPrecondition.None;
        }

        if (!EntityTagHeaderValue.TryParseList(values, out var tags))
        {
            return FolderPrecondition.UpdatedAtOneOf([]);
        }

        if (tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any)))
        {
            return FolderPrecondition.None;
        }

        var versions = new List<DateTime>();
        foreach (var tag in tags)
        {
            if (!tag.IsWeak && TryReadVersion(tag.Tag.Value, id, out var updatedAt))
            {
                versions.Add(updatedAt);
            }
        }

        return FolderPrecondition.UpdatedAtOneOf(versions);
    }

    /// <summary>Whether an <c>If-Match</c> (absent: yes) names <paramref name="current"/>: strong comparison, <c>*</c> matches any.</summary>
    public static bool IfMatchMatches(HttpRequest request, string current)
    {
        if (!request.Headers.TryGetValue(HeaderNames.IfMatch, out var values))
        {
            return true;
        }

        if (!EntityTagHeaderValue.TryParseList(values, out var tags))
        {
            return false;
        }

        var tag = EntityTagHeaderValue.Parse(current);
        return tags.Any(candidate => candidate.Equals(EntityTagHeaderValue.Any) || candidate.Compare(tag, useStrongComparison: true));
    }

    /// <summary>Whether an <c>If-None-Match</c> names <paramref name="current"/>: weak comparison, <c>*</c> matches any.</summary>
    public static bool IfNoneMatchMatches(HttpRequest request, string current)
    {
        if (!request.Headers.TryGetValue(HeaderNames.IfNoneMatch, out var values)
            || !EntityTagHeaderValue.TryParseList(values, out var tags))
        {
            return false;
        }

        var tag = EntityTagHeaderValue.Parse(current);
        return tags.Any(candidate => candidate.Equals(EntityTagHeaderValue.Any) || candidate.Compare(tag, useStrongComparison: false));
    }

    private static string Opaque(Guid id, DateTime updatedAt) =>
        $"{id:N}-{((updatedAt.ToUniversalTime().Ticks - UnixEpochTicks) / 10).ToString("x", CultureInfo.InvariantCulture)}";

    private static bool TryReadVersion(string? quoted, Guid id, out DateTime updatedAt)
    {
        updatedAt = default;
        var opaque = quoted is { Length: > 2 } ? quoted[1..^1] : string.Empty;
        var dash = opaque.IndexOf('-', StringComparison.Ordinal);
        if (dash != 32
            || !Guid.TryParseExact(opaque[..dash], "N", out var tagId)
            || tagId != id
            || !long.TryParse(opaque[(dash + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var micros)
            || micros < 0
            || micros > (DateTime.MaxValue.Ticks - UnixEpochTicks) / 10)
        {
            return false;
        }

        updatedAt = new DateTime(UnixEpochTicks + (micros * 10), DateTimeKind.Utc);
        return true;
    }
}
