using System.Buffers;
using System.Text;
using MiSS.Mail.Mime;

namespace MiSS.Mail.Reports;

/// <summary>A group of fields of a report body and the offset just after the blank line that ended it.</summary>
internal sealed record FieldGroup(List<Header> Fields, int End);

/// <summary>
/// Reads the body of message/delivery-status and message/disposition-notification: groups of header-like fields
/// separated by blank lines (RFC 3464 §2.1, RFC 8098 §3.1), and parses the small structured values inside them.
/// Tolerant and bounded: never throws, skips what it cannot read.
/// </summary>
internal static class ReportFields
{
    /// <summary>Only this much of a report body is read; real reports are a few KiB.</summary>
    public const int MaxBodyLength = 4 << 20;

    /// <summary>A longer field (name and unfolded value) is skipped, like an oversized header.</summary>
    public const int MaxFieldLength = 64 * 1024;

    /// <summary>Fields read from one report body at most; the rest is ignored.</summary>
    public const int MaxFields = 10_000;

    /// <summary>
    /// Splits <paramref name="body"/> into field groups. Blank and whitespace-only lines end a group (several in a row
    /// count as one); a line starting with whitespace continues the field before it; a line that is not a field
    /// ("name:") continues the field before it too (a relay wrapped it), or is skipped when there is none.
    /// </summary>
    public static List<FieldGroup> ReadGroups(ReadOnlySpan<byte> body, ref int fieldBudget)
    {
        if (body.Length > MaxBodyLength)
            body = body[..MaxBodyLength];
        var groups = new List<FieldGroup>();
        var current = new List<Header>();
        var value = ArrayPool<byte>.Shared.Rent(MaxFieldLength);
        try
        {
            string? name = null;
            int length = 0, nameLength = 0;
            var budget = fieldBudget; // a local: local functions cannot use the ref parameter
            var pos = 0;
            while (pos < body.Length && budget > 0)
            {
                var newline = body[pos..].IndexOf((byte)'\n');
                var lineEnd = newline < 0 ? body.Length : pos + newline;
                var next = newline < 0 ? body.Length : lineEnd + 1;
                var line = body[pos..lineEnd].TrimEnd((byte)'\r');
                pos = next;
                if (line.TrimStart(" \t\r"u8).IsEmpty)
                {
                    Flush();
                    if (current.Count > 0)
                    {
                        groups.Add(new FieldGroup(current, pos));
                        current = [];
                    }
                    continue;
                }
                var colon = MimeSyntax.IsWsp(line[0]) ? -1 : MimeSyntax.FieldColon(line);
                if (colon > 0)
                {
                    Flush();
                    var nameBytes = line[..colon].TrimEnd(" \t"u8);
                    name = Encoding.ASCII.GetString(nameBytes);
                    nameLength = nameBytes.Length + 1;
                    length = 0;
                    Append(line[(colon + 1)..]);
                }
                else if (name is not null)
                {
                    // Unfolding removes the line break only (RFC 5322 §2.2.3); an unindented wrap gets a space.
                    if (!MimeSyntax.IsWsp(line[0]))
                        Append(" "u8);
                    Append(line);
                }
            }
            Flush();
            if (current.Count > 0)
                groups.Add(new FieldGroup(current, body.Length));
            fieldBudget = budget;
            return groups;

            void Append(ReadOnlySpan<byte> bytes)
            {
                // Past the limit the length keeps growing but nothing is copied: the field will be skipped.
                if (nameLength + length + bytes.Length <= MaxFieldLength)
                    bytes.CopyTo(value.AsSpan(length));
                length += bytes.Length;
            }

            void Flush()
            {
                if (name is null)
                    return;
                if (nameLength + length <= MaxFieldLength && budget > 0)
                {
                    current.Add(Header.FromParser(name, Charsets.Utf8OrLatin1(value.AsSpan(0, length)).Trim()));
                    budget--;
                }
                name = null;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(value);
        }
    }

    /// <summary>True when the field has that name (case-insensitive).</summary>
    public static bool Is(Header field, string name) => string.Equals(field.Name, name, StringComparison.OrdinalIgnoreCase);

    /// <summary>The value of the first field of that name, or null.</summary>
    public static string? First(IEnumerable<Header> fields, string name) => fields.FirstOrDefault(f => Is(f, name))?.Value;

    /// <summary>The value with (nested) comments removed outside quoted strings, trimmed.</summary>
    public static string StripComments(string value)
    {
        if (!value.Contains('(', StringComparison.Ordinal))
            return value.Trim();
        var sb = new StringBuilder(value.Length);
        var quoted = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (quoted)
            {
                sb.Append(c);
                if (c == '\\' && i + 1 < value.Length)
                    sb.Append(value[++i]);
                else if (c == '"')
                    quoted = false;
            }
            else if (c == '(')
            {
                i = Lexer.SkipComment(value, i, null) - 1;
                sb.Append(' ');
            }
            else
            {
                quoted = c == '"';
                sb.Append(c);
            }
        }
        return sb.ToString().Trim();
    }

