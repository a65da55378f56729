using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace PersistedFolder.Tests.Integration;

/// <summary>
/// What only a real server shows, on Kestrel over a socket: HEAD answers carry no body, 204s carry
/// none either, and an oversized body is refused by the service's own limit.
/// </summary>
public sealed class OverTheWireTests : ApiFixture
{
    protected override HttpClient CreateClient(PersistedFolderApiFactory application)
    {
        application.UseKestrel(0);
        application.StartServer();
        var address = application.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return application.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri(address), AllowAutoRedirect = false });
    }

    [Test]
    public async Task Head_answers_like_get_with_no_body()
    {
        var actor = await CreateActorAsync();
        var folder = await ExpectAsync(
            await SendAsync(HttpMethod.Post, Routes.Collection(Routes.Web, actor.ProjectId), actor.Key, Json("""{"type":"home"}""")),
            HttpStatusCode.Created,
            Wire.ReadFolderAsync);
        (string Url, string? Key)[] targets =
        [
            (Routes.Collection(Routes.Web, actor.ProjectId), actor.Key),
            (Routes.Item(Routes.Desktop, actor.ProjectId, Guid.CreateVersion7()), actor.Key),
            (Routes.Item(Routes.Web, actor.ProjectId, folder.Id), actor.Key),
            (Routes.Collection(Routes.Web, actor.ProjectId), null),
        ];

        foreach (var (url, key) in targets)
        {
            var get = await SendAsync(HttpMethod.Get, url, key);
            var head = await SendAsync(HttpMethod.Head, url, key);

            using (Assert.EnterMultipleScope())
            {
                Assert.That(head.StatusCode, Is.EqualTo(get.StatusCode), url);
                Assert.That(head.Content.Headers.ContentType, Is.EqualTo(get.Content.Headers.ContentType), url);
                Assert.That(await head.Content.ReadAsByteArrayAsync(), Is.Empty, url);
                Assert.That(await get.Content.ReadAsByteArrayAsync(), Is.Not.Empty, url);
            }
        }
    }

    [Test]
    public async Task Delete_answers_204_with_no_body_and_no_content_type()
    {
        var actor = await CreateActorAsync();
        var folder = await ExpectAsync(
            await SendAsync(HttpMethod.Post, Routes.Collection(Routes.Desktop, actor.ProjectId), actor.Key, Json("""{"type":"pinned"}""")),
            HttpStatusCode.Created,
            Wire.ReadFolderAsync);

        var response = await SendAsync(HttpMethod.Delete, Routes.Item(Routes.Desktop, actor.ProjectId, folder.Id), actor.Key);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(response.Content.Headers.ContentType, Is.Null);
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.Empty);
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Body_over_one_mebibyte_is_413_request_too_large(bool withContentLength)
    {
        var actor = await CreateActorAsync();
        var body = new byte[(1024 * 1024) + 1];
        Array.Fill(body, (byte)' ');
        HttpContent content = withContentLength ? new ByteArrayContent(body) : Chunked(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var response = await SendAsync(HttpMethod.Post, Routes.Collection(Routes.Web, actor.ProjectId), actor.Key, content);

        var error = await ExpectAsync(response, HttpStatusCode.RequestEntityTooLarge, Wire.ReadErrorAsync);
        Assert.That((error.Type, error.Code), Is.EqualTo(("invalid_request", "request_too_large")));
    }

    [Test]
    public async Task Routes_without_a_trailing_slash_are_served_without_a_redirect()
    {
        var actor = await CreateActorAsync();

        var response = await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId, slash: false), actor.Key);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
