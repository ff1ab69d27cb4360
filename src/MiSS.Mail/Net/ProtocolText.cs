namespace MiSS.Mail.Net;

/// <summary>Checks on caller-supplied text before it is placed into a protocol command.</summary>
internal static class ProtocolText
{
    /// <summary>Throws when <paramref name="value"/> contains CR, LF or NUL (command injection).</summary>
    public static void RejectLineBreaks(string value, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(value, parameterName);
        if (value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
        {
            throw new ArgumentException("must not contain CR, LF or NUL", parameterName);
        }
    }

    /// <summary>True when every character is 7-bit ASCII.</summary>
    public static bool IsAscii(string value) => System.Text.Ascii.IsValid(value);
}
