using System.Globalization;
using System.Net;
using System.Text.Json;
using PersistedFolder.Api.Admin;
using PersistedFolder.Core.Keys;

namespace PersistedFolder.Tests.Integration;

/// <summary>
/// SPEC §10, in process: <see cref="AdminCommandLine"/> builds its own host from the environment,
/// so the fixture points <c>PersistedFolder__Schema</c> at the tests' schema for its duration.
/// </summary>
public sealed class AdminCommandLineTests : ApiFixture
{
    private const string SchemaVariable = "PersistedFolder__Schema";
    private const string Scopes = "persisted_folder:read,persisted_folder:write";
    private string? previousSchema;

    [OneTimeSetUp]
    public void PointTheAdminCommandAtTheTestSchema()
    {
        previousSchema = Environment.GetEnvironmentVariable(SchemaVariable);
        Environment.SetEnvironmentVariable(SchemaVariable, IntegrationDatabase.Schema);
    }

    [OneTimeTearDown]
    public void RestoreTheEnvironment() => Environment.SetEnvironmentVariable(SchemaVariable, previousSchema);

    public static IEnumerable<TestCaseData> RefusedCommands()
    {
        string[][] commands =
        [
            [],
            ["no-such-command"],
            ["create-organization"],
            ["create-organization", "--name"],
            ["create-organization", "--name", "   "],
            ["create-organization", "--name", "a", "--name", "b"],
            ["create-organization", "--name", "a", "--colour", "red"],
            ["create-organization", "name", "a"],
            ["create-project", "--organization", "{missing}", "--name", "x"],
            ["create-project", "--organization", "not-a-uuid", "--name", "x"],
            ["create-user", "--email", "new@example.com", "--organization", "{missing}"],
            ["create-user", "--email", "{email}"],
            ["create-user", "--email", "not-an-email"],
            ["create-user", "--email", "new@example.com", "--level", "admin"],
            ["create-user", "--email", "new@example.com", "--organization", "{org}", "--level", "superuser"],
            ["add-member", "--email", "{email}", "--organization", "{org}", "--level", "superuser"],
            ["add-member", "--email", "nobody@example.com", "--organization", "{org}"],
            ["add-member", "--email", "{email}", "--organization", "{missing}"],
            ["set-current-project", "--email", "{email}", "--project", "999999999"],
            ["set-current-project", "--email", "{email}", "--project", "abc"],
            ["set-current-project", "--email", "nobody@example.com", "--project", "{project}"],
            ["deactivate-user", "--email", "nobody@example.com"],
            ["create-personal-api-key", "--email", "{email}", "--label", new string('x', 41), "--scopes", Scopes],
            ["create-personal-api-key", "--email", "{email}", "--label", " ", "--scopes", Scopes],
            ["create-personal-api-key", "--email", "{email}", "--label", "x", "--scopes", ","],
            ["create-personal-api-key", "--email", "{email}", "--label", "x", "--scopes", Scopes, "--scoped-teams", "one"],
            ["create-personal-api-key", "--email", "{email}", "--label", "x", "--scopes", Scopes, "--scoped-organizations", "nope"],
            ["create-personal-api-key", "--email", "nobody@example.com", "--label", "x", "--scopes", Scopes],
            ["revoke-personal-api-key", "--id", "{missing}"],
            ["revoke-personal-api-key", "--id", "not-a-uuid"],
        ];
        return commands.Select(args => new TestCaseData((object)args).SetArgDisplayNames(args.Length == 0 ? "(none)" : string.Join(' ', args)));
    }

    [Test]
    public async Task Create_organization_prints_its_id_and_name()
    {
        var output = await RunAsync("create-organization", "--name", "Acme");

        Assert.That(Keys(output), Is.EqualTo("id,name"));
        var id = Guid.Parse(output.GetProperty("id").GetString()!);
        Assert.That(output.GetProperty("name").GetString(), Is.EqualTo("Acme"));
        Assert.That(await IntegrationDatabase.ScalarAsync<string>("SELECT name FROM organization WHERE id = @id", ("id", id)), Is.EqualTo("Acme"));
    }

