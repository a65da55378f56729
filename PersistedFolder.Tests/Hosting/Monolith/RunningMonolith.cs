using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PersistedFolder.Tests.Integration.Hardening;

namespace PersistedFolder.Tests.Integration.Hosting.Monolith;

/// <summary>
/// <see cref="MonolithProgram"/> running on Kestrel on a free loopback port (so the connection
/// really comes from 127.0.0.1, the proxy its forwarded-headers settings trust), its database
/// back to the seed rows, every log entry captured. <see cref="Client"/> never follows redirects.
/// </summary>
public sealed class RunningMonolith : IAsyncDisposable
{
    private readonly WebApplication app;
    private bool stopped;

    private RunningMonolith(MonolithVariant variant, WebApplication app, CapturedLogs logs)
    {
        Variant = variant;
        this.app = app;
        Logs = logs;
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = new Uri(app.Urls.Single()),
        };
    }

    public MonolithVariant Variant { get; }

    public HttpClient Client { get; }

    public CapturedLogs Logs { get; }

    public IServiceProvider Services => app.Services;

    /// <summary>The monolith's command line: where it listens, its database, the folder API's, and its JWT settings.</summary>
    public static string[] Arguments() =>
    [
        "--urls=http://127.0.0.1:0",
        $"--ConnectionStrings:{MonolithDatabase.ConnectionStringName}={MonolithDatabase.ConnectionString}",
        $"--ConnectionStrings:PersistedFolder={IntegrationDatabase.RequireConnectionString()}",
        $"--PersistedFolder:Schema={IntegrationDatabase.Schema}",
        $"--Jwt:Issuer={MonolithTokens.Issuer}",
        $"--Jwt:Audience={MonolithTokens.Audience}",
        $"--Jwt:SigningKey={MonolithTokens.SigningKey}",
    ];

    /// <param name="settings">More of the monolith's command line, e.g. <c>--PersistedFolder:RateLimits:PerHour=3</c>.</param>
    public static async Task<RunningMonolith> StartAsync(MonolithVariant variant, Action<IServiceCollection>? services = null, params string[] settings)
    {
        await MonolithDatabase.EnsureCreatedAsync();
        await MonolithDatabase.ResetAsync();
        var logs = new CapturedLogs();
        var app = MonolithProgram.Build(variant, [.. Arguments(), .. settings], testServices =>
        {
            logs.AddAtConfiguredLevels(testServices);
            services?.Invoke(testServices);
        });
        await app.StartAsync();
        return new RunningMonolith(variant, app, logs);
    }

    /// <summary>Stops the host: every request has finished and logged by then.</summary>
    public async Task StopAsync()
    {
        if (!stopped)
        {
            stopped = true;
            await app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await StopAsync();
        await app.DisposeAsync();
    }
}
