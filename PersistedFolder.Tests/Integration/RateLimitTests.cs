using System.Net;
using System.Text.RegularExpressions;

namespace PersistedFolder.Tests.Integration;

/// <summary>SPEC §8: per-key limits across every endpoint, with a 429 body and <c>Retry-After</c>.</summary>
public sealed partial class RateLimitTests : ApiFixture
{
    protected override PersistedFolderApiFactory CreateFactory() => new(new Dictionary<string, string?>
    {
        ["PersistedFolder:RateLimits:PerMinute"] = "3",
        ["PersistedFolder:RateLimits:PerHour"] = "1000",
    });

    [Test]
    public async Task Request_past_the_per_minute_limit_is_429_with_retry_after()
    {
        var actor = await CreateActorAsync();
        var folder = await ExpectAsync(
            await SendAsync(HttpMethod.Post, Routes.Collection(Routes.Web, actor.ProjectId), actor.Key, Json("""{"type":"home"}""")),
            HttpStatusCode.Created,
            Wire.ReadFolderAsync);
        Assert.That((await SendAsync(HttpMethod.Get, Routes.Item(Routes.Web, actor.ProjectId, folder.Id), actor.Key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Desktop, actor.ProjectId), actor.Key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var throttled = await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Environments, actor.ProjectId), actor.Key);

        var error = await ExpectAsync(throttled, HttpStatusCode.TooManyRequests, Wire.ReadErrorAsync);
        var retryAfter = Wire.Header(throttled, "Retry-After");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(throttled.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That((error.Type, error.Code, error.Attr), Is.EqualTo(("throttled_error", "throttled", (string?)null)));
            Assert.That(int.TryParse(retryAfter, out var seconds) && seconds is >= 1 and <= 60, Is.True, $"Retry-After: {retryAfter}");
            Assert.That(error.Detail, Does.Match(ThrottledDetail()));
            Assert.That(error.Detail, Does.Contain($" {retryAfter} second"), "the detail and Retry-After agree");
        }
    }

    [Test]
    public async Task Limit_is_counted_per_key()
    {
        var actor = await CreateActorAsync();
        var second = await CreateKeyAsync(actor.User);
        var collection = Routes.Collection(Routes.Web, actor.ProjectId);
        for (var i = 0; i < 3; i++)
        {
            Assert.That((await SendAsync(HttpMethod.Get, collection, actor.Key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        Assert.That((await SendAsync(HttpMethod.Get, collection, actor.Key)).StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That((await SendAsync(HttpMethod.Get, collection, second.Value)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [GeneratedRegex(@"^Request was throttled\. Expected available in (1 second|([2-9]|[1-9][0-9]+) seconds)\.$")]
    private static partial Regex ThrottledDetail();
}

public sealed class HourlyRateLimitTests : ApiFixture
{
    protected override PersistedFolderApiFactory CreateFactory() => new(new Dictionary<string, string?>
    {
        ["PersistedFolder:RateLimits:PerMinute"] = "1000",
        ["PersistedFolder:RateLimits:PerHour"] = "2",
    });

    [Test]
    public async Task Request_past_the_hourly_limit_is_429_with_a_retry_after_within_the_hour()
    {
        var actor = await CreateActorAsync();
        var collection = Routes.Collection(Routes.Web, actor.ProjectId);
        await SendAsync(HttpMethod.Get, collection, actor.Key);
        await SendAsync(HttpMethod.Get, collection, actor.Key);

        var throttled = await SendAsync(HttpMethod.Get, collection, actor.Key);

        Assert.That(throttled.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(int.Parse(Wire.Header(throttled, "Retry-After")!, System.Globalization.CultureInfo.InvariantCulture), Is.InRange(61, 3600));
    }
}

public sealed class DisabledRateLimitTests : ApiFixture
{
    protected override PersistedFolderApiFactory CreateFactory() => new(new Dictionary<string, string?>
    {
        ["PersistedFolder:RateLimits:Enabled"] = "false",
        ["PersistedFolder:RateLimits:PerMinute"] = "1",
        ["PersistedFolder:RateLimits:PerHour"] = "1",
    });

    [Test]
    public async Task Switched_off_limits_throttle_nothing()
    {
        var actor = await CreateActorAsync();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId), actor.Key)).StatusCode);
        }

        Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.OK));
    }
}
