using Moq;
using PersistedFolder.Core.Access;
using PersistedFolder.Core.Folders;
using PersistedFolder.Core.Keys;

namespace PersistedFolder.Tests.Unit.Core;

[TestFixture]
public sealed class PersistedFolderServiceTests
{
    private static readonly FolderScope Scope = new(7, 42, Surface.Web);
    private static readonly Guid Id = Guid.Parse("0196f3a2-7c1e-7b3a-9d4e-2f1a0b9c8d7e");
    private static readonly DateTime Created = new(2026, 5, 23, 10, 15, 30, DateTimeKind.Utc);
    private static readonly Folder Home = new(Id, "home", "products://", "Root/Home", Created, Created.AddMinutes(1));

    private Mock<IPersistedFolderRepository> repository = null!;
    private Mock<IKeyUsage> usage = null!;
    private PersistedFolderService service = null!;
    private CancellationTokenSource cancellation = null!;

    private CancellationToken Token => cancellation.Token;

    [SetUp]
    public void SetUp()
    {
        repository = new Mock<IPersistedFolderRepository>();
        usage = new Mock<IKeyUsage>();
        service = new PersistedFolderService(repository.Object, usage.Object);
        cancellation = new CancellationTokenSource();
    }

    [TearDown]
    public void TearDown() => cancellation.Dispose();

    [Test]
    public async Task List_returns_the_repository_list_of_the_scope()
    {
        repository.Setup(r => r.ListAsync(Scope, Token)).ReturnsAsync(Granted((IReadOnlyList<Folder>)[Home]));

        Assert.That(await service.ListAsync(Scope, Token), Is.EqualTo(new[] { Home }));
    }

    [Test]
    public async Task Get_returns_the_repository_folder_of_the_scope()
    {
        repository.Setup(r => r.GetAsync(Scope, Id, Token)).ReturnsAsync(Granted<Folder?>(Home));

        Assert.That(await service.GetAsync(Scope, Id, Token), Is.EqualTo(Home));
    }

    [Test]
    public async Task Create_upserts_the_type_with_default_protocol_and_path()
    {
        repository.Setup(r => r.UpsertAsync(Scope, "home", "products://", string.Empty, Token)).ReturnsAsync(Granted<Folder?>(Home));

        var created = await service.CreateAsync(Scope, new FolderInput(FieldValue.Of("home"), FieldValue.Missing, FieldValue.Missing), Token);

        Assert.That(created, Is.EqualTo(Home));
    }

    [Test]
    public async Task Create_upserts_the_trimmed_values()
    {
        repository.Setup(r => r.UpsertAsync(Scope, "pinned", "https://", "Root/Pinned", Token)).ReturnsAsync(Granted<Folder?>(Home));

        await service.CreateAsync(Scope, new FolderInput(FieldValue.Of("pinned"), FieldValue.Of(" https:// "), FieldValue.Of(" Root/Pinned ")), Token);

        repository.Verify(r => r.UpsertAsync(Scope, "pinned", "https://", "Root/Pinned", Token), Times.Once);
    }

    [Test]
    public void Create_with_invalid_input_throws_and_writes_nothing()
    {
        var input = new FolderInput(FieldValue.Of("folder"), FieldValue.Missing, FieldValue.Missing);

        Assert.That(
            () => service.CreateAsync(Scope, input, Token),
            Throws.TypeOf<FolderValidationException>().With.Property(nameof(FolderValidationException.Code)).EqualTo("invalid_choice"));
        repository.VerifyNoOtherCalls();
    }

    [Test]
    public async Task Replace_passes_the_type_and_keeps_omitted_fields()
    {
        repository.Setup(r => r.UpdateAsync(Scope, Id, new FolderChanges("pinned", null, null), FolderPrecondition.None, Token)).ReturnsAsync(Granted<Folder?>(Home));

        var replaced = await service.ReplaceAsync(Scope, Id, new FolderInput(FieldValue.Of("pinned"), FieldValue.Missing, FieldValue.Missing), FolderPrecondition.None, Token);

        Assert.That(replaced, Is.EqualTo(Home));
    }

