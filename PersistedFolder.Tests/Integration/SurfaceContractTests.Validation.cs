using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace PersistedFolder.Tests.Integration;

/// <summary>SPEC §6: every validation row, the unreadable bodies, and that a refused write changes nothing.</summary>
public partial class SurfaceContractTests
{
    private const string NotAString = "Not a valid string.";
    private const int OneMebibyte = 1024 * 1024;

    [Test]
    public async Task Missing_type_is_400_required_on_post_and_put()
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home", path: "Keep");

        await AssertInvalidAsync(await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Json("{}")), "required", "This field is required.", "type");
        await AssertInvalidAsync(await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Json("""{"path":"x"}""")), "required", "This field is required.", "type");
        await AssertInvalidAsync(await SendAsync(HttpMethod.Put, Item(actor, folder.Id), actor.Key, Json("""{"path":"x"}""")), "required", "This field is required.", "type");
        await AssertUnchangedAsync(actor, folder);
    }

    [TestCase("POST")]
    [TestCase("PUT")]
    [TestCase("PATCH")]
    public async Task Null_type_is_400_null(string method)
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home", path: "Keep");

        var response = await SendAsync(new HttpMethod(method), method == "POST" ? Collection(actor) : Item(actor, folder.Id), actor.Key, Json("""{"type":null}"""));

        await AssertInvalidAsync(response, "null", "This field may not be null.", "type");
        await AssertUnchangedAsync(actor, folder);
    }

    [Test]
    public async Task Type_outside_the_three_choices_is_400_invalid_choice([Values("folder", "Home", "HOME", "", " home")] string type)
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home", path: "Keep");

        foreach (var (method, url) in WritesOf(actor, folder))
        {
            var response = await SendAsync(method, url, actor.Key, Json(FolderJson(type)));

            await AssertInvalidAsync(response, "invalid_choice", $"\"{type}\" is not a valid choice.", "type");
        }

        await AssertUnchangedAsync(actor, folder);
    }

    [Test]
    public async Task Protocol_of_64_characters_is_accepted_and_65_is_400_max_length()
    {
        var actor = await CreateActorAsync();
        var sixtyFour = new string('p', 61) + "://";

        var folder = await CreateFolderAsync(actor, "home", sixtyFour);
        var onPost = await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Json(FolderJson("pinned", new string('p', 65))));
        var onPatch = await SendAsync(HttpMethod.Patch, Item(actor, folder.Id), actor.Key, Json(FolderJson(null, new string('p', 65))));

        Assert.That(folder.Protocol, Is.EqualTo(sixtyFour));
        await AssertInvalidAsync(onPost, "max_length", "Ensure this field has no more than 64 characters.", "protocol");
        await AssertInvalidAsync(onPatch, "max_length", "Ensure this field has no more than 64 characters.", "protocol");
        await AssertUnchangedAsync(actor, folder);
    }

    [Test]
    public async Task Protocol_length_is_counted_after_trimming()
    {
        var actor = await CreateActorAsync();
        var sixtyFour = new string('p', 64);

        var folder = await CreateFolderAsync(actor, "home", "  " + sixtyFour + "  ");
        var tooLong = await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Json(FolderJson("pinned", " " + sixtyFour + "p ")));

        Assert.That(folder.Protocol, Is.EqualTo(sixtyFour));
        await AssertInvalidAsync(tooLong, "max_length", "Ensure this field has no more than 64 characters.", "protocol");
    }

    [Test]
    public async Task Blank_protocol_is_400_blank([Values("", "   ", "\t\n ")] string protocol)
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home", path: "Keep");

        foreach (var (method, url) in WritesOf(actor, folder))
        {
            var response = await SendAsync(method, url, actor.Key, Json(FolderJson("home", protocol)));

            await AssertInvalidAsync(response, "blank", "This field may not be blank.", "protocol");
        }

        await AssertUnchangedAsync(actor, folder);
    }

    [Test]
    public async Task Path_may_be_blank()
    {
        var actor = await CreateActorAsync();

        var blank = await CreateFolderAsync(actor, "home", path: "");
        var other = await CreateFolderAsync(actor, "pinned", path: "x");
        var patched = await ExpectAsync(
            await SendAsync(HttpMethod.Patch, Item(actor, other.Id), actor.Key, Json("""{"path":"   "}""")), HttpStatusCode.OK, Wire.ReadFolderAsync);

        Assert.That((blank.Path, patched.Path), Is.EqualTo((string.Empty, string.Empty)));
    }

    [TestCase("protocol")]
    [TestCase("path")]
    public async Task Null_protocol_or_path_is_400_null(string field)
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home", path: "Keep");

        var onPost = await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Json($$"""{"type":"pinned","{{field}}":null}"""));
        var onPatch = await SendAsync(HttpMethod.Patch, Item(actor, folder.Id), actor.Key, Json($$"""{"{{field}}":null}"""));

        await AssertInvalidAsync(onPost, "null", "This field may not be null.", field);
        await AssertInvalidAsync(onPatch, "null", "This field may not be null.", field);
        await AssertUnchangedAsync(actor, folder);
    }

    [Test]
    public async Task Protocol_or_path_that_is_not_a_string_is_400_invalid_input(
        [Values("protocol", "path")] string field, [Values("true", "false", """{"a":1}""", """["x"]""", "[]")] string value)
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home", path: "Keep");

        var onPost = await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Json($$"""{"type":"pinned","{{field}}":{{value}}}"""));
        var onPut = await SendAsync(HttpMethod.Put, Item(actor, folder.Id), actor.Key, Json($$"""{"type":"home","{{field}}":{{value}}}"""));

        await AssertInvalidAsync(onPost, "invalid_input", NotAString, field);
        await AssertInvalidAsync(onPut, "invalid_input", NotAString, field);
        await AssertUnchangedAsync(actor, folder);
    }

    [Test]
    public async Task File_part_in_a_multipart_body_is_not_a_string()
    {
        var actor = await CreateActorAsync();
        using var content = Multipart(("type", "home"));
        content.Add(new ByteArrayContent("Root"u8.ToArray()), "path", "path.txt");

        await AssertInvalidAsync(await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, content), "invalid_input", NotAString, "path");
    }

    [Test]
    public async Task Numbers_are_accepted_as_text()
    {
        var actor = await CreateActorAsync();

        var response = await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Json("""{"type":"home","protocol":1.5,"path":42}"""));

        var folder = await ExpectAsync(response, HttpStatusCode.Created, Wire.ReadFolderAsync);
        Assert.That((folder.Protocol, folder.Path), Is.EqualTo(("1.5", "42")));
    }

    [TestCase("protocol")]
    [TestCase("path")]
    public async Task Nul_character_in_a_json_string_is_400_null_characters_not_allowed(string field)
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home", path: "Keep");

        var onPost = await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Json($$"""{"type":"pinned","{{field}}":"a\u0000b"}"""));
        var onPatch = await SendAsync(HttpMethod.Patch, Item(actor, folder.Id), actor.Key, Json($$"""{"{{field}}":"\u0000"}"""));

        await AssertInvalidAsync(onPost, "null_characters_not_allowed", "Null characters are not allowed.", field);
        await AssertInvalidAsync(onPatch, "null_characters_not_allowed", "Null characters are not allowed.", field);
        await AssertUnchangedAsync(actor, folder);
    }

    [Test]
    public async Task Nul_character_in_a_form_field_is_400_null_characters_not_allowed(
        [Values("protocol", "path")] string field, [Values("urlencoded", "multipart")] string encoding)
    {
        var actor = await CreateActorAsync();
        (string, string)[] fields = [("type", "home"), (field, "a\0b")];

        var response = await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, encoding == "urlencoded" ? Form(fields) : Multipart(fields));

        await AssertInvalidAsync(response, "null_characters_not_allowed", "Null characters are not allowed.", field);
        Assert.That(await CountRowsAsync(actor), Is.Zero);
    }

    [TestCase("[]", "list")]
    [TestCase("""[{"type":"home"}]""", "list")]
    [TestCase("42", "int")]
    [TestCase("\"home\"", "str")]
    [TestCase("true", "bool")]
    public async Task Json_body_that_is_not_an_object_is_400_invalid_input(string body, string pythonType)
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home", path: "Keep");

        var onPost = await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Json(body));
        var onPatch = await SendAsync(HttpMethod.Patch, Item(actor, folder.Id), actor.Key, Json(body));

        var detail = $"Invalid data. Expected a dictionary, but got {pythonType}.";
        await AssertInvalidAsync(onPost, "invalid_input", detail, null);
        await AssertInvalidAsync(onPatch, "invalid_input", detail, null);
        await AssertUnchangedAsync(actor, folder);
    }

    [TestCase("{")]
    [TestCase("""{"type":"home",}""")]
    [TestCase("""{'type':'home'}""")]
    [TestCase("not json")]
    public async Task Malformed_json_is_400_parse_error(string body)
    {
        var actor = await CreateActorAsync();

        var response = await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Json(body));

        var error = await ExpectAsync(response, HttpStatusCode.BadRequest, Wire.ReadErrorAsync);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That((error.Type, error.Code, error.Attr), Is.EqualTo(("invalid_request", "parse_error", (string?)null)));
            Assert.That(error.Detail, Does.StartWith("JSON parse error - "));
        }

        Assert.That(await CountRowsAsync(actor), Is.Zero);
    }

    [TestCase("text/plain")]
    [TestCase("application/xml")]
    public async Task Unsupported_content_type_is_415(string mediaType)
    {
        var actor = await CreateActorAsync();
        var folder = await CreateFolderAsync(actor, "home", path: "Keep");
        StringContent Body()
        {
            var content = new StringContent("type=pinned", Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return content;
        }

        var onPost = await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Body());
        var onPatch = await SendAsync(HttpMethod.Patch, Item(actor, folder.Id), actor.Key, Body());

        var detail = $"Unsupported media type \"{mediaType}\" in request.";
        await AssertErrorAsync(onPost, HttpStatusCode.UnsupportedMediaType, "invalid_request", "unsupported_media_type", detail);
        await AssertErrorAsync(onPatch, HttpStatusCode.UnsupportedMediaType, "invalid_request", "unsupported_media_type", detail);
        await AssertUnchangedAsync(actor, folder);
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Body_over_one_mebibyte_is_413_request_too_large(bool withContentLength)
    {
        var actor = await CreateActorAsync();
        var body = Encoding.UTF8.GetBytes($$"""{"type":"home","path":"{{new string('x', OneMebibyte)}}"}""");
        var content = withContentLength ? Json(Encoding.UTF8.GetString(body)) : (HttpContent)Chunked(body);

        var response = await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, content);

        var error = await ExpectAsync(response, HttpStatusCode.RequestEntityTooLarge, Wire.ReadErrorAsync);
        Assert.That((error.Type, error.Code, error.Attr), Is.EqualTo(("invalid_request", "request_too_large", (string?)null)));
        Assert.That(error.Detail, Does.Contain("1048576"), "the message names the limit");
        Assert.That(await CountRowsAsync(actor), Is.Zero);
    }

    [Test]
    public async Task Body_of_exactly_one_mebibyte_is_accepted()
    {
        var actor = await CreateActorAsync();
        var frame = """{"type":"home","path":""}""";
        var path = new string('x', OneMebibyte - Encoding.UTF8.GetByteCount(frame));
        var body = $$"""{"type":"home","path":"{{path}}"}""";
        Assert.That(Encoding.UTF8.GetByteCount(body), Is.EqualTo(OneMebibyte));

        var folder = await ExpectAsync(await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Json(body)), HttpStatusCode.Created, Wire.ReadFolderAsync);

        Assert.That(folder.Path, Has.Length.EqualTo(path.Length));
    }

    [TestCase("""{"type":"nope","protocol":"","path":true}""", "invalid_choice", "\"nope\" is not a valid choice.", "type")]
    [TestCase("""{"protocol":"","path":true}""", "required", "This field is required.", "type")]
    [TestCase("""{"path":true,"protocol":"","type":"home"}""", "blank", "This field may not be blank.", "protocol")]
    [TestCase("""{"type":"home","protocol":[],"path":"a\u0000"}""", "invalid_input", "Not a valid string.", "protocol")]
    [TestCase("""{"type":"home","protocol":"ok://","path":{}}""", "invalid_input", "Not a valid string.", "path")]
    public async Task Only_the_first_error_is_reported_in_the_order_type_protocol_path(string body, string code, string detail, string attr)
    {
        var actor = await CreateActorAsync();

        await AssertInvalidAsync(await SendAsync(HttpMethod.Post, Collection(actor), actor.Key, Json(body)), code, detail, attr);
    }

    /// <summary>The three writes that carry a body: POST on the collection, PUT and PATCH on the folder.</summary>
    private (HttpMethod Method, string Url)[] WritesOf(Actor actor, FolderBody folder) =>
        [(HttpMethod.Post, Collection(actor)), (HttpMethod.Put, Item(actor, folder.Id)), (HttpMethod.Patch, Item(actor, folder.Id))];

    private async Task AssertUnchangedAsync(Actor actor, FolderBody folder)
    {
        Assert.That((await ListAsync(actor)).Results, Is.EqualTo(new[] { folder }), "a refused write changes nothing");
    }
}
