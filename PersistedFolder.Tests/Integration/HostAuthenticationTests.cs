using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PersistedFolder.Api;

namespace PersistedFolder.Tests.Integration;

/// <summary>
/// SPEC §4: a host application's own principal (here a header scheme standing in for a cookie or
/// JWT) skips the key scope checks, as PostHog's session users do, and still needs membership.
/// </summary>
public sealed class HostAuthenticationTests : ApiFixture
{
    private const string Scheme = "Host";
    private const string UserHeader = "X-Host-User";

    protected override PersistedFolderApiFactory CreateFactory() => new(configureServices: services =>
    {
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, HeaderUserHandler>(Scheme, null);
        services.PostConfigure<PersistedFolderApiOptions>(options => options.AuthenticationSchemes.Add(Scheme));
    });

    [Test]
    public async Task Host_principal_of_a_member_reads_and_writes_without_any_scope()
    {
        var actor = await CreateActorAsync(scopes: "insight:read");

        var created = await AsHostUserAsync(HttpMethod.Post, Routes.Collection(Routes.Web, actor.ProjectId), actor, Json("""{"type":"home","path":"Host"}"""));
        var listed = await AsHostUserAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId), actor);

        var folder = await ExpectAsync(created, HttpStatusCode.Created, Wire.ReadFolderAsync);
        Assert.That((await ExpectAsync(listed, HttpStatusCode.OK, Wire.ReadPageAsync)).Results, Is.EqualTo(new[] { folder }));
        await AssertForbiddenAsync(await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId), actor.Key), MissingScope("read"));
    }

    [Test]
    public async Task Host_principal_still_needs_membership()
    {
        var outsider = await CreateActorAsync(member: false);

        await AssertForbiddenAsync(
            await AsHostUserAsync(HttpMethod.Get, Routes.Collection(Routes.Desktop, outsider.ProjectId), outsider), "You don't have access to the project.");
    }

    [Test]
    public async Task Without_either_credential_the_answer_is_still_401_not_authenticated()
    {
        var actor = await CreateActorAsync();

        await AssertNotAuthenticatedAsync(await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId)));
    }

    private Task<HttpResponseMessage> AsHostUserAsync(HttpMethod method, string url, Actor actor, HttpContent? content = null) =>
        SendAsync(method, url, content, request => request.Headers.Add(UserHeader, actor.User.Id.ToString(CultureInfo.InvariantCulture)));

    private sealed class HeaderUserHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
            Task.FromResult(Request.Headers[UserHeader] is [{ } id]
                ? AuthenticateResult.Success(new AuthenticationTicket(
                    new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, id)], Scheme.Name)), Scheme.Name))
                : AuthenticateResult.NoResult());
    }
}
