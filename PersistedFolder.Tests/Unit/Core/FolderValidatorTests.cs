using PersistedFolder.Core.Folders;

namespace PersistedFolder.Tests.Unit.Core;

/// <summary>The field rules of SPEC §6, as DRF's ChoiceField and CharField apply them.</summary>
[TestFixture]
public sealed class FolderValidatorTests
{
    public enum Write
    {
        Create,
        Replace,
        Update,
    }

    private static readonly string SixtyFourCharacters = new('p', 64);

    [Test]
    public void Create_with_only_a_type_defaults_protocol_and_path()
    {
        var changes = FolderValidator.ForCreate(Input(type: FieldValue.Of("home")));

        Assert.That(changes, Is.EqualTo(new FolderChanges("home", "products://", string.Empty)));
    }

    [Test]
    public void Replace_and_update_keep_omitted_protocol_and_path([Values(Write.Replace, Write.Update)] Write write)
    {
        var changes = Validate(write, Input(type: FieldValue.Of("pinned")));

        Assert.That(changes, Is.EqualTo(new FolderChanges("pinned", null, null)));
    }

    [Test]
    public void Update_with_an_empty_body_changes_nothing()
    {
        Assert.That(FolderValidator.ForUpdate(FolderInput.Empty), Is.EqualTo(new FolderChanges(null, null, null)));
    }

    [Test]
    public void Update_may_send_only_a_path()
    {
        var changes = FolderValidator.ForUpdate(Input(path: FieldValue.Of("Root/Pinned")));

        Assert.That(changes, Is.EqualTo(new FolderChanges(null, null, "Root/Pinned")));
    }

    [Test]
    public void Every_write_returns_all_sent_fields_trimmed([Values] Write write)
    {
        var changes = Validate(write, Input(FieldValue.Of("custom_products"), FieldValue.Of("  https://  "), FieldValue.Of("\t Root/Home \n")));

        Assert.That(changes, Is.EqualTo(new FolderChanges("custom_products", "https://", "Root/Home")));
    }

    [Test]
    public void Type_is_required_on_create_and_replace([Values(Write.Create, Write.Replace)] Write write)
    {
        Assert.That(ErrorOf(write, FolderInput.Empty), Is.EqualTo(("required", "This field is required.", "type")));
    }

    [Test]
    public void Type_may_be_omitted_on_update()
    {
        Assert.That(FolderValidator.ForUpdate(Input(protocol: FieldValue.Of("products://"))).Type, Is.Null);
    }

    [Test]
    public void Null_type_is_rejected([Values] Write write)
    {
        Assert.That(ErrorOf(write, Input(type: FieldValue.Null)), Is.EqualTo(("null", "This field may not be null.", "type")));
    }

    [Test]
    public void Every_folder_type_is_a_valid_choice([Values] Write write, [Values("home", "pinned", "custom_products")] string type)
    {
        Assert.That(Validate(write, Input(type: FieldValue.Of(type))).Type, Is.EqualTo(type));
    }

    [Test]
    public void Type_outside_the_choices_is_an_invalid_choice_case_sensitively(
        [Values] Write write,
        [Values("folder", "Home", "HOME", "", " home", "home ", "custom-products", "1")] string type)
    {
        Assert.That(
            ErrorOf(write, Input(type: FieldValue.Of(type))),
            Is.EqualTo(("invalid_choice", $"\"{type}\" is not a valid choice.", "type")));
    }

    [Test]
    public void Type_that_is_not_text_is_an_invalid_choice([Values] Write write)
    {
        var error = ErrorOf(write, Input(type: new FieldValue(FieldKind.NotText, "[\"home\"]")));

        Assert.That((error.Code, error.Attr), Is.EqualTo(("invalid_choice", "type")));
    }

    [Test]
    public void Protocol_of_64_characters_is_accepted([Values] Write write)
    {
        Assert.That(Validate(write, Input(FieldValue.Of("home"), FieldValue.Of(SixtyFourCharacters))).Protocol, Is.EqualTo(SixtyFourCharacters));
    }

    [Test]
    public void Protocol_of_65_characters_is_too_long([Values] Write write)
    {
        Assert.That(
            ErrorOf(write, Input(FieldValue.Of("home"), FieldValue.Of(SixtyFourCharacters + "p"))),
            Is.EqualTo(("max_length", "Ensure this field has no more than 64 characters.", "protocol")));
    }

    [Test]
    public void Protocol_length_is_measured_after_trimming([Values] Write write)
    {
        var changes = Validate(write, Input(FieldValue.Of("home"), FieldValue.Of("   " + SixtyFourCharacters + " \t\n")));

        Assert.That(changes.Protocol, Is.EqualTo(SixtyFourCharacters));
    }

    [Test]
    public void Protocol_length_counts_characters_not_utf16_code_units()
    {
        // DRF's max_length is Python's len() (code points) and PostgreSQL's varchar(64) counts
        // characters too: 64 emoji fit in both, though each is two UTF-16 code units in .NET.
        var emoji = string.Concat(Enumerable.Repeat("\U0001F4C1", 64));

        Assert.That(FolderValidator.ForCreate(Input(FieldValue.Of("home"), FieldValue.Of(emoji))).Protocol, Is.EqualTo(emoji));
    }

