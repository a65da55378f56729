using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using PersistedFolder.Api.Observability;

namespace PersistedFolder.Tests.Unit.Api;

public sealed class TelemetryTests
{
    [Test]
    public void Telemetry_is_off_without_an_otlp_endpoint()
    {
        using var provider = Build([]);

        Assert.That(provider.GetService<TracerProvider>(), Is.Null);
        Assert.That(provider.GetService<MeterProvider>(), Is.Null);
    }

    [Test]
    public void An_otlp_endpoint_turns_on_traces_and_metrics()
    {
        using var provider = Build(new() { ["PersistedFolder:Telemetry:OtlpEndpoint"] = "http://127.0.0.1:4317" });

        Assert.That(provider.GetService<TracerProvider>(), Is.Not.Null);
        Assert.That(provider.GetService<MeterProvider>(), Is.Not.Null);
    }

    [Test]
    public void The_standard_otlp_environment_variable_is_honoured()
    {
        using var provider = Build(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4317" });

        Assert.That(provider.GetService<TracerProvider>(), Is.Not.Null);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddPersistedFolderTelemetry(configuration);
        return services.BuildServiceProvider();
    }
}
