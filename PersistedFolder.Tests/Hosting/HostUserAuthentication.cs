using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PersistedFolder.Tests.Integration.Hosting;

/// <summary>
/// The host's own authentication scheme: <c>X-Host-User: &lt;user id&gt;</c> signs the user in (a
/// stand-in for the host's cookie or JWT). The id travels in the host's own claim type, and a
/// challenge is the host's own 401, naming this scheme.
/// </summary>
public sealed class HostUserAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "HostUser";
    public const string Header = "X-Host-User";
    public const string UserIdClaim = "urn:host:user_id";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
        Task.FromResult(Request.Headers[Header] is [{ Length: > 0 } id]
            ? AuthenticateResult.Success(new AuthenticationTicket(
                new ClaimsPrincipal(new ClaimsIdentity([new Claim(UserIdClaim, id)], Scheme.Name)), Scheme.Name))
            : AuthenticateResult.NoResult());

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = Header;
        return Task.CompletedTask;
    }
}
