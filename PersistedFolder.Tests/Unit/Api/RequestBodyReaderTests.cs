using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using PersistedFolder.Api.Binding;
using PersistedFolder.Api.Errors;
using PersistedFolder.Core.Folders;

namespace PersistedFolder.Tests.Unit.Api;

/// <summary>Bodies as DRF's JSON, form and multipart parsers read them (SPEC §5, §6).</summary>
[TestFixture]
public sealed class RequestBodyReaderTests
{
    private const string Json = "application/json";
    private const string Form = "application/x-www-form-urlencoded";

    private RequestBodyOptions options = null!;
    private RequestBodyReader reader = null!;

    [SetUp]
    public void SetUp()
    {
        options = new RequestBodyOptions();
        reader = new RequestBodyReader(Options.Create(options));
    }

    [Test]
    public async Task Json_object_gives_its_fields_by_kind()
    {
        var body = await Read(Json, """{"type":"home","protocol":"products://","path":null,"n":12,"f":-1.5e3,"t":true,"b":false,"o":{"a":1},"a":[1]}""");

        Assert.That(body.Problem, Is.Null);
        Assert.That(body.Fields, Is.EqualTo(new Dictionary<string, FieldValue>
        {
            ["type"] = FieldValue.Of("home"),
            ["protocol"] = FieldValue.Of("products://"),
            ["path"] = FieldValue.Null,
            ["n"] = FieldValue.Of("12"),
            ["f"] = FieldValue.Of("-1.5e3"),
            ["t"] = new(FieldKind.NotText, "true"),
            ["b"] = new(FieldKind.NotText, "false"),
            ["o"] = new(FieldKind.NotText, """{"a":1}"""),
            ["a"] = new(FieldKind.NotText, "[1]"),
        }));
    }

    [Test]
    public async Task Json_field_that_is_not_sent_is_missing()
    {
        Assert.That((await Read(Json, """{"type":"home"}"""))["path"], Is.EqualTo(FieldValue.Missing));
    }

    [Test]
    public async Task Json_escapes_are_decoded()
    {
        Assert.That((await Read(Json, """{"path":"Root\/\u00e9\u0000"}"""))["path"], Is.EqualTo(FieldValue.Of("Root/\u00e9\0")));
    }

    [Test]
    public async Task Repeated_json_key_keeps_the_last_value()
    {
        Assert.That((await Read(Json, """{"type":"home","type":"pinned"}"""))["type"], Is.EqualTo(FieldValue.Of("pinned")));
    }

    [Test]
    public async Task Json_media_type_is_matched_case_insensitively_with_parameters([Values("application/json; charset=utf-8", "Application/JSON")] string contentType)
    {
        Assert.That((await Read(contentType, """{"type":"home"}"""))["type"], Is.EqualTo(FieldValue.Of("home")));
    }

    [TestCase("[]", "list")]
    [TestCase("""[{"type":"home"}]""", "list")]
    [TestCase("\"home\"", "str")]
    [TestCase("1", "int")]
    [TestCase("1.5", "float")]
    [TestCase("true", "bool")]
    public async Task Json_that_is_not_an_object_is_invalid_data(string json, string pythonType)
    {
        Assert.That(
            ProblemOf(await Read(Json, json)),
            Is.EqualTo((400, new ApiError("validation_error", "invalid_input", $"Invalid data. Expected a dictionary, but got {pythonType}.", null))));
    }

    [Test]
    public async Task Json_null_body_may_not_be_null()
    {
        Assert.That(ProblemOf(await Read(Json, "null")), Is.EqualTo((400, new ApiError("validation_error", "null", "This field may not be null.", null))));
    }

    [Test]
    public async Task Malformed_json_is_a_parse_error([Values("{", "{\"type\":}", "{'type':'home'}", "{\"type\":\"home\"} x")] string json)
    {
        var problem = (await Read(Json, json)).Problem;

        Assert.That((problem?.Status, problem?.Error.Type, problem?.Error.Code, problem?.Error.Attr), Is.EqualTo(((int?)400, "invalid_request", "parse_error", (string?)null)));
        Assert.That(problem?.Error.Detail, Does.StartWith("JSON parse error - "));
    }

    [Test]
    public async Task Form_fields_are_text()
    {
        var body = await Read(Form, "type=home&protocol=https%3A%2F%2F&path=Root%2FHome+Two&empty=");

        Assert.That(body.Fields, Is.EqualTo(new Dictionary<string, FieldValue>
        {
            ["type"] = FieldValue.Of("home"),
            ["protocol"] = FieldValue.Of("https://"),
            ["path"] = FieldValue.Of("Root/Home Two"),
            ["empty"] = FieldValue.Of(string.Empty),
        }));
    }

    [Test]
    public async Task Repeated_form_field_keeps_the_last_value()
    {
        Assert.That((await Read(Form + "; charset=utf-8", "type=home&type=pinned"))["type"], Is.EqualTo(FieldValue.Of("pinned")));
    }

