using System.Net;

namespace PersistedFolder.Tests.Integration.Hosting.Monolith;

/// <summary>
/// The monolith's CORS policy (<c>UseCors("spa")</c>, for every endpoint) covers the folder
/// endpoints too: its middleware answers their preflights, and a cross-origin GET with a key is
/// served with the policy's headers. Never a 500, never the folder API's 401 to a preflight.
/// </summary>
public sealed class MonolithFolderCorsTests : MonolithFixture
{
    [TestCase(Routes.Web)]
    [TestCase(Routes.Desktop)]
    public async Task Preflight_to_a_folder_endpoint_is_answered_by_the_hosts_cors_middleware(string route)
    {
        var actor = await CreateActorAsync();

        var response = await PreflightAsync(Routes.Collection(route, actor.ProjectId), MonolithProgram.SpaOrigin, "PATCH");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await response.Content.ReadAsStringAsync());
            Assert.That(Wire.Header(response, "Access-Control-Allow-Origin"), Is.EqualTo(MonolithProgram.SpaOrigin));
            Assert.That(Wire.Header(response, "Access-Control-Allow-Methods"), Is.EqualTo("GET,POST,PATCH,DELETE"));
            Assert.That(Wire.Header(response, "Access-Control-Allow-Headers"), Is.EqualTo("authorization"));
        }
    }

    [Test]
    public async Task Preflight_from_an_origin_the_policy_does_not_cover_gets_no_cors_headers_and_no_error()
    {
        var actor = await CreateActorAsync();

        var response = await PreflightAsync(Routes.Item(Routes.Web, actor.ProjectId, Guid.CreateVersion7()), "https://evil.example", "DELETE");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(Wire.Header(response, "Access-Control-Allow-Origin"), Is.Null);
    }

    [TestCase(Routes.Web)]
    [TestCase(Routes.Desktop)]
    public async Task Cross_origin_get_with_a_key_is_served_with_the_policys_headers(string route)
    {
        var actor = await CreateActorAsync();
        var collection = Routes.Collection(route, actor.ProjectId);
        var created = await ExpectAsync(await SendAsync(HttpMethod.Post, collection, actor.Key, Json("""{"type":"home"}""")), HttpStatusCode.Created, Wire.ReadFolderAsync);

        var response = await SendAsync(HttpMethod.Get, collection, content: null, request =>
        {
            request.Headers.Authorization = new("Bearer", actor.Key);
            request.Headers.Add("Origin", MonolithProgram.SpaOrigin);
        });

        var page = await ExpectAsync(response, HttpStatusCode.OK, Wire.ReadPageAsync);
        Assert.That(page.Results, Is.EqualTo(new[] { created }));
        Assert.That(Wire.Header(response, "Access-Control-Allow-Origin"), Is.EqualTo(MonolithProgram.SpaOrigin));
    }

    [Test]
    public async Task Cross_origin_get_without_credentials_is_the_folder_apis_401_with_the_policys_headers()
    {
        var actor = await CreateActorAsync();

        var response = await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId), content: null, request =>
            request.Headers.Add("Origin", MonolithProgram.SpaOrigin));

        await AssertNotAuthenticatedAsync(response);
        Assert.That(Wire.Header(response, "Access-Control-Allow-Origin"), Is.EqualTo(MonolithProgram.SpaOrigin));
    }

    private Task<HttpResponseMessage> PreflightAsync(string url, string origin, string method) =>
        SendAsync(HttpMethod.Options, url, content: null, request =>
        {
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", method);
            request.Headers.Add("Access-Control-Request-Headers", "authorization");
        });
}
