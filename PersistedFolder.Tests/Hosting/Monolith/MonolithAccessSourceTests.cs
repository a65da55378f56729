using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PersistedFolder.Core.Access;

namespace PersistedFolder.Tests.Integration.Hosting.Monolith;

/// <summary>
/// A monolith that keeps projects and memberships itself registers its own
/// <see cref="IProjectAccessSource"/> (<c>services.AddSingleton&lt;IProjectAccessSource, …&gt;()</c>,
/// here after <c>AddPersistedFolders</c>); the folder API then asks it, not its own tables.
/// </summary>
public sealed class MonolithAccessSourceTests : MonolithFixture
{
    private readonly HostDirectory directory = new();

    [SetUp]
    public void ForgetEveryProject() => directory.Clear();

    protected override void ConfigureHostServices(IServiceCollection services) =>
        services.AddSingleton<IProjectAccessSource>(directory);

    [Test]
    public async Task Host_source_grants_a_membership_the_api_tables_do_not_have()
    {
        var outsider = await CreateActorAsync(member: false);
        directory.Grant(outsider, member: true);
        var collection = Routes.Collection(Routes.Web, outsider.ProjectId);

        var created = await ExpectAsync(await SendAsync(HttpMethod.Post, collection, outsider.Key, Json("""{"type":"home"}""")), HttpStatusCode.Created, Wire.ReadFolderAsync);
        var listed = await ExpectAsync(await SendAsync(HttpMethod.Get, collection, outsider.Key), HttpStatusCode.OK, Wire.ReadPageAsync);

        Assert.That(listed.Results, Is.EqualTo(new[] { created }));
        Assert.That(directory.Questions, Is.EqualTo(new[] { (new ProjectReference(outsider.ProjectId), outsider.User.Id), (new ProjectReference(outsider.ProjectId), outsider.User.Id) }));
    }

    [Test]
    public async Task Host_source_denies_a_membership_the_api_tables_have()
    {
        var member = await CreateActorAsync();
        directory.Grant(member, member: false);

        await AssertForbiddenAsync(await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Desktop, member.ProjectId), member.Key), "You don't have access to the project.");
    }

    [Test]
    public async Task Project_the_host_source_does_not_know_is_not_found()
    {
        var member = await CreateActorAsync();

        await AssertNotFoundAsync(await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, member.ProjectId), member.Key), "Project not found.");
    }

    [Test]
    public async Task Host_source_answers_for_a_provisioned_host_user_at_current()
    {
        var project = await CreateProjectAsync();
        var subject = Unique("sub");
        var token = MonolithTokens.Mint(subject, $"{subject}@monolith.test");
        await AssertNotFoundAsync(await AsHostUserAsync(HttpMethod.Get, Routes.Collection(Routes.Web, "@current"), token), "Project not found.");
        var userId = await IntegrationDatabase.ScalarAsync<long>("SELECT id FROM app_user WHERE email = @email", ("email", $"{subject}@monolith.test"));
        directory.Grant(project, userId, member: true, current: true);

        var created = await ExpectAsync(
            await AsHostUserAsync(HttpMethod.Post, Routes.Collection(Routes.Web, "@current"), token, Json("""{"type":"pinned"}""")), HttpStatusCode.Created, Wire.ReadFolderAsync);
        var listed = await ExpectAsync(await AsHostUserAsync(HttpMethod.Get, Routes.Collection(Routes.Web, project.Id), token), HttpStatusCode.OK, Wire.ReadPageAsync);

        Assert.That(listed.Results, Is.EqualTo(new[] { created }));
        Assert.That(directory.Questions[0], Is.EqualTo((ProjectReference.Current, userId)));
    }

    /// <summary>The monolith's own record of projects and memberships; it remembers every question asked.</summary>
    private sealed class HostDirectory : IProjectAccessSource
    {
        private readonly ConcurrentDictionary<(long TeamId, long UserId), ProjectAccess> grants = new();
        private readonly ConcurrentDictionary<long, long> currentTeams = new();
        private readonly ConcurrentQueue<(ProjectReference Project, long UserId)> questions = new();

        public IReadOnlyList<(ProjectReference Project, long UserId)> Questions => [.. questions];

        public void Clear()
        {
            grants.Clear();
            currentTeams.Clear();
            questions.Clear();
        }

        public void Grant(Actor actor, bool member) => Grant(actor.Project, actor.User.Id, member);

        public void Grant(Core.Admin.Project project, long userId, bool member, bool current = false)
        {
            grants[(project.Id, userId)] = new ProjectAccess(project.Id, project.OrganizationId, member);
            if (current)
            {
                currentTeams[userId] = project.Id;
            }
        }

        public Task<ProjectAccess?> FindAsync(ProjectReference project, long userId, CancellationToken cancellationToken)
        {
            questions.Enqueue((project, userId));
            var teamId = project.TeamId ?? (currentTeams.TryGetValue(userId, out var current) ? current : (long?)null);
            return Task.FromResult(teamId is { } id && grants.TryGetValue((id, userId), out var access) ? access : null);
        }
    }
}
