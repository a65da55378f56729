using Microsoft.Extensions.DependencyInjection;

namespace PersistedFolder.Tests.Integration.Hosting.Monolith;

/// <summary>
/// Base of the fixtures that drive the folder API inside <see cref="MonolithProgram"/>: the data
/// and HTTP helpers of every integration fixture, requests going to the running monolith, plus
/// requests as one of the monolith's JWT users.
/// </summary>
public abstract class MonolithFixture : ApiFixture
{
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Structure", "NUnit1032:An IDisposable field/property should be Disposed in a TearDown method", Justification = "Made in the one-time set-up (CreateClient), disposed in the one-time tear-down.")]
    private RunningMonolith? monolith;

    protected RunningMonolith Monolith => monolith ?? throw new InvalidOperationException("The monolith is not started.");

    /// <summary>The monolith's services. The service's own application (<see cref="ApiFixture.Factory"/>) is never started.</summary>
    protected override IServiceProvider Services => Monolith.Services;

    /// <summary>The variant under test: JWT as its default scheme, the folder API added after its own services.</summary>
    protected virtual MonolithVariant Variant => new(MonolithAuthentication.JwtAsDefault, FolderRegistration.AfterHostServices);

    /// <summary>More of the monolith's command line, e.g. the folder API's rate limits.</summary>
    protected virtual string[] Settings => [];

    // ApiFixture's one-time set-up is synchronous; Kestrel's start-up is not long.
    protected sealed override HttpClient CreateClient(PersistedFolderApiFactory application)
    {
        monolith = RunningMonolith.StartAsync(Variant, ConfigureHostServices, Settings).GetAwaiter().GetResult();
        return monolith.Client;
    }

    /// <summary>Registrations the monolith makes last, e.g. its own <c>IProjectAccessSource</c>.</summary>
    protected virtual void ConfigureHostServices(IServiceCollection services)
    {
    }

    [OneTimeTearDown]
    public async Task StopMonolith()
    {
        if (monolith is not null)
        {
            await monolith.DisposeAsync();
        }
    }

    /// <summary>A request as a JWT user of the monolith, with no key.</summary>
    protected Task<HttpResponseMessage> AsHostUserAsync(HttpMethod method, string url, string token, HttpContent? content = null) =>
        SendAsync(method, url, content, request => request.Headers.Authorization = new("Bearer", token));

    protected static async Task AssertForbiddenInTheContractShapeAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Forbidden), body);
            Assert.That(Wire.KeysOf(body), Is.EqualTo(Wire.ErrorKeys), body);
            Assert.That(Wire.Parse<ErrorBody>(body) is { Type: "authentication_error", Code: "permission_denied" }, body);
        }
    }
}
