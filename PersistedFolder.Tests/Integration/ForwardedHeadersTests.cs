using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace PersistedFolder.Tests.Integration;

/// <summary>SPEC §7: <c>X-Forwarded-Proto</c>/<c>-Host</c> shape the links only when they come from a configured proxy.</summary>
public sealed class ForwardedHeadersTests : ApiFixture
{
    private const string Proxy = "10.1.2.3";
    private const string RemoteIpHeader = "X-Test-Remote-Ip";

    protected override PersistedFolderApiFactory CreateFactory() => new(
        new Dictionary<string, string?> { ["ForwardedHeaders:KnownProxies:0"] = Proxy },
        services => services.AddSingleton<IStartupFilter, RemoteIpFromHeader>());

    [TestCase(Proxy, "https://public.example")]
    [TestCase("10.9.9.9", "http://localhost")]
    public async Task Links_use_the_forwarded_scheme_and_host_only_from_a_known_proxy(string remoteIp, string origin)
    {
        var actor = await CreateActorAsync();
        foreach (var type in new[] { "home", "pinned" })
        {
            Assert.That((await SendAsync(HttpMethod.Post, Routes.Collection(Routes.Web, actor.ProjectId), actor.Key, Json($$"""{"type":"{{type}}"}"""))).StatusCode, Is.EqualTo(HttpStatusCode.Created));
        }

        var response = await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId) + "?limit=1", null, request =>
        {
            request.Headers.Authorization = new("Bearer", actor.Key);
            request.Headers.Add(RemoteIpHeader, remoteIp);
            request.Headers.Add("X-Forwarded-Proto", "https");
            request.Headers.Add("X-Forwarded-Host", "public.example");
        });

        var page = await ExpectAsync(response, HttpStatusCode.OK, Wire.ReadPageAsync);
        Assert.That(page.Next, Is.EqualTo($"{origin}{Routes.Collection(Routes.Web, actor.ProjectId)}?limit=1&offset=1"));
    }

    /// <summary>The in-memory server has no peer address; this gives each request the one the test names.</summary>
    private sealed class RemoteIpFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[RemoteIpHeader], out var address))
                {
                    context.Connection.RemoteIpAddress = address;
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
