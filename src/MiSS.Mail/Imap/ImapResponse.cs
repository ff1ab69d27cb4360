namespace MiSS.Mail.Imap;

/// <summary>Kind of server response.</summary>
internal enum ImapResponseKind
{
    /// <summary>"* ..." data or status.</summary>
    Untagged,

    /// <summary>"A0001 OK ..." completion of a command.</summary>
    Tagged,

    /// <summary>"+ ..." request for more client data.</summary>
    Continuation,
}

/// <summary>
/// One complete IMAP server response, literals included. Status responses (OK, NO, BAD, BYE, PREAUTH) carry
/// <see cref="Status"/>, <see cref="Code"/> and <see cref="Text"/>; data responses carry <see cref="Name"/>,
/// <see cref="Number"/> ("* 3 EXISTS") and <see cref="Values"/>.
/// </summary>
internal sealed class ImapResponse
{
    /// <summary>Untagged, tagged or continuation.</summary>
    public required ImapResponseKind Kind { get; init; }

    /// <summary>The tag of a tagged response.</summary>
    public string? Tag { get; init; }

    /// <summary>OK, NO, BAD, BYE or PREAUTH (uppercased) for status responses; null for data.</summary>
    public string? Status { get; init; }

    /// <summary>The bracketed response code of a status response, if any.</summary>
    public ImapResponseCode? Code { get; init; }

    /// <summary>Human-readable text of a status or continuation response.</summary>
    public string Text { get; init; } = string.Empty;

    /// <summary>The number before the name of message data ("* 3 EXISTS" gives 3).</summary>
    public uint? Number { get; init; }

    /// <summary>Uppercased name of untagged data (EXISTS, FETCH, CAPABILITY, SEARCH, FLAGS, ...).</summary>
    public string? Name { get; init; }

    /// <summary>The data after the name.</summary>
    public IReadOnlyList<ImapValue> Values { get; init; } = [];

    /// <summary>True for OK/NO/BAD/BYE/PREAUTH responses.</summary>
    public bool IsStatus => Status is not null;

    /// <summary>True for untagged data named <paramref name="name"/>.</summary>
    public bool IsData(string name) =>
        Kind == ImapResponseKind.Untagged && string.Equals(Name, name, StringComparison.Ordinal);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        ImapResponseKind.Continuation => $"+ {Text}",
        ImapResponseKind.Tagged => $"{Tag} {Status} {Text}",
        _ when IsStatus => $"* {Status} {Text}",
        _ => Number is null ? $"* {Name}" : $"* {Number} {Name}",
    };
}

/// <summary>A response code such as [UIDVALIDITY 3857529045] or [CAPABILITY IMAP4rev1 IDLE].</summary>
/// <param name="Name">Uppercased code name.</param>
/// <param name="Arguments">Everything after the name up to the closing bracket, as sent.</param>
internal sealed record ImapResponseCode(string Name, string Arguments)
{
    /// <summary>The arguments split on spaces.</summary>
    public string[] Words => Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
