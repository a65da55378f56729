using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PersistedFolder.Core.Access;
using PersistedFolder.Core.Admin;
using PersistedFolder.Core.Folders;
using PersistedFolder.Core.Keys;

namespace PersistedFolder.Tests.Integration;

/// <summary>
/// The Dapper repositories against PostgreSQL, resolved as their Core interfaces. The folder
/// operations here run for a <see cref="GrantedCaller"/>; a key caller's statements are
/// <see cref="KeyGateTests"/>' (and every HTTP test's, which send keys).
/// </summary>
public sealed class RepositoryTests : ApiFixture
{
    private static readonly CancellationToken None = CancellationToken.None;

    private GrantedFolders Folders => new(Factory.Services.GetRequiredService<IPersistedFolderRepository>());

    private IPersonalApiKeyStore Keys => Factory.Services.GetRequiredService<IPersonalApiKeyStore>();

    private IProjectAccessSource Access => Factory.Services.GetRequiredService<IProjectAccessSource>();

    private IIdentityRepository Identity => Factory.Services.GetRequiredService<IIdentityRepository>();

    [Test]
    public async Task Upsert_inserts_then_updates_the_same_row_in_place()
    {
        var scope = await CreateScopeAsync(Surface.Web);

        var inserted = await Folders.UpsertAsync(scope, "home", "a://", "A", None);
        var updated = await Folders.UpsertAsync(scope, "home", "b://", "B", None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((updated.Id, updated.CreatedAt, updated.Type, updated.Protocol, updated.Path), Is.EqualTo((inserted.Id, inserted.CreatedAt, "home", "b://", "B")));
            Assert.That(updated.UpdatedAt, Is.GreaterThanOrEqualTo(inserted.UpdatedAt));
            Assert.That(inserted.CreatedAt.Kind, Is.EqualTo(DateTimeKind.Utc));
            Assert.That(inserted.Id.Version, Is.EqualTo(7));
            Assert.That(await RowsAsync(scope), Is.EqualTo(1));
            Assert.That(await SurfaceOfAsync(inserted.Id), Is.EqualTo("web"), "new rows store the surface explicitly");
        }
    }

    [Test]
    public async Task Upsert_keeps_surfaces_apart()
    {
        var web = await CreateScopeAsync(Surface.Web);
        var desktop = web with { Surface = Surface.Desktop };

        var onWeb = await Folders.UpsertAsync(web, "home", "w://", "W", None);
        var onDesktop = await Folders.UpsertAsync(desktop, "home", "d://", "D", None);

        Assert.That(onDesktop.Id, Is.Not.EqualTo(onWeb.Id));
        Assert.That(await SurfaceOfAsync(onDesktop.Id), Is.EqualTo("desktop"));
        Assert.That((await Folders.GetAsync(web, onWeb.Id, None))?.Path, Is.EqualTo("W"));
    }

