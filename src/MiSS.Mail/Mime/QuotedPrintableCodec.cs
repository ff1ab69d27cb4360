using System.Text;

namespace MiSS.Mail.Mime;

/// <summary>Quoted-printable (RFC 2045 §6.7). CRLF in the data is a hard line break; every other byte round-trips exactly.</summary>
public static class QuotedPrintableCodec
{
    private const int MaxLine = 76;
    private static readonly byte[] Hex = "0123456789ABCDEF"u8.ToArray();

    /// <summary>Encodes: soft breaks keep lines ≤ 76, '=' and trailing whitespace are encoded, lone CR/LF become =0D/=0A.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> data)
    {
        var output = new List<byte>(data.Length + (data.Length / 8) + 16);
        var line = 0;
        for (var i = 0; i < data.Length; i++)
        {
            var b = data[i];
            if (b == (byte)'\r' && i + 1 < data.Length && data[i + 1] == (byte)'\n')
            {
                output.Add((byte)'\r');
                output.Add((byte)'\n');
                line = 0;
                i++;
                continue;
            }
            var atLineEnd = i + 1 == data.Length || (data[i + 1] == (byte)'\r' && i + 2 < data.Length && data[i + 2] == (byte)'\n');
            // "From " at a line start is encoded so that mbox tools do not mangle it into ">From ".
            var literal = b is >= 33 and <= 126 && b != (byte)'='
                || (b is (byte)' ' or (byte)'\t' && !atLineEnd);
            if (line == 0 && b == (byte)'F' && data[i..].StartsWith("From "u8))
                literal = false;
            var width = literal ? 1 : 3;
            // Keep room for the '=' of a soft break unless this is the last character of the line.
            var limit = atLineEnd ? MaxLine : MaxLine - 1;
            if (line + width > limit)
            {
                output.Add((byte)'=');
                output.Add((byte)'\r');
                output.Add((byte)'\n');
                line = 0;
            }
            if (literal)
            {
                output.Add(b);
            }
            else
            {
                output.Add((byte)'=');
                output.Add(Hex[b >> 4]);
                output.Add(Hex[b & 15]);
            }
            line += width;
        }
        return [.. output];
    }

    /// <summary>Encodes to a string (see <see cref="Encode(ReadOnlySpan{byte})"/>).</summary>
    public static string EncodeToString(ReadOnlySpan<byte> data) => Encoding.ASCII.GetString(Encode(data));

    /// <summary>Decodes tolerantly: bare LF accepted, hard breaks become CRLF, transport-added trailing whitespace dropped, malformed '=' kept literally.</summary>
    public static byte[] Decode(ReadOnlySpan<byte> encoded) => DecodeToMemory(encoded).ToArray();

    /// <summary>Decodes into a buffer that may be larger than the result: no second copy for big bodies.</summary>
    internal static ReadOnlyMemory<byte> DecodeToMemory(ReadOnlySpan<byte> encoded)
    {
        // A bare LF hard break grows to CRLF: size the buffer for that once.
        var output = new byte[encoded.Length + encoded.Count((byte)'\n')];
        var o = 0;
        var pos = 0;
        while (pos < encoded.Length)
        {
            var nl = encoded[pos..].IndexOf((byte)'\n');
            var hasBreak = nl >= 0;
            var lineEnd = hasBreak ? pos + nl : encoded.Length;
            var contentEnd = lineEnd;
            if (hasBreak && contentEnd > pos && encoded[contentEnd - 1] == (byte)'\r')
                contentEnd--;
            // Whitespace at the end of an encoded line was added in transport (RFC 2045 rule 3).
            while (contentEnd > pos && encoded[contentEnd - 1] is (byte)' ' or (byte)'\t')
                contentEnd--;
            var soft = false;
            for (var i = pos; i < contentEnd; i++)
            {
                var b = encoded[i];
                if (b != (byte)'=')
                {
                    output[o++] = b;
                    continue;
                }
                if (i + 1 == contentEnd)
                {
                    soft = true;
                    break;
                }
                if (i + 2 < contentEnd && HexValue(encoded[i + 1]) is var hi and >= 0 && HexValue(encoded[i + 2]) is var lo and >= 0)
                {
                    output[o++] = (byte)((hi << 4) | lo);
                    i += 2;
                    continue;
                }
                output[o++] = b;
            }
            if (hasBreak && !soft)
            {
                output[o++] = (byte)'\r';
                output[o++] = (byte)'\n';
            }
            pos = hasBreak ? lineEnd + 1 : encoded.Length;
        }
        return output.AsMemory(0, o);
    }

    /// <summary>Decodes a string (see <see cref="Decode(ReadOnlySpan{byte})"/>).</summary>
    public static byte[] Decode(string encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        return Decode(Encoding.Latin1.GetBytes(encoded));
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        _ => -1,
    };
}
