using Microsoft.Extensions.DependencyInjection;
using PersistedFolder.Core.Access;
using PersistedFolder.Core.Admin;
using PersistedFolder.Core.Folders;
using PersistedFolder.Core.Keys;

namespace PersistedFolder.Tests.Integration;

/// <summary>
/// A key caller's statements against PostgreSQL (<see cref="KeyCaller"/>: the key lookup, the
/// project and membership and the operation in one round trip). Their access condition must be
/// <see cref="AccessRules"/>' own decision, compared here over every combination of a key's scopes
/// and restrictions and the user's membership; a write happens only when it is granted; and what
/// the statement reports about the key and project is what the tables say on that very statement.
/// </summary>
public sealed class KeyGateTests : ApiFixture
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static readonly string[][] ScopeSets =
        [[], ["persisted_folder:read"], ["persisted_folder:write"], ["*"], ["insight:read", "insight:write"], ["persisted_folder:read", "persisted_folder:write"]];

    private IPersistedFolderRepository Folders => Factory.Services.GetRequiredService<IPersistedFolderRepository>();

    [Test]
    public async Task Access_condition_of_every_statement_is_the_access_rules_decision([Values] bool member)
    {
        var project = await CreateProjectAsync();
        var elsewhere = await CreateProjectAsync();
        var user = await Admin.CreateUserAsync($"{Unique("gate")}@example.com", member ? project.OrganizationId : null, "member", None);
        var owner = new FolderScope(project.Id, user.Id, Surface.Web);
        long[]?[] teamSets = [null, [], [project.Id], [elsewhere.Id], [elsewhere.Id, project.Id]];
        Guid[]?[] organizationSets = [null, [], [project.OrganizationId], [elsewhere.OrganizationId]];
        var access = new ProjectAccess(project.Id, project.OrganizationId, member);
        var cases = 0;

        foreach (var scopes in ScopeSets)
        {
            foreach (var teams in teamSets)
            {
                foreach (var organizations in organizationSets)
                {
                    var key = await CreateRawKeyAsync(user, scopes, teams, organizations);
                    var scope = new FolderScope(new KeyCaller(PersonalApiKeys.SecureValue(key.Value), new ProjectReference(project.Id)), Surface.Web);
                    var grant = new KeyGrant(scopes, teams, organizations);
                    var mayRead = AccessRules.Deny(access, grant, AccessRules.FolderScopeObject, write: false) is null;
                    var mayWrite = AccessRules.Deny(access, grant, AccessRules.FolderScopeObject, write: true) is null;
                    var label = $"scopes [{string.Join(",", scopes)}], teams {Show(teams)}, organizations {Show(organizations)}, member {member}";
                    var folder = (await Folders.UpsertAsync(owner, "home", "products://", "before", None)).Value!;

                    var listed = await Folders.ListAsync(scope, None);
                    var got = await Folders.GetAsync(scope, folder.Id, None);
                    var upserted = await Folders.UpsertAsync(scope, "home", "products://", "upserted", None);
                    var afterUpsert = await PathAsync(owner, folder.Id);
                    var updated = await Folders.UpdateAsync(scope, folder.Id, new FolderChanges(null, null, "updated"), FolderPrecondition.None, None);
                    var afterUpdate = await PathAsync(owner, folder.Id);
                    var deleted = await Folders.DeleteAsync(scope, folder.Id, FolderPrecondition.None, None);
                    var afterDelete = await PathAsync(owner, folder.Id);

                    using (Assert.EnterMultipleScope())
                    {
                        Assert.That((listed.Facts!.Key!.Id, listed.Facts.Key.UserId, listed.Facts.Access), Is.EqualTo((key.Id, user.Id, access)), label);
                        Assert.That(listed.Facts.Key.Scopes, Is.EqualTo(scopes), label);
                        Assert.That(listed.Facts.Key.ScopedTeams, Is.EqualTo(teams), label);
                        Assert.That(listed.Facts.Key.ScopedOrganizations, Is.EqualTo(organizations), label);
                        Assert.That(listed.Value.Count, Is.EqualTo(mayRead ? 1 : 0), $"list: {label}");
                        Assert.That(got.Value is not null, Is.EqualTo(mayRead), $"retrieve: {label}");
                        Assert.That(upserted.Facts!.WriteAllowed, Is.EqualTo(mayWrite), $"upsert: {label}");
                        Assert.That((upserted.Value is not null, afterUpsert), Is.EqualTo((mayWrite, mayWrite ? "upserted" : "before")), $"upsert: {label}");
                        Assert.That(updated.Facts!.WriteAllowed, Is.EqualTo(mayWrite), $"update: {label}");
                        Assert.That((updated.Value is not null, afterUpdate), Is.EqualTo((mayWrite, mayWrite ? "updated" : "before")), $"update: {label}");
                        Assert.That(deleted.Facts!.WriteAllowed, Is.EqualTo(mayWrite), $"delete: {label}");
                        Assert.That((deleted.Value, afterDelete), Is.EqualTo((mayWrite, mayWrite ? null : "before")), $"delete: {label}");
                    }

                    await IntegrationDatabase.ExecuteAsync("DELETE FROM persisted_folder WHERE user_id = @user", ("user", user.Id));
                    cases++;
                }
            }
        }

        Assert.That(cases, Is.EqualTo(ScopeSets.Length * teamSets.Length * organizationSets.Length));
    }

    [Test]
    public async Task Unknown_key_finds_nothing_and_writes_nothing()
    {
        var actor = await CreateActorAsync("*");
        var scope = new FolderScope(new KeyCaller(PersonalApiKeys.SecureValue("phx_not_a_key"), new ProjectReference(actor.ProjectId)), Surface.Web);

        var written = await Folders.UpsertAsync(scope, "home", "products://", "x", None);

        Assert.That((written.Value, written.Facts), Is.EqualTo(((Folder?)null, new KeyFacts(null, null, WriteAllowed: null))));
        Assert.That(await IntegrationDatabase.ScalarAsync<long>("SELECT count(*) FROM persisted_folder"), Is.Zero);
    }

    [Test]
    public async Task Unknown_project_is_reported_and_written_to_by_no_statement()
    {
        var actor = await CreateActorAsync("*");
        var scope = new FolderScope(new KeyCaller(PersonalApiKeys.SecureValue(actor.Key), new ProjectReference(actor.ProjectId + 1000)), Surface.Web);

        var written = await Folders.UpsertAsync(scope, "home", "products://", "x", None);

        Assert.That((written.Value, written.Facts!.Key?.Id, written.Facts.Access, written.Facts.WriteAllowed), Is.EqualTo(((Folder?)null, (Guid?)actor.ApiKey.Id, (ProjectAccess?)null, (bool?)false)));
        Assert.That(await IntegrationDatabase.ScalarAsync<long>("SELECT count(*) FROM persisted_folder"), Is.Zero);
    }

    [Test]
    public async Task Current_project_is_the_key_users_current_team_or_none()
    {
        var actor = await CreateActorAsync("*");
        var scope = new FolderScope(new KeyCaller(PersonalApiKeys.SecureValue(actor.Key), ProjectReference.Current), Surface.Desktop);
        await IntegrationDatabase.ExecuteAsync("UPDATE app_user SET current_team_id = NULL WHERE id = @user", ("user", actor.User.Id));

        var withoutCurrent = await Folders.ListAsync(scope, None);
        await Admin.SetCurrentProjectAsync(actor.User.Email, actor.ProjectId, None);
        var created = await Folders.UpsertAsync(scope, "pinned", "products://", "p", None);

        Assert.That(withoutCurrent.Facts!.Access, Is.Null);
        Assert.That(created.Facts!.Access, Is.EqualTo(new ProjectAccess(actor.ProjectId, actor.Project.OrganizationId, IsMember: true)));
        Assert.That(await IntegrationDatabase.ScalarAsync<long>("SELECT team_id FROM persisted_folder WHERE id = @id", ("id", created.Value!.Id)), Is.EqualTo(actor.ProjectId));
    }

    [Test]
    public async Task Revocation_deactivation_and_lost_membership_are_seen_by_the_next_statement()
    {
        var revoked = await CreateActorAsync("*");
        var deactivated = await CreateActorAsync("*");
        var outsider = await CreateActorAsync("*");

        await Admin.RevokeApiKeyAsync(revoked.ApiKey.Id, None);
        await Admin.DeactivateUserAsync(deactivated.User.Email, None);
        await IntegrationDatabase.ExecuteAsync("DELETE FROM organization_membership WHERE user_id = @user", ("user", outsider.User.Id));

        var afterRevocation = await Folders.UpsertAsync(ScopeOf(revoked), "home", "products://", "x", None);
        var afterDeactivation = await Folders.UpsertAsync(ScopeOf(deactivated), "home", "products://", "x", None);
        var afterLeaving = await Folders.UpsertAsync(ScopeOf(outsider), "home", "products://", "x", None);

        Assert.That(afterRevocation.Facts!.Key, Is.Null);
        Assert.That(afterDeactivation.Facts!.Key, Is.Null);
        Assert.That((afterLeaving.Facts!.Access?.IsMember, afterLeaving.Facts.WriteAllowed), Is.EqualTo(((bool?)false, (bool?)false)));
        Assert.That(await IntegrationDatabase.ScalarAsync<long>("SELECT count(*) FROM persisted_folder"), Is.Zero);
    }

    private static FolderScope ScopeOf(Actor actor) =>
        new(new KeyCaller(PersonalApiKeys.SecureValue(actor.Key), new ProjectReference(actor.ProjectId)), Surface.Web);

    /// <summary>A key with exactly these columns (an empty scope list too, which the admin command refuses to make).</summary>
    private async Task<CreatedApiKey> CreateRawKeyAsync(User user, string[] scopes, long[]? teams, Guid[]? organizations)
    {
        var key = await Admin.CreateApiKeyAsync(user.Email, Unique("gate"), ["*"], teams, organizations, None);
        await IntegrationDatabase.ExecuteAsync("UPDATE personal_api_key SET scopes = @scopes WHERE id = @id", ("scopes", scopes), ("id", key.Id));
        return key with { Scopes = scopes };
    }

    private static async Task<string?> PathAsync(FolderScope owner, Guid id) =>
        await IntegrationDatabase.ScalarAsync<string?>(
            "SELECT path FROM persisted_folder WHERE id = @id AND team_id = @team AND user_id = @user",
            ("id", id), ("team", ((GrantedCaller)owner.Caller).TeamId), ("user", ((GrantedCaller)owner.Caller).UserId));

    private static string Show<T>(T[]? values) => values is null ? "null" : $"[{string.Join(",", values)}]";
}