    [Test]
    public async Task Legacy_row_without_a_surface_is_webs_and_upsert_leaves_its_surface_null()
    {
        var web = await CreateScopeAsync(Surface.Web);
        var desktop = web with { Surface = Surface.Desktop };
        var legacy = await PlantLegacyAsync(web, "pinned");

        var listedOnWeb = await Folders.ListAsync(web, None);
        var listedOnDesktop = await Folders.ListAsync(desktop, None);
        var upserted = await Folders.UpsertAsync(web, "pinned", "new://", "New", None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(listedOnWeb.Select(f => f.Id), Is.EqualTo(new[] { legacy }));
            Assert.That(listedOnDesktop, Is.Empty);
            Assert.That(await Folders.GetAsync(desktop, legacy, None), Is.Null);
            Assert.That((upserted.Id, upserted.Protocol, upserted.Path), Is.EqualTo((legacy, "new://", "New")));
            Assert.That(await SurfaceOfAsync(legacy), Is.Null);
            Assert.That(await RowsAsync(web), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task List_orders_by_lower_type()
    {
        var scope = await CreateScopeAsync(Surface.Desktop);
        await Folders.UpsertAsync(scope, "pinned", "p://", string.Empty, None);
        await Folders.UpsertAsync(scope, "custom_products", "p://", string.Empty, None);
        // Stored by another writer: byte order would put "Home" first, lower(type) puts it second.
        await IntegrationDatabase.ExecuteAsync(
            "INSERT INTO persisted_folder (id, team_id, user_id, type, surface) VALUES (@id, @team, @user, 'Home', 'desktop')",
            ("id", Guid.CreateVersion7()), ("team", TeamOf(scope)), ("user", UserOf(scope)));

        var listed = await Folders.ListAsync(scope, None);

        Assert.That(string.Join(',', listed.Select(f => f.Type)), Is.EqualTo("custom_products,Home,pinned"));
    }

    [Test]
    public async Task Conditional_update_and_delete_write_only_at_an_expected_version()
    {
        var scope = await CreateScopeAsync(Surface.Web);
        var folder = await Folders.UpsertAsync(scope, "home", "a://", "A", None);
        var stale = FolderPrecondition.UpdatedAtOneOf([folder.UpdatedAt.AddTicks(-10)]);
        var current = FolderPrecondition.UpdatedAtOneOf([folder.UpdatedAt.AddTicks(-10), folder.UpdatedAt]);

        var refused = await Folders.UpdateAsync(scope, folder.Id, new FolderChanges(null, null, "B"), stale, None);
        var notDeleted = await Folders.DeleteAsync(scope, folder.Id, stale, None);
        var unchanged = await Folders.GetAsync(scope, folder.Id, None);
        var written = await Folders.UpdateAsync(scope, folder.Id, new FolderChanges(null, null, "B"), current, None);
        var deletedAtOldVersion = await Folders.DeleteAsync(scope, folder.Id, current, None);
        var deleted = await Folders.DeleteAsync(scope, folder.Id, FolderPrecondition.UpdatedAtOneOf([written!.UpdatedAt]), None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((refused, notDeleted), Is.EqualTo(((Folder?)null, false)));
            Assert.That(unchanged, Is.EqualTo(folder));
            Assert.That(written.Path, Is.EqualTo("B"));
            Assert.That(deletedAtOldVersion, Is.False, "the update moved the version on");
            Assert.That(deleted, Is.True);
        }
    }

    [Test]
    public async Task Every_write_moves_updated_at_strictly_forward_even_within_one_transaction_time()
    {
        var scope = await CreateScopeAsync(Surface.Web);
        var folder = await Folders.UpsertAsync(scope, "home", "a://", "A", None);
        // A version in the future stands for a concurrent writer whose now() was later than ours.
        await IntegrationDatabase.ExecuteAsync(
            "UPDATE persisted_folder SET updated_at = now() + interval '1 hour' WHERE id = @id", ("id", folder.Id));
        var ahead = (await Folders.GetAsync(scope, folder.Id, None))!.UpdatedAt;

        var updated = await Folders.UpdateAsync(scope, folder.Id, new FolderChanges(null, null, "B"), FolderPrecondition.None, None);
        var upserted = await Folders.UpsertAsync(scope, "home", "a://", "C", None);

        Assert.That(updated!.UpdatedAt, Is.EqualTo(ahead.AddTicks(10)));
        Assert.That(upserted.UpdatedAt, Is.EqualTo(ahead.AddTicks(20)));
    }

    [Test]
    public async Task Update_applies_only_the_non_null_changes_and_moves_updated_at()
    {
        var scope = await CreateScopeAsync(Surface.Web);
        var folder = await Folders.UpsertAsync(scope, "home", "a://", "A", None);

        var nothing = await Folders.UpdateAsync(scope, folder.Id, new FolderChanges(null, null, null), FolderPrecondition.None, None);
        var path = await Folders.UpdateAsync(scope, folder.Id, new FolderChanges(null, null, "B"), FolderPrecondition.None, None);
        var type = await Folders.UpdateAsync(scope, folder.Id, new FolderChanges("pinned", "c://", null), FolderPrecondition.None, None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(nothing! with { UpdatedAt = folder.UpdatedAt }, Is.EqualTo(folder));
            Assert.That(nothing.UpdatedAt, Is.GreaterThan(folder.UpdatedAt));
            Assert.That((path!.Type, path.Protocol, path.Path), Is.EqualTo(("home", "a://", "B")));
            Assert.That((type!.Id, type.Type, type.Protocol, type.Path, type.CreatedAt), Is.EqualTo((folder.Id, "pinned", "c://", "B", folder.CreatedAt)));
        }
    }

    [Test]
    public async Task Update_to_a_type_taken_on_the_same_surface_is_a_unique_violation()
    {
        var scope = await CreateScopeAsync(Surface.Web);
        var home = await Folders.UpsertAsync(scope, "home", "a://", "A", None);
        await Folders.UpsertAsync(scope, "pinned", "b://", "B", None);
        await Folders.UpsertAsync(scope with { Surface = Surface.Desktop }, "custom_products", "c://", "C", None);

        Assert.That(
            () => Folders.UpdateAsync(scope, home.Id, new FolderChanges("pinned", null, null), FolderPrecondition.None, None),
            Throws.InstanceOf<PostgresException>().With.Property(nameof(PostgresException.SqlState)).EqualTo(PostgresErrorCodes.UniqueViolation));
        Assert.That((await Folders.UpdateAsync(scope, home.Id, new FolderChanges("custom_products", null, null), FolderPrecondition.None, None))?.Type, Is.EqualTo("custom_products"));
    }

    [Test]
    public async Task Every_operation_sees_only_its_own_scope()
    {
        var scope = await CreateScopeAsync(Surface.Web);
        var folder = await Folders.UpsertAsync(scope, "home", "a://", "A", None);
        var otherUser = await CreateScopeAsync(Surface.Web);
        FolderScope[] strangers = [scope with { Surface = Surface.Desktop }, new FolderScope(TeamOf(scope), UserOf(otherUser), scope.Surface), new FolderScope(TeamOf(otherUser), UserOf(scope), scope.Surface)];

        foreach (var stranger in strangers)
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(await Folders.ListAsync(stranger, None), Is.Empty, stranger.ToString());
                Assert.That(await Folders.GetAsync(stranger, folder.Id, None), Is.Null, stranger.ToString());
                Assert.That(await Folders.UpdateAsync(stranger, folder.Id, new FolderChanges(null, null, "X"), FolderPrecondition.None, None), Is.Null, stranger.ToString());
                Assert.That(await Folders.DeleteAsync(stranger, folder.Id, FolderPrecondition.None, None), Is.False, stranger.ToString());
            }
        }

        Assert.That(await Folders.GetAsync(scope, folder.Id, None), Is.EqualTo(folder));
    }

    [Test]
    public async Task Delete_removes_the_row_once()
    {
        var scope = await CreateScopeAsync(Surface.Desktop);
        var folder = await Folders.UpsertAsync(scope, "home", "a://", "A", None);

        Assert.That(await Folders.DeleteAsync(scope, folder.Id, FolderPrecondition.None, None), Is.True);
        Assert.That(await Folders.DeleteAsync(scope, folder.Id, FolderPrecondition.None, None), Is.False);
        Assert.That(await RowsAsync(scope), Is.Zero);
    }

    [Test]
    public async Task Key_is_found_by_its_secure_value_with_its_grants()
    {
        var actor = await CreateActorAsync();
        var key = await CreateKeyAsync(actor.User, "persisted_folder:read,*", [actor.ProjectId, 42], [actor.Project.OrganizationId]);

        var found = await Keys.FindActiveAsync(PersonalApiKeys.SecureValue(key.Value), None);
        var stored = await IntegrationDatabase.ScalarAsync<string>("SELECT secure_value FROM personal_api_key WHERE id = @id", ("id", key.Id));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(found, Is.Not.Null);
            Assert.That((found!.Id, found.UserId, found.LastUsedAt), Is.EqualTo((key.Id, actor.User.Id, (DateTime?)null)));
            Assert.That(string.Join(',', found.Scopes), Is.EqualTo("persisted_folder:read,*"));
            Assert.That(found.ScopedTeams, Is.EqualTo(new[] { actor.ProjectId, 42L }));
            Assert.That(found.ScopedOrganizations, Is.EqualTo(new[] { actor.Project.OrganizationId }));
            Assert.That(stored, Does.Match("^sha256\\$[0-9a-f]{64}$"));
            Assert.That(stored, Is.EqualTo(PersonalApiKeys.SecureValue(key.Value)));
            Assert.That(await Keys.FindActiveAsync(key.Value, None), Is.Null, "the raw key is never what is stored");
            Assert.That(await Keys.FindActiveAsync(PersonalApiKeys.SecureValue(key.Value + "x"), None), Is.Null);
        }
    }

