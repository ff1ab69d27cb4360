namespace MiSS.Mail.Mime;

/// <summary>
/// A mailbox: optional display name and an addr-spec ("local@domain"; a quoted local part keeps its quotes).
/// The address is validated so that formatting can never inject another recipient or header.
/// </summary>
public sealed record MailboxAddress(string? DisplayName, string Address)
{
    private readonly string _address = Check(Address);

    /// <summary>The addr-spec.</summary>
    public string Address
    {
        get => _address;
        init => _address = Check(value);
    }

    /// <summary>Creates a mailbox without display name.</summary>
    public MailboxAddress(string address)
        : this(null, address)
    {
    }

    /// <summary>RFC 5322 form: "Name &lt;addr&gt;" with the name quoted or RFC 2047-encoded as needed, or the bare address.</summary>
    public override string ToString()
    {
        if (string.IsNullOrEmpty(DisplayName))
            return Address;
        string name;
        if (EncodedWords.NeedsEncoding(DisplayName))
            name = EncodedWords.EncodePhrase(DisplayName);
        else if (IsSimplePhrase(DisplayName))
            name = DisplayName;
        else
            name = MimeSyntax.Quote(DisplayName);
        return $"{name} <{Address}>";
    }

    /// <summary>
    /// True for a non-empty address without whitespace, controls or list/angle/comment delimiters outside a quoted
    /// local part or a domain literal. Deliberately permissive otherwise (real-world addresses are messy).
    /// </summary>
    public static bool IsValidAddress(string? address)
    {
        if (string.IsNullOrEmpty(address))
            return false;
        var quoted = false;
        var literal = false;
        var at = false;
        for (var i = 0; i < address.Length; i++)
        {
            var c = address[i];
            if (c is '\r' or '\n' || c < ' ' || c == 127)
                return false;
            if (quoted)
            {
                if (c == '\\')
                    i++;
                else if (c == '"')
                    quoted = false;
                continue;
            }
            if (literal)
            {
                literal = c != ']';
                continue;
            }
            switch (c)
            {
                case '"':
                    quoted = true;
                    break;
                case '[':
                    literal = true;
                    break;
                case '@':
                    // Exactly one '@', with a local part before it and a domain after it.
                    if (at || i == 0 || i == address.Length - 1)
                        return false;
                    at = true;
                    break;
                case ' ' or '\t' or '<' or '>' or ',' or ';' or ':' or '(' or ')' or '\\' or ']':
                    return false;
            }
        }
        // Without a domain only a plain local part ("postmaster") is accepted, not a lone quoted string.
        return !quoted && !literal && (at || !address.Contains('"', StringComparison.Ordinal));
    }

    private static string Check(string address) => IsValidAddress(address)
        ? address
        : throw new ArgumentException($"Invalid mailbox address '{address}'.", nameof(address));

    private static bool IsSimplePhrase(string name)
    {
        foreach (var word in name.Split(' '))
        {
            if (word.Length == 0 || !word.All(MimeSyntax.IsAtext))
                return false;
        }
        return true;
    }
}
