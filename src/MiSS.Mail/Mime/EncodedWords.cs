using System.Text;

namespace MiSS.Mail.Mime;

/// <summary>RFC 2047 encoded words ("=?charset?B|Q?text?=") in header text.</summary>
public static class EncodedWords
{
    // "=?utf-8?Q?" + "?=" leaves 63 characters of encoded text in a 75-character word.
    private const int MaxEncodedText = 75 - 12;
    private const string QSafe = "!*+-/";

    /// <summary>
    /// Decodes encoded words; whitespace between adjacent encoded words is dropped (RFC 2047 §6.2).
    /// Tolerant: words inside other text, spaces inside Q text, unknown charsets (UTF-8 then Latin-1), and
    /// multi-byte characters split across adjacent words of the same charset.
    /// </summary>
    public static string Decode(string headerText)
    {
        ArgumentNullException.ThrowIfNull(headerText);
        var start = headerText.IndexOf("=?", StringComparison.Ordinal);
        if (start < 0)
            return headerText;
        var sb = new StringBuilder(headerText.Length);
        sb.Append(headerText, 0, start);
        var pending = new List<byte>();
        string? pendingCharset = null;
        var pos = start;
        var nextEnd = -1; // cached position of the next "?=", keeps the scan linear
        var afterWord = false;
        while (pos < headerText.Length)
        {
            var open = headerText.IndexOf("=?", pos, StringComparison.Ordinal);
            if (open < 0)
                break;
            if (nextEnd < open + 2)
            {
                nextEnd = headerText.IndexOf("?=", open + 2, StringComparison.Ordinal);
                if (nextEnd < 0)
                    break;
            }
            if (!TryParseWord(headerText, open, ref nextEnd, out var charset, out var bytes, out var end))
            {
                Flush(sb, pending, ref pendingCharset);
                sb.Append(headerText, pos, open + 2 - pos);
                afterWord = false;
                pos = open + 2;
                continue;
            }
            var between = headerText.AsSpan(pos, open - pos);
            if (!(afterWord && between.IsWhiteSpace()))
            {
                Flush(sb, pending, ref pendingCharset);
                sb.Append(between);
            }
            else if (!string.Equals(charset, pendingCharset, StringComparison.OrdinalIgnoreCase))
            {
                Flush(sb, pending, ref pendingCharset);
            }
            pendingCharset = charset;
            pending.AddRange(bytes);
            afterWord = true;
            pos = end;
        }
        Flush(sb, pending, ref pendingCharset);
        sb.Append(headerText, pos, headerText.Length - pos);
        return sb.ToString();
    }