    [Test]
    public async Task Update_passes_only_the_sent_fields()
    {
        repository.Setup(r => r.UpdateAsync(Scope, Id, new FolderChanges(null, null, "Root/Other"), FolderPrecondition.None, Token)).ReturnsAsync(Granted<Folder?>(Home));

        var updated = await service.UpdateAsync(Scope, Id, new FolderInput(FieldValue.Missing, FieldValue.Missing, FieldValue.Of("Root/Other")), FolderPrecondition.None, Token);

        Assert.That(updated, Is.EqualTo(Home));
    }

    [Test]
    public async Task Update_with_an_empty_body_still_writes_so_updated_at_moves()
    {
        repository.Setup(r => r.UpdateAsync(Scope, Id, new FolderChanges(null, null, null), FolderPrecondition.None, Token)).ReturnsAsync(Granted<Folder?>(Home));

        Assert.That(await service.UpdateAsync(Scope, Id, FolderInput.Empty, FolderPrecondition.None, Token), Is.EqualTo(Home));
    }

    [Test]
    public async Task Valid_change_never_looks_the_folder_up_first([Values] bool replace)
    {
        var input = new FolderInput(FieldValue.Of("home"), FieldValue.Missing, FieldValue.Missing);

        await Change(replace, input);

        repository.Verify(r => r.UpdateAsync(Scope, Id, It.IsAny<FolderChanges>(), FolderPrecondition.None, Token), Times.Once);
        repository.Verify(r => r.GetAsync(It.IsAny<FolderScope>(), It.IsAny<Guid>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task Valid_change_of_an_unknown_folder_returns_null([Values] bool replace)
    {
        repository.Setup(r => r.UpdateAsync(Scope, Id, It.IsAny<FolderChanges>(), FolderPrecondition.None, Token)).ReturnsAsync(Granted<Folder?>(null));

        Assert.That(await Change(replace, new FolderInput(FieldValue.Of("home"), FieldValue.Missing, FieldValue.Missing)), Is.Null);
    }

    [Test]
    public async Task Invalid_body_on_an_unknown_folder_is_not_found_rather_than_the_validation_error([Values] bool replace)
    {
        repository.Setup(r => r.GetAsync(Scope, Id, Token)).ReturnsAsync(Granted<Folder?>(null));

        var changed = await Change(replace, new FolderInput(FieldValue.Null, FieldValue.Missing, FieldValue.Missing));

        Assert.That(changed, Is.Null);
        repository.Verify(r => r.GetAsync(Scope, Id, Token), Times.Once);
        repository.Verify(r => r.UpdateAsync(It.IsAny<FolderScope>(), It.IsAny<Guid>(), It.IsAny<FolderChanges>(), It.IsAny<FolderPrecondition>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public void Invalid_body_on_an_existing_folder_throws_the_validation_error_and_writes_nothing([Values] bool replace)
    {
        repository.Setup(r => r.GetAsync(Scope, Id, Token)).ReturnsAsync(Granted<Folder?>(Home));
        var input = new FolderInput(FieldValue.Of("home"), FieldValue.Of("  "), FieldValue.Missing);

        Assert.That(
            () => Change(replace, input),
            Throws.TypeOf<FolderValidationException>().With.Property(nameof(FolderValidationException.Code)).EqualTo("blank"));
        repository.Verify(r => r.UpdateAsync(It.IsAny<FolderScope>(), It.IsAny<Guid>(), It.IsAny<FolderChanges>(), It.IsAny<FolderPrecondition>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task Delete_passes_the_repository_answer_through([Values] bool deleted)
    {
        repository.Setup(r => r.DeleteAsync(Scope, Id, FolderPrecondition.None, Token)).ReturnsAsync(Granted(deleted));

        Assert.That(await service.DeleteAsync(Scope, Id, FolderPrecondition.None, Token), Is.EqualTo(deleted));
    }

    [Test]
    public async Task Unconditional_write_that_touches_nothing_is_not_found_without_a_lookup([Values] bool delete)
    {
        var outcome = delete
            ? await service.DeleteAsync(Scope, Id, FolderPrecondition.None, Token)
            : await service.UpdateAsync(Scope, Id, FolderInput.Empty, FolderPrecondition.None, Token) is not null;

        Assert.That(outcome, Is.False);
        repository.Verify(r => r.GetAsync(It.IsAny<FolderScope>(), It.IsAny<Guid>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public void Conditional_write_that_touches_nothing_on_an_existing_folder_is_a_failed_precondition([Values] bool delete)
    {
        var stale = FolderPrecondition.UpdatedAtOneOf([Home.UpdatedAt.AddSeconds(-1)]);
        repository.Setup(r => r.GetAsync(Scope, Id, Token)).ReturnsAsync(Granted<Folder?>(Home));

        Assert.That(
            () => delete ? (Task)service.DeleteAsync(Scope, Id, stale, Token) : service.UpdateAsync(Scope, Id, FolderInput.Empty, stale, Token),
            Throws.TypeOf<FolderPreconditionFailedException>());
        if (delete)
        {
            repository.Verify(r => r.DeleteAsync(Scope, Id, stale, Token), Times.Once);
        }
        else
        {
            repository.Verify(r => r.UpdateAsync(Scope, Id, new FolderChanges(null, null, null), stale, Token), Times.Once);
        }
    }

    [Test]
    public async Task Conditional_write_of_a_missing_folder_is_not_found([Values] bool delete)
    {
        var condition = FolderPrecondition.UpdatedAtOneOf([Home.UpdatedAt]);
        repository.Setup(r => r.GetAsync(Scope, Id, Token)).ReturnsAsync(Granted<Folder?>(null));

        var outcome = delete
            ? await service.DeleteAsync(Scope, Id, condition, Token)
            : await service.UpdateAsync(Scope, Id, FolderInput.Empty, condition, Token) is not null;

        Assert.That(outcome, Is.False);
    }

    private Task<Folder?> Change(bool replace, FolderInput input) =>
        replace ? service.ReplaceAsync(Scope, Id, input, FolderPrecondition.None, Token) : service.UpdateAsync(Scope, Id, input, FolderPrecondition.None, Token);

    // --- a key caller: the operation's statement reported what it found; the service decides ---

    private static readonly FolderScope KeyScope = new(new KeyCaller("sha256$ab", new ProjectReference(7)), Surface.Web);
    private static readonly Guid OrganizationId = Guid.Parse("0196f3a2-7c1e-7b3a-9d4e-00000000000a");
    private static readonly ProjectAccess MemberOf7 = new(7, OrganizationId, IsMember: true);

    private static PersonalApiKey KeyWith(params string[] scopes) => new(Guid.Parse("0196f3a2-7c1e-7b3a-9d4e-00000000000b"), 42, scopes, null, null, null);

    [Test]
    public void Unknown_key_is_refused_as_such_and_records_no_use()
    {
        repository.Setup(r => r.ListAsync(KeyScope, Token)).ReturnsAsync(new Gated<IReadOnlyList<Folder>>([], new KeyFacts(null, null)));

        Assert.That(() => service.ListAsync(KeyScope, Token), Throws.TypeOf<FolderAccessDeniedException>().With.Property("Denial").EqualTo(FolderDenial.UnknownKey));
        usage.VerifyNoOtherCalls();
    }

    [Test]
    public void Unknown_project_is_refused_after_the_key_is_known_and_its_use_recorded()
    {
        var key = KeyWith("*");
        repository.Setup(r => r.GetAsync(KeyScope, Id, Token)).ReturnsAsync(new Gated<Folder?>(null, new KeyFacts(key, null)));

        Assert.That(() => service.GetAsync(KeyScope, Id, Token), Throws.TypeOf<FolderAccessDeniedException>().With.Property("Denial").EqualTo(FolderDenial.ProjectNotFound));
        usage.Verify(u => u.Record(key));
    }

    [Test]
    public void Key_without_the_read_scope_is_forbidden_with_the_access_rules_reason()
    {
        repository.Setup(r => r.ListAsync(KeyScope, Token)).ReturnsAsync(new Gated<IReadOnlyList<Folder>>([], new KeyFacts(KeyWith(), MemberOf7)));

        Assert.That(
            () => service.ListAsync(KeyScope, Token),
            Throws.TypeOf<FolderAccessDeniedException>().With.Property("Reason").EqualTo("API key missing required scope 'persisted_folder:read'"));
    }

    [Test]
    public async Task Granted_key_gets_the_operation_result()
    {
        repository.Setup(r => r.ListAsync(KeyScope, Token)).ReturnsAsync(new Gated<IReadOnlyList<Folder>>([Home], new KeyFacts(KeyWith("persisted_folder:read"), MemberOf7)));

        Assert.That(await service.ListAsync(KeyScope, Token), Is.EqualTo(new[] { Home }));
    }

    [Test]
    public void Read_only_key_is_forbidden_to_write_and_the_statement_agreed_not_to()
    {
        repository.Setup(r => r.UpsertAsync(KeyScope, "home", "products://", string.Empty, Token))
            .ReturnsAsync(new Gated<Folder?>(null, new KeyFacts(KeyWith("persisted_folder:read"), MemberOf7, WriteAllowed: false)));

        Assert.That(
            () => service.CreateAsync(KeyScope, new FolderInput(FieldValue.Of("home"), FieldValue.Missing, FieldValue.Missing), Token),
            Throws.TypeOf<FolderAccessDeniedException>().With.Property("Reason").EqualTo("API key missing required scope 'persisted_folder:write'"));
    }

    [Test]
    public void Statement_that_wrote_where_the_access_rules_deny_is_a_defect_not_an_answer()
    {
        repository.Setup(r => r.UpsertAsync(KeyScope, "home", "products://", string.Empty, Token))
            .ReturnsAsync(new Gated<Folder?>(Home, new KeyFacts(KeyWith("persisted_folder:read"), MemberOf7, WriteAllowed: true)));

        Assert.That(
            () => service.CreateAsync(KeyScope, new FolderInput(FieldValue.Of("home"), FieldValue.Missing, FieldValue.Missing), Token),
            Throws.InvalidOperationException);
    }

    [Test]
    public void Invalid_create_of_a_forbidden_key_is_403_not_400()
    {
        repository.Setup(r => r.CheckAsync(KeyScope, Token)).ReturnsAsync(new Gated<bool>(true, new KeyFacts(KeyWith("persisted_folder:read"), MemberOf7)));

        Assert.That(
            () => service.CreateAsync(KeyScope, new FolderInput(FieldValue.Of("folder"), FieldValue.Missing, FieldValue.Missing), Token),
            Throws.TypeOf<FolderAccessDeniedException>());
        repository.Verify(r => r.UpsertAsync(It.IsAny<FolderScope>(), It.IsAny<string>(), It.IsAny<string>(), It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public void Invalid_patch_of_a_read_only_key_is_403_though_it_may_read_the_folder()
    {
        repository.Setup(r => r.GetAsync(KeyScope, Id, Token)).ReturnsAsync(new Gated<Folder?>(Home, new KeyFacts(KeyWith("persisted_folder:read"), MemberOf7)));

        Assert.That(
            () => service.UpdateAsync(KeyScope, Id, new FolderInput(FieldValue.Of("folder"), FieldValue.Missing, FieldValue.Missing), FolderPrecondition.None, Token),
            Throws.TypeOf<FolderAccessDeniedException>().With.Property("Denial").EqualTo(FolderDenial.Forbidden));
        repository.Verify(r => r.UpdateAsync(It.IsAny<FolderScope>(), It.IsAny<Guid>(), It.IsAny<FolderChanges>(), It.IsAny<FolderPrecondition>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    private static Gated<T> Granted<T>(T value) => new(value, null);
}
