namespace PersistedFolder.Tests.Integration.Hosting;

/// <summary>
/// The whole surface contract (SPEC §3–§7, every surface route: the <c>[TestFixture]</c>s are
/// inherited) against <see cref="EmbeddingHost"/> instead of the service's own <c>Program</c>:
/// embedded in a host with its own scheme, controller and pages, the API answers exactly as alone.
/// </summary>
public sealed class HostedSurfaceContractTests(string route) : SurfaceContractTests(route)
{
    private readonly EmbeddingHost host = new();

    protected override IServiceProvider Services => host.Services;

    protected override bool OwnsAllOfApi => false;

    /// <summary>The host's client. The service's own application (<see cref="ApiFixture.Factory"/>) is never started.</summary>
    protected override HttpClient CreateClient(PersistedFolderApiFactory application) => host.Start();

    [OneTimeTearDown]
    public async Task StopHost() => await host.DisposeAsync();
}
