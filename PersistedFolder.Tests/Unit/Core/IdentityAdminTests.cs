using Moq;
using PersistedFolder.Core.Admin;
using PersistedFolder.Core.Keys;

namespace PersistedFolder.Tests.Unit.Core;

/// <summary>SPEC §10: every command checks everything before it changes anything.</summary>
[TestFixture]
public sealed class IdentityAdminTests
{
    private const string Email = "ada@example.com";
    private static readonly Guid OrganizationId = Guid.Parse("0196f3a2-7c1e-7b3a-9d4e-2f1a0b9c8d7e");
    private static readonly User Ada = new(5, Guid.Parse("0196f3a2-0000-7000-8000-000000000005"), Email, true);

    private Mock<IIdentityRepository> repository = null!;
    private IdentityAdmin admin = null!;

    [SetUp]
    public void SetUp()
    {
        repository = new Mock<IIdentityRepository>();
        admin = new IdentityAdmin(repository.Object);
    }

    [Test]
    public async Task Create_organization_creates_it()
    {
        repository.Setup(r => r.CreateOrganizationAsync("Acme", CancellationToken.None)).ReturnsAsync(new Organization(OrganizationId, "Acme"));

        Assert.That(await admin.CreateOrganizationAsync("Acme", CancellationToken.None), Is.EqualTo(new Organization(OrganizationId, "Acme")));
    }

    [Test]
    public void Create_organization_with_a_blank_name_is_refused([Values("", "  ")] string name)
    {
        Assert.That(() => admin.CreateOrganizationAsync(name, CancellationToken.None), Throws.TypeOf<AdminCommandException>());
        repository.VerifyNoOtherCalls();
    }

