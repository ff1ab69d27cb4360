namespace MiSS.Mail.Mime;

/// <summary>
/// An RFC 5322 message: its own header fields plus a body entity. Read messages keep their Content-* fields on
/// <see cref="Body"/> and all other fields in <see cref="Headers"/>. Typed properties read and write <see cref="Headers"/>.
/// </summary>
public sealed class MimeMessage
{
    private MimeEntity _body;

    /// <summary>An empty message with an empty text/plain body.</summary>
    public MimeMessage()
        : this(new MimePart())
    {
    }

    /// <summary>An empty message with the given body.</summary>
    public MimeMessage(MimeEntity body)
        : this(new HeaderList(), body)
    {
    }

    internal MimeMessage(HeaderList headers, MimeEntity body)
    {
        Headers = headers;
        _body = body ?? throw new ArgumentNullException(nameof(body));
    }

    /// <summary>The message header fields (without the body's Content-* fields).</summary>
    public HeaderList Headers { get; }

    /// <summary>The body entity.</summary>
    public MimeEntity Body
    {
        get => _body;
        set => _body = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Set by <see cref="MimeReader"/> only: the exact bytes of this message in the input.</summary>
    public ReadOnlyMemory<byte>? RawBytes { get; internal set; }

    /// <summary>The From mailboxes.</summary>
    public IReadOnlyList<MailboxAddress> From
    {
        get => GetAddresses("From");
        set => SetAddresses("From", value);
    }

    /// <summary>The To mailboxes (group members flattened).</summary>
    public IReadOnlyList<MailboxAddress> To
    {
        get => GetAddresses("To");
        set => SetAddresses("To", value);
    }

    /// <summary>The Cc mailboxes.</summary>
    public IReadOnlyList<MailboxAddress> Cc
    {
        get => GetAddresses("Cc");
        set => SetAddresses("Cc", value);
    }

    /// <summary>The Bcc mailboxes.</summary>
    public IReadOnlyList<MailboxAddress> Bcc
    {
        get => GetAddresses("Bcc");
        set => SetAddresses("Bcc", value);
    }

    /// <summary>The Reply-To mailboxes.</summary>
    public IReadOnlyList<MailboxAddress> ReplyTo
    {
        get => GetAddresses("Reply-To");
        set => SetAddresses("Reply-To", value);
    }

    /// <summary>The subject, RFC 2047-decoded; setting stores it encoded when needed. Null removes it.</summary>
    public string? Subject
    {
        get => Headers.FirstOrDefault(h => string.Equals(h.Name, "Subject", StringComparison.OrdinalIgnoreCase))?.DecodedValue;
        set => SetOrRemove("Subject", value is null ? null : EncodedWords.Encode(value));
    }

    /// <summary>The Date field; null when absent or unreadable. Null removes it.</summary>
    public DateTimeOffset? Date
    {
        get => Headers["Date"] is { } raw ? MailDate.Parse(raw) : null;
        set => SetOrRemove("Date", value is { } d ? MailDate.Format(d) : null);
    }

    /// <summary>The Message-ID without angle brackets.</summary>
    public string? MessageId
    {
        get => MessageIds(Headers["Message-ID"]).FirstOrDefault();
        set => SetOrRemove("Message-ID", value is null ? null : Bracket(value));
    }

    /// <summary>The first In-Reply-To id without angle brackets.</summary>
    public string? InReplyTo
    {
        get => MessageIds(Headers["In-Reply-To"]).FirstOrDefault();
        set => SetOrRemove("In-Reply-To", value is null ? null : Bracket(value));
    }

    /// <summary>The References ids without angle brackets; setting an empty list removes the field.</summary>
    public IReadOnlyList<string> References
    {
        get => MessageIds(string.Join(' ', Headers.GetAll("References")));
        set => SetOrRemove("References", value is null || value.Count == 0 ? null : string.Join(' ', value.Select(Bracket)));
    }

    private IReadOnlyList<MailboxAddress> GetAddresses(string name)
    {
        var values = Headers.GetAll(name).ToList();
        return values.Count == 0 ? [] : AddressParser.ParseList(string.Join(", ", values));
    }

    private void SetAddresses(string name, IReadOnlyList<MailboxAddress>? value) =>
        SetOrRemove(name, value is null || value.Count == 0 ? null : string.Join(", ", value.Select(a => a.ToString())));

    private void SetOrRemove(string name, string? value)
    {
        if (value is null)
            Headers.Remove(name);
        else
            Headers.Set(name, value);
    }

    private static string Bracket(string id)
    {
        id = id.Trim().TrimStart('<').TrimEnd('>');
        if (id.Length == 0 || id.Any(c => c <= ' ' || c is '<' or '>' || c >= 127))
            throw new ArgumentException($"Invalid message id '{id}'.", nameof(id));
        return $"<{id}>";
    }

    /// <summary>The ids of a Message-ID, In-Reply-To or References value, without angle brackets, in order.</summary>
    public static IReadOnlyList<string> ParseMessageIds(string? value) => MessageIds(value);

    // "<a@b> <c@d>", tolerating ids without brackets and comments between them.
    internal static List<string> MessageIds(string? value)
    {
        var ids = new List<string>();
        if (string.IsNullOrWhiteSpace(value))
            return ids;
        var pos = 0;
        while (pos < value.Length)
        {
            var open = value.IndexOf('<', pos);
            if (open < 0)
                break;
            var close = value.IndexOf('>', open + 1);
            if (close < 0)
                break;
            var id = value[(open + 1)..close].Trim();
            if (id.Length > 0)
                ids.Add(id);
            pos = close + 1;
        }
        if (ids.Count == 0)
        {
            var text = value.Trim();
            var space = text.IndexOfAny([' ', '\t']);
            ids.Add(space < 0 ? text : text[..space]);
        }
        return ids;
    }
}
