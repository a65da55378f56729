using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using PersistedFolder.Api.Authentication;
using PersistedFolder.Api.Errors;

namespace PersistedFolder.Api.RateLimiting;

/// <summary>Options of the per-key rate limits: <c>PersistedFolder:RateLimits</c>.</summary>
public sealed class KeyRateLimitOptions
{
    public bool Enabled { get; set; } = true;

    public int PerMinute { get; set; } = 480;

    public int PerHour { get; set; } = 4800;
}

/// <summary>
/// SPEC §8 on ASP.NET Core's rate limiter: every request authenticated by a personal API key
/// counts against that key's minute and hour windows, across all endpoints. A refused request
/// gets the 429 body and a <c>Retry-After</c> that is enough for the window to reopen.
/// </summary>
public static class KeyRateLimits
{
    public static IServiceCollection AddKeyRateLimits(this IServiceCollection services, IConfiguration section)
    {
        services.Configure<KeyRateLimitOptions>(section);
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<KeyRateLimitOptions>>((limiter, configured) =>
        {
            var options = configured.Value;
            if (!options.Enabled)
            {
                return;
            }

            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PerKey(options.PerMinute, TimeSpan.FromMinutes(1)),
                PerKey(options.PerHour, TimeSpan.FromHours(1)));
            limiter.OnRejected = (context, _) =>
            {
                var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
                var seconds = (int)Math.Max(1, Math.Ceiling(wait.TotalSeconds));
                return new ValueTask(ApiProblemWriter.WriteAsync(context.HttpContext, ApiProblems.Throttled(seconds)));
            };
        });
        return services;
    }

    private static PartitionedRateLimiter<HttpContext> PerKey(int limit, TimeSpan window) =>
        PartitionedRateLimiter.Create<HttpContext, Guid>(context =>
            context.Features.Get<PersonalApiKeyFeature>() is { } key
                ? RateLimitPartition.GetFixedWindowLimiter(key.Key.Id, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limit,
                    Window = window,
                    QueueLimit = 0,
                })
                : RateLimitPartition.GetNoLimiter(Guid.Empty));
}
