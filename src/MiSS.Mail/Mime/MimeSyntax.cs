using System.Text;

namespace MiSS.Mail.Mime;

/// <summary>Character classes and small lexical helpers of RFC 5322 / RFC 2045.</summary>
internal static class MimeSyntax
{
    public const string TSpecials = "()<>@,;:\\\"/[]?=";
    public const string Specials = "()<>@,;:\\\".[]";

    public static bool IsWsp(char c) => c is ' ' or '\t';

    public static bool IsWsp(byte b) => b is (byte)' ' or (byte)'\t';

    /// <summary>RFC 2045 token character.</summary>
    public static bool IsTokenChar(char c) => c > ' ' && c < 127 && TSpecials.IndexOf(c) < 0;

    /// <summary>RFC 5322 atext.</summary>
    public static bool IsAtext(char c) => c > ' ' && c < 127 && Specials.IndexOf(c) < 0;

    /// <summary>A header field name character (printable ASCII except colon).</summary>
    public static bool IsFieldNameChar(byte b) => b > 32 && b < 127 && b != (byte)':';

    public static bool IsToken(string s)
    {
        if (s.Length == 0)
            return false;
        foreach (var c in s)
        {
            if (!IsTokenChar(c))
                return false;
        }
        return true;
    }

    public static bool IsAscii(string s) => Ascii.IsValid(s);

    /// <summary>Printable ASCII plus space and tab: text that needs no encoding in a header.</summary>
    public static bool IsPlainText(string s)
    {
        foreach (var c in s)
        {
            if ((c < ' ' && c != '\t') || c >= 127)
                return false;
        }
        return true;
    }

    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (var c in s)
        {
            if (c is '"' or '\\')
                sb.Append('\\');
            sb.Append(c);
        }
        return sb.Append('"').ToString();
    }

    /// <summary>Removes line breaks (unfolding) and surrounding whitespace: the canonical form of a header value.</summary>
    public static string NormalizeHeaderValue(string value)
    {
        if (value.AsSpan().IndexOfAny('\r', '\n') < 0)
            return value.Trim();
        var sb = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is '\r' or '\n')
            {
                // A break followed by whitespace is folding; any other break must not survive (header injection).
                var j = i;
                while (j < value.Length && value[j] is '\r' or '\n')
                    j++;
                if (j < value.Length && !IsWsp(value[j]))
                    sb.Append(' ');
                i = j - 1;
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString().Trim();
    }

    /// <summary>Index of the colon of a field line "name [WSP] :", or -1.</summary>
    public static int FieldColon(ReadOnlySpan<byte> line)
    {
        var i = 0;
        while (i < line.Length && IsFieldNameChar(line[i]))
            i++;
        var nameLength = i;
        while (i < line.Length && IsWsp(line[i]))
            i++;
        return nameLength > 0 && i < line.Length && line[i] == (byte)':' ? i : -1;
    }
}
