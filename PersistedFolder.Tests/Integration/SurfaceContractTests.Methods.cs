using System.Net;

namespace PersistedFolder.Tests.Integration;

/// <summary>SPEC §5: HEAD, OPTIONS and the 405 answer, and where 405 sits among the checks.</summary>
public partial class SurfaceContractTests
{
    private const string CollectionAllow = "GET, POST, HEAD, OPTIONS";
    private const string DetailAllow = "GET, PUT, PATCH, DELETE, HEAD, OPTIONS";

    [Test]
    public async Task Options_answers_200_with_the_routes_methods_in_allow()
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home");

        var onCollection = await SendAsync(HttpMethod.Options, Collection(actor), actor.Key);
        var onItem = await SendAsync(HttpMethod.Options, Item(actor, folder.Id), actor.Key);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(onCollection.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Wire.Header(onCollection, "Allow"), Is.EqualTo(CollectionAllow));
            Assert.That(onItem.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Wire.Header(onItem, "Allow"), Is.EqualTo(DetailAllow));
        }
    }

    /// <summary>The body itself is dropped by the server (Kestrel) for HEAD; the in-memory test
    /// server passes it through, so <see cref="OverTheWireTests"/> checks that part.</summary>
    [Test]
    public async Task Head_answers_with_the_status_and_headers_of_get()
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home");

        string[] targets = [Collection(actor), Item(actor, folder.Id), Item(actor, Guid.CreateVersion7()), Routes.Collection(route, 424242)];
        foreach (var target in targets)
        {
            var get = await SendAsync(HttpMethod.Get, target, actor.Key);
            var head = await SendAsync(HttpMethod.Head, target, actor.Key);

            using (Assert.EnterMultipleScope())
            {
                Assert.That(head.StatusCode, Is.EqualTo(get.StatusCode), target);
                Assert.That(head.Content.Headers.ContentType, Is.EqualTo(get.Content.Headers.ContentType), target);
                Assert.That(Wire.Header(head, "X-Content-Type-Options"), Is.EqualTo("nosniff"), target);
                Assert.That(Wire.Header(head, "api-supported-versions"), Is.EqualTo(Wire.Header(get, "api-supported-versions")), target);
            }
        }
    }

    [Category(SurfaceFixtureAttribute.Smoke)]
    [TestCase("PUT", false)]
    [TestCase("PATCH", false)]
    [TestCase("DELETE", false)]
    [TestCase("POST", true)]
    public async Task Method_the_route_does_not_have_is_405_with_allow(string method, bool onItem)
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home");

        var response = await SendAsync(new HttpMethod(method), onItem ? Item(actor, folder.Id) : Collection(actor), actor.Key, Json("""{"type":"pinned"}"""));

        await AssertErrorAsync(response, HttpStatusCode.MethodNotAllowed, "invalid_request", "method_not_allowed", $"Method \"{method}\" not allowed.");
        Assert.That(Wire.Header(response, "Allow"), Is.EqualTo(onItem ? DetailAllow : CollectionAllow));
        Assert.That((await ListAsync(actor)).Results, Is.EqualTo(new[] { folder }), "nothing changed");
    }

    [Test]
    public async Task Method_not_allowed_comes_after_authentication()
    {
        var actor = await CreateActorAsync();

        await AssertNotAuthenticatedAsync(await SendAsync(HttpMethod.Put, Collection(actor), content: Json("""{"type":"home"}""")));
        await AssertInvalidKeyAsync(await SendAsync(HttpMethod.Put, Collection(actor), actor.Key + "x", Json("""{"type":"home"}""")));
    }

    [TestCase(ReadOnly)]
    [TestCase("insight:read")]
    public async Task Method_not_allowed_comes_before_the_scope_check(string scopes)
    {
        var actor = await CreateActorAsync(scopes);

        var onCollection = await SendAsync(HttpMethod.Put, Collection(actor), actor.Key, Json("""{"type":"home"}"""));
        var onItem = await SendAsync(HttpMethod.Post, Item(actor, Guid.CreateVersion7()), actor.Key, Json("""{"type":"home"}"""));

        await AssertErrorAsync(onCollection, HttpStatusCode.MethodNotAllowed, "invalid_request", "method_not_allowed", "Method \"PUT\" not allowed.");
        await AssertErrorAsync(onItem, HttpStatusCode.MethodNotAllowed, "invalid_request", "method_not_allowed", "Method \"POST\" not allowed.");
    }

    [TestCase("text/html")]
    [TestCase("application/xml, text/*")]
    [TestCase("application/json;q=0, text/html")]
    public async Task Accept_header_that_rules_json_out_is_406(string accept)
    {
        var actor = await CreateActorAsync();

        var response = await SendAsync(HttpMethod.Get, Collection(actor), null, request =>
        {
            request.Headers.Authorization = new("Bearer", actor.Key);
            request.Headers.TryAddWithoutValidation("Accept", accept);
        });

        await AssertErrorAsync(response, HttpStatusCode.NotAcceptable, "invalid_request", "not_acceptable", "Could not satisfy the request Accept header.");
    }

    [TestCase("*/*")]
    [TestCase("application/*")]
    [TestCase("application/json; indent=4")]
    [TestCase("text/html, application/json;q=0.5")]
    public async Task Accept_header_that_allows_json_is_served(string accept)
    {
        var actor = await CreateActorAsync();

        var response = await SendAsync(HttpMethod.Post, Collection(actor), Json("""{"type":"home"}"""), request =>
        {
            request.Headers.Authorization = new("Bearer", actor.Key);
            request.Headers.TryAddWithoutValidation("Accept", accept);
        });

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
    }
}
