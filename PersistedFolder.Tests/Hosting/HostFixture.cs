using System.Globalization;
using Microsoft.Extensions.DependencyInjection;

namespace PersistedFolder.Tests.Integration.Hosting;

/// <summary>
/// Base of the fixtures that drive <see cref="EmbeddingHost"/>: the same data and HTTP helpers as
/// every integration fixture, with requests going to the host, plus requests as a host user.
/// </summary>
public abstract class HostFixture : ApiFixture
{
    private readonly EmbeddingHost host;

    protected HostFixture() => host = new EmbeddingHost(ConfigureHostServices);

    protected override IServiceProvider Services => host.Services;

    /// <summary>The host's client. The service's own application (<see cref="ApiFixture.Factory"/>) is never started.</summary>
    protected sealed override HttpClient CreateClient(PersistedFolderApiFactory application) => host.Start();

    /// <summary>Registrations the host makes after <c>AddPersistedFolders</c>.</summary>
    protected virtual void ConfigureHostServices(IServiceCollection services)
    {
    }

    [OneTimeTearDown]
    public async Task StopHost() => await host.DisposeAsync();

    /// <summary>A request signed in by the host's own scheme as <paramref name="userId"/>, with no key.</summary>
    protected Task<HttpResponseMessage> AsHostUserAsync(HttpMethod method, string url, object userId, HttpContent? content = null) =>
        SendAsync(method, url, content, request =>
            request.Headers.Add(HostUserAuthentication.Header, Convert.ToString(userId, CultureInfo.InvariantCulture)));

    protected Task<HttpResponseMessage> AsHostUserAsync(HttpMethod method, string url, Actor actor, HttpContent? content = null) =>
        AsHostUserAsync(method, url, actor.User.Id, content);
}
