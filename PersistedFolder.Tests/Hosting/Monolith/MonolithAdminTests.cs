using System.Globalization;
using System.Net;
using System.Text.Json;

namespace PersistedFolder.Tests.Integration.Hosting.Monolith;

/// <summary>
/// SPEC §10 and §12: the admin commands from the monolith's own executable
/// (<see cref="MonolithProgram.MainAsync"/>: <c>monolith admin …</c>), on the monolith's configuration
/// (its environment here: the connection string test.sh sets, the tests' schema set for the
/// fixture's duration), and their results used over HTTP.
/// </summary>
public sealed class MonolithAdminTests : MonolithFixture
{
    private const string SchemaVariable = "PersistedFolder__Schema";
    private string? previousSchema;

    [OneTimeSetUp]
    public void PointTheHostsConfigurationAtTheTestSchema()
    {
        previousSchema = Environment.GetEnvironmentVariable(SchemaVariable);
        Environment.SetEnvironmentVariable(SchemaVariable, IntegrationDatabase.Schema);
    }

    [OneTimeTearDown]
    public void RestoreTheEnvironment() => Environment.SetEnvironmentVariable(SchemaVariable, previousSchema);

    [Test]
    public async Task Add_member_from_the_hosts_entry_lets_a_provisioned_host_user_in()
    {
        var project = await CreateProjectAsync();
        var subject = Unique("sub");
        var email = $"{subject}@monolith.test";
        var token = MonolithTokens.Mint(subject, email);
        var collection = Routes.Collection(Routes.Web, project.Id);
        await AssertForbiddenInTheContractShapeAsync(await AsHostUserAsync(HttpMethod.Get, collection, token));

        var (exitCode, output, errors) = await RunAdminAsync("add-member", "--email", email, "--organization", project.OrganizationId.ToString());

        Assert.That(exitCode, Is.Zero, errors);
        using var membership = JsonDocument.Parse(output);
        var userId = await IntegrationDatabase.ScalarAsync<long>("SELECT id FROM app_user WHERE email = @email", ("email", email));
        Assert.That(membership.RootElement.GetProperty("user_id").GetInt64(), Is.EqualTo(userId));
        var created = await ExpectAsync(
            await AsHostUserAsync(HttpMethod.Post, collection, token, Json("""{"type":"home"}""")), HttpStatusCode.Created, Wire.ReadFolderAsync);
        var listed = await ExpectAsync(await AsHostUserAsync(HttpMethod.Get, collection, token), HttpStatusCode.OK, Wire.ReadPageAsync);
        Assert.That(listed.Results, Is.EqualTo(new[] { created }));
    }

    [Test]
    public async Task Organization_project_user_and_key_from_the_hosts_entry_work_over_http()
    {
        var (_, organizationJson, _) = await RunAdminAsync("create-organization", "--name", Unique("org"));
        var organization = JsonDocument.Parse(organizationJson).RootElement.GetProperty("id").GetString()!;
        var (_, projectJson, _) = await RunAdminAsync("create-project", "--organization", organization, "--name", Unique("project"));
        var project = JsonDocument.Parse(projectJson).RootElement.GetProperty("id").GetInt64();
        var email = $"{Unique("user")}@example.com";
        await RunAdminAsync("create-user", "--email", email, "--organization", organization);
        var (exitCode, keyJson, errors) = await RunAdminAsync("create-personal-api-key", "--email", email, "--label", "monolith", "--scopes", ReadWrite);

        Assert.That(exitCode, Is.Zero, errors);
        var key = JsonDocument.Parse(keyJson).RootElement.GetProperty("value").GetString()!;
        var response = await SendAsync(HttpMethod.Get, Routes.Collection(Routes.Desktop, project.ToString(CultureInfo.InvariantCulture)), key);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Bad_admin_command_from_the_hosts_entry_exits_non_zero_with_a_message()
    {
        var (exitCode, output, errors) = await RunAdminAsync("add-member", "--email", "nobody@example.com");

        Assert.That(exitCode, Is.EqualTo(2));
        Assert.That(output, Is.Empty);
        Assert.That(errors, Does.StartWith("admin: add-member: --organization is required."));
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunAdminAsync(params string[] command)
    {
        using var stdout = new StringWriter(CultureInfo.InvariantCulture);
        using var stderr = new StringWriter(CultureInfo.InvariantCulture);
        var exitCode = await MonolithProgram.MainAsync(["admin", .. command], stdout, stderr);
        return (exitCode, stdout.ToString().Trim(), stderr.ToString().Trim());
    }
}
