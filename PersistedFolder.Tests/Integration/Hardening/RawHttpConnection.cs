using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PersistedFolder.Tests.Integration.Hardening;

/// <summary>A response read off the wire: status, headers (lower-case names) and body.</summary>
public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public bool ClosesConnection => Headers.TryGetValue("connection", out var value) && value.Contains("close", StringComparison.OrdinalIgnoreCase);
}

/// <summary>The connection was closed or reset after a request was sent and before its response came.</summary>
public sealed class NoResponseException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// One HTTP/1.1 keep-alive connection over a plain socket, with no retries of its own (unlike
/// <see cref="HttpClient"/>, which silently resends on a fresh connection when a pooled one was
/// closed), so a batteries can count exactly what the server did with each request.
/// </summary>
public sealed class RawHttpConnection : IAsyncDisposable
{
    private readonly Socket socket;
    private readonly NetworkStream stream;
    private readonly byte[] buffer = new byte[16 * 1024];
    private int start;
    private int end;

    private RawHttpConnection(Socket socket)
    {
        this.socket = socket;
        stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Connects; a refused connection throws <see cref="SocketException"/> (ConnectionRefused).</summary>
    public static async Task<RawHttpConnection> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
            return new RawHttpConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Writes raw bytes (for bodies sent slowly or cut short).</summary>
    public async Task WriteAsync(string text, CancellationToken cancellationToken = default) =>
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    /// <summary>Sends a request and reads its response; <see cref="NoResponseException"/> when none came.</summary>
    public async Task<RawResponse> SendAsync(string method, string path, string host, IEnumerable<(string Name, string Value)> headers, string? json, CancellationToken cancellationToken = default)
    {
        var request = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{method} {path} HTTP/1.1\r\nHost: {host}\r\n");
        foreach (var (name, value) in headers)
        {
            request.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        var body = json is null ? [] : Encoding.UTF8.GetBytes(json);
        if (json is not null)
        {
            request.Append(CultureInfo.InvariantCulture, $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n");
        }

        request.Append("\r\n");
        try
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()).Concat(body).ToArray(), cancellationToken);
        }
        catch (IOException exception)
        {
            throw new NoResponseException("the connection was closed while the request was written", exception);
        }

        return await ReadResponseAsync(cancellationToken);
    }

    /// <summary>Reads one response (Content-Length or chunked body).</summary>
    public async Task<RawResponse> ReadResponseAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var head = await ReadUntilAsync("\r\n\r\n"u8.ToArray(), cancellationToken);
            var lines = Encoding.ASCII.GetString(head).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
            var headers = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
            }

            var body = new List<byte>();
            if (headers.TryGetValue("content-length", out var length))
            {
                body.AddRange(await ReadExactlyAsync(int.Parse(length, CultureInfo.InvariantCulture), cancellationToken));
            }
            else if (headers.TryGetValue("transfer-encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                while (true)
                {
                    var sizeLine = Encoding.ASCII.GetString(await ReadUntilAsync("\r\n"u8.ToArray(), cancellationToken)).Trim();
                    var size = int.Parse(sizeLine.Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    body.AddRange(await ReadExactlyAsync(size, cancellationToken));
                    await ReadExactlyAsync(2, cancellationToken);
                    if (size == 0)
                    {
                        break;
                    }
                }
            }

            return new RawResponse(status, headers, Encoding.UTF8.GetString([.. body]));
        }
        catch (Exception exception) when (exception is IOException or SocketException or EndOfStreamException)
        {
            throw new NoResponseException($"no response: {exception.GetType().Name}: {exception.Message}", exception);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stream.DisposeAsync();
        socket.Dispose();
    }

    private async Task<byte[]> ReadUntilAsync(byte[] delimiter, CancellationToken cancellationToken)
    {
        while (true)
        {
            var found = buffer.AsSpan(start, end - start).IndexOf(delimiter);
            if (found >= 0)
            {
                var result = buffer.AsSpan(start, found).ToArray();
                start += found + delimiter.Length;
                return result;
            }

            await FillAsync(cancellationToken);
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        var result = new byte[count];
        var copied = 0;
        while (copied < count)
        {
            if (start == end)
            {
                await FillAsync(cancellationToken);
            }

            var take = Math.Min(count - copied, end - start);
            buffer.AsSpan(start, take).CopyTo(result.AsSpan(copied));
            start += take;
            copied += take;
        }

        return result;
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (start > 0)
        {
            buffer.AsSpan(start, end - start).CopyTo(buffer);
            end -= start;
            start = 0;
        }

        if (end == buffer.Length)
        {
            throw new IOException("response head too large");
        }

        var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken);
        if (read == 0)
        {
            throw new EndOfStreamException("the server closed the connection");
        }

        end += read;
    }
}
