using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using PersistedFolder.Api.Binding;
using PersistedFolder.Api.Errors;
using PersistedFolder.Core.Access;
using PersistedFolder.Core.Keys;

namespace PersistedFolder.Api.Authentication;

public static class PersonalApiKeyDefaults
{
    /// <summary>The authentication type of a <see cref="FolderIdentity"/> that came from a personal API key.</summary>
    public const string AuthenticationScheme = "PersonalApiKey";

    public const string FieldName = "personal_api_key";
}

/// <summary>
/// A personal API key as a request presents it: only its stored form (<see cref="SecureValue"/>,
/// hashed once) is used from here on. <see cref="MayBeHostToken"/>: a bearer token not shaped like a
/// key while host schemes are configured, which the host schemes are offered first (a JWT).
/// </summary>
public sealed record PresentedKey(string Value, string Where, bool MayBeHostToken)
{
    public string SecureValue { get; } = PersonalApiKeys.SecureValue(Value);

    /// <summary>
    /// The key's rate-limit partition, known before the key is looked up (the lookup travels with the
    /// operation): the first 128 bits of its SHA-256, one per key as its id is.
    /// </summary>
    public Guid LimitId => new(Convert.FromHexString(SecureValue.AsSpan(SecureValue.IndexOf('$') + 1, 32)));
}

/// <summary>
/// Who a folder request acts for. Not an ASP.NET Core authentication scheme, so that it never
/// becomes (nor removes) a host's default scheme and never runs on a host's endpoints: the folder
/// endpoints' request filter calls it. A personal API key is taken from the first place that has
/// one, and only that one: <c>Authorization: Bearer</c>, a <c>personal_api_key</c> body field, the
/// <c>personal_api_key</c> query parameter; only its hash is looked up. Without a key, the host's
/// schemes named in <see cref="PersistedFolderApiOptions.AuthenticationSchemes"/> are asked, and
/// their principal is mapped to a folder user by <see cref="PersistedFolderApiOptions.MapHostUser"/>.
/// </summary>
public sealed class FolderAuthenticator(
    IPersonalApiKeyStore keys,
    IHostUserDirectory hostUsers,
    RequestBodyReader bodyReader,
    IKeyUsage usage,
    IOptions<PersistedFolderApiOptions> options)
{
    /// <summary>The key a request presents, from the first place that has one, or null. Reads the body
    /// (once per request, <see cref="RequestBodyReader"/>) only when no bearer header is sent.</summary>
    public async Task<PresentedKey?> FindKeyAsync(HttpContext context)
    {
        var (value, where) = await FindKeyValueAsync(context);
        return value is null
            ? null
            : new PresentedKey(value, where, MayBeHostToken: where == HeaderPlace && options.Value.AuthenticationSchemes.Count > 0
                && !value.StartsWith(PersonalApiKeys.Prefix, StringComparison.Ordinal));
    }

    /// <summary>The identity of the request that presents <paramref name="presented"/> (from
    /// <see cref="FindKeyAsync"/>), or the 401/403 to answer.</summary>
    public async Task<(FolderIdentity? Identity, ApiProblem? Problem)> AuthenticateAsync(HttpContext context, PresentedKey? presented)
    {
        if (presented is { MayBeHostToken: false })
        {
            return await VerifyKeyAsync(context, presented);
        }

        foreach (var scheme in options.Value.AuthenticationSchemes)
        {
            var result = await context.AuthenticateAsync(scheme);
            if (result is { Succeeded: true, Principal: { } principal })
            {
                return await HostUserAsync(principal, scheme, context.RequestAborted);
            }
        }

        // A bearer token that no host scheme took is a personal API key after all (an invalid one).
        return presented is null ? (null, ApiProblems.NotAuthenticated) : await VerifyKeyAsync(context, presented);
    }

    /// <summary>The identity of an active user's key, or the 401 to answer: a round trip of its own, for
    /// the requests whose operation does not verify the key itself.</summary>
    public async Task<(FolderIdentity? Identity, ApiProblem? Problem)> VerifyKeyAsync(HttpContext context, PresentedKey presented)
    {
        var key = await keys.FindActiveAsync(presented.SecureValue, context.RequestAborted);
        if (key is null)
        {
            return (null, ApiProblems.InvalidKey(presented.Where));
        }

        usage.Record(key);
        return (new FolderIdentity(key.UserId, key, PersonalApiKeyDefaults.AuthenticationScheme), null);
    }

    private async Task<(FolderIdentity?, ApiProblem?)> HostUserAsync(System.Security.Claims.ClaimsPrincipal principal, string scheme, CancellationToken cancellationToken)
    {
        var mapped = options.Value.MapHostUser is { } map ? map(principal) : FolderUser.FromUserIdClaim(principal, options.Value.UserIdClaimType);
        long? userId = mapped switch
        {
            FolderUser.ExistingUser existing => existing.UserId,
            FolderUser.ExternalUser external => await hostUsers.LinkAsync(external.Issuer, external.Subject, external.Email, cancellationToken),
            _ => null,
        };
        return userId is { } id
            ? (new FolderIdentity(id, key: null, scheme), null)
            : (null, ApiProblems.PermissionDenied(AccessRules.NoProjectAccess));
    }

    private const string HeaderPlace = "Authorization header";

    private async Task<(string? Value, string Where)> FindKeyValueAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Headers.Authorization is [{ } header, ..] && header.StartsWith("Bearer", StringComparison.Ordinal)
            && header.Length > 6 && char.IsWhiteSpace(header[6]) && header[7..].Trim() is { Length: > 0 } bearer)
        {
            return (bearer, HeaderPlace);
        }

        var body = await bodyReader.ReadAsync(context);
        if (body[PersonalApiKeyDefaults.FieldName] is { Kind: Core.Folders.FieldKind.Text, Text: { Length: > 0 } fromBody })
        {
            return (fromBody, "body");
        }

        // The last value, as Django's QueryDict reads a repeated parameter.
        return request.Query[PersonalApiKeyDefaults.FieldName] is [.., { Length: > 0 } fromQuery]
            ? (fromQuery, "query string")
            : (null, string.Empty);
    }
}
