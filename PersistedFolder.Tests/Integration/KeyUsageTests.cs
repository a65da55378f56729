using System.Net;

namespace PersistedFolder.Tests.Integration;

/// <summary>SPEC §4: <c>last_used_at</c> is written off the request path, at most once an hour per key.</summary>
public sealed class KeyUsageTests : ApiFixture
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Test]
    public async Task First_use_of_a_key_is_recorded_within_seconds()
    {
        var actor = await CreateActorAsync();

        Assert.That((await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId), actor.Key)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var stamped = await WaitForLastUsedAsync(actor.ApiKey.Id, after: DateTime.UtcNow.AddMinutes(-1));
        Assert.That(stamped, Is.Not.Null, $"last_used_at was not written within {Patience.TotalSeconds} s");
    }

    [Test]
    public async Task Use_of_a_key_stamped_more_than_an_hour_ago_is_recorded_again()
    {
        var actor = await CreateActorAsync();
        await SetLastUsedAsync(actor, "2 hours");

        await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Desktop, actor.ProjectId), actor.Key);

        Assert.That(await WaitForLastUsedAsync(actor.ApiKey.Id, after: DateTime.UtcNow.AddMinutes(-1)), Is.Not.Null);
    }

    [Test]
    public async Task Use_of_a_key_stamped_within_the_hour_is_not_recorded_again()
    {
        var actor = await CreateActorAsync();
        var stamped = await SetLastUsedAsync(actor, "10 minutes");
        var witness = await CreateKeyAsync(actor.User);

        await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId), actor.Key);
        await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId), witness.Value);
        // Once the witness key's use is written, the batch that would hold this key's is done too.
        Assert.That(await WaitForLastUsedAsync(witness.Id, after: DateTime.UtcNow.AddMinutes(-1)), Is.Not.Null);

        Assert.That(await LastUsedAsync(actor.ApiKey.Id), Is.EqualTo(stamped));
    }

    private static async Task<DateTime?> SetLastUsedAsync(Actor actor, string ago)
    {
        await IntegrationDatabase.ExecuteAsync(
            $"UPDATE personal_api_key SET last_used_at = now() - interval '{ago}' WHERE id = @id", ("id", actor.ApiKey.Id));
        return await LastUsedAsync(actor.ApiKey.Id);
    }

    private static Task<DateTime?> LastUsedAsync(Guid id) =>
        IntegrationDatabase.ScalarAsync<DateTime?>("SELECT last_used_at FROM personal_api_key WHERE id = @id", ("id", id));

    private static async Task<DateTime?> WaitForLastUsedAsync(Guid id, DateTime after)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            if (await LastUsedAsync(id) is { } stamped && stamped > after)
            {
                return stamped;
            }

            await Task.Delay(50);
        }

        return null;
    }
}
