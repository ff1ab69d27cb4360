namespace MiSS.Mail.Imap;

/// <summary>State of a mailbox as reported when it was selected or examined.</summary>
/// <param name="Name">The mailbox name as given by the caller.</param>
/// <param name="UidValidity">
/// UIDVALIDITY; 0 if the server did not send one. A value different from the one stored with earlier UIDs means
/// those UIDs no longer name the same messages: the mailbox must be read again from the start.
/// </param>
/// <param name="UidNext">Predicted next UID; 0 if the server did not send one.</param>
/// <param name="Exists">Number of messages.</param>
public sealed record ImapMailbox(string Name, uint UidValidity, uint UidNext, int Exists)
{
    /// <summary>True when opened with EXAMINE, or when the server granted SELECT only read access ([READ-ONLY]).</summary>
    public bool ReadOnly { get; init; }
}

/// <summary>How an IDLE ended.</summary>
/// <param name="Changed">True when the server reported new, expunged or changed messages.</param>
/// <param name="Exists">The message count last reported during the wait, or null when none was reported.</param>
public sealed record ImapIdleResult(bool Changed, int? Exists);

/// <summary>What UID FETCH returns for one message without its body.</summary>
/// <param name="Uid">The message's UID.</param>
/// <param name="Flags">Its flags as the server spells them ("\Seen", "$Label"); empty when none.</param>
/// <param name="Size">RFC822.SIZE: the size of the message in octets; -1 if the server did not send it.</param>
/// <param name="InternalDate">INTERNALDATE (when the server received or stored it), or null.</param>
/// <param name="Headers">BODY[HEADER]: the header section with its closing empty line, exact bytes; null if not sent.</param>
public sealed record ImapMessageSummary(uint Uid, IReadOnlyList<string> Flags, long Size, DateTimeOffset? InternalDate, byte[]? Headers);

/// <summary>How UID STORE changes the flags.</summary>
public enum ImapStoreMode
{
    /// <summary>Adds the flags (+FLAGS).</summary>
    Add,

    /// <summary>Removes the flags (-FLAGS).</summary>
    Remove,

    /// <summary>Replaces all flags with the given ones (FLAGS).</summary>
    Replace,
}

/// <summary>One mailbox from LIST.</summary>
/// <param name="Name">The name, decoded from modified UTF-7 (left as sent when it does not decode).</param>
/// <param name="Delimiter">The hierarchy delimiter, or null for a flat name space.</param>
/// <param name="Attributes">The name attributes as sent ("\HasNoChildren", "\Sent", "\Noselect", ...).</param>
public sealed record ImapMailboxInfo(string Name, string? Delimiter, IReadOnlyList<string> Attributes)
{
    private static readonly string[] SpecialUses = [@"\All", @"\Archive", @"\Drafts", @"\Flagged", @"\Junk", @"\Sent", @"\Trash"];

    /// <summary>The RFC 6154 special use ("\Sent", "\Drafts", "\Trash", ...), or null.</summary>
    public string? SpecialUse => SpecialUses.FirstOrDefault(s => Attributes.Contains(s, StringComparer.OrdinalIgnoreCase));

    /// <summary>False for \Noselect and \NonExistent names, which cannot be selected.</summary>
    public bool CanSelect => !Attributes.Any(a =>
        string.Equals(a, @"\Noselect", StringComparison.OrdinalIgnoreCase) || string.Equals(a, @"\NonExistent", StringComparison.OrdinalIgnoreCase));
}

/// <summary>Where copied or moved messages went (RFC 4315 COPYUID).</summary>
/// <param name="DestinationUidValidity">UIDVALIDITY of the destination mailbox.</param>
/// <param name="Uids">Destination UID of each source UID.</param>
public sealed record ImapUidMapping(uint DestinationUidValidity, IReadOnlyDictionary<uint, uint> Uids);
