namespace MiSS.Mail.Smtp;

/// <summary>When the server should report delivery status (RFC 3461 NOTIFY); <see cref="None"/> leaves it to the server.</summary>
[Flags]
public enum DsnNotify
{
    /// <summary>No NOTIFY parameter: the server's default (usually failures and delays).</summary>
    None = 0,

    /// <summary>Never report, not even failures; cannot be combined with the other values.</summary>
    Never = 1,

    /// <summary>Report successful delivery.</summary>
    Success = 2,

    /// <summary>Report failed delivery.</summary>
    Failure = 4,

    /// <summary>Report delayed delivery.</summary>
    Delay = 8,
}

/// <summary>How much of the message a failure report returns (RFC 3461 RET).</summary>
public enum DsnReturn
{
    /// <summary>The complete message (RET=FULL).</summary>
    Full,

    /// <summary>Only the headers (RET=HDRS).</summary>
    Headers,
}

/// <summary>
/// Per-message SMTP options. The delivery status notification parameters (RFC 3461) are sent only when the server
/// offers DSN and are silently left out otherwise.
/// </summary>
public sealed class SmtpSendOptions
{
    /// <summary>NOTIFY for every recipient; <see cref="DsnNotify.None"/> sends no NOTIFY.</summary>
    public DsnNotify Notify { get; init; }

    /// <summary>RET on MAIL FROM, or null for the server's default.</summary>
    public DsnReturn? Return { get; init; }

    /// <summary>
    /// ENVID on MAIL FROM (quoted in reports so they can be matched to the message): printable ASCII, at most 100
    /// characters once xtext-encoded. Null sends none.
    /// </summary>
    public string? EnvelopeId { get; init; }

    /// <summary>
    /// Sends ORCPT=rfc822;address with each RCPT TO, naming the recipient as given. Left out for addresses that are
    /// not ASCII (RFC 6533's utf-8 address type is not used).
    /// </summary>
    public bool IncludeOriginalRecipient { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> when the options contradict RFC 3461.</summary>
    internal void Validate()
    {
        if (Notify.HasFlag(DsnNotify.Never) && Notify != DsnNotify.Never)
        {
            throw new ArgumentException("DsnNotify.Never cannot be combined with Success, Failure or Delay", "options");
        }

        if ((Notify & ~(DsnNotify.Never | DsnNotify.Success | DsnNotify.Failure | DsnNotify.Delay)) != 0)
        {
            throw new ArgumentException("DsnNotify has an undefined value", "options");
        }

        if (Return is { } ret && !Enum.IsDefined(ret))
        {
            throw new ArgumentException("DsnReturn has an undefined value", "options");
        }

        if (EnvelopeId is not null)
        {
            if (EnvelopeId.Length == 0 || EnvelopeId.Any(c => c is < ' ' or > '~'))
            {
                throw new ArgumentException("EnvelopeId must be non-empty printable ASCII", "options");
            }

            if (SmtpXText.Encode(EnvelopeId).Length > 100)
            {
                throw new ArgumentException("EnvelopeId is longer than 100 characters once xtext-encoded", "options");
            }
        }
    }
}

/// <summary>The xtext encoding of RFC 3461 section 4: "+" followed by two uppercase hex digits for "+", "=" and non-graphic bytes.</summary>
internal static class SmtpXText
{
    /// <summary>Encodes <paramref name="value"/> (its UTF-8 bytes) as xtext.</summary>
    public static string Encode(string value)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(value);
        var output = new System.Text.StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (b is >= (byte)'!' and <= (byte)'~' && b != (byte)'+' && b != (byte)'=')
            {
                output.Append((char)b);
            }
            else
            {
                output.Append('+').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return output.ToString();
    }
}

/// <summary>A SASL mechanism for user name and password (RFC 4954).</summary>
public enum SmtpAuthMechanism
{
    /// <summary>PLAIN (RFC 4616), with the credentials in the AUTH command.</summary>
    Plain,

    /// <summary>LOGIN: user name and password each after a server prompt.</summary>
    Login,
}
