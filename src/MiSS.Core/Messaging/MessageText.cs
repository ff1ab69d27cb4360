using System.Text.RegularExpressions;

namespace MiSS.Core.Messaging;

/// <summary>A message's text as it travels: only its line ends change, and the footer the composer appends.</summary>
public static partial class MessageText
{
    /// <summary>
    /// Every CRLF, lone CR and lone LF as <paramref name="newLine"/>. Unlike string.ReplaceLineEndings, form feeds and
    /// Unicode separators (NEL, LS, PS) are text here, kept as they are.
    /// </summary>
    public static string Lines(string text, string newLine) => LineEnd().Replace(text, newLine);

    /// <summary>What the composer appends to the text: a line break, the signature separator line, the footer, a line break.</summary>
    public static string FooterSuffix(string newLine) => FooterStart(newLine) + MissHeaders.Footer + newLine;

    /// <summary>Where the appended footer starts: a line break, then the separator on a line of its own.</summary>
    public static string FooterStart(string newLine) => newLine + newLine + MissHeaders.FooterSeparator + newLine;

    [GeneratedRegex("\r\n|\r|\n")]
    private static partial Regex LineEnd();
}