    [Test]
    public async Task Multipart_fields_are_text_and_files_are_not()
    {
        using var content = new MultipartFormDataContent("pf-boundary")
        {
            { new StringContent("home"), "type" },
            { new StringContent("Root/Home"), "path" },
            { new ByteArrayContent("x"u8.ToArray()), "protocol", "protocol.txt" },
        };

        var body = await Read(content.Headers.ContentType!.ToString(), await content.ReadAsByteArrayAsync());

        Assert.That(body.Fields, Is.EqualTo(new Dictionary<string, FieldValue>
        {
            ["type"] = FieldValue.Of("home"),
            ["path"] = FieldValue.Of("Root/Home"),
            ["protocol"] = new(FieldKind.NotText, "protocol.txt"),
        }));
    }

    [Test]
    public async Task Multipart_without_a_boundary_is_a_parse_error()
    {
        var problem = (await Read("multipart/form-data", "--x\r\n")).Problem;

        Assert.That((problem?.Status, problem?.Error.Code), Is.EqualTo(((int?)400, "parse_error")));
        Assert.That(problem?.Error.Detail, Does.StartWith("Multipart form parse error - "));
    }

    [Test]
    public async Task Body_without_a_content_type_is_empty()
    {
        var body = await Read(null, """{"type":"home"}""");

        Assert.That((body.Problem, body.Fields.Count), Is.EqualTo(((ApiProblem?)null, 0)));
    }

    [Test]
    public async Task No_body_is_empty_whatever_the_content_type([Values(Json, "text/plain")] string contentType)
    {
        var body = await Read(contentType, string.Empty);

        Assert.That((body.Problem, body.Fields.Count), Is.EqualTo(((ApiProblem?)null, 0)));
    }

    [Test]
    public async Task Unsupported_media_type_is_415([Values("text/plain", "text/plain; charset=utf-8", "application/xml", "application/vnd.api+json")] string contentType)
    {
        Assert.That(
            ProblemOf(await Read(contentType, "type=home")),
            Is.EqualTo((415, new ApiError("invalid_request", "unsupported_media_type", $"Unsupported media type \"{contentType}\" in request.", null))));
    }

    [Test]
    public async Task Declared_length_over_the_limit_is_413_without_reading_the_body()
    {
        options.MaxRequestBodyBytes = 16;
        var http = Request(Json, Encoding.UTF8.GetBytes("""{"path":"0123456789"}"""));

        var body = await reader.ReadAsync(http);

        Assert.That(ProblemOf(body), Is.EqualTo((413, new ApiError("invalid_request", "request_too_large", "Request body is too large: the limit is 16 bytes.", null))));
        Assert.That(http.Request.Body.Position, Is.Zero);
    }

    [Test]
    public async Task Chunked_body_over_the_limit_is_413([Values(Json, Form)] string contentType)
    {
        options.MaxRequestBodyBytes = 16;
        var http = Request(contentType, new byte[17], declareLength: false);

        Assert.That(ProblemOf(await reader.ReadAsync(http))?.Status, Is.EqualTo(413));
    }

    [Test]
    public async Task Body_of_exactly_the_limit_is_read([Values] bool declareLength)
    {
        options.MaxRequestBodyBytes = 15;
        var http = Request(Json, Encoding.UTF8.GetBytes("""{"type":"home"}"""), declareLength);

        Assert.That((await reader.ReadAsync(http))["type"], Is.EqualTo(FieldValue.Of("home")));
    }

    [Test]
    public async Task Chunked_json_body_is_read()
    {
        var http = Request(Json, Encoding.UTF8.GetBytes("""{"type":"pinned"}"""), declareLength: false);

        Assert.That((await reader.ReadAsync(http))["type"], Is.EqualTo(FieldValue.Of("pinned")));
    }

    [Test]
    public async Task Body_is_read_once_and_shared_by_later_readers()
    {
        var http = Request(Json, Encoding.UTF8.GetBytes("""{"type":"home"}"""));

        var first = await reader.ReadAsync(http);
        var second = await reader.ReadAsync(http);

        Assert.That(second, Is.SameAs(first));
    }

    private static (int Status, ApiError Error)? ProblemOf(RequestBody body) =>
        body.Problem is { } problem ? (problem.Status, problem.Error) : null;

    private static DefaultHttpContext Request(string? contentType, byte[] body, bool declareLength = true)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = HttpMethods.Post;
        http.Request.ContentType = contentType;
        http.Request.Body = new MemoryStream(body);
        if (declareLength)
        {
            http.Request.ContentLength = body.Length;
        }
        else
        {
            // What Kestrel says of a chunked request.
            http.Features.Set<IHttpRequestBodyDetectionFeature>(new ChunkedBody());
        }

        return http;
    }

    private Task<RequestBody> Read(string? contentType, string body) => Read(contentType, Encoding.UTF8.GetBytes(body));

    private async Task<RequestBody> Read(string? contentType, byte[] body) => await reader.ReadAsync(Request(contentType, body));

    private sealed class ChunkedBody : IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody => true;
    }
}