    [Test]
    public async Task Key_of_an_inactive_user_is_not_found()
    {
        var actor = await CreateActorAsync();

        await Admin.DeactivateUserAsync(actor.User.Email, None);

        Assert.That(await Keys.FindActiveAsync(PersonalApiKeys.SecureValue(actor.Key), None), Is.Null);
    }

    [Test]
    public async Task Mark_used_stamps_only_keys_not_stamped_within_the_hour()
    {
        var actor = await CreateActorAsync();
        var never = actor.ApiKey.Id;
        var recent = (await CreateKeyAsync(actor.User)).Id;
        var stale = (await CreateKeyAsync(actor.User)).Id;
        var untouched = (await CreateKeyAsync(actor.User)).Id;
        await IntegrationDatabase.ExecuteAsync("UPDATE personal_api_key SET last_used_at = now() - interval '10 minutes' WHERE id = @id", ("id", recent));
        await IntegrationDatabase.ExecuteAsync("UPDATE personal_api_key SET last_used_at = now() - interval '2 hours' WHERE id = @id", ("id", stale));
        var recentBefore = await LastUsedAsync(recent);

        await Keys.MarkUsedAsync([never, recent, stale], None);

        var now = await IntegrationDatabase.ScalarAsync<DateTime>("SELECT now()");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await LastUsedAsync(never), Is.EqualTo(now).Within(TimeSpan.FromSeconds(5)));
            Assert.That(await LastUsedAsync(stale), Is.EqualTo(now).Within(TimeSpan.FromSeconds(5)));
            Assert.That(await LastUsedAsync(recent), Is.EqualTo(recentBefore));
            Assert.That(await LastUsedAsync(untouched), Is.Null);
        }
    }

    [Test]
    public async Task Access_source_resolves_a_project_and_the_users_membership()
    {
        var actor = await CreateActorAsync();
        var outsider = await CreateActorAsync();

        var member = await Access.FindAsync(new ProjectReference(actor.ProjectId), actor.User.Id, None);
        var notMember = await Access.FindAsync(new ProjectReference(actor.ProjectId), outsider.User.Id, None);
        var unknown = await Access.FindAsync(new ProjectReference(424242), actor.User.Id, None);

        Assert.That(member, Is.EqualTo(new ProjectAccess(actor.ProjectId, actor.Project.OrganizationId, true)));
        Assert.That(notMember, Is.EqualTo(new ProjectAccess(actor.ProjectId, actor.Project.OrganizationId, false)));
        Assert.That(unknown, Is.Null);
    }

    [Test]
    public async Task Access_source_resolves_at_current_to_the_users_current_project_or_nothing()
    {
        var actor = await CreateActorAsync();

        var before = await Access.FindAsync(ProjectReference.Current, actor.User.Id, None);
        await Admin.SetCurrentProjectAsync(actor.User.Email, actor.ProjectId, None);
        var after = await Access.FindAsync(ProjectReference.Current, actor.User.Id, None);

        Assert.That(before, Is.Null);
        Assert.That(after, Is.EqualTo(new ProjectAccess(actor.ProjectId, actor.Project.OrganizationId, true)));
    }

    [Test]
    public async Task Access_source_counts_an_inactive_user_as_no_member()
    {
        var actor = await CreateActorAsync();

        await Admin.DeactivateUserAsync(actor.User.Email, None);

        Assert.That((await Access.FindAsync(new ProjectReference(actor.ProjectId), actor.User.Id, None))?.IsMember, Is.False);
    }

    [Test]
    public async Task Identity_repository_finds_users_by_email_ignoring_case_and_sets_memberships()
    {
        var organization = await Identity.CreateOrganizationAsync("Org", None);
        var user = await Identity.CreateUserAsync("Mixed.Case@Example.com", organization.Id, "admin", None);

        var found = await Identity.FindUserAsync("mixed.case@example.COM", None);
        var changed = await Identity.SetMembershipAsync(organization.Id, user.Id, "owner", None);
        var levels = await IntegrationDatabase.ScalarAsync<string>(
            "SELECT string_agg(level, ',') FROM organization_membership WHERE user_id = @user", ("user", user.Id));

        Assert.That(found, Is.EqualTo(user));
        Assert.That(changed, Is.EqualTo(new Membership(organization.Id, user.Id, "owner")));
        Assert.That(levels, Is.EqualTo("owner"), "one membership, its level changed");
        Assert.That(await Identity.OrganizationExistsAsync(organization.Id, None), Is.True);
        Assert.That(await Identity.OrganizationExistsAsync(Guid.CreateVersion7(), None), Is.False);
    }

    [Test]
    public async Task Identity_repository_deletes_a_key_once()
    {
        var actor = await CreateActorAsync();

        Assert.That(await Identity.DeleteApiKeyAsync(actor.ApiKey.Id, None), Is.True);
        Assert.That(await Identity.DeleteApiKeyAsync(actor.ApiKey.Id, None), Is.False);
    }

    [Test]
    public async Task Migrations_build_every_table_in_the_configured_schema()
    {
        var tables = await IntegrationDatabase.ScalarAsync<string>(
            "SELECT string_agg(table_name::text, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = @schema",
            ("schema", IntegrationDatabase.Schema));

        Assert.That(tables, Is.EqualTo("app_user,host_user,organization,organization_membership,persisted_folder,personal_api_key,schema_versions,team"));
    }

    [Test]
    public async Task Unique_index_counts_a_null_surface_as_web()
    {
        var scope = await CreateScopeAsync(Surface.Web);
        await Folders.UpsertAsync(scope, "home", "a://", "A", None);

        Assert.That(
            () => PlantLegacyAsync(scope, "home"),
            Throws.InstanceOf<PostgresException>().With.Property(nameof(PostgresException.SqlState)).EqualTo(PostgresErrorCodes.UniqueViolation));
        Assert.That(await RowsAsync(scope), Is.EqualTo(1));
    }

    private async Task<FolderScope> CreateScopeAsync(Surface surface)
    {
        var actor = await CreateActorAsync();
        return new FolderScope(actor.ProjectId, actor.User.Id, surface);
    }

    private static async Task<Guid> PlantLegacyAsync(FolderScope scope, string type)
    {
        var id = Guid.CreateVersion7();
        await IntegrationDatabase.ExecuteAsync(
            "INSERT INTO persisted_folder (id, team_id, user_id, type, surface) VALUES (@id, @team, @user, @type, NULL)",
            ("id", id), ("team", TeamOf(scope)), ("user", UserOf(scope)), ("type", type));
        return id;
    }

    private static Task<long> RowsAsync(FolderScope scope) =>
        IntegrationDatabase.ScalarAsync<long>(
            "SELECT count(*) FROM persisted_folder WHERE team_id = @team AND user_id = @user", ("team", TeamOf(scope)), ("user", UserOf(scope)));

    private static Task<string?> SurfaceOfAsync(Guid id) =>
        IntegrationDatabase.ScalarAsync<string?>("SELECT surface FROM persisted_folder WHERE id = @id", ("id", id));

    private static Task<DateTime?> LastUsedAsync(Guid id) =>
        IntegrationDatabase.ScalarAsync<DateTime?>("SELECT last_used_at FROM personal_api_key WHERE id = @id", ("id", id));

    private static long TeamOf(FolderScope scope) => ((GrantedCaller)scope.Caller).TeamId;

    private static long UserOf(FolderScope scope) => ((GrantedCaller)scope.Caller).UserId;

    /// <summary>The repository for a granted caller, whose results carry no facts to check.</summary>
    private sealed class GrantedFolders(IPersistedFolderRepository repository)
    {
        public async Task<IReadOnlyList<Folder>> ListAsync(FolderScope scope, CancellationToken cancellationToken) =>
            Granted(await repository.ListAsync(scope, cancellationToken));

        public async Task<Folder?> GetAsync(FolderScope scope, Guid id, CancellationToken cancellationToken) =>
            Granted(await repository.GetAsync(scope, id, cancellationToken));

        public async Task<Folder> UpsertAsync(FolderScope scope, string type, string protocol, string path, CancellationToken cancellationToken) =>
            Granted(await repository.UpsertAsync(scope, type, protocol, path, cancellationToken))!;

        public async Task<Folder?> UpdateAsync(FolderScope scope, Guid id, FolderChanges changes, FolderPrecondition precondition, CancellationToken cancellationToken) =>
            Granted(await repository.UpdateAsync(scope, id, changes, precondition, cancellationToken));

        public async Task<bool> DeleteAsync(FolderScope scope, Guid id, FolderPrecondition precondition, CancellationToken cancellationToken) =>
            Granted(await repository.DeleteAsync(scope, id, precondition, cancellationToken));

        private static T Granted<T>(Gated<T> result)
        {
            Assert.That(result.Facts, Is.Null, "a granted caller's operation checks nothing");
            return result.Value;
        }
    }
}
