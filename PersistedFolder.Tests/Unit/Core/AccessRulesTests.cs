using PersistedFolder.Core.Access;

namespace PersistedFolder.Tests.Unit.Core;

[TestFixture]
public sealed class AccessRulesTests
{
    private const string Folders = "persisted_folder";
    private const string NoProjectAccess = "You don't have access to the project.";
    private static readonly Guid Organization = Guid.Parse("0196f3a2-7c1e-7b3a-9d4e-2f1a0b9c8d7e");
    private static readonly Guid OtherOrganization = Guid.Parse("0196f3a2-0000-7000-8000-000000000001");
    private static readonly ProjectAccess Member = new(7, Organization, IsMember: true);
    private static readonly ProjectAccess NotMember = new(7, Organization, IsMember: false);

    [Test]
    public void Key_with_the_scope_on_a_member_project_is_granted([Values] bool write)
    {
        Assert.That(AccessRules.Deny(Member, Key([Scope(write)]), Folders, write), Is.Null);
    }

    [Test]
    public void Scoped_teams_that_exclude_the_project_deny_with_its_id()
    {
        Assert.That(
            AccessRules.Deny(Member, Key(["*"], teams: [8, 9]), Folders, write: false),
            Is.EqualTo("API key does not have access to the requested project: ID 7."));
    }

    [Test]
    public void Scoped_teams_that_include_the_project_allow_it()
    {
        Assert.That(AccessRules.Deny(Member, Key(["*"], teams: [8, 7]), Folders, write: true), Is.Null);
    }

    [Test]
    public void Scoped_organizations_that_exclude_the_project_deny_with_its_organization_id()
    {
        Assert.That(
            AccessRules.Deny(Member, Key(["*"], organizations: [OtherOrganization]), Folders, write: false),
            Is.EqualTo("API key does not have access to the requested organization: ID 0196f3a2-7c1e-7b3a-9d4e-2f1a0b9c8d7e."));
    }

    [Test]
    public void Scoped_organizations_that_include_the_project_allow_it()
    {
        Assert.That(AccessRules.Deny(Member, Key(["*"], organizations: [OtherOrganization, Organization]), Folders, write: false), Is.Null);
    }

    [Test]
    public void Empty_restriction_lists_restrict_nothing()
    {
        Assert.That(AccessRules.Deny(Member, Key(["*"], teams: [], organizations: []), Folders, write: true), Is.Null);
    }

    [Test]
    public void Missing_scope_names_the_required_scope([Values] bool write)
    {
        Assert.That(
            AccessRules.Deny(Member, Key(["insight:write"]), Folders, write),
            Is.EqualTo($"API key missing required scope '{Scope(write)}'"));
    }

    [Test]
    public void Write_scope_grants_read()
    {
        Assert.That(AccessRules.Deny(Member, Key(["persisted_folder:write"]), Folders, write: false), Is.Null);
    }

    [Test]
    public void Read_scope_does_not_grant_write()
    {
        Assert.That(
            AccessRules.Deny(Member, Key(["persisted_folder:read"]), Folders, write: true),
            Is.EqualTo("API key missing required scope 'persisted_folder:write'"));
    }

    [Test]
    public void Star_grants_everything([Values] bool write)
    {
        Assert.That(AccessRules.Grants(["*"], Folders, write), Is.True);
    }

    [Test]
    public void Empty_scopes_grant_nothing([Values] bool write)
    {
        Assert.That(AccessRules.Grants([], Folders, write), Is.False);
    }

    [Test]
    public void Scopes_are_case_sensitive_and_per_object([Values("Persisted_Folder:read", "persisted_folder:READ", "persisted_folder", "insight:read", "persisted_folder:read ")] string scope)
    {
        Assert.That(AccessRules.Grants([scope], Folders, write: false), Is.False);
    }

    [Test]
    public void Key_checks_run_in_order_teams_then_organizations_then_scope_then_membership()
    {
        var everythingWrong = Key([], teams: [8], organizations: [OtherOrganization]);
        var rightTeam = Key([], teams: [7], organizations: [OtherOrganization]);
        var rightOrganization = Key([], teams: [7], organizations: [Organization]);
        var rightScope = Key(["persisted_folder:write"], teams: [7], organizations: [Organization]);

        Assert.That(
            new[]
            {
                AccessRules.Deny(NotMember, everythingWrong, Folders, write: true),
                AccessRules.Deny(NotMember, rightTeam, Folders, write: true),
                AccessRules.Deny(NotMember, rightOrganization, Folders, write: true),
                AccessRules.Deny(NotMember, rightScope, Folders, write: true),
                AccessRules.Deny(Member, rightScope, Folders, write: true),
            },
            Is.EqualTo(new[]
            {
                "API key does not have access to the requested project: ID 7.",
                "API key does not have access to the requested organization: ID 0196f3a2-7c1e-7b3a-9d4e-2f1a0b9c8d7e.",
                "API key missing required scope 'persisted_folder:write'",
                NoProjectAccess,
                null,
            }));
    }

    [Test]
    public void Key_with_every_scope_still_needs_membership()
    {
        Assert.That(AccessRules.Deny(NotMember, Key(["*"]), Folders, write: false), Is.EqualTo(NoProjectAccess));
    }

    [Test]
    public void Host_principal_without_a_key_skips_the_key_checks([Values] bool write)
    {
        Assert.That(AccessRules.Deny(Member, key: null, Folders, write), Is.Null);
    }

    [Test]
    public void Host_principal_without_a_key_still_needs_membership([Values] bool write)
    {
        Assert.That(AccessRules.Deny(NotMember, key: null, Folders, write), Is.EqualTo(NoProjectAccess));
    }

    [Test]
    public void Required_scope_is_object_colon_action()
    {
        Assert.That(
            (AccessRules.RequiredScope(Folders, write: false), AccessRules.RequiredScope(Folders, write: true)),
            Is.EqualTo(("persisted_folder:read", "persisted_folder:write")));
    }

    private static string Scope(bool write) => write ? "persisted_folder:write" : "persisted_folder:read";

    private static KeyGrant Key(string[] scopes, long[]? teams = null, Guid[]? organizations = null) => new(scopes, teams, organizations);
}

[TestFixture]
public sealed class ProjectReferenceTests
{
    [Test]
    public void Current_token_parses_to_the_current_project()
    {
        Assert.That(ProjectReference.TryParse("@current", out var project), Is.True);
        Assert.That(project.IsCurrent, Is.True);
    }

    [TestCase("0", 0L)]
    [TestCase("7", 7L)]
    [TestCase("0042", 42L)]
    [TestCase("9223372036854775807", long.MaxValue)]
    public void Digits_parse_to_a_team_id(string value, long expected)
    {
        Assert.That(ProjectReference.TryParse(value, out var project), Is.True);
        Assert.That(project.TeamId, Is.EqualTo(expected));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("@Current")]
    [TestCase("current")]
    [TestCase("-1")]
    [TestCase("+1")]
    [TestCase(" 1")]
    [TestCase("1 ")]
    [TestCase("1.0")]
    [TestCase("1e3")]
    [TestCase("0x10")]
    [TestCase("1,000")]
    [TestCase("abc")]
    [TestCase("9223372036854775808")]
    [TestCase("\u0661\u0662")]
    public void Anything_else_does_not_parse(string? value)
    {
        Assert.That(ProjectReference.TryParse(value, out _), Is.False);
    }
}