    [Test]
    public void Protocol_blank_after_trimming_is_rejected([Values] Write write, [Values("", " ", "   ", "\t", "\r\n", "\u00A0")] string protocol)
    {
        Assert.That(
            ErrorOf(write, Input(FieldValue.Of("home"), FieldValue.Of(protocol))),
            Is.EqualTo(("blank", "This field may not be blank.", "protocol")));
    }

    [Test]
    public void Blank_path_is_allowed_and_stored_trimmed([Values] Write write, [Values("", "   ", "\t\n")] string path)
    {
        Assert.That(Validate(write, Input(FieldValue.Of("home"), path: FieldValue.Of(path))).Path, Is.EqualTo(string.Empty));
    }

    [Test]
    public void Path_has_no_maximum_length()
    {
        var path = new string('x', 10_000);

        Assert.That(FolderValidator.ForCreate(Input(FieldValue.Of("home"), path: FieldValue.Of(path))).Path, Is.EqualTo(path));
    }

    [Test]
    public void Null_protocol_or_path_is_rejected([Values] Write write, [Values("protocol", "path")] string field)
    {
        var input = field == "protocol" ? Input(FieldValue.Of("home"), protocol: FieldValue.Null) : Input(FieldValue.Of("home"), path: FieldValue.Null);

        Assert.That(ErrorOf(write, input), Is.EqualTo(("null", "This field may not be null.", field)));
    }

    [Test]
    public void Protocol_or_path_that_is_not_text_is_an_invalid_input(
        [Values] Write write, [Values("protocol", "path")] string field, [Values("true", "false", "{}", "[\"a\"]")] string raw)
    {
        var notText = new FieldValue(FieldKind.NotText, raw);
        var input = field == "protocol" ? Input(FieldValue.Of("home"), protocol: notText) : Input(FieldValue.Of("home"), path: notText);

        Assert.That(ErrorOf(write, input), Is.EqualTo(("invalid_input", "Not a valid string.", field)));
    }

    [Test]
    public void Nul_character_in_protocol_or_path_is_rejected([Values] Write write, [Values("protocol", "path")] string field)
    {
        var withNul = FieldValue.Of("Root\0Home");
        var input = field == "protocol" ? Input(FieldValue.Of("home"), protocol: withNul) : Input(FieldValue.Of("home"), path: withNul);

        Assert.That(ErrorOf(write, input), Is.EqualTo(("null_characters_not_allowed", "Null characters are not allowed.", field)));
    }

    [Test]
    public void A_lone_nul_character_is_not_whitespace_so_it_is_not_blank()
    {
        Assert.That(
            ErrorOf(Write.Create, Input(FieldValue.Of("home"), FieldValue.Of("  \0 "))),
            Is.EqualTo(("null_characters_not_allowed", "Null characters are not allowed.", "protocol")));
    }

    [Test]
    public void Too_long_is_reported_before_a_nul_character()
    {
        var tooLongWithNul = "\0" + SixtyFourCharacters;

        Assert.That(ErrorOf(Write.Create, Input(FieldValue.Of("home"), FieldValue.Of(tooLongWithNul))).Code, Is.EqualTo("max_length"));
    }

    [Test]
    public void Type_is_checked_before_protocol_and_path([Values] Write write)
    {
        var input = Input(FieldValue.Of("folder"), FieldValue.Of(" "), new FieldValue(FieldKind.NotText, "true"));

        Assert.That(ErrorOf(write, input).Attr, Is.EqualTo("type"));
    }

    [Test]
    public void Missing_type_is_reported_before_a_bad_protocol([Values(Write.Create, Write.Replace)] Write write)
    {
        Assert.That(ErrorOf(write, Input(protocol: FieldValue.Of(string.Empty))).Code, Is.EqualTo("required"));
    }

    [Test]
    public void Protocol_is_checked_before_path([Values] Write write)
    {
        var input = Input(FieldValue.Of("home"), new FieldValue(FieldKind.NotText, "1.5e3x"), FieldValue.Null);

        Assert.That(ErrorOf(write, input), Is.EqualTo(("invalid_input", "Not a valid string.", "protocol")));
    }

    [Test]
    public void Update_without_a_type_still_checks_protocol_then_path()
    {
        var input = Input(protocol: FieldValue.Of("\0"), path: FieldValue.Null);

        Assert.That(ErrorOf(Write.Update, input).Attr, Is.EqualTo("protocol"));
    }

    private static FolderInput Input(FieldValue? type = null, FieldValue? protocol = null, FieldValue? path = null) =>
        new(type ?? FieldValue.Missing, protocol ?? FieldValue.Missing, path ?? FieldValue.Missing);

    private static FolderChanges Validate(Write write, FolderInput input) => write switch
    {
        Write.Create => FolderValidator.ForCreate(input),
        Write.Replace => FolderValidator.ForReplace(input),
        _ => FolderValidator.ForUpdate(input),
    };

    private static (string Code, string Detail, string? Attr) ErrorOf(Write write, FolderInput input)
    {
        var exception = Assert.Throws<FolderValidationException>(() => Validate(write, input));
        return (exception!.Code, exception.Detail, exception.Attr);
    }
}
