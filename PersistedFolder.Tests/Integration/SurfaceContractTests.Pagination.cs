using System.Net;
using System.Web;

namespace PersistedFolder.Tests.Integration;

/// <summary>SPEC §7: limit/offset pages and their absolute links.</summary>
public partial class SurfaceContractTests
{
    [Test]
    public async Task Page_without_parameters_holds_every_folder_and_no_links()
    {
        var actor = await CreateThreeFoldersAsync();

        var page = await ListAsync(actor);

        Assert.That((page.Count, page.Next, page.Previous), Is.EqualTo((3, (string?)null, (string?)null)));
        Assert.That(page.Results.Select(f => f.Type), Is.EqualTo(TypesInListOrder));
    }

    [Test]
    public async Task Limit_and_offset_walk_the_list_with_absolute_links()
    {
        var actor = await CreateThreeFoldersAsync();

        var first = await ListAsync(actor, query: "?limit=1");
        var second = await ListAsync(actor, query: "?limit=1&offset=1");
        var last = await ListAsync(actor, query: "?limit=1&offset=2");
        var two = await ListAsync(actor, query: "?limit=2");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(TypesOf(first), Is.EqualTo("custom_products"));
            AssertLink(first.Next, actor, ("limit", "1"), ("offset", "1"));
            AssertLink(first.Previous, null);
            Assert.That(TypesOf(second), Is.EqualTo("home"));
            AssertLink(second.Next, actor, ("limit", "1"), ("offset", "2"));
            AssertLink(second.Previous, actor, ("limit", "1"));
            Assert.That(TypesOf(last), Is.EqualTo("pinned"));
            AssertLink(last.Next, null);
            AssertLink(last.Previous, actor, ("limit", "1"), ("offset", "1"));
            Assert.That((two.Count, two.Results.Count), Is.EqualTo((3, 2)));
            AssertLink(two.Next, actor, ("limit", "2"), ("offset", "2"));
        }
    }

    [Test]
    public async Task Links_keep_the_other_query_parameters()
    {
        var actor = await CreateThreeFoldersAsync();

        var page = await ListAsync(actor, query: "?search=a+b&limit=1&offset=1&api-version=1.0");

        AssertLink(page.Next, actor, ("search", "a b"), ("api-version", "1.0"), ("limit", "1"), ("offset", "2"));
        AssertLink(page.Previous, actor, ("search", "a b"), ("api-version", "1.0"), ("limit", "1"));
    }

    [TestCase("")]
    [TestCase("limit=0&")]
    [TestCase("limit=-3&")]
    [TestCase("limit=abc&")]
    [TestCase("limit=1.5&")]
    [TestCase("limit=&")]
    public async Task Missing_zero_negative_or_non_integer_limit_means_100(string limit)
    {
        var actor = await CreateThreeFoldersAsync();

        var page = await ListAsync(actor, query: $"?{limit}offset=1");

        Assert.That(TypesOf(page), Is.EqualTo("home,pinned"));
        AssertLink(page.Next, null);
        AssertLink(page.Previous, actor, ("limit", "100"));
    }

    [TestCase("-5")]
    [TestCase("abc")]
    [TestCase("")]
    public async Task Negative_or_non_integer_offset_means_0(string offset)
    {
        var actor = await CreateThreeFoldersAsync();

        var page = await ListAsync(actor, query: $"?limit=1&offset={offset}");

        Assert.That(TypesOf(page), Is.EqualTo("custom_products"));
        AssertLink(page.Previous, null);
        AssertLink(page.Next, actor, ("limit", "1"), ("offset", "1"));
    }

    [Test]
    public async Task Offset_past_the_end_gives_no_results_and_the_true_count()
    {
        var actor = await CreateThreeFoldersAsync();

        var page = await ListAsync(actor, query: "?limit=1&offset=10");

        Assert.That((page.Count, page.Results.Count, page.Next), Is.EqualTo((3, 0, (string?)null)));
        AssertLink(page.Previous, actor, ("limit", "1"), ("offset", "9"));
    }

    [Test]
    public async Task Limit_is_capped_at_the_default_max_limit_of_1000()
    {
        var actor = await CreateThreeFoldersAsync();

        var page = await ListAsync(actor, query: "?limit=5000&offset=1");

        Assert.That(page.Results, Has.Count.EqualTo(2));
        AssertLink(page.Previous, actor, ("limit", "1000"));
    }

    [Test]
    public async Task Forwarded_headers_from_an_unconfigured_proxy_are_ignored()
    {
        var actor = await CreateThreeFoldersAsync();

        var response = await SendAsync(HttpMethod.Get, Collection(actor) + "?limit=1", null, request =>
        {
            request.Headers.Authorization = new("Bearer", actor.Key);
            request.Headers.Add("X-Forwarded-Proto", "https");
            request.Headers.Add("X-Forwarded-Host", "evil.example");
        });

        var page = await ExpectAsync(response, HttpStatusCode.OK, Wire.ReadPageAsync);
        AssertLink(page.Next, actor, ("limit", "1"), ("offset", "1"));
    }

    private static string TypesOf(PageBody page) => string.Join(',', page.Results.Select(f => f.Type));

    private async Task<Actor> CreateThreeFoldersAsync()
    {
        var actor = await CreateActorAsync();
        foreach (var type in TypesInListOrder.Reverse())
        {
            await CreateFolderAsync(actor, type);
        }

        return actor;
    }

    /// <summary>An absolute link to this collection with exactly these query parameters (in any order), or null.</summary>
    private void AssertLink(string? link, Actor? actor, params (string Name, string Value)[] query)
    {
        if (actor is null)
        {
            Assert.That(link, Is.Null);
            return;
        }

        Assert.That(link, Is.Not.Null);
        var uri = new Uri(link!);
        var parsed = HttpUtility.ParseQueryString(uri.Query);
        var actual = parsed.AllKeys.Order(StringComparer.Ordinal).Select(k => (k!, parsed[k]!));
        Assert.That(uri.GetLeftPart(UriPartial.Path), Is.EqualTo("http://localhost" + Collection(actor)), link);
        Assert.That(actual, Is.EqualTo(query.OrderBy(q => q.Name, StringComparer.Ordinal)), link);
    }
}
