using System.Text;

namespace MiSS.Mail.Mime;

/// <summary>Shared scanning of structured header text: comments, quoted strings. All methods stop at the end of input.</summary>
internal static class Lexer
{
    /// <summary>Skips whitespace and (nested) comments.</summary>
    public static int SkipCfws(string s, int pos)
    {
        while (pos < s.Length)
        {
            if (char.IsWhiteSpace(s[pos]))
                pos++;
            else if (s[pos] == '(')
                pos = SkipComment(s, pos, null);
            else
                break;
        }
        return pos;
    }

    /// <summary>Skips a comment starting at '(' and returns the position after it; appends its text when asked.</summary>
    public static int SkipComment(string s, int pos, StringBuilder? text)
    {
        var depth = 0;
        for (; pos < s.Length; pos++)
        {
            var c = s[pos];
            if (c == '\\' && pos + 1 < s.Length)
            {
                text?.Append(s[++pos]);
                continue;
            }
            if (c == '(' && depth++ == 0)
                continue;
            if (c == ')' && --depth == 0)
                return pos + 1;
            text?.Append(c);
        }
        return pos;
    }

    /// <summary>Reads a quoted string starting at '"'; an unterminated one runs to the end.</summary>
    public static string ReadQuoted(string s, ref int pos)
    {
        var sb = new StringBuilder();
        for (pos++; pos < s.Length; pos++)
        {
            var c = s[pos];
            if (c == '\\' && pos + 1 < s.Length)
            {
                sb.Append(s[++pos]);
                continue;
            }
            if (c == '"')
            {
                pos++;
                break;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Position of the next <paramref name="stop"/> outside quoted strings, or the end.</summary>
    public static int SkipTo(string s, int pos, char stop)
    {
        while (pos < s.Length && s[pos] != stop)
        {
            if (s[pos] == '"')
                ReadQuoted(s, ref pos);
            else
                pos++;
        }
        return pos;
    }
}