    [Test]
    public void Create_project_in_an_unknown_organization_is_refused()
    {
        Assert.That(
            () => admin.CreateProjectAsync(OrganizationId, "Web", CancellationToken.None),
            Throws.TypeOf<AdminCommandException>().With.Message.EqualTo($"No organization with id {OrganizationId}."));
        repository.Verify(r => r.CreateProjectAsync(It.IsAny<Guid>(), It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task Create_project_in_a_known_organization_creates_it()
    {
        KnownOrganization();
        repository.Setup(r => r.CreateProjectAsync(OrganizationId, "Web", CancellationToken.None)).ReturnsAsync(new Project(3, OrganizationId, "Web"));

        Assert.That(await admin.CreateProjectAsync(OrganizationId, "Web", CancellationToken.None), Is.EqualTo(new Project(3, OrganizationId, "Web")));
    }

    [Test]
    public void Create_user_in_an_unknown_organization_is_refused()
    {
        Assert.That(
            () => admin.CreateUserAsync(Email, OrganizationId, null, CancellationToken.None),
            Throws.TypeOf<AdminCommandException>().With.Message.EqualTo($"No organization with id {OrganizationId}."));
        VerifyNoUserCreated();
    }

    [Test]
    public void Create_user_with_a_taken_email_is_refused()
    {
        repository.Setup(r => r.FindUserAsync(Email, CancellationToken.None)).ReturnsAsync(Ada);

        Assert.That(
            () => admin.CreateUserAsync(Email, null, null, CancellationToken.None),
            Throws.TypeOf<AdminCommandException>().With.Message.EqualTo($"A user with email {Email} already exists."));
        VerifyNoUserCreated();
    }

    [Test]
    public void Create_user_with_an_unknown_level_is_refused_before_any_lookup([Values("guest", "Owner", "")] string level)
    {
        Assert.That(
            () => admin.CreateUserAsync(Email, OrganizationId, level, CancellationToken.None),
            Throws.TypeOf<AdminCommandException>().With.Message.EqualTo($"--level must be one of member, admin, owner, not '{level}'."));
        repository.VerifyNoOtherCalls();
    }

    [Test]
    public void Create_user_with_something_that_is_not_an_email_is_refused([Values("", "   ", "ada.example.com")] string email)
    {
        Assert.That(() => admin.CreateUserAsync(email, null, null, CancellationToken.None), Throws.TypeOf<AdminCommandException>());
        repository.VerifyNoOtherCalls();
    }

    [Test]
    public async Task Create_user_defaults_the_level_to_member()
    {
        KnownOrganization();
        repository.Setup(r => r.CreateUserAsync(Email, OrganizationId, "member", CancellationToken.None)).ReturnsAsync(Ada);

        Assert.That(await admin.CreateUserAsync(Email, OrganizationId, null, CancellationToken.None), Is.EqualTo(Ada));
    }

    [Test]
    public async Task Create_user_passes_a_given_level([Values("member", "admin", "owner")] string level)
    {
        KnownOrganization();
        repository.Setup(r => r.CreateUserAsync(Email, OrganizationId, level, CancellationToken.None)).ReturnsAsync(Ada);

        await admin.CreateUserAsync(Email, OrganizationId, level, CancellationToken.None);

        repository.Verify(r => r.CreateUserAsync(Email, OrganizationId, level, CancellationToken.None), Times.Once);
    }

    [Test]
    public async Task Create_user_without_an_organization_creates_no_membership()
    {
        repository.Setup(r => r.CreateUserAsync(Email, null, "member", CancellationToken.None)).ReturnsAsync(Ada);

        Assert.That(await admin.CreateUserAsync(Email, null, null, CancellationToken.None), Is.EqualTo(Ada));
        repository.Verify(r => r.OrganizationExistsAsync(It.IsAny<Guid>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public void Add_member_with_an_unknown_user_is_refused()
    {
        KnownOrganization();

        Assert.That(
            () => admin.AddMemberAsync(Email, OrganizationId, null, CancellationToken.None),
            Throws.TypeOf<AdminCommandException>().With.Message.EqualTo($"No user with email {Email}."));
        VerifyNoMembershipSet();
    }

    [Test]
    public void Add_member_to_an_unknown_organization_is_refused()
    {
        KnownUser();

        Assert.That(() => admin.AddMemberAsync(Email, OrganizationId, "admin", CancellationToken.None), Throws.TypeOf<AdminCommandException>());
        VerifyNoMembershipSet();
    }

    [Test]
    public void Add_member_with_an_unknown_level_is_refused()
    {
        KnownUser();
        KnownOrganization();

        Assert.That(() => admin.AddMemberAsync(Email, OrganizationId, "superuser", CancellationToken.None), Throws.TypeOf<AdminCommandException>());
        VerifyNoMembershipSet();
    }

    [Test]
    public async Task Add_member_defaults_the_level_to_member()
    {
        KnownUser();
        KnownOrganization();
        var membership = new Membership(OrganizationId, Ada.Id, "member");
        repository.Setup(r => r.SetMembershipAsync(OrganizationId, Ada.Id, "member", CancellationToken.None)).ReturnsAsync(membership);

        Assert.That(await admin.AddMemberAsync(Email, OrganizationId, null, CancellationToken.None), Is.EqualTo(membership));
    }

    [Test]
    public void Set_current_project_to_an_unknown_project_is_refused()
    {
        KnownUser();

        Assert.That(
            () => admin.SetCurrentProjectAsync(Email, 99, CancellationToken.None),
            Throws.TypeOf<AdminCommandException>().With.Message.EqualTo("No project with id 99."));
        repository.Verify(r => r.SetCurrentProjectAsync(It.IsAny<long>(), It.IsAny<long>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public void Set_current_project_of_an_unknown_user_is_refused()
    {
        repository.Setup(r => r.ProjectExistsAsync(3, CancellationToken.None)).ReturnsAsync(true);

        Assert.That(() => admin.SetCurrentProjectAsync(Email, 3, CancellationToken.None), Throws.TypeOf<AdminCommandException>());
        repository.Verify(r => r.SetCurrentProjectAsync(It.IsAny<long>(), It.IsAny<long>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task Set_current_project_sets_it()
    {
        KnownUser();
        repository.Setup(r => r.ProjectExistsAsync(3, CancellationToken.None)).ReturnsAsync(true);

        Assert.That(await admin.SetCurrentProjectAsync(Email, 3, CancellationToken.None), Is.EqualTo(new CurrentProject(Ada.Id, 3)));
        repository.Verify(r => r.SetCurrentProjectAsync(Ada.Id, 3, CancellationToken.None), Times.Once);
    }

    [Test]
    public void Deactivate_an_unknown_user_is_refused()
    {
        Assert.That(() => admin.DeactivateUserAsync(Email, CancellationToken.None), Throws.TypeOf<AdminCommandException>());
        repository.Verify(r => r.DeactivateUserAsync(It.IsAny<long>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Test]
    public async Task Deactivate_a_user_deactivates_it()
    {
        KnownUser();

        Assert.That(await admin.DeactivateUserAsync(Email, CancellationToken.None), Is.EqualTo(new DeactivatedUser(Ada.Id, false)));
        repository.Verify(r => r.DeactivateUserAsync(Ada.Id, CancellationToken.None), Times.Once);
    }

    [Test]
    public void Create_key_with_a_label_over_40_characters_is_refused()
    {
        KnownUser();

        Assert.That(
            () => admin.CreateApiKeyAsync(Email, new string('l', 41), ["*"], null, null, CancellationToken.None),
            Throws.TypeOf<AdminCommandException>().With.Message.EqualTo("--label must be 1 to 40 characters."));
        VerifyNoKeyCreated();
    }

    [Test]
    public void Create_key_with_a_blank_label_is_refused([Values("", "  ")] string label)
    {
        KnownUser();

        Assert.That(() => admin.CreateApiKeyAsync(Email, label, ["*"], null, null, CancellationToken.None), Throws.TypeOf<AdminCommandException>());
        VerifyNoKeyCreated();
    }

    [Test]
    public void Create_key_without_scopes_is_refused()
    {
        KnownUser();

        Assert.That(() => admin.CreateApiKeyAsync(Email, "ci", [], null, null, CancellationToken.None), Throws.TypeOf<AdminCommandException>());
        VerifyNoKeyCreated();
    }

    [Test]
    public void Create_key_with_a_blank_scope_is_refused()
    {
        KnownUser();

        Assert.That(
            () => admin.CreateApiKeyAsync(Email, "ci", ["persisted_folder:read", " "], null, null, CancellationToken.None),
            Throws.TypeOf<AdminCommandException>());
        VerifyNoKeyCreated();
    }

    [Test]
    public void Create_key_for_an_unknown_user_is_refused()
    {
        Assert.That(() => admin.CreateApiKeyAsync(Email, "ci", ["*"], null, null, CancellationToken.None), Throws.TypeOf<AdminCommandException>());
        VerifyNoKeyCreated();
    }

    [Test]
    public async Task Create_key_stores_only_the_hash_and_the_mask_and_returns_the_value_once()
    {
        KnownUser();
        var label = new string('l', 40);
        IReadOnlyList<string> scopes = ["persisted_folder:read", "persisted_folder:write"];
        IReadOnlyList<long> teams = [3, 4];
        IReadOnlyList<Guid> organizations = [OrganizationId];

        var key = await admin.CreateApiKeyAsync(Email, label, scopes, teams, organizations, CancellationToken.None);

        Assert.That(key.Value, Does.Match("^phx_[A-Za-z0-9_-]{43}$"));
        Assert.That(key.MaskValue, Is.EqualTo(PersonalApiKeys.Mask(key.Value)));
        Assert.That(key.Id.Version, Is.EqualTo(7));
        Assert.That((key.Label, key.Scopes, key.ScopedTeams, key.ScopedOrganizations), Is.EqualTo((label, scopes, teams, organizations)));
        repository.Verify(
            r => r.CreateApiKeyAsync(
                key.Id, Ada.Id, label, PersonalApiKeys.SecureValue(key.Value), key.MaskValue, scopes, teams, organizations, CancellationToken.None),
            Times.Once);
    }

    [Test]
    public void Revoke_an_unknown_key_is_refused()
    {
        var id = Guid.CreateVersion7();

        Assert.That(
            () => admin.RevokeApiKeyAsync(id, CancellationToken.None),
            Throws.TypeOf<AdminCommandException>().With.Message.EqualTo($"No personal API key with id {id}."));
    }

    [Test]
    public async Task Revoke_a_key_deletes_it()
    {
        var id = Guid.CreateVersion7();
        repository.Setup(r => r.DeleteApiKeyAsync(id, CancellationToken.None)).ReturnsAsync(true);

        Assert.That(await admin.RevokeApiKeyAsync(id, CancellationToken.None), Is.EqualTo(new RevokedApiKey(id, true)));
    }

    private void KnownOrganization() =>
        repository.Setup(r => r.OrganizationExistsAsync(OrganizationId, It.IsAny<CancellationToken>())).ReturnsAsync(true);

    private void KnownUser() => repository.Setup(r => r.FindUserAsync(Email, It.IsAny<CancellationToken>())).ReturnsAsync(Ada);

    private void VerifyNoUserCreated() =>
        repository.Verify(
            r => r.CreateUserAsync(It.IsAny<string>(), It.IsAny<Guid?>(), It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Never);

    private void VerifyNoMembershipSet() =>
        repository.Verify(
            r => r.SetMembershipAsync(It.IsAny<Guid>(), It.IsAny<long>(), It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Never);

    private void VerifyNoKeyCreated() =>
        repository.Verify(
            r => r.CreateApiKeyAsync(
                It.IsAny<Guid>(), It.IsAny<long>(), It.IsAny<string>(), It.IsAny<string>(), It.IsAny<string>(),
                It.IsAny<IReadOnlyList<string>>(), It.IsAny<IReadOnlyList<long>?>(), It.IsAny<IReadOnlyList<Guid>?>(), It.IsAny<CancellationToken>()),
            Times.Never);
}
