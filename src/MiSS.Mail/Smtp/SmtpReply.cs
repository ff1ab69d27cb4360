namespace MiSS.Mail.Smtp;

/// <summary>One SMTP reply, possibly of several lines (RFC 5321 4.2), with its RFC 3463 enhanced status code.</summary>
/// <param name="Code">Three-digit reply code.</param>
/// <param name="EnhancedCode">Enhanced status code ("5.1.1") when the first line carries one of the same class.</param>
/// <param name="Lines">Text of each line after the code and separator, as received.</param>
internal sealed record SmtpReply(int Code, string? EnhancedCode, IReadOnlyList<string> Lines)
{
    /// <summary>True for 2xx.</summary>
    public bool IsPositive => Code is >= 200 and < 300;

    /// <summary>The lines joined with a space, each without its enhanced status code.</summary>
    public string Text => string.Join(" ", Lines.Select(StripEnhancedCode)).Trim();

    private string StripEnhancedCode(string line) =>
        EnhancedCode is not null && line.StartsWith(EnhancedCode, StringComparison.Ordinal)
            ? line[EnhancedCode.Length..].TrimStart()
            : line;
}
