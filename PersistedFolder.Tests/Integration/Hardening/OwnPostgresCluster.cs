using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace PersistedFolder.Tests.Integration.Hardening;

/// <summary>
/// A PostgreSQL cluster of a test's own, to stop and start at will (never the shared one): data and
/// socket in a fresh directory under /tmp, trust authentication on 127.0.0.1, a free port. As <c>scripts/lib/pg.sh</c> does, the server binaries run as the <c>postgres</c> user
/// through <c>runuser</c> when the tests run as root (initdb and postgres refuse root).
/// </summary>
public sealed class OwnPostgresCluster : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private readonly string root;
    private bool disposed;

    private OwnPostgresCluster(string root, int port)
    {
        this.root = root;
        Port = port;
    }

    /// <summary>Where the server binaries are: <c>PG_BIN</c>, else Debian's PostgreSQL 15.</summary>
    public static string Binaries =>
        Environment.GetEnvironmentVariable("PG_BIN") is { Length: > 0 } configured ? configured : "/usr/lib/postgresql/15/bin";

    public int Port { get; }

    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres");

    private static bool IsRoot => Environment.UserName == "root";

    private string DataDirectory => Path.Combine(root, "data");

    /// <summary>
    /// Skips the calling fixture when PostgreSQL's server binaries (or, as root, the postgres user)
    /// are missing, and fails it when <c>CI</c> is set, where that is a broken pipeline.
    /// </summary>
    public static void RequireBinaries()
    {
        string? missing = null;
        if (!File.Exists(Path.Combine(Binaries, "initdb")) || !File.Exists(Path.Combine(Binaries, "pg_ctl")))
        {
            missing = $"PostgreSQL server binaries not found in {Binaries} (install postgresql-15 or set PG_BIN)";
        }
        else if (IsRoot && !File.ReadLines("/etc/passwd").Any(line => line.StartsWith("postgres:", StringComparison.Ordinal)))
        {
            missing = "running as root, but there is no postgres user to run the server as";
        }

        if (missing is null)
        {
            return;
        }

        var reason = $"The outage battery starts its own PostgreSQL cluster: {missing}.";
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Assert.Fail(reason);
        }

        Assert.Ignore(reason);
    }

    /// <summary>initdb and start, on a free port (another one if the port was taken meanwhile).</summary>
    public static OwnPostgresCluster Start()
    {
        // Under /tmp whatever TMPDIR says: the server user must reach it, and a Unix socket path
        // must stay short.
        var root = Path.Combine("/tmp", "pf-outage-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        Directory.CreateDirectory(root);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        if (IsRoot)
        {
            Run("chown", "postgres:postgres", root);
        }

        var lastFailure = string.Empty;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var cluster = new OwnPostgresCluster(root, FreePort());
            try
            {
                if (attempt == 0)
                {
                    RunAsServerUser("initdb", "-D", cluster.DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions");
                }

                cluster.StartServer();
                return cluster;
            }
            catch (InvalidOperationException exception)
            {
                lastFailure = exception.Message;
            }
        }

        Directory.Delete(root, recursive: true);
        throw new InvalidOperationException($"Could not start a PostgreSQL cluster: {lastFailure}");
    }

    /// <summary><c>pg_ctl stop -m fast</c>: clients are disconnected, committed work is kept.</summary>
    public void Stop() => RunAsServerUser("pg_ctl", "-D", DataDirectory, "-m", "fast", "-w", "-t", "30", "stop");

    /// <summary><c>pg_ctl start -w</c>: returns once the server accepts connections.</summary>
    public void StartServer() => RunAsServerUser(
        "pg_ctl", "-D", DataDirectory, "-l", Path.Combine(root, "server.log"), "-w", "-t", "30",
        "-o", string.Create(CultureInfo.InvariantCulture, $"-c listen_addresses=127.0.0.1 -p {Port} -k {root}"), "start");

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        try
        {
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                RunAsServerUser("pg_ctl", "-D", DataDirectory, "-m", "immediate", "-w", "-t", "30", "stop");
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void RunAsServerUser(string binary, params string[] arguments)
    {
        var path = Path.Combine(Binaries, binary);
        if (IsRoot)
        {
            Run("runuser", ["-u", "postgres", "--", path, .. arguments]);
        }
        else
        {
            Run(path, arguments);
        }
    }

    private static void Run(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not run {fileName}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} did not finish within {CommandTimeout.TotalSeconds} s.");
        }

        // The server started by pg_ctl writes to its own log file; these pipes close with pg_ctl.
        Task.WaitAll([output, error], TimeSpan.FromSeconds(5));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}: {(output.IsCompleted ? output.Result : string.Empty)} {(error.IsCompleted ? error.Result : string.Empty)}");
        }
    }
}
