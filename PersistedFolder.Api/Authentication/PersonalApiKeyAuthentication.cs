using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using PersistedFolder.Api.Binding;
using PersistedFolder.Api.Errors;
using PersistedFolder.Core.Keys;

namespace PersistedFolder.Api.Authentication;

public static class PersonalApiKeyDefaults
{
    public const string AuthenticationScheme = "PersonalApiKey";
    public const string FieldName = "personal_api_key";
}

/// <summary>Set on the request when a personal API key authenticated it: its scopes and restrictions.</summary>
public sealed record PersonalApiKeyFeature(PersonalApiKey Key);

/// <summary>Set on the request when a key was presented but is not valid: the 401 to answer.</summary>
public sealed record PersonalApiKeyFailureFeature(ApiProblem Problem);

/// <summary>
/// Authenticates a personal API key taken from the first place that has one, and only that one:
/// <c>Authorization: Bearer</c>, a <c>personal_api_key</c> body field, the <c>personal_api_key</c>
/// query parameter. Only the key's hash is looked up.
/// </summary>
public sealed class PersonalApiKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IPersonalApiKeyStore store,
    RequestBodyReader bodyReader,
    KeyUsageRecorder usage)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var (value, where) = await FindKeyAsync();
        if (value is null)
        {
            return AuthenticateResult.NoResult();
        }

        var key = await store.FindActiveAsync(PersonalApiKeys.SecureValue(value), Context.RequestAborted);
        if (key is null)
        {
            Context.Features.Set(new PersonalApiKeyFailureFeature(ApiProblems.InvalidKey(where)));
            return AuthenticateResult.Fail("The personal API key is invalid.");
        }

        usage.Record(key);
        Context.Features.Set(new PersonalApiKeyFeature(key));
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, key.UserId.ToString(CultureInfo.InvariantCulture))], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    private async Task<(string? Value, string Where)> FindKeyAsync()
    {
        if (Request.Headers.Authorization is [{ } header, ..] && header.StartsWith("Bearer", StringComparison.Ordinal)
            && header.Length > 6 && char.IsWhiteSpace(header[6]) && header[7..].Trim() is { Length: > 0 } bearer)
        {
            return (bearer, "Authorization header");
        }

        var body = await bodyReader.ReadAsync(Context);
        if (body[PersonalApiKeyDefaults.FieldName] is { Kind: Core.Folders.FieldKind.Text, Text: { Length: > 0 } fromBody })
        {
            return (fromBody, "body");
        }

        // The last value, as Django's QueryDict reads a repeated parameter.
        return Request.Query[PersonalApiKeyDefaults.FieldName] is [.., { Length: > 0 } fromQuery]
            ? (fromQuery, "query string")
            : (null, string.Empty);
    }
}
