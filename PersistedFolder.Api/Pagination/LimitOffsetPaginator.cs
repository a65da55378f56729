using System.Globalization;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace PersistedFolder.Api.Pagination;

/// <summary>Options of limit/offset pagination: <c>PersistedFolder:Pagination</c>.</summary>
public sealed class PaginationOptions
{
    public int DefaultLimit { get; set; } = 100;

    public int MaxLimit { get; set; } = 1000;
}

/// <summary>One page of a list and the absolute links around it.</summary>
public readonly record struct Page<T>(int Count, string? Next, string? Previous, IReadOnlyList<T> Results);

/// <summary>DRF's LimitOffsetPagination (SPEC §7) over an already-loaded list.</summary>
public sealed class LimitOffsetPaginator(IOptions<PaginationOptions> options)
{
    private const string LimitParameter = "limit";
    private const string OffsetParameter = "offset";

    public Page<T> Paginate<T>(HttpRequest request, IReadOnlyList<T> items)
    {
        var settings = options.Value;
        var limit = Parse(request.Query[LimitParameter]) is > 0 and var requested
            ? (int)Math.Min(requested, settings.MaxLimit)
            : settings.DefaultLimit;
        var offset = Parse(request.Query[OffsetParameter]) is > 0 and var from ? from : 0;
        var count = items.Count;
        var results = offset >= count ? [] : items.Skip((int)offset).Take(limit).ToList();

        var next = offset + limit < count ? Link(request, limit, offset + limit) : null;
        var previous = offset <= 0 ? null : Link(request, limit, offset - limit);
        return new Page<T>(count, next, previous, results);
    }

    private static long? Parse(StringValues value) =>
        long.TryParse(value.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : null;

    /// <summary>The request's absolute URL with limit and offset replaced (offset left out when not positive).</summary>
    private static string Link(HttpRequest request, int limit, long offset)
    {
        var query = new QueryBuilder(request.Query
            .Where(p => p.Key is not (LimitParameter or OffsetParameter))
            .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string>(p.Key, v ?? string.Empty))))
        {
            { LimitParameter, limit.ToString(CultureInfo.InvariantCulture) },
        };
        if (offset > 0)
        {
            query.Add(OffsetParameter, offset.ToString(CultureInfo.InvariantCulture));
        }

        return UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path, query.ToQueryString());
    }
}
