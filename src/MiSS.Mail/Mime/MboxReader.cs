using System.Globalization;
using System.Text;

namespace MiSS.Mail.Mime;

/// <summary>One message of an mbox: its "From " separator line and its bytes (a slice of the mbox).</summary>
public sealed record MboxMessage(string Separator, ReadOnlyMemory<byte> Data);

/// <summary>Splits an mbox file into messages without copying them.</summary>
public static class MboxReader
{
    /// <summary>
    /// A line starting with "From " separates messages (body lines of that form are expected to be quoted as
    /// ">From ", which is left as is). A Content-Length field is honoured when it lands exactly on the next
    /// separator or the end of the file, so unquoted "From " lines inside such bodies do not split them. Without it,
    /// one empty line before the next separator belongs to the mbox format, not to the message.
    /// </summary>
    public static IReadOnlyList<MboxMessage> Split(ReadOnlyMemory<byte> mbox)
    {
        var messages = new List<MboxMessage>();
        var span = mbox.Span;
        var pos = span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0; // UTF-8 byte order mark
        if (!span[pos..].StartsWith("From "u8))
            pos = NextSeparator(span, pos);
        while (pos < span.Length)
        {
            var newline = span[pos..].IndexOf((byte)'\n');
            var dataStart = newline < 0 ? span.Length : pos + newline + 1;
            var separator = Charsets.Utf8OrLatin1(span[pos..dataStart].TrimEnd("\r\n"u8));
            int dataEnd, next;
            if (ContentLengthEnd(span, dataStart) is { } end)
            {
                dataEnd = end;
                next = SkipEmptyLines(span, end);
            }
            else
            {
                next = NextSeparator(span, dataStart);
                dataEnd = next;
                if (dataEnd - 1 > dataStart && span[dataEnd - 1] == (byte)'\n')
                {
                    var before = dataEnd - 1 > 0 && span[dataEnd - 2] == (byte)'\r' ? dataEnd - 2 : dataEnd - 1;
                    if (before > dataStart && span[before - 1] == (byte)'\n')
                        dataEnd = before; // the empty line that precedes the separator
                }
            }
            messages.Add(new MboxMessage(separator, mbox[dataStart..dataEnd]));
            pos = next;
        }
        return messages;
    }

    private static int NextSeparator(ReadOnlySpan<byte> span, int from)
    {
        var hit = span[from..].IndexOf("\nFrom "u8);
        return hit < 0 ? span.Length : from + hit + 1;
    }

    private static int SkipEmptyLines(ReadOnlySpan<byte> span, int pos)
    {
        while (pos < span.Length && span[pos] is (byte)'\r' or (byte)'\n')
            pos++;
        return pos;
    }

    /// <summary>The body end given by Content-Length, when it is plausible (lands on a separator or the end).</summary>
    private static int? ContentLengthEnd(ReadOnlySpan<byte> span, int start)
    {
        int? length = null;
        var pos = start;
        while (pos < span.Length)
        {
            var newline = span[pos..].IndexOf((byte)'\n');
            var next = newline < 0 ? span.Length : pos + newline + 1;
            var line = span[pos..next].TrimEnd("\r\n"u8);
            pos = next;
            if (line.IsEmpty)
                break;
            if (line.Length > 15 && Ascii.EqualsIgnoreCase(line[..15], "Content-Length:"u8)
                && int.TryParse(Encoding.ASCII.GetString(line[15..]).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                length = n;
        }
        if (length is not { } bodyLength || bodyLength > span.Length - pos)
            return null;
        var end = pos + bodyLength;
        var after = SkipEmptyLines(span, end);
        return after == span.Length || span[after..].StartsWith("From "u8) ? end : null;
    }
}
