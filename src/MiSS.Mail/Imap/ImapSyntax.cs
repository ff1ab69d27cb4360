using System.Globalization;
using System.Text;

namespace MiSS.Mail.Imap;

/// <summary>Checks and formats for command arguments and parses of response data (RFC 9051/3501 formal syntax).</summary>
internal static class ImapSyntax
{
    /// <summary>Most UIDs a COPYUID set is expanded to; a larger mapping is reported as absent.</summary>
    internal const int MaxMappedUids = 100_000;

    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless <paramref name="set"/> is a sequence-set: comma-separated numbers
    /// (not 0) or "*", single or as "a:b" ranges ("1:*", "5,7,9", "3:5,8").
    /// </summary>
    public static void ValidateSequenceSet(string set, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(set, parameterName);
        if (set.Length == 0)
        {
            throw new ArgumentException("a UID set must not be empty", parameterName);
        }

        foreach (var range in set.Split(','))
        {
            var ends = range.Split(':');
            if (ends.Length > 2 || !ends.All(IsSequenceNumber))
            {
                throw new ArgumentException($"\"{Printable(set)}\" is not a UID set such as \"1:*\" or \"5,7,9\"", parameterName);
            }
        }
    }

    /// <summary>
    /// Expands a sequence-set without "*" into its numbers in the order given (each range ascending); null when it is
    /// malformed or has more than <see cref="MaxMappedUids"/> numbers.
    /// </summary>
    public static List<uint>? ExpandSet(string set)
    {
        var result = new List<uint>();
        foreach (var range in set.Split(','))
        {
            var ends = range.Split(':');
            if (ends.Length > 2)
            {
                return null;
            }

            if (!TryParseNonZero(ends[0], out var first))
            {
                return null;
            }

            var last = first;
            if (ends.Length == 2 && !TryParseNonZero(ends[1], out last))
            {
                return null;
            }

            var (low, high) = first <= last ? (first, last) : (last, first);
            if ((long)high - low + 1 + result.Count > MaxMappedUids)
            {
                return null;
            }

            for (var uid = (long)low; uid <= high; uid++)
            {
                result.Add((uint)uid);
            }
        }

        return result;
    }

    /// <summary>The parenthesised flag list "(\Seen $Label)"; throws <see cref="ArgumentException"/> for an invalid flag.</summary>
    public static string FlagList(IEnumerable<string> flags, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(flags, parameterName);
        var list = new List<string>();
        foreach (var flag in flags)
        {
            if (!IsFlag(flag))
            {
                throw new ArgumentException($"\"{Printable(flag ?? string.Empty)}\" is not an IMAP flag such as \\Seen or $Label", parameterName);
            }

            if (!list.Contains(flag, StringComparer.OrdinalIgnoreCase))
            {
                list.Add(flag);
            }
        }

        return $"({string.Join(' ', list)})";
    }

    /// <summary>True for "\" atom (a system flag) or an atom (a keyword).</summary>
    public static bool IsFlag(string? flag)
    {
        if (string.IsNullOrEmpty(flag))
        {
            return false;
        }

        var atom = flag[0] == '\\' ? flag[1..] : flag;
        return atom.Length > 0 && atom.All(IsAtomChar);
    }

    /// <summary>The quoted date-time of APPEND: "dd-Mon-yyyy hh:mm:ss +zzzz" (day padded with a space).</summary>
    public static string FormatDateTime(DateTimeOffset value)
    {
        // Whole seconds only: IMAP has no finer resolution.
        var offset = value.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        return string.Create(
            CultureInfo.InvariantCulture,
            $"\"{value.Day,2}-{Months[value.Month - 1]}-{value.Year:D4} {value.Hour:D2}:{value.Minute:D2}:{value.Second:D2} {sign}{abs.Hours:D2}{abs.Minutes:D2}\"");
    }

    /// <summary>Parses an INTERNALDATE value ("17-Jul-1996 02:44:25 -0700", the day possibly space-padded).</summary>
    public static bool TryParseDateTime(string text, out DateTimeOffset value)
    {
        value = default;
        var parts = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || parts[2].Length != 5 || parts[2][0] is not ('+' or '-'))
        {
            return false;
        }

        var date = parts[0].Split('-');
        if (date.Length != 3
            || !int.TryParse(date[0], NumberStyles.None, CultureInfo.InvariantCulture, out var day)
            || !int.TryParse(date[2], NumberStyles.None, CultureInfo.InvariantCulture, out var year))
        {
            return false;
        }

        var month = Array.FindIndex(Months, m => string.Equals(m, date[1], StringComparison.OrdinalIgnoreCase)) + 1;
        if (month == 0
            || !TimeSpan.TryParseExact(parts[1], @"hh\:mm\:ss", CultureInfo.InvariantCulture, out var time)
            || !int.TryParse(parts[2].AsSpan(1, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var zoneHours)
            || !int.TryParse(parts[2].AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var zoneMinutes)
            || zoneHours > 14 || zoneMinutes > 59)
        {
            return false;
        }

        var zone = new TimeSpan(zoneHours, zoneMinutes, 0);
        try
        {
            value = new DateTimeOffset(year, month, day, time.Hours, time.Minutes, time.Seconds, parts[2][0] == '-' ? -zone : zone);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    private static bool IsSequenceNumber(string text) =>
        text == "*" || (text.Length is > 0 and <= 10 && TryParseNonZero(text, out _));

    private static bool TryParseNonZero(string text, out uint value) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value != 0 && text[0] != '0';

    /// <summary>ATOM-CHAR: any CHAR except "(", ")", "{", SP, CTL, "%", "*", DQUOTE, "\" and "]".</summary>
    private static bool IsAtomChar(char c) =>
        c is > ' ' and <= '~' and not ('(' or ')' or '{' or '%' or '*' or '"' or '\\' or ']');

    private static string Printable(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, 60));
        foreach (var c in text.Take(60))
        {
            builder.Append(char.IsControl(c) ? '?' : c);
        }

        return builder.ToString();
    }
}
