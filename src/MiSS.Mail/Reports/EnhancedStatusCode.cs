using System.Globalization;

namespace MiSS.Mail.Reports;

/// <summary>An enhanced mail system status code, "class.subject.detail" (RFC 3463), e.g. 5.1.1 (bad destination mailbox).</summary>
/// <param name="Class">2 (success), 4 (persistent transient failure) or 5 (permanent failure).</param>
/// <param name="Subject">0 to 999: 1 addressing, 2 mailbox, 3 mail system, 4 network and routing, 5 protocol, 6 content, 7 security.</param>
/// <param name="Detail">0 to 999.</param>
public readonly record struct EnhancedStatusCode(int Class, int Subject, int Detail)
{
    /// <summary>Class 2.</summary>
    public bool IsSuccess => Class == 2;

    /// <summary>Class 4: delivery may still succeed later.</summary>
    public bool IsTransientFailure => Class == 4;

    /// <summary>Class 5: delivery will not succeed as sent.</summary>
    public bool IsPermanentFailure => Class == 5;

    /// <summary>
    /// Parses the first "c.s.d" token of a Status field (comments and trailing text ignored): class 2, 4 or 5,
    /// subject and detail of one to three digits. Null when there is none.
    /// </summary>
    public static EnhancedStatusCode? Parse(string? value)
    {
        if (value is null)
            return null;
        foreach (var token in ReportFields.StripComments(value).Split([' ', '\t', ';', ','], StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = token.Split('.');
            if (parts.Length == 3 && parts[0] is "2" or "4" or "5" && Number(parts[1]) is { } subject && Number(parts[2]) is { } detail)
                return new EnhancedStatusCode(parts[0][0] - '0', subject, detail);
        }
        return null;
    }

    private static int? Number(string s) =>
        s.Length is >= 1 and <= 3 && s.All(char.IsAsciiDigit) ? int.Parse(s, CultureInfo.InvariantCulture) : null;

    /// <summary>"class.subject.detail".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Class}.{Subject}.{Detail}");
}
