using System.Globalization;
using System.Text;

namespace MiSS.Mail.Mime;

/// <summary>Reads and writes the "; name=value" parameter lists of Content-Type and Content-Disposition (RFC 2045, RFC 2231).</summary>
internal static class ParameterCodec
{
    private const int MaxSectionText = 56;
    private const string AttributeChars = "!#$&+-.^_`|~";

    /// <summary>Parses parameters starting at <paramref name="pos"/>; junk is skipped, never thrown on.</summary>
    public static ParameterList Parse(string s, int pos)
    {
        var raw = new List<(string Name, string Value)>();
        while (true)
        {
            pos = Lexer.SkipCfws(s, pos);
            if (pos >= s.Length)
                break;
            if (s[pos] == ';')
            {
                pos++;
                continue;
            }
            var nameStart = pos;
            while (pos < s.Length && MimeSyntax.IsTokenChar(s[pos]))
                pos++;
            var name = s[nameStart..pos];
            pos = Lexer.SkipCfws(s, pos);
            if (name.Length == 0 || pos >= s.Length || s[pos] != '=')
            {
                pos = Lexer.SkipTo(s, Math.Max(pos, nameStart + 1), ';');
                continue;
            }
            pos = Lexer.SkipCfws(s, pos + 1);
            raw.Add((name, pos < s.Length && s[pos] == '"' ? Lexer.ReadQuoted(s, ref pos) : ReadUnquoted(s, ref pos)));
        }
        return Assemble(raw);
    }

    // Tolerates what broken mailers write: spaces inside the value, a missing ';' before the next parameter, a trailing comment.
    private static string ReadUnquoted(string s, ref int pos)
    {
        var start = pos;
        while (pos < s.Length && s[pos] != ';')
        {
            if (MimeSyntax.IsWsp(s[pos]) && StartsParameter(s, pos))
                break;
            pos++;
        }
        var value = s[start..pos].Trim();
        var comment = value.IndexOf(" (", StringComparison.Ordinal);
        if (value.EndsWith(')') && comment > 0)
            value = value[..comment].TrimEnd();
        return value;
    }

    private static bool StartsParameter(string s, int pos)
    {
        while (pos < s.Length && MimeSyntax.IsWsp(s[pos]))
            pos++;
        var start = pos;
        while (pos < s.Length && MimeSyntax.IsTokenChar(s[pos]))
            pos++;
        return pos > start && pos < s.Length && s[pos] == '=';
    }

    private static ParameterList Assemble(List<(string Name, string Value)> raw)
    {
        var list = new ParameterList();
        Dictionary<string, SortedDictionary<int, (string Value, bool Encoded)>>? extended = null;
        foreach (var (name, value) in raw)
        {
            var star = name.IndexOf('*', StringComparison.Ordinal);
            if (star < 0)
            {
                if (!list.Contains(name))
                    list.AddParsed(name, value.Contains("=?", StringComparison.Ordinal) ? EncodedWords.Decode(value) : value);
                continue;
            }
            // RFC 2231: name*=ext-value, name*N=section, name*N*=ext-section.
            var baseName = name[..star];
            var rest = name.AsSpan(star + 1);
            int index;
            bool encoded;
            if (rest.IsEmpty)
            {
                (index, encoded) = (0, true);
            }
            else
            {
                encoded = rest[^1] == '*';
                if (encoded)
                    rest = rest[..^1];
                if (!int.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out index) || index > 9999)
                    continue;
            }
            if (baseName.Length == 0)
                continue;
            extended ??= new(StringComparer.OrdinalIgnoreCase);
            if (!extended.TryGetValue(baseName, out var sections))
                extended[baseName] = sections = [];
            sections.TryAdd(index, (value, encoded));
            if (!list.Contains(baseName))
                list.AddParsed(baseName, "");
        }
        if (extended is not null)
        {
            foreach (var (name, sections) in extended)
                list.ReplaceParsed(name, DecodeSections(sections));
        }
        return list;
    }

    private static string DecodeSections(SortedDictionary<int, (string Value, bool Encoded)> sections)
    {
        string? charset = null;
        var bytes = new List<byte>();
        var first = true;
        foreach (var (_, (value, encoded)) in sections)
        {
            var text = value;
            if (first && encoded)
            {
                // charset'language'value; both parts may be empty.
                var q1 = text.IndexOf('\'', StringComparison.Ordinal);
                var q2 = q1 < 0 ? -1 : text.IndexOf('\'', q1 + 1);
                if (q2 >= 0)
                {
                    charset = text[..q1];
                    text = text[(q2 + 1)..];
                }
            }
            first = false;
            if (encoded)
                PercentDecode(text, bytes);
            else
                bytes.AddRange(Encoding.UTF8.GetBytes(text));
        }
        return Charsets.Decode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes), charset);
    }

    private static void PercentDecode(string text, List<byte> output)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%' && i + 2 < text.Length && Uri.IsHexDigit(text[i + 1]) && Uri.IsHexDigit(text[i + 2]))
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
                output.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }
    }

    /// <summary>Appends "; name=value": a token as is, printable ASCII quoted, anything else RFC 2231-encoded as UTF-8 (split into sections when long).</summary>
    public static void Append(StringBuilder sb, string name, string value)
    {
        if (MimeSyntax.IsToken(value))
        {
            sb.Append("; ").Append(name).Append('=').Append(value);
            return;
        }
        if (MimeSyntax.IsPlainText(value) && !value.Contains("=?", StringComparison.Ordinal))
        {
            sb.Append("; ").Append(name).Append('=').Append(MimeSyntax.Quote(value));
            return;
        }
        var pieces = new List<string>();
        var piece = new StringBuilder("utf-8''");
        Span<byte> buffer = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            var n = rune.EncodeToUtf8(buffer);
            var encodedRune = new StringBuilder();
            foreach (var b in buffer[..n])
            {
                if (char.IsAsciiLetterOrDigit((char)b) || AttributeChars.Contains((char)b, StringComparison.Ordinal))
                    encodedRune.Append((char)b);
                else
                    encodedRune.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
            if (piece.Length + encodedRune.Length > MaxSectionText)
            {
                pieces.Add(piece.ToString());
                piece.Clear();
            }
            piece.Append(encodedRune);
        }
        pieces.Add(piece.ToString());
        if (pieces.Count == 1)
        {
            sb.Append("; ").Append(name).Append("*=").Append(pieces[0]);
            return;
        }
        for (var i = 0; i < pieces.Count; i++)
            sb.Append("; ").Append(name).Append('*').Append(i.ToString(CultureInfo.InvariantCulture)).Append("*=").Append(pieces[i]);
    }
}