    /// <summary>
    /// Parses "type; value" (address-type, mta-name-type, diagnostic-type of RFC 3464). The type is lowercased; a
    /// value without a type before a ';' gives a null type and the whole value. Addresses (rfc822, utf-8) and MTA
    /// names (dns) lose comments and surrounding angle brackets; diagnostic text is kept as written.
    /// </summary>
    public static TypedValue? ParseTyped(string? raw)
    {
        if (raw is null)
            return null;
        var semicolon = raw.IndexOf(';', StringComparison.Ordinal);
        var type = semicolon < 0 ? "" : StripComments(raw[..semicolon]);
        if (type.Length == 0 || !type.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '+'))
        {
            var whole = raw.Trim();
            return whole.Length == 0 ? null : new TypedValue(null, whole);
        }
        type = type.ToLowerInvariant();
        var value = raw[(semicolon + 1)..].Trim();
        if (type is "rfc822" or "utf-8" or "dns")
        {
            value = StripComments(value);
            if (value.Length >= 2 && value[0] == '<' && value[^1] == '>')
                value = value[1..^1].Trim();
            if (type == "utf-8")
                value = DecodeUtf8AddrXtext(value);
        }
        return new TypedValue(type, value);
    }

    /// <summary>Formats a typed value as a field value ("type;value").</summary>
    public static string Format(TypedValue value) => value.Type is null ? value.Value : $"{value.Type};{value.Value}";

    /// <summary>Decodes the "\x{HEX}" escapes of an RFC 6533 utf-8-addr-xtext; anything malformed stays as written.</summary>
    private static string DecodeUtf8AddrXtext(string value)
    {
        if (!value.Contains("\\x{", StringComparison.Ordinal))
            return value;
        var sb = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 3 < value.Length && value[i + 1] == 'x' && value[i + 2] == '{')
            {
                var close = value.IndexOf('}', i + 3);
                if (close > i + 3 && close - i - 3 <= 6
                    && int.TryParse(value.AsSpan(i + 3, close - i - 3), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var code)
                    && code <= 0x10FFFF && (code < 0xD800 || code > 0xDFFF))
                {
                    sb.Append(char.ConvertFromUtf32(code));
                    i = close;
                    continue;
                }
            }
            sb.Append(value[i]);
        }
        return sb.ToString();
    }

    /// <summary>The first token of letters, digits and '-' after comments are removed, lowercased, or null.</summary>
    public static string? Keyword(string? raw)
    {
        if (raw is null)
            return null;
        var text = StripComments(raw);
        var end = 0;
        while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '-'))
            end++;
        return end == 0 ? null : text[..end].ToLowerInvariant();
    }

    /// <summary>A date field, or null when absent or unreadable.</summary>
    public static DateTimeOffset? Date(string? raw) => raw is null ? null : MailDate.Parse(raw);
}
