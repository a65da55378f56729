using System.Globalization;
using System.Numerics;
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

        var next = offset < count && offset + limit < count ? Link(request, limit, offset + limit) : null;
        var previous = offset <= 0 ? null : Link(request, limit, offset - limit);
        return new Page<T>(count, next, previous, results);
    }

    /// <summary>The last value, as Django's QueryDict reads it; an integer too large for 64 bits
    /// saturates (Python's int has no overflow), anything else is null.</summary>
    private static long? Parse(StringValues values)
    {
        var text = values.Count == 0 ? null : values[^1];
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        return BigInteger.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var big)
            ? big.Sign > 0 ? long.MaxValue : long.MinValue
            : null;
    }

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
