using System.Net;

namespace PersistedFolder.Tests.Integration;

/// <summary>SPEC §9: the version comes from <c>api-version</c> or <c>X-Api-Version</c>, 1.0 when absent.</summary>
public sealed class VersioningTests : ApiFixture
{
    [Test]
    public async Task Responses_report_the_supported_versions_including_1_0()
    {
        var actor = await CreateActorAsync();

        var list = await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId), actor.Key);
        var created = await SendAsync(HttpMethod.Post, Routes.Collection(Routes.Desktop, actor.ProjectId), actor.Key, Json("""{"type":"home"}"""));

        foreach (var response in new[] { list, created })
        {
            var versions = Wire.Header(response, "api-supported-versions");
            Assert.That(versions, Is.Not.Null, $"{response.RequestMessage?.Method}: no api-supported-versions header");
            Assert.That(versions!.Split(',').Select(v => v.Trim()), Does.Contain("1.0"));
        }
    }

    [Test]
    public async Task Version_1_0_in_the_query_string_or_the_header_or_none_at_all_is_served_alike()
    {
        var actor = await CreateActorAsync();
        var collection = Routes.Collection(Routes.Web, actor.ProjectId);
        var folder = await ExpectAsync(
            await SendAsync(HttpMethod.Post, collection + "?api-version=1.0", actor.Key, Json("""{"type":"home","path":"v"}""")),
            HttpStatusCode.Created,
            Wire.ReadFolderAsync);

        var none = await SendAsync(HttpMethod.Get, collection, actor.Key);
        var query = await SendAsync(HttpMethod.Get, collection + "?api-version=1.0", actor.Key);
        var header = await SendAsync(HttpMethod.Get, collection, null, request =>
        {
            request.Headers.Authorization = new("Bearer", actor.Key);
            request.Headers.Add("X-Api-Version", "1.0");
        });
        var both = await SendAsync(HttpMethod.Get, collection + "?api-version=1.0", null, request =>
        {
            request.Headers.Authorization = new("Bearer", actor.Key);
            request.Headers.Add("X-Api-Version", "1.0");
        });

        foreach (var response in new[] { none, query, header, both })
        {
            var page = await ExpectAsync(response, HttpStatusCode.OK, Wire.ReadPageAsync);
            Assert.That(page.Results, Is.EqualTo(new[] { folder }));
        }
    }

    [TestCase("?api-version=2.0", null)]
    [TestCase("?api-version=0.9", null)]
    [TestCase("", "2.0")]
    public async Task Unsupported_version_is_400_naming_the_supported_versions(string query, string? header)
    {
        var actor = await CreateActorAsync();
        var collection = Routes.Collection(Routes.Web, actor.ProjectId);

        var response = await SendAsync(HttpMethod.Post, collection + query, Json("""{"type":"home"}"""), request =>
        {
            request.Headers.Authorization = new("Bearer", actor.Key);
            if (header is not null)
            {
                request.Headers.Add("X-Api-Version", header);
            }
        });

        var error = await ExpectAsync(response, HttpStatusCode.BadRequest, Wire.ReadErrorAsync);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(Wire.KeysOf(await response.Content.ReadAsStringAsync()), Is.EqualTo(Wire.ErrorKeys));
            Assert.That((error.Type, error.Code, error.Attr), Is.EqualTo(("invalid_request", "unsupported_api_version", (string?)null)));
            Assert.That(error.Detail, Does.Contain("1.0"), "the message names the supported versions");
        }

        var rows = await IntegrationDatabase.ScalarAsync<long>("SELECT count(*) FROM persisted_folder");
        Assert.That(rows, Is.Zero, "a refused version changes nothing");
    }

    [Test]
    public async Task Different_versions_in_the_query_string_and_the_header_are_400()
    {
        var actor = await CreateActorAsync();

        var response = await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId) + "?api-version=1.0", null, request =>
        {
            request.Headers.Authorization = new("Bearer", actor.Key);
            request.Headers.Add("X-Api-Version", "2.0");
        });

        var error = await ExpectAsync(response, HttpStatusCode.BadRequest, Wire.ReadErrorAsync);
        Assert.That(error.Type, Is.EqualTo("invalid_request"));
    }
}
