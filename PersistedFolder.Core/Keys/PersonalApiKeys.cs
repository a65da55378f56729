using System.Security.Cryptography;
using System.Text;

namespace PersistedFolder.Core.Keys;

/// <summary>Personal API key values: generation, the stored hash and the displayed mask.</summary>
public static class PersonalApiKeys
{
    public const string Prefix = "phx_";
    public const int MaxLabelLength = 40;

    /// <summary>A new key: <c>phx_</c> + 43 URL-safe characters carrying 256 random bits.</summary>
    public static string Generate()
    {
        Span<byte> bytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(bytes);
        return Prefix + Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>What is stored and looked up: <c>sha256$</c> + hex(sha256(whole key)).</summary>
    public static string SecureValue(string key)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return "sha256$" + Convert.ToHexStringLower(hash);
    }

    /// <summary>First 4 + <c>...</c> + last 4 characters.</summary>
    public static string Mask(string key) => key.Length < 8 ? "..." : $"{key[..4]}...{key[^4..]}";
}

/// <summary>A stored key of an active user, as authentication needs it.</summary>
public sealed record PersonalApiKey(
    Guid Id,
    long UserId,
    IReadOnlyList<string> Scopes,
    IReadOnlyList<long>? ScopedTeams,
    IReadOnlyList<Guid>? ScopedOrganizations,
    DateTime? LastUsedAt);

public interface IPersonalApiKeyStore
{
    /// <summary>The key with this secure value whose user is active, or null.</summary>
    Task<PersonalApiKey?> FindActiveAsync(string secureValue, CancellationToken cancellationToken);

    /// <summary>Stamps <c>last_used_at = now()</c> on the keys not stamped within the last hour.</summary>
    Task MarkUsedAsync(IReadOnlyCollection<Guid> keyIds, CancellationToken cancellationToken);
}

/// <summary>Told of every request a key authenticates, wherever it was verified (the API keeps <c>last_used_at</c> from it).</summary>
public interface IKeyUsage
{
    void Record(PersonalApiKey key);
}
