namespace PersistedFolder.Tests.Integration.Hosting.Monolith;

/// <summary>
/// The surface contract's smoke tests (routing and identity, with personal API keys) inside the
/// running monolith: web with the folder API added after the monolith's own services, desktop
/// with it added before them.
/// </summary>
[SurfaceFixture(Routes.Web, SmokeOnly = true)]
[SurfaceFixture(Routes.Desktop, SmokeOnly = true)]
public sealed class MonolithSurfaceContractTests(string route) : SurfaceContractTests(route)
{
    private readonly MonolithVariant variant = new(
        MonolithAuthentication.JwtAsDefault, route == Routes.Web ? FolderRegistration.AfterHostServices : FolderRegistration.BeforeHostServices);

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Structure", "NUnit1032:An IDisposable field/property should be Disposed in a TearDown method", Justification = "Made in the one-time set-up (CreateClient), disposed in the one-time tear-down.")]
    private RunningMonolith? monolith;

    protected override bool OwnsAllOfApi => false;

    protected override IServiceProvider Services => (monolith ?? throw new InvalidOperationException("The monolith is not started.")).Services;

    // ApiFixture's one-time set-up is synchronous; Kestrel's start-up is not long.
    protected override HttpClient CreateClient(PersistedFolderApiFactory application)
    {
        monolith = RunningMonolith.StartAsync(variant).GetAwaiter().GetResult();
        return monolith.Client;
    }

    [OneTimeTearDown]
    public async Task StopMonolith()
    {
        if (monolith is not null)
        {
            await monolith.DisposeAsync();
        }
    }
}
