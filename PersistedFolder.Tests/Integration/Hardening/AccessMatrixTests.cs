using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using PersistedFolder.Core.Admin;

namespace PersistedFolder.Tests.Integration.Hardening;

/// <summary>
/// Issue 3's access matrix: 2 organizations × 2 projects each (plus an unknown project and
/// <c>@current</c>) × 2 users (one a member of each organization) × both surfaces and web's alias ×
/// every method on the collection and the detail route (the user's own folder, another user's,
/// and the user's folder of the other surface) × keys of every scope shape. The expected answer of
/// each cell is worked out here from SPEC §4 alone, in its order: 404 project, scoped team 403,
/// scoped organization 403, scope 403, membership 403, else the operation's own answer. No response
/// may carry another user's folder id, and no cell may change another user's folders.
/// </summary>
public sealed class AccessMatrixTests : ApiFixture
{
    private const string Read = "persisted_folder:read";
    private const string Write = "persisted_folder:write";
    private const string PlantedPath = "planted";
    private const int Parallelism = 8;

    private static readonly string[] EveryOutcome =
        ["404 project", "403 scoped team", "403 scoped organization", "403 scope", "403 membership", "2xx", "404 folder"];

    private static readonly string[] MatrixRoutes = [Routes.Web, Routes.Desktop, Routes.Environments];

    private static readonly Operation[] Operations =
    [
        new("list GET", HttpMethod.Get, Detail: false, Writes: false, HttpStatusCode.OK),
        new("list HEAD", HttpMethod.Head, Detail: false, Writes: false, HttpStatusCode.OK),
        new("list OPTIONS", HttpMethod.Options, Detail: false, Writes: false, HttpStatusCode.OK),
        new("create POST", HttpMethod.Post, Detail: false, Writes: true, HttpStatusCode.Created, """{"type":"home","path":"matrix-post"}"""),
        new("detail GET", HttpMethod.Get, Detail: true, Writes: false, HttpStatusCode.OK),
        new("detail HEAD", HttpMethod.Head, Detail: true, Writes: false, HttpStatusCode.OK),
        new("detail OPTIONS", HttpMethod.Options, Detail: true, Writes: false, HttpStatusCode.OK),
        new("replace PUT", HttpMethod.Put, Detail: true, Writes: true, HttpStatusCode.OK, """{"type":"home","path":"matrix-put"}"""),
        new("update PATCH", HttpMethod.Patch, Detail: true, Writes: true, HttpStatusCode.OK, """{"path":"matrix-patch"}"""),
        new("destroy DELETE", HttpMethod.Delete, Detail: true, Writes: true, HttpStatusCode.NoContent),
    ];

    /// <summary>The key shapes; team and organization restrictions are relative to the key's user.</summary>
    private static readonly KeyShape[] Shapes =
    [
        new("read", [Read]),
        new("write", [Write]),
        new("read+write", [Read, Write]),
        new("*", ["*"]),
        new("empty", []),
        new("unrelated", ["insight:read", "feature_flag:write"]),
        new("teams=own first", [Read, Write], Teams: Restriction.Own),
        new("teams=other first", [Read, Write], Teams: Restriction.Other),
        new("orgs=own", [Read, Write], Organizations: Restriction.Own),
        new("orgs=other", [Read, Write], Organizations: Restriction.Other),
        new("teams=own first, orgs=other", [Read, Write], Teams: Restriction.Own, Organizations: Restriction.Other),
        new("read, teams=own first", [Read], Teams: Restriction.Own),
        new("read, orgs=other", [Read], Organizations: Restriction.Other),
        new("unrelated, orgs=own", ["insight:read"], Organizations: Restriction.Own),
    ];

    protected override PersistedFolderApiFactory CreateFactory() => new(new Dictionary<string, string?>
    {
        ["PersistedFolder:RateLimits:PerMinute"] = "1000000",
        ["PersistedFolder:RateLimits:PerHour"] = "1000000",
    });

    [Test]
    public async Task Every_cell_gets_exactly_the_spec_outcome_and_never_another_users_folders()
    {
        var world = await BuildWorldAsync();
        var outcomes = new ConcurrentDictionary<string, int>();
        var failures = new ConcurrentQueue<string>();
        var cells = 0;
        var before = await RowFingerprintsAsync();

        // Cells that can touch the same folder run in one sequence; sequences run side by side.
        var groups = Cells(world).GroupBy(c => (c.User.Name, c.Team?.Id, Routes.StoredSurface(c.Route)));
        await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (group, _) =>
        {
            foreach (var cell in group)
            {
                var expected = Expect(cell);
                var failure = await CheckAsync(world, cell, expected);
                Interlocked.Increment(ref cells);
                outcomes.AddOrUpdate(expected.Label, 1, (_, n) => n + 1);
                if (failure is not null)
                {
                    failures.Enqueue($"{cell}: {failure}");
                }
            }
        });

