using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PersistedFolder.Tests.Integration.Hardening;

/// <summary>
/// The real service as a separate process (the built <c>PersistedFolder.Api.dll</c>, as
/// <c>scripts/test.sh</c> runs it) on a free loopback port, on the tests' schema, with its console
/// output kept. Stopped with SIGTERM, as an orchestrator stops it; killed if it outlives the test.
/// </summary>
public sealed class ServiceProcess : IDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();

    private ServiceProcess(Process process, IPEndPoint endPoint)
    {
        this.process = process;
        EndPoint = endPoint;
        process.OutputDataReceived += (_, line) => Keep(line.Data);
        process.ErrorDataReceived += (_, line) => Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public IPEndPoint EndPoint { get; }

    public string Host => $"127.0.0.1:{EndPoint.Port}";

    public IReadOnlyCollection<string> Output => output;

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    public static ServiceProcess Start(IReadOnlyDictionary<string, string> settings)
    {
        var directory = ApiBinaries();
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(directory, "PersistedFolder.Api.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        start.Environment["ConnectionStrings__PersistedFolder"] = IntegrationDatabase.RequireConnectionString();
        start.Environment["PersistedFolder__Schema"] = IntegrationDatabase.Schema;
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in settings)
        {
            start.Environment[name.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the service.");
        return new ServiceProcess(process, new IPEndPoint(IPAddress.Loopback, port));
    }

    /// <summary>Waits until <c>/_readyz</c> answers 200.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < limit && !process.HasExited)
        {
            try
            {
                await using var connection = await RawHttpConnection.ConnectAsync(EndPoint);
                var response = await connection.SendAsync("GET", "/_readyz", Host, [("Connection", "close")], null);
                if (response.Status == 200)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is SocketException or NoResponseException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        Assert.Fail($"The service did not become ready within {limit.TotalSeconds} s:\n{string.Join('\n', output.TakeLast(40))}");
    }

    /// <summary>SIGTERM, as <c>kill</c>, systemd or Kubernetes stop a service.</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", process.Id.ToString(CultureInfo.InvariantCulture) } })
            ?? throw new InvalidOperationException("Could not run kill.");
        kill.WaitForExit();
    }

    public Task<bool> WaitForExitAsync(TimeSpan limit) =>
        process.WaitForExitAsync(new CancellationTokenSource(limit).Token).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default);

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }

        process.Dispose();
    }

    /// <summary>PersistedFolder.Api's own build output, of the configuration these tests were built in.</summary>
    private static string ApiBinaries()
    {
        var tests = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = tests.Name;
        var configuration = tests.Parent!.Name;
        for (var directory = tests; directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "PersistedFolder.Api", "bin", configuration, framework);
            if (File.Exists(Path.Combine(candidate, "PersistedFolder.Api.dll")))
            {
                return candidate;
            }
        }

        // The copy beside the tests (the Api project is referenced, so it is built with them).
        return tests.FullName;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            output.Enqueue(line);
        }
    }
}
