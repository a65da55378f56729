using System.Collections.Concurrent;
using PersistedFolder.Tests.Integration.Hardening;

namespace PersistedFolder.Tests.Integration.Hosting.Monolith;

/// <summary>
/// SPEC §12, the differential suite: the monolith's own requests (<see cref="HostCases"/>) answer
/// exactly alike (status, headers, body, log entries) whether the folder API is absent, added before
/// the monolith's own services or after them, for each way the monolith authenticates (JWT as the
/// default scheme, JWT as its only scheme with no default named, no authentication at all).
/// </summary>
[NonParallelizable]
public sealed class MonolithDifferentialTests
{
    private const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>The answers of each authentication variant without the folder API, sent once per run.</summary>
    private static readonly ConcurrentDictionary<MonolithAuthentication, Lazy<Task<IReadOnlyList<HostAnswer>>>> Baselines = new();

    public static IEnumerable<TestCaseData> CasesWithIndex() =>
        HostCases.All.Select((@case, index) => new TestCaseData(index).SetArgDisplayNames(@case.Name));

    public static IEnumerable<TestCaseData> VariantsWithTheApi() =>
        from authentication in Enum.GetValues<MonolithAuthentication>()
        from folders in new[] { FolderRegistration.BeforeHostServices, FolderRegistration.AfterHostServices }
        select new TestCaseData(authentication, folders);

    [OneTimeSetUp]
    public Task CreateTheMonolithsDatabase()
    {
        IntegrationDatabase.RequireConnectionString();
        return MonolithDatabase.EnsureCreatedAsync();
    }

    [TestCaseSource(nameof(CasesWithIndex))]
    public async Task Without_the_folder_api_the_monolith_answers_as_it_means_to(int index)
    {
        var @case = HostCases.All[index];
        var answer = (await BaselineAsync(MonolithAuthentication.JwtAsDefault))[index];

        using (Assert.EnterMultipleScope())
        {
            Assert.That(answer.Status, Is.EqualTo(@case.ExpectedStatus), answer.ToString());
            Assert.That(answer.Logs, Does.StartWith($"{HostingDiagnostics}#1 "), "the request-start log event");
            @case.Check?.Invoke(answer);
        }
    }

    [Test]
    public async Task Jwt_as_the_only_scheme_without_a_default_answers_as_jwt_as_the_default() =>
        AssertSameAnswers(await BaselineAsync(MonolithAuthentication.JwtOnlyNoDefault), await BaselineAsync(MonolithAuthentication.JwtAsDefault));

    [TestCaseSource(nameof(VariantsWithTheApi))]
    public async Task With_the_folder_api_every_host_answer_is_unchanged(MonolithAuthentication authentication, FolderRegistration folders)
    {
        var expected = await BaselineAsync(authentication);

        var actual = await SendEveryCaseAsync(new MonolithVariant(authentication, folders));

        AssertSameAnswers(actual, expected);
    }

    private static void AssertSameAnswers(IReadOnlyList<HostAnswer> actual, IReadOnlyList<HostAnswer> expected)
    {
        Assert.That(actual, Has.Count.EqualTo(expected.Count));
        using (Assert.EnterMultipleScope())
        {
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.That(actual[i], Is.EqualTo(expected[i]), expected[i].Case);
            }
        }
    }

    private static Task<IReadOnlyList<HostAnswer>> BaselineAsync(MonolithAuthentication authentication) =>
        Baselines.GetOrAdd(authentication, a => new Lazy<Task<IReadOnlyList<HostAnswer>>>(
            () => SendEveryCaseAsync(new MonolithVariant(a, FolderRegistration.Absent)))).Value;

    /// <summary>Starts the variant, sends every case in order, stops it (so every log entry is in), and reads the answers.</summary>
    private static async Task<IReadOnlyList<HostAnswer>> SendEveryCaseAsync(MonolithVariant variant)
    {
        await using var monolith = await RunningMonolith.StartAsync(variant);
        var raw = new List<(string RequestId, int Status, string Headers, string Body)>();
        foreach (var @case in HostCases.All)
        {
            using var request = @case.Request();
            using var response = await monolith.Client.SendAsync(request);
            raw.Add(await HostAnswer.ReadAsync(response));
        }

        await monolith.StopAsync();
        return [.. HostCases.All.Zip(raw, (@case, answer) =>
            new HostAnswer(@case.Name, answer.Status, answer.Headers, answer.Body, LogsOf(monolith.Logs, answer.RequestId)))];
    }

    /// <summary>The entries logged within the request's scope, as category and event id: messages carry durations.</summary>
    private static string LogsOf(CapturedLogs logs, string requestId) =>
        requestId.Length == 0
            ? "(no request id)"
            : string.Join(' ', logs.Entries
                .Where(entry => entry.Scopes.Any(scope => scope.Contains($"RequestId={requestId}", StringComparison.Ordinal)))
                .Select(entry => $"{entry.Category}#{entry.EventId.Id}")) + " ";
}
