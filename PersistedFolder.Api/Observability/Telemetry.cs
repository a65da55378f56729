using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace PersistedFolder.Api.Observability;

/// <summary>
/// OpenTelemetry traces and metrics for ASP.NET Core and Npgsql, exported over OTLP. Off unless an
/// endpoint is configured: <c>PersistedFolder:Telemetry:OtlpEndpoint</c> or the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> environment variable.
/// </summary>
public static class Telemetry
{
    public const string ServiceName = "persisted-folder";

    public static IServiceCollection AddPersistedFolderTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var endpoint = configuration["PersistedFolder:Telemetry:OtlpEndpoint"] ?? configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return services;
        }

        var otlp = new Uri(endpoint);
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] ?? ServiceName))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation()
                .AddNpgsql()
                .AddOtlpExporter(options => options.Endpoint = otlp))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddMeter("Npgsql")
                .AddOtlpExporter(options => options.Endpoint = otlp));
        return services;
    }
}
