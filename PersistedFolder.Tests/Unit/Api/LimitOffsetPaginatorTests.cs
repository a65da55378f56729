using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using PersistedFolder.Api.Pagination;

namespace PersistedFolder.Tests.Unit.Api;

/// <summary>SPEC §7, with DRF's LimitOffsetPagination as the reference.</summary>
[TestFixture]
public sealed class LimitOffsetPaginatorTests
{
    private const string Url = "http://testserver/api/projects/7/persisted_folder/";

    private PaginationOptions options = null!;
    private LimitOffsetPaginator paginator = null!;

    [SetUp]
    public void SetUp()
    {
        options = new PaginationOptions();
        paginator = new LimitOffsetPaginator(Options.Create(options));
    }

    [Test]
    public void Everything_fits_on_the_first_page_without_links()
    {
        var page = Paginate(string.Empty, 3);

        Assert.That(page, Is.EqualTo((3, (string?)null, (string?)null, Items(0, 3))));
    }

    [Test]
    public void Empty_list_has_no_links()
    {
        Assert.That(Paginate(string.Empty, 0), Is.EqualTo((0, (string?)null, (string?)null, Array.Empty<int>())));
    }

    [Test]
    public void First_page_links_to_the_next_only()
    {
        Assert.That(Paginate("?limit=2", 5), Is.EqualTo((5, $"{Url}?limit=2&offset=2", (string?)null, Items(0, 2))));
    }

    [Test]
    public void Second_page_links_back_without_an_offset()
    {
        Assert.That(Paginate("?limit=2&offset=2", 5), Is.EqualTo((5, $"{Url}?limit=2&offset=4", $"{Url}?limit=2", Items(2, 2))));
    }

    [Test]
    public void Last_page_has_no_next_link()
    {
        Assert.That(Paginate("?limit=2&offset=4", 5), Is.EqualTo((5, (string?)null, $"{Url}?limit=2&offset=2", Items(4, 1))));
    }

    [Test]
    public void Next_is_null_when_offset_plus_limit_equals_the_count()
    {
        Assert.That(Paginate("?limit=2&offset=2", 4).Next, Is.Null);
    }

    [Test]
    public void Previous_omits_the_offset_when_it_would_be_negative()
    {
        Assert.That(Paginate("?limit=3&offset=1", 5).Previous, Is.EqualTo($"{Url}?limit=3"));
    }

    [Test]
    public void Offset_past_the_end_gives_no_results_and_the_true_count()
    {
        Assert.That(Paginate("?limit=2&offset=10", 3), Is.EqualTo((3, (string?)null, $"{Url}?limit=2&offset=8", Array.Empty<int>())));
    }

    [Test]
    public void Missing_limit_means_100_and_is_written_in_the_links()
    {
        var page = Paginate(string.Empty, 150);

        Assert.That((page.Next, page.Results.Length), Is.EqualTo(($"{Url}?limit=100&offset=100", 100)));
    }

    [Test]
    public void Unusable_limit_means_the_default([Values("0", "-5", "abc", "1.5", "")] string limit)
    {
        var page = Paginate($"?limit={limit}", 150);

        Assert.That((page.Next, page.Results.Length), Is.EqualTo(($"{Url}?limit=100&offset=100", 100)));
    }

    [Test]
    public void Configured_default_limit_is_used()
    {
        options.DefaultLimit = 2;

        Assert.That(Paginate(string.Empty, 5).Next, Is.EqualTo($"{Url}?limit=2&offset=2"));
    }

    [Test]
    public void Limit_is_capped_at_max_limit()
    {
        options.MaxLimit = 3;

        var page = Paginate("?limit=50", 10);

        Assert.That((page.Next, page.Results.Length), Is.EqualTo(($"{Url}?limit=3&offset=3", 3)));
    }

    [Test]
    public void Default_max_limit_is_1000()
    {
        var page = Paginate("?limit=5000", 1500);

        Assert.That((page.Next, page.Results.Length), Is.EqualTo(($"{Url}?limit=1000&offset=1000", 1000)));
    }

    [Test]
    public void Unusable_offset_means_zero([Values("-1", "abc", "2.5", "")] string offset)
    {
        Assert.That(Paginate($"?limit=2&offset={offset}", 5), Is.EqualTo((5, $"{Url}?limit=2&offset=2", (string?)null, Items(0, 2))));
    }

    [Test]
    public void Other_query_parameters_are_kept_in_the_links()
    {
        var page = Paginate("?api-version=1.0&limit=1&offset=1&tag=a&tag=b%20c", 3);

        Assert.That(Query(page.Next), Is.EqualTo(new Dictionary<string, string[]>
        {
            ["api-version"] = ["1.0"],
            ["tag"] = ["a", "b c"],
            ["limit"] = ["1"],
            ["offset"] = ["2"],
        }));
        Assert.That(Query(page.Previous), Is.EqualTo(new Dictionary<string, string[]>
        {
            ["api-version"] = ["1.0"],
            ["tag"] = ["a", "b c"],
            ["limit"] = ["1"],
        }));
    }

    [Test]
    public void Links_are_absolute_with_the_request_scheme_host_and_path_base()
    {
        var page = Paginate("?limit=1", 2, http =>
        {
            http.Request.Scheme = "https";
            http.Request.Host = new HostString("folders.example.com", 8443);
            http.Request.PathBase = "/posthog";
        });

        Assert.That(page.Next, Is.EqualTo("https://folders.example.com:8443/posthog/api/projects/7/persisted_folder/?limit=1&offset=1"));
    }

    [Test]
    public void Repeated_limit_uses_the_last_value_as_django_does()
    {
        // DRF reads request.query_params[...], a QueryDict, which answers the last value.
        Assert.That(Paginate("?limit=1&limit=2", 5).Results, Is.EqualTo(Items(0, 2)));
    }

    [Test]
    public void Offset_near_the_largest_integer_has_no_next_link()
    {
        var page = Paginate("?offset=9223372036854775807", 3);

        Assert.That((page.Next, page.Results.Length), Is.EqualTo(((string?)null, 0)));
    }

    [Test]
    public void Offset_beyond_64_bits_is_past_the_end_not_zero()
    {
        // An integer, just a large one: DRF (Python int) gives empty results, not the first page.
        Assert.That(Paginate("?offset=99999999999999999999", 3).Results, Is.Empty);
    }

    [Test]
    public void Limit_beyond_64_bits_is_capped_at_max_limit_not_the_default()
    {
        options.MaxLimit = 3;

        Assert.That(Paginate("?limit=99999999999999999999", 10).Results, Has.Length.EqualTo(3));
    }

    private static int[] Items(int first, int count) => [.. Enumerable.Range(first, count)];

    private static Dictionary<string, string[]> Query(string? url)
    {
        Assert.That(url, Does.StartWith(Url + "?"));
        return QueryHelpers.ParseQuery(new Uri(url!).Query).ToDictionary(p => p.Key, p => p.Value.Select(v => v ?? string.Empty).ToArray());
    }

    private (int Count, string? Next, string? Previous, int[] Results) Paginate(string query, int count, Action<HttpContext>? configure = null)
    {
        var http = new DefaultHttpContext();
        http.Request.Scheme = "http";
        http.Request.Host = new HostString("testserver");
        http.Request.Path = "/api/projects/7/persisted_folder/";
        http.Request.QueryString = new QueryString(query);
        configure?.Invoke(http);

        var page = paginator.Paginate(http.Request, Enumerable.Range(0, count).ToList());
        return (page.Count, page.Next, page.Previous, page.Results.ToArray());
    }
}