    [Test]
    public async Task Create_project_prints_an_integer_id_its_organization_and_name_and_is_usable_at_once()
    {
        var organization = await Admin.CreateOrganizationAsync("Org", CancellationToken.None);

        var output = await RunAsync("create-project", "--organization", organization.Id.ToString(), "--name", "Web");

        Assert.That(Keys(output), Is.EqualTo("id,organization_id,name"));
        Assert.That(output.GetProperty("id").ValueKind, Is.EqualTo(JsonValueKind.Number));
        Assert.That(output.GetProperty("organization_id").GetGuid(), Is.EqualTo(organization.Id));
        Assert.That(output.GetProperty("name").GetString(), Is.EqualTo("Web"));
        var user = await Admin.CreateUserAsync("member@example.com", organization.Id, null, CancellationToken.None);
        var key = await CreateKeyAsync(user);
        var list = await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, output.GetProperty("id").GetInt64()), key.Value);
        Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Create_user_prints_the_user_and_with_an_organization_makes_a_member()
    {
        var organization = await Admin.CreateOrganizationAsync("Org", CancellationToken.None);

        var loner = await RunAsync("create-user", "--email", "loner@example.com");
        var member = await RunAsync("create-user", "--email", "member@example.com", "--organization", organization.Id.ToString(), "--level", "admin");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Keys(loner), Is.EqualTo("id,uuid,email,is_active"));
            Assert.That(loner.GetProperty("id").ValueKind, Is.EqualTo(JsonValueKind.Number));
            Assert.That(loner.GetProperty("uuid").TryGetGuid(out _), Is.True);
            Assert.That((loner.GetProperty("email").GetString(), loner.GetProperty("is_active").GetBoolean()), Is.EqualTo(("loner@example.com", true)));
            Assert.That(await MembershipsAsync(loner.GetProperty("id").GetInt64()), Is.EqualTo(string.Empty));
            Assert.That(await MembershipsAsync(member.GetProperty("id").GetInt64()), Is.EqualTo($"{organization.Id}:admin"));
        }
    }

    [Test]
    public async Task Add_member_prints_the_membership_with_member_as_the_default_level()
    {
        var organization = await Admin.CreateOrganizationAsync("Org", CancellationToken.None);
        var user = await Admin.CreateUserAsync("u@example.com", null, null, CancellationToken.None);

        var added = await RunAsync("add-member", "--email", "u@example.com", "--organization", organization.Id.ToString());
        var raised = await RunAsync("add-member", "--email", "u@example.com", "--organization", organization.Id.ToString(), "--level", "owner");

        Assert.That(added.GetRawText(), Is.EqualTo($$"""{"organization_id":"{{organization.Id}}","user_id":{{user.Id}},"level":"member"}"""));
        Assert.That(raised.GetProperty("level").GetString(), Is.EqualTo("owner"));
        Assert.That(await MembershipsAsync(user.Id), Is.EqualTo($"{organization.Id}:owner"));
    }

    [Test]
    public async Task Set_current_project_prints_the_user_and_the_project()
    {
        var actor = await CreateActorAsync();

        var output = await RunAsync("set-current-project", "--email", actor.User.Email, "--project", actor.ProjectId.ToString(CultureInfo.InvariantCulture));

        Assert.That(output.GetRawText(), Is.EqualTo($$"""{"user_id":{{actor.User.Id}},"current_team_id":{{actor.ProjectId}}}"""));
        var current = await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, "@current"), actor.Key);
        Assert.That(current.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Deactivate_user_prints_the_user_inactive_and_its_keys_stop_working()
    {
        var actor = await CreateActorAsync();

        var output = await RunAsync("deactivate-user", "--email", actor.User.Email);

        Assert.That(output.GetRawText(), Is.EqualTo($$"""{"id":{{actor.User.Id}},"is_active":false}"""));
        var list = await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId), actor.Key);
        Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Create_personal_api_key_prints_the_key_once_with_its_mask_scopes_and_restrictions()
    {
        var actor = await CreateActorAsync();

        var plain = await RunAsync("create-personal-api-key", "--email", actor.User.Email, "--label", "ci", "--scopes", Scopes);
        var restricted = await RunAsync(
            "create-personal-api-key", "--email", actor.User.Email, "--label", new string('l', 40), "--scopes", "*",
            "--scoped-teams", $"{actor.ProjectId},42", "--scoped-organizations", actor.Project.OrganizationId.ToString());

        var value = plain.GetProperty("value").GetString()!;
        var id = plain.GetProperty("id").GetGuid();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Keys(plain), Is.EqualTo("id,label,value,mask_value,scopes,scoped_teams,scoped_organizations"));
            Assert.That(plain.GetProperty("label").GetString(), Is.EqualTo("ci"));
            Assert.That(value, Does.Match("^phx_[A-Za-z0-9_-]{43,}$"));
            Assert.That(plain.GetProperty("mask_value").GetString(), Is.EqualTo($"{value[..4]}...{value[^4..]}"));
            Assert.That(plain.GetProperty("scopes").GetRawText(), Is.EqualTo("""["persisted_folder:read","persisted_folder:write"]"""));
            Assert.That(plain.GetProperty("scoped_teams").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(plain.GetProperty("scoped_organizations").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(restricted.GetProperty("scopes").GetRawText(), Is.EqualTo("""["*"]"""));
            Assert.That(restricted.GetProperty("scoped_teams").GetRawText(), Is.EqualTo($"[{actor.ProjectId},42]"));
            Assert.That(restricted.GetProperty("scoped_organizations").GetRawText(), Is.EqualTo($"[\"{actor.Project.OrganizationId}\"]"));
            Assert.That(
                await IntegrationDatabase.ScalarAsync<string>("SELECT secure_value FROM personal_api_key WHERE id = @id", ("id", id)),
                Is.EqualTo(PersonalApiKeys.SecureValue(value)),
                "only the hash is stored");
        }

        Assert.That((await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId), value)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(
            (await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId), restricted.GetProperty("value").GetString())).StatusCode,
            Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Revoke_personal_api_key_prints_the_id_revoked_and_the_key_stops_working()
    {
        var actor = await CreateActorAsync();

        var output = await RunAsync("revoke-personal-api-key", "--id", actor.ApiKey.Id.ToString());

        Assert.That(output.GetRawText(), Is.EqualTo($$"""{"id":"{{actor.ApiKey.Id}}","revoked":true}"""));
        Assert.That((await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Web, actor.ProjectId), actor.Key)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [TestCaseSource(nameof(RefusedCommands))]
    public async Task Bad_input_exits_non_zero_with_a_message_on_stderr_and_changes_nothing(string[] args)
    {
        var organization = await Admin.CreateOrganizationAsync("Org", CancellationToken.None);
        var project = await Admin.CreateProjectAsync(organization.Id, "Project", CancellationToken.None);
        await Admin.CreateUserAsync("taken@example.com", null, null, CancellationToken.None);
        var resolved = args.Select(a => a
            .Replace("{org}", organization.Id.ToString(), StringComparison.Ordinal)
            .Replace("{project}", project.Id.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{email}", "taken@example.com", StringComparison.Ordinal)
            .Replace("{missing}", Guid.CreateVersion7().ToString(), StringComparison.Ordinal)).ToArray();
        var before = await SnapshotAsync();

        var (exitCode, stdout, stderr) = await RunRawAsync(resolved);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exitCode, Is.Not.Zero, stdout);
            Assert.That(stderr.Trim(), Is.Not.Empty);
            Assert.That(stdout, Is.Empty);
            Assert.That(await SnapshotAsync(), Is.EqualTo(before), "nothing changed");
        }
    }

    [Test]
    public async Task Admin_command_applies_the_migrations_first()
    {
        const string schema = "pf_it_admin";
        await IntegrationDatabase.ExecuteAsync($"DROP SCHEMA IF EXISTS {schema} CASCADE");
        Environment.SetEnvironmentVariable(SchemaVariable, schema);
        try
        {
            var (exitCode, stdout, stderr) = await RunRawAsync(["create-organization", "--name", "Fresh"]);

            Assert.That(exitCode, Is.Zero, stderr);
            Assert.That(JsonDocument.Parse(stdout).RootElement.GetProperty("name").GetString(), Is.EqualTo("Fresh"));
            Assert.That(await IntegrationDatabase.ScalarAsync<long>($"SELECT count(*) FROM {schema}.organization"), Is.EqualTo(1));
        }
        finally
        {
            Environment.SetEnvironmentVariable(SchemaVariable, IntegrationDatabase.Schema);
            await IntegrationDatabase.ExecuteAsync($"DROP SCHEMA IF EXISTS {schema} CASCADE");
        }
    }

    /// <summary>Runs a command that must succeed: exit 0, nothing on stderr, exactly one JSON object on one line.</summary>
    private static async Task<JsonElement> RunAsync(params string[] args)
    {
        var (exitCode, stdout, stderr) = await RunRawAsync(args);
        Assert.That(exitCode, Is.Zero, stderr);
        Assert.That(stderr, Is.Empty);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), stdout);
        using var document = JsonDocument.Parse(lines[0]);
        Assert.That(document.RootElement.ValueKind, Is.EqualTo(JsonValueKind.Object));
        return document.RootElement.Clone();
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunRawAsync(string[] args)
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        var exitCode = await AdminCommandLine.RunAsync(args, stdout, stderr);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    private static string Keys(JsonElement element) => string.Join(',', element.EnumerateObject().Select(p => p.Name));

    private static Task<string> MembershipsAsync(long userId) =>
        IntegrationDatabase.ScalarAsync<string>(
            "SELECT coalesce(string_agg(organization_id::text || ':' || level, ',' ORDER BY organization_id), '') FROM organization_membership WHERE user_id = @user",
            ("user", userId));

    /// <summary>Every row of every table, hashed: equal snapshots mean nothing changed.</summary>
    private static Task<string> SnapshotAsync() =>
        IntegrationDatabase.ScalarAsync<string>("""
            SELECT md5(concat_ws('|',
                (SELECT string_agg(t::text, ',' ORDER BY t::text) FROM organization t),
                (SELECT string_agg(t::text, ',' ORDER BY t::text) FROM team t),
                (SELECT string_agg(t::text, ',' ORDER BY t::text) FROM app_user t),
                (SELECT string_agg(t::text, ',' ORDER BY t::text) FROM organization_membership t),
                (SELECT string_agg(t::text, ',' ORDER BY t::text) FROM personal_api_key t),
                (SELECT string_agg(t::text, ',' ORDER BY t::text) FROM persisted_folder t)))
            """);
}
