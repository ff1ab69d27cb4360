using System.Text;

namespace MiSS.Mail.Imap;

/// <summary>Modified UTF-7 for mailbox names (RFC 3501 section 5.1.3).</summary>
public static class ImapMailboxName
{
    /// <summary>Encodes a mailbox name: printable ASCII stays, "&amp;" becomes "&amp;-", other text becomes "&amp;base64-".</summary>
    public static string Encode(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var output = new StringBuilder(name.Length);
        var pending = new StringBuilder();
        foreach (var c in name)
        {
            if (c is >= ' ' and <= '~')
            {
                Flush(output, pending);
                output.Append(c == '&' ? "&-" : c.ToString());
            }
            else
            {
                pending.Append(c);
            }
        }

        Flush(output, pending);
        return output.ToString();
    }

    /// <summary>Decodes a modified UTF-7 mailbox name; throws <see cref="FormatException"/> when it is malformed.</summary>
    public static string Decode(string encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        var output = new StringBuilder(encoded.Length);
        for (var i = 0; i < encoded.Length; i++)
        {
            var c = encoded[i];
            if (c != '&')
            {
                output.Append(c);
                continue;
            }

            var end = encoded.IndexOf('-', i + 1);
            if (end < 0)
            {
                throw new FormatException("unterminated shift sequence in a modified UTF-7 mailbox name");
            }

            if (end == i + 1)
            {
                output.Append('&');
            }
            else
            {
                var base64 = encoded[(i + 1)..end].Replace(',', '/');
                base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
                var bytes = Convert.FromBase64String(base64);
                if (bytes.Length % 2 != 0)
                {
                    throw new FormatException("odd number of bytes in a modified UTF-7 shift sequence");
                }

                output.Append(Encoding.BigEndianUnicode.GetString(bytes));
            }

            i = end;
        }

        return output.ToString();
    }

    private static void Flush(StringBuilder output, StringBuilder pending)
    {
        if (pending.Length == 0)
        {
            return;
        }

        var base64 = Convert.ToBase64String(Encoding.BigEndianUnicode.GetBytes(pending.ToString()));
        output.Append('&').Append(base64.TrimEnd('=').Replace('/', ',')).Append('-');
        pending.Clear();
    }
}
