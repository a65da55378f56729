using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace PersistedFolder.Api.Json;

/// <summary>
/// Escapes only what JSON requires (quote, backslash, control characters), as Python's
/// <c>json.dumps(ensure_ascii=False)</c> behind PostHog's renderer does: non-ASCII text,
/// emoji included, is written as itself rather than as <c>\uXXXX</c> escapes.
/// </summary>
public sealed class MinimalJsonEncoder : JavaScriptEncoder
{
    private static readonly SearchValues<char> MustEscapeChars = SearchValues.Create(Enumerable.Range(0, 0x20).Select(c => (char)c).Concat(['"', '\\']).ToArray());
    private static readonly SearchValues<byte> MustEscapeBytes = SearchValues.Create(Enumerable.Range(0, 0x20).Select(b => (byte)b).Concat([(byte)'"', (byte)'\\']).ToArray());

    private MinimalJsonEncoder()
    {
    }

    public static MinimalJsonEncoder Instance { get; } = new();

    public override int MaxOutputCharactersPerInputCharacter => 6; // \u001f

    public override bool WillEncode(int unicodeScalar) => unicodeScalar is < 0x20 or '"' or '\\';

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength) =>
        new ReadOnlySpan<char>(text, textLength).IndexOfAny(MustEscapeChars);

    public override int FindFirstCharacterToEncodeUtf8(ReadOnlySpan<byte> utf8Text) => utf8Text.IndexOfAny(MustEscapeBytes);

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        var destination = new Span<char>(buffer, bufferLength);
        if (!WillEncode(unicodeScalar))
        {
            return new Rune(unicodeScalar).TryEncodeToUtf16(destination, out numberOfCharactersWritten);
        }

        var escaped = unicodeScalar switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\b' => "\\b",
            '\f' => "\\f",
            _ => string.Create(CultureInfo.InvariantCulture, $"\\u{unicodeScalar:x4}"),
        };
        if (!escaped.AsSpan().TryCopyTo(destination))
        {
            numberOfCharactersWritten = 0;
            return false;
        }

        numberOfCharactersWritten = escaped.Length;
        return true;
    }
}