        var after = await RowFingerprintsAsync();
        var changed = after.Where(row => !before.TryGetValue(row.Key, out var was) || was != row.Value).Select(row => row.Key).ToList();
        var wrongly = changed.Where(id => !world.Owners.TryGetValue(id, out var owner) || !world.Writable.Contains(owner)).ToList();
        var lost = before.Keys.Except(after.Keys).ToList();

        await TestContext.Out.WriteLineAsync($"access matrix: {cells} cells checked; outcomes " +
            string.Join(", ", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}: {o.Value}")));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(failures, Is.Empty, $"{failures.Count} cells failed, first ones:\n" + string.Join("\n", failures.Take(40)));
            Assert.That(wrongly, Is.Empty, "folders made or changed by someone who may not write them");
            Assert.That(lost, Is.Empty, "folders lost");
            Assert.That(outcomes.Keys, Is.SupersetOf(EveryOutcome), "every SPEC §4 outcome appears");
        }
    }

    /// <summary>SPEC §4's answer for a cell, from the cell alone.</summary>
    private static Expected Expect(Cell cell)
    {
        if (cell.Team is not { } team)
        {
            return new("404 project", HttpStatusCode.NotFound, "not_found", "Project not found.");
        }

        var key = cell.Key;
        if (key.Teams is { Count: > 0 } teams && !teams.Contains(team.Id))
        {
            return Forbidden("403 scoped team", $"API key does not have access to the requested project: ID {team.Id}.");
        }

        if (key.Organizations is { Count: > 0 } organizations && !organizations.Contains(team.OrganizationId))
        {
            return Forbidden("403 scoped organization", $"API key does not have access to the requested organization: ID {team.OrganizationId}.");
        }

        var needed = cell.Operation.Writes ? Write : Read;
        var granted = key.Scopes.Contains("*") || key.Scopes.Contains(needed) || (!cell.Operation.Writes && key.Scopes.Contains(Write));
        if (!granted)
        {
            return Forbidden("403 scope", $"API key missing required scope '{needed}'");
        }

        if (team.OrganizationId != cell.User.Organization)
        {
            return Forbidden("403 membership", "You don't have access to the project.");
        }

        // Past access: a detail lookup finds only the user's own folder of this team and surface
        // (OPTIONS looks nothing up).
        if (cell.Operation.Detail && cell.Target != Target.Own && cell.Operation.Method != HttpMethod.Options)
        {
            return new("404 folder", HttpStatusCode.NotFound, "not_found", "Not found.");
        }

        return new("2xx", cell.Operation.Success, null, null);
    }

    private static Expected Forbidden(string label, string detail) => new(label, HttpStatusCode.Forbidden, "permission_denied", detail);

    private async Task<string?> CheckAsync(World world, Cell cell, Expected expected)
    {
        var own = cell.Team is { } team ? world.Folders[(cell.User.Name, team.Id, Routes.StoredSurface(cell.Route))] : (Guid?)null;
        var id = cell.Target switch
        {
            Target.Own when own is not null => own,
            Target.Foreign when cell.Team is { } t => world.Folders[(cell.User.Other, t.Id, Routes.StoredSurface(cell.Route))],
            Target.OtherSurface when cell.Team is { } t => world.Folders[(cell.User.Name, t.Id, Routes.StoredSurface(Routes.OtherSurface(cell.Route)))],
            _ => Guid.CreateVersion7(),
        };
        var url = cell.Operation.Detail ? Routes.Item(cell.Route, cell.Project, id!) : Routes.Collection(cell.Route, cell.Project);
        var response = await SendAsync(cell.Operation.Method, url, cell.Key.Value, cell.Operation.Body is { } json ? Json(json) : null);
        var body = await response.Content.ReadAsStringAsync();

        var leaked = world.FolderIdsOf(cell.User.Other).Where(foreign => body.Contains(foreign.ToString(), StringComparison.OrdinalIgnoreCase)).ToList();
        if (leaked.Count > 0)
        {
            return $"answer carries another user's folder {leaked[0]}: {HardeningChecks.Shorten(body)}";
        }

        if (response.StatusCode != expected.Status)
        {
            return $"expected {(int)expected.Status} ({expected.Label}), got {(int)response.StatusCode}: {HardeningChecks.Shorten(body)}";
        }

        if (HardeningChecks.Violations(cell.Operation.Method, response, body) is [var violation, ..])
        {
            return violation;
        }

        if (expected.Code is not null)
        {
            if (cell.Operation.Method == HttpMethod.Head && body.Length == 0)
            {
                return null;
            }

            var error = Wire.Parse<ErrorBody>(body);
            var wanted = new ErrorBody(expected.Status == HttpStatusCode.Forbidden ? "authentication_error" : "invalid_request", expected.Code, expected.Detail!, null);
            return error == wanted ? null : $"expected {wanted}, got {error}";
        }

        return await CheckSuccessAsync(cell, own!.Value, response, body);
    }

    private static async Task<string?> CheckSuccessAsync(Cell cell, Guid own, HttpResponseMessage response, string body)
    {
        var operation = cell.Operation;
        if (operation.Method == HttpMethod.Options)
        {
            var allow = operation.Detail ? "GET, PUT, PATCH, DELETE, HEAD, OPTIONS" : "GET, POST, HEAD, OPTIONS";
            return Wire.Header(response, "Allow") == allow ? null : $"Allow '{Wire.Header(response, "Allow")}'";
        }

        if (operation.Method == HttpMethod.Delete)
        {
            // Put the folder back, exactly, for the next cells of this sequence.
            await PlantAsync(own, cell.Team!.Id, cell.User.Id, Routes.StoredSurface(cell.Route));
            return null;
        }

        if (operation.Method == HttpMethod.Head && body.Length == 0)
        {
            return null;
        }

        if (!operation.Detail && operation.Method != HttpMethod.Post)
        {
            var page = Wire.Parse<PageBody>(body);
            return page.Count == 1 && page.Results.Select(f => f.Id).SequenceEqual([own])
                ? null
                : $"expected exactly the user's folder {own}, got {body}";
        }

        var folder = Wire.Parse<FolderBody>(body);
        var path = operation.Body is { } json ? JsonDocument.Parse(json).RootElement.GetProperty("path").GetString() : null;
        return folder.Id == own && (path is null || folder.Path == path) ? null : $"expected folder {own}{(path is null ? string.Empty : $" with path {path}")}, got {body}";
    }

    private static IEnumerable<Cell> Cells(World world)
    {
        foreach (var user in world.Users)
        {
            foreach (var key in world.Keys[user.Name])
            {
                foreach (var (project, team) in world.ProjectsFor(user))
                {
                    foreach (var route in MatrixRoutes)
                    {
                        foreach (var operation in Operations)
                        {
                            var targets = operation.Detail ? new[] { Target.Own, Target.Foreign, Target.OtherSurface } : [Target.Own];
                            foreach (var target in targets)
                            {
                                yield return new Cell(user, key, project, team, route, operation, target);
                            }
                        }
                    }
                }
            }
        }
    }

    private async Task<World> BuildWorldAsync()
    {
        var none = CancellationToken.None;
        var organizations = new[] { await Admin.CreateOrganizationAsync(Unique("org"), none), await Admin.CreateOrganizationAsync(Unique("org"), none) };
        var teams = new List<Team>();
        foreach (var organization in organizations)
        {
            for (var i = 0; i < 2; i++)
            {
                var project = await Admin.CreateProjectAsync(organization.Id, Unique("project"), none);
                teams.Add(new Team(project.Id, organization.Id));
            }
        }

        // Ada belongs to the first organization and works in its first project; Bob belongs to
        // the second and has no current project (so @current is a 404 for him).
        var ada = await Admin.CreateUserAsync($"{Unique("ada")}@example.com", organizations[0].Id, "member", none);
        var bob = await Admin.CreateUserAsync($"{Unique("bob")}@example.com", organizations[1].Id, "member", none);
        await Admin.SetCurrentProjectAsync(ada.Email, teams[0].Id, none);
        var users = new[]
        {
            new MatrixUser("ada", "bob", ada.Id, organizations[0].Id, teams[0]),
            new MatrixUser("bob", "ada", bob.Id, organizations[1].Id, null),
        };

        // One folder per user, project and surface, in every project: rows in projects a user may
        // not reach are what a lost membership leaves behind.
        var folders = new Dictionary<(string, long, string), Guid>();
        var owners = new Dictionary<Guid, (string, long, string)>();
        foreach (var user in users)
        {
            foreach (var team in teams)
            {
                foreach (var surface in new[] { "web", "desktop" })
                {
                    var id = Guid.CreateVersion7();
                    await PlantAsync(id, team.Id, user.Id, surface);
                    folders[(user.Name, team.Id, surface)] = id;
                    owners[id] = (user.Name, team.Id, surface);
                }
            }
        }

        var keys = new Dictionary<string, List<MatrixKey>>();
        foreach (var (user, record) in users.Zip(new[] { ada, bob }))
        {
            var own = teams.First(t => t.OrganizationId == user.Organization);
            var other = teams.First(t => t.OrganizationId != user.Organization);
            keys[user.Name] = [];
            foreach (var shape in Shapes)
            {
                var scopedTeams = shape.Teams switch { Restriction.Own => new[] { own.Id }, Restriction.Other => new[] { other.Id }, _ => null };
                var scopedOrganizations = shape.Organizations switch { Restriction.Own => new[] { own.OrganizationId }, Restriction.Other => new[] { other.OrganizationId }, _ => null };
                // The admin command refuses an empty scope list; the row is changed afterwards.
                var created = await CreateKeyAsync(record, shape.Scopes.Length == 0 ? Read : string.Join(',', shape.Scopes), scopedTeams, scopedOrganizations);
                if (shape.Scopes.Length == 0)
                {
                    await IntegrationDatabase.ExecuteAsync("UPDATE personal_api_key SET scopes = '{}' WHERE id = @id", ("id", created.Id));
                }

                keys[user.Name].Add(new MatrixKey(shape.Name, created.Value, shape.Scopes, scopedTeams, scopedOrganizations));
            }
        }

        // Only a member with a write-capable key can change a folder: the user's own, in their organization.
        var writable = users.SelectMany(u => teams.Where(t => t.OrganizationId == u.Organization)
            .SelectMany(t => new[] { (u.Name, t.Id, "web"), (u.Name, t.Id, "desktop") })).ToHashSet();
        return new World(users, teams, folders, owners, keys, writable, teams.Max(t => t.Id) + 100_000);
    }

    private static Task<int> PlantAsync(Guid id, long team, long user, string surface) =>
        IntegrationDatabase.ExecuteAsync(
            """
            INSERT INTO persisted_folder (id, team_id, user_id, type, protocol, path, surface, created_at, updated_at)
            VALUES (@id, @team, @user, 'home', 'products://', @path, @surface, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')
            """,
            ("id", id), ("team", team), ("user", user), ("path", PlantedPath), ("surface", surface));

    private static async Task<Dictionary<Guid, string>> RowFingerprintsAsync()
    {
        var rows = new Dictionary<Guid, string>();
        await using var command = IntegrationDatabase.DataSource.CreateCommand("SELECT id, md5(t::text) FROM persisted_folder t");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows[reader.GetGuid(0)] = reader.GetString(1);
        }

        return rows;
    }

    private enum Restriction
    {
        None,
        Own,
        Other,
    }

    private enum Target
    {
        Own,
        Foreign,
        OtherSurface,
    }

    private sealed record Operation(string Name, HttpMethod Method, bool Detail, bool Writes, HttpStatusCode Success, string? Body = null);

    private sealed record KeyShape(string Name, string[] Scopes, Restriction Teams = Restriction.None, Restriction Organizations = Restriction.None);

    private sealed record MatrixKey(string Shape, string Value, string[] Scopes, IReadOnlyList<long>? Teams, IReadOnlyList<Guid>? Organizations);

    private sealed record Team(long Id, Guid OrganizationId);

    private sealed record MatrixUser(string Name, string Other, long Id, Guid Organization, Team? Current);

    private sealed record Expected(string Label, HttpStatusCode Status, string? Code, string? Detail);

    private sealed record Cell(MatrixUser User, MatrixKey Key, string Project, Team? Team, string Route, Operation Operation, Target Target)
    {
        public override string ToString() => $"{User.Name} key[{Key.Shape}] project {Project} {Route} {Operation.Name}{(Operation.Detail ? $" ({Target})" : string.Empty)}";
    }

    private sealed record World(
        IReadOnlyList<MatrixUser> Users,
        IReadOnlyList<Team> Teams,
        IReadOnlyDictionary<(string User, long Team, string Surface), Guid> Folders,
        IReadOnlyDictionary<Guid, (string User, long Team, string Surface)> Owners,
        IReadOnlyDictionary<string, List<MatrixKey>> Keys,
        IReadOnlySet<(string User, long Team, string Surface)> Writable,
        long UnknownProject)
    {
        public IEnumerable<Guid> FolderIdsOf(string user) => Folders.Where(f => f.Key.User == user).Select(f => f.Value);

        /// <summary>Every project as a URL names it, with the team it resolves to for this user (null: 404).</summary>
        public IEnumerable<(string Project, Team? Team)> ProjectsFor(MatrixUser user) =>
        [
            .. Teams.Select(t => (t.Id.ToString(CultureInfo.InvariantCulture), (Team?)t)),
            (UnknownProject.ToString(CultureInfo.InvariantCulture), null),
            ("@current", user.Current),
        ];
    }
}
