using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PersistedFolder.Core.Access;

namespace PersistedFolder.Tests.Integration.Hosting;

/// <summary>
/// A host that keeps projects and memberships itself registers its own <see cref="IProjectAccessSource"/>
/// after <c>AddPersistedFolders</c>; the API then asks it, and not its own tables, for every request.
/// </summary>
public sealed class HostAccessSourceTests : HostFixture
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

        var created = await ExpectAsync(
            await AsHostUserAsync(HttpMethod.Post, collection, outsider, Json("""{"type":"home"}""")), HttpStatusCode.Created, Wire.ReadFolderAsync);
        var listed = await ExpectAsync(await SendAsync(HttpMethod.Get, collection, outsider.Key), HttpStatusCode.OK, Wire.ReadPageAsync);

        Assert.That(listed.Results, Is.EqualTo(new[] { created }));
        Assert.That(directory.Questions, Is.EqualTo(new[] { (new ProjectReference(outsider.ProjectId), outsider.User.Id), (new ProjectReference(outsider.ProjectId), outsider.User.Id) }));
    }

    [Test]
    public async Task Host_source_denies_a_membership_the_api_tables_have()
    {
        var member = await CreateActorAsync();
        directory.Grant(member, member: false);
        var collection = Routes.Collection(Routes.Desktop, member.ProjectId);

        await AssertForbiddenAsync(await AsHostUserAsync(HttpMethod.Get, collection, member), "You don't have access to the project.");
        await AssertForbiddenAsync(await SendAsync(HttpMethod.Get, collection, member.Key), "You don't have access to the project.");
    }

    [Test]
    public async Task Project_the_host_source_does_not_know_is_not_found()
    {
        var member = await CreateActorAsync();

        await AssertNotFoundAsync(await AsHostUserAsync(HttpMethod.Get, Routes.Collection(Routes.Web, member.ProjectId), member), "Project not found.");
        await AssertNotFoundAsync(await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, member.ProjectId), member.Key), "Project not found.");
    }

    [Test]
    public async Task Host_source_resolves_at_current()
    {
        var actor = await CreateActorAsync();
        directory.Grant(actor, member: true, current: true);

        var created = await ExpectAsync(
            await AsHostUserAsync(HttpMethod.Post, Routes.Collection(Routes.Web, "@current"), actor, Json("""{"type":"pinned"}""")), HttpStatusCode.Created, Wire.ReadFolderAsync);
        var listed = await ExpectAsync(await AsHostUserAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId), actor), HttpStatusCode.OK, Wire.ReadPageAsync);

        Assert.That(listed.Results, Is.EqualTo(new[] { created }));
        Assert.That(directory.Questions[0], Is.EqualTo((ProjectReference.Current, actor.User.Id)));
    }

    /// <summary>The host's own record of projects and memberships; it remembers every question asked.</summary>
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

        public void Grant(Actor actor, bool member, bool current = false)
        {
            grants[(actor.ProjectId, actor.User.Id)] = new ProjectAccess(actor.ProjectId, actor.Project.OrganizationId, member);
            if (current)
            {
                currentTeams[actor.User.Id] = actor.ProjectId;
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
