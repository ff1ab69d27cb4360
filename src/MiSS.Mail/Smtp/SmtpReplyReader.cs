using System.Text;
using MiSS.Mail;
using MiSS.Mail.Net;
using MiSS.Mail.Tls;

namespace MiSS.Mail.Smtp;

/// <summary>Reads SMTP replies ("250-first", "250 last") from a <see cref="MailStreamReader"/>.</summary>
internal static class SmtpReplyReader
{
    /// <summary>Longest reply line accepted (RFC 5321 says 512; servers are allowed some slack).</summary>
    public const int MaxLineLength = 64 * 1024;

    private const int MaxLines = 1000;

    /// <summary>Reads one complete reply; a malformed one throws <see cref="MailProtocolException"/>.</summary>
    public static async ValueTask<SmtpReply> ReadAsync(MailStreamReader reader, CancellationToken ct)
    {
        var lines = new List<string>();
        var code = -1;
        while (true)
        {
            var raw = await reader.ReadLineAsync(MaxLineLength, ct);
            var (lineCode, isLast, text) = ParseLine(raw);
            if (code == -1)
            {
                code = lineCode;
            }
            else if (lineCode != code)
            {
                throw new MailProtocolException($"the server changed the reply code from {code} to {lineCode} inside one reply");
            }

            lines.Add(text);
            if (isLast)
            {
                return new SmtpReply(code, ParseEnhancedCode(code, lines[0]), lines);
            }

            if (lines.Count >= MaxLines)
            {
                throw new MailProtocolException($"the server sent a reply of more than {MaxLines} lines");
            }
        }
    }

    /// <summary>Splits one reply line into code, whether it is the last line, and text.</summary>
    internal static (int Code, bool IsLast, string Text) ParseLine(ReadOnlySpan<byte> raw)
    {
        if (raw.Length < 3 || !IsDigit(raw[0], '2', '5') || !IsDigit(raw[1], '0', '9') || !IsDigit(raw[2], '0', '9'))
        {
            throw new MailProtocolException($"the server sent a malformed reply line: \"{Printable(raw, 80)}\"");
        }

        var code = ((raw[0] - '0') * 100) + ((raw[1] - '0') * 10) + (raw[2] - '0');
        if (raw.Length == 3)
        {
            return (code, true, string.Empty);
        }

        return raw[3] switch
        {
            (byte)' ' => (code, true, Printable(raw[4..], int.MaxValue)),
            (byte)'-' => (code, false, Printable(raw[4..], int.MaxValue)),
            _ => throw new MailProtocolException($"the server sent a malformed reply line: \"{Printable(raw, 80)}\""),
        };
    }

    /// <summary>
    /// Returns the RFC 3463 code ("class.subject.detail") at the start of <paramref name="text"/> when its class
    /// matches the reply code's first digit; otherwise null.
    /// </summary>
    internal static string? ParseEnhancedCode(int code, string text)
    {
        var span = text.AsSpan();
        var end = span.IndexOf(' ');
        var candidate = end < 0 ? span : span[..end];
        var parts = candidate.ToString().Split('.');
        if (parts.Length != 3 || parts[0].Length != 1 || parts[0][0] != (char)('0' + (code / 100)))
        {
            return null;
        }

        foreach (var part in parts.AsSpan(1))
        {
            if (part.Length is < 1 or > 3 || !part.All(char.IsAsciiDigit))
            {
                return null;
            }
        }

        return candidate.ToString();
    }

    private static bool IsDigit(byte b, char min, char max) => b >= min && b <= max;

    /// <summary>Decodes server text as UTF-8 and replaces control characters, so it is safe in messages and logs.</summary>
    internal static string Printable(ReadOnlySpan<byte> bytes, int maxLength)
    {
        var text = Encoding.UTF8.GetString(bytes.Length > maxLength ? bytes[..maxLength] : bytes);
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }
}