    private static void Flush(StringBuilder sb, List<byte> pending, ref string? charset)
    {
        if (pending.Count > 0)
            sb.Append(Charsets.Decode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(pending), charset));
        pending.Clear();
        charset = null;
    }

    private static bool TryParseWord(string s, int open, ref int nextEnd, out string charset, out byte[] bytes, out int end)
    {
        charset = "";
        bytes = [];
        end = 0;
        var q1 = s.IndexOf('?', open + 2, Math.Min(50, s.Length - open - 2));
        if (q1 <= open + 2 || q1 + 2 >= s.Length || s[q1 + 2] != '?')
            return false;
        var cs = s.AsSpan(open + 2, q1 - open - 2);
        var mode = char.ToUpperInvariant(s[q1 + 1]);
        if (cs.ContainsAny(" \t=") || mode is not ('B' or 'Q'))
            return false;
        var textStart = q1 + 3;
        // nextEnd caches the first "?=" at or after an earlier position, which keeps decoding linear.
        if (nextEnd < textStart)
            nextEnd = s.IndexOf("?=", textStart, StringComparison.Ordinal);
        if (nextEnd < 0)
            return false;
        var text = s.AsSpan(textStart, nextEnd - textStart);
        // RFC 2231 §5: the charset may carry a language suffix.
        var star = cs.IndexOf('*');
        charset = (star >= 0 ? cs[..star] : cs).ToString();
        bytes = mode == 'B' ? Base64Codec.Decode(text.ToString()) : DecodeQ(text);
        end = nextEnd + 2;
        return true;
    }

    private static byte[] DecodeQ(ReadOnlySpan<char> text)
    {
        var output = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '_')
            {
                output.Add((byte)' ');
            }
            else if (c == '=' && i + 2 < text.Length && Uri.IsHexDigit(text[i + 1]) && Uri.IsHexDigit(text[i + 2]))
            {
                output.Add((byte)((Uri.FromHex(text[i + 1]) << 4) | Uri.FromHex(text[i + 2])));
                i += 2;
            }
            else if (c < 128)
            {
                output.Add((byte)c);
            }
            else
            {
                output.AddRange(Encoding.UTF8.GetBytes(text.Slice(i, char.IsHighSurrogate(c) && i + 1 < text.Length ? 2 : 1).ToArray()));
                if (char.IsHighSurrogate(c) && i + 1 < text.Length)
                    i++;
            }
        }
        return [.. output];
    }

    /// <summary>
    /// Encodes text for an unstructured header: returned unchanged when it is printable ASCII; otherwise the words
    /// that need it (non-ASCII, control characters, or text that would read as an encoded word) become UTF-8
    /// encoded words of at most 75 characters, separated by spaces so the writer can fold at them.
    /// </summary>
    public static string Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!NeedsEncoding(text))
            return text;
        var sb = new StringBuilder(text.Length * 2);
        var i = 0;
        while (i < text.Length)
        {
            var wordStart = i;
            while (i < text.Length && !MimeSyntax.IsWsp(text[i]))
                i++;
            var word = text.AsSpan(wordStart, i - wordStart);
            if (!WordNeedsEncoding(word))
            {
                sb.Append(word);
                var wsStart = i;
                while (i < text.Length && MimeSyntax.IsWsp(text[i]))
                    i++;
                sb.Append(text, wsStart, i - wsStart);
                continue;
            }
            // Extend the run over following words that also need encoding; the whitespace between them is encoded too.
            var runEnd = i;
            var j = i;
            while (j < text.Length)
            {
                while (j < text.Length && MimeSyntax.IsWsp(text[j]))
                    j++;
                var ns = j;
                while (j < text.Length && !MimeSyntax.IsWsp(text[j]))
                    j++;
                if (j == ns || !WordNeedsEncoding(text.AsSpan(ns, j - ns)))
                    break;
                runEnd = j;
            }
            AppendEncodedRun(sb, text.AsSpan(wordStart, runEnd - wordStart));
            i = runEnd;
            var ws = i;
            while (i < text.Length && MimeSyntax.IsWsp(text[i]))
                i++;
            sb.Append(text, ws, i - ws);
        }
        return sb.ToString();
    }

    /// <summary>Encodes a display name as a whole (a phrase may not mix quoted strings and encoded words).</summary>
    internal static string EncodePhrase(string text)
    {
        var sb = new StringBuilder(text.Length * 2);
        AppendEncodedRun(sb, text);
        return sb.ToString();
    }

    internal static bool NeedsEncoding(string text) => !MimeSyntax.IsPlainText(text) || text.Contains("=?", StringComparison.Ordinal);

    private static bool WordNeedsEncoding(ReadOnlySpan<char> word)
    {
        foreach (var c in word)
        {
            if (c < ' ' || c >= 127)
                return true;
        }
        return word.Contains("=?", StringComparison.Ordinal);
    }

    private static void AppendEncodedRun(StringBuilder sb, ReadOnlySpan<char> run)
    {
        var bytes = Encoding.UTF8.GetBytes(run.ToArray());
        var qLength = 0;
        foreach (var b in bytes)
            qLength += IsQSafe(b) ? 1 : 3;
        var useQ = qLength <= (bytes.Length + 2) / 3 * 4;
        var first = true;
        var chunkStart = 0;
        var chunkCost = 0;
        var pos = 0;
        // Split only between characters (runes), so each word decodes on its own.
        foreach (var rune in run.EnumerateRunes())
        {
            var n = rune.Utf8SequenceLength;
            var cost = useQ ? QCost(bytes.AsSpan(pos, n)) : 0;
            var newCost = useQ ? chunkCost + cost : (pos + n - chunkStart + 2) / 3 * 4;
            if (newCost > MaxEncodedText && pos > chunkStart)
            {
                AppendWord(sb, bytes.AsSpan(chunkStart, pos - chunkStart), useQ, ref first);
                chunkStart = pos;
                newCost = useQ ? cost : (n + 2) / 3 * 4;
            }
            chunkCost = newCost;
            pos += n;
        }
        if (pos > chunkStart)
            AppendWord(sb, bytes.AsSpan(chunkStart, pos - chunkStart), useQ, ref first);
    }

    private static int QCost(ReadOnlySpan<byte> bytes)
    {
        var cost = 0;
        foreach (var b in bytes)
            cost += IsQSafe(b) ? 1 : 3;
        return cost;
    }

    private static void AppendWord(StringBuilder sb, ReadOnlySpan<byte> bytes, bool useQ, ref bool first)
    {
        if (!first)
            sb.Append(' ');
        first = false;
        sb.Append(useQ ? "=?utf-8?Q?" : "=?utf-8?B?");
        if (useQ)
        {
            foreach (var b in bytes)
            {
                if (b == (byte)' ')
                    sb.Append('_');
                else if (IsQSafe(b))
                    sb.Append((char)b);
                else
                    sb.Append('=').Append("0123456789ABCDEF"[b >> 4]).Append("0123456789ABCDEF"[b & 15]);
            }
        }
        else
        {
            sb.Append(Convert.ToBase64String(bytes));
        }
        sb.Append("?=");
    }

    // Restricted to the characters RFC 2047 §5(3) allows in a phrase, so one encoder serves every context.
    private static bool IsQSafe(byte b) => b == (byte)' ' || char.IsAsciiLetterOrDigit((char)b) || QSafe.Contains((char)b, StringComparison.Ordinal);
}
