using System.Globalization;

namespace MiSS.Mail.Mime;

/// <summary>RFC 5322 date-time parsing (with obsolete and common broken forms) and formatting.</summary>
public static class MailDate
{
    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    private static readonly Dictionary<string, int> Zones = new(StringComparer.OrdinalIgnoreCase)
    {
        ["UT"] = 0, ["UTC"] = 0, ["GMT"] = 0, ["Z"] = 0,
        ["EST"] = -500, ["EDT"] = -400, ["CST"] = -600, ["CDT"] = -500,
        ["MST"] = -700, ["MDT"] = -600, ["PST"] = -800, ["PDT"] = -700,
        ["AST"] = -400, ["ADT"] = -300, ["BST"] = 100, ["CET"] = 100, ["CEST"] = 200,
        ["MET"] = 100, ["MEST"] = 200, ["EET"] = 200, ["EEST"] = 300, ["JST"] = 900,
    };

    /// <summary>
    /// Parses "[Day,] d Mon yyyy hh:mm[:ss] zone" and variants: comments, missing comma or seconds, 2- and 3-digit
    /// years, named and military zones, asctime order ("Mon Jul 29 02:26:08 1996"), ISO 8601. Null when unreadable.
    /// </summary>
    public static DateTimeOffset? Parse(string value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 200)
            return null;
        var text = StripComments(value).Trim();
        if (text.Length >= 10 && text[4] == '-' && text[7] == '-' && char.IsAsciiDigit(text[0])
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var iso))
            return iso;
        int? day = null, month = null, year = null, zone = null;
        int hour = 0, minute = 0, second = 0;
        var timeSeen = false;
        foreach (var raw in text.Split([' ', '\t', ',', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            var token = raw;
            if (!timeSeen && token.Contains(':', StringComparison.Ordinal))
            {
                // A zone may be glued to the time: "12:41:43-0400".
                var sign = token.IndexOfAny(['+', '-']);
                if (sign > 0)
                {
                    zone ??= ParseZone(token[sign..]);
                    token = token[..sign];
                }
                var parts = token.Split(':');
                if (parts.Length is < 2 or > 3 || !TryInt(parts[0], out hour) || !TryInt(parts[1], out minute)
                    || (parts.Length == 3 && !TryInt(parts[2], out second)))
                    return null;
                timeSeen = true;
            }
            else if (token[0] is '+' or '-')
            {
                zone ??= ParseZone(token);
            }
            else if (char.IsAsciiDigit(token[0]))
            {
                if (!TryInt(token.TrimEnd('.'), out var n))
                    continue;
                if (day is null && token.Length <= 2 && n is >= 1 and <= 31)
                    day = n;
                else if (year is null)
                    year = token.Length <= 2 ? (n < 50 ? 2000 + n : 1900 + n) : token.Length == 3 ? 1900 + n : n;
            }
            else if (char.IsAsciiLetter(token[0]))
            {
                var m = token.Length >= 3 ? Array.IndexOf(Months, token[..3].ToLowerInvariant()) : -1;
                if (m >= 0 && month is null && (token.Length == 3 || token.TrimEnd('.').Length == 3 || IsFullMonthName(token)))
                    month = m + 1;
                else if (Zones.TryGetValue(token, out var z))
                    zone ??= z;
                else if (token.Length == 1 && timeSeen)
                    zone ??= 0; // military zones: RFC 5322 §4.3 says treat as unknown, i.e. +0000
            }
        }
        if (day is null || month is null || year is null)
            return null;
        var offsetMinutes = zone is { } zz ? (zz / 100 * 60) + (zz % 100) : 0;
        if (Math.Abs(offsetMinutes) > 14 * 60)
            offsetMinutes = 0;
        if (second == 60)
            second = 59;
        if (hour > 23 || minute > 59 || second > 59 || year < 1 || year > 9999 || day > DateTime.DaysInMonth(year.Value, month.Value))
            return null;
        return new DateTimeOffset(year.Value, month.Value, day.Value, hour, minute, second, TimeSpan.FromMinutes(offsetMinutes));
    }

    /// <summary>Formats as "Thu, 19 Sep 1991 12:41:43 -0400" (invariant culture, two-digit day).</summary>
    public static string Format(DateTimeOffset date)
    {
        var offset = date.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        return date.ToString("ddd, dd MMM yyyy HH:mm:ss ", CultureInfo.InvariantCulture)
            + $"{sign}{offset.Hours:00}{offset.Minutes:00}";
    }

    private static bool IsFullMonthName(string token) =>
        CultureInfo.InvariantCulture.DateTimeFormat.MonthNames.Any(m => m.Length > 0 && string.Equals(m, token.TrimEnd('.'), StringComparison.OrdinalIgnoreCase));

    private static int? ParseZone(string token)
    {
        var digits = token[1..];
        if (digits.Contains(':', StringComparison.Ordinal))
            digits = digits.Replace(":", "", StringComparison.Ordinal);
        if (!TryInt(digits, out var n))
            return null;
        if (digits.Length <= 2)
            n *= 100;
        if (n % 100 > 59)
            return null;
        return token[0] == '-' ? -n : n;
    }

    private static bool TryInt(string s, out int value) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value) && s.Length <= 4;

    private static string StripComments(string s)
    {
        if (!s.Contains('(', StringComparison.Ordinal))
            return s;
        var sb = new System.Text.StringBuilder(s.Length);
        for (var i = 0; i < s.Length;)
        {
            if (s[i] == '(')
            {
                i = Lexer.SkipComment(s, i, null);
                sb.Append(' ');
                continue;
            }
            sb.Append(s[i++]);
        }
        return sb.ToString();
    }
}
