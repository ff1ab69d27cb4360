using System.Globalization;
using System.Runtime.InteropServices;

namespace MiSS.Mail.Imap;

/// <summary>Mailbox-level commands: LIST, CREATE, DELETE, APPEND.</summary>
public sealed partial class ImapClient
{
    /// <summary>
    /// Lists every mailbox (LIST "" "*") with its attributes, including the RFC 6154 special uses (\Sent, \Drafts,
    /// \Trash, ...) the server reports; see <see cref="ImapMailboxInfo.SpecialUse"/> to find the Sent folder.
    /// </summary>
    public async Task<IReadOnlyList<ImapMailboxInfo>> ListMailboxesAsync(CancellationToken ct = default)
    {
        using var scope = _gate.Enter(nameof(ImapClient));
        RequireConnection();
        RequireProtectedChannel("list mailboxes");
        var mailboxes = new List<ImapMailboxInfo>();
        await ExecuteAsync(
            new ImapCommandBuilder("LIST").AString(string.Empty).AString("*"),
            response =>
            {
                if (!response.IsData("LIST"))
                {
                    return false;
                }

                mailboxes.Add(ParseListResponse(response));
                return true;
            },
            ct);
        return mailboxes;
    }

    /// <summary>
    /// Creates a mailbox (CREATE). An existing name is refused by the server: <see cref="ImapCommandException"/>, with
    /// <see cref="ImapCommandException.ResponseCode"/> ALREADYEXISTS when the server says so (RFC 5530).
    /// </summary>
    public async Task CreateMailboxAsync(string name, CancellationToken ct = default)
    {
        CheckMailboxName(name, nameof(name));
        using var scope = _gate.Enter(nameof(ImapClient));
        RequireConnection();
        RequireProtectedChannel("create a mailbox");
        await ExecuteAsync(new ImapCommandBuilder("CREATE").AString(ImapMailboxName.Encode(name)), null, ct);
    }

    /// <summary>
    /// Deletes a mailbox and every message in it (DELETE). The selected mailbox is first left (UNSELECT, or CLOSE
    /// when UNSELECT is not offered), since some servers end the session when the selected mailbox disappears.
    /// INBOX cannot be deleted (refused here, before anything is sent).
    /// </summary>
    public async Task DeleteMailboxAsync(string name, CancellationToken ct = default)
    {
        CheckMailboxName(name, nameof(name));
        if (string.Equals(name, "INBOX", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("INBOX cannot be deleted", nameof(name));
        }

        using var scope = _gate.Enter(nameof(ImapClient));
        RequireConnection();
        RequireProtectedChannel("delete a mailbox");
        if (_selected is not null && string.Equals(_selected.Name, name, StringComparison.Ordinal))
        {
            // CLOSE would expunge \Deleted messages, which is moot for a mailbox about to be deleted.
            await ExecuteAsync(new ImapCommandBuilder(_capabilities.Contains("UNSELECT") ? "UNSELECT" : "CLOSE"), null, ct);
            _selected = null;
        }

        await ExecuteAsync(new ImapCommandBuilder("DELETE").AString(ImapMailboxName.Encode(name)), null, ct);
    }

    /// <summary>
    /// Stores <paramref name="message"/> (exact bytes, CRLF line ends expected) in <paramref name="mailbox"/> with
    /// APPEND, as a literal sent after the server's continuation, or at once when the server offers LITERAL+ (RFC 7888).
    /// Returns the new message's UID from [APPENDUID] when the server offers UIDPLUS (RFC 4315), else null.
    /// A missing mailbox is refused with <see cref="ImapCommandException.ResponseCode"/> TRYCREATE.
    /// </summary>
    /// <param name="mailbox">Destination mailbox.</param>
    /// <param name="message">The complete message; must not be empty.</param>
    /// <param name="flags">Flags to set on it ("\Seen", "$Label"), or null for none.</param>
    /// <param name="internalDate">Its INTERNALDATE (whole seconds), or null for the time of storage.</param>
    /// <param name="ct">Cancels the command; the connection is unusable afterwards.</param>
    public async Task<uint?> AppendAsync(
        string mailbox, ReadOnlyMemory<byte> message, IEnumerable<string>? flags = null, DateTimeOffset? internalDate = null,
        CancellationToken ct = default)
    {
        CheckMailboxName(mailbox, nameof(mailbox));
        if (message.IsEmpty)
        {
            throw new ArgumentException("the message must not be empty", nameof(message));
        }

        var command = new ImapCommandBuilder("APPEND").AString(ImapMailboxName.Encode(mailbox));
        if (flags is not null)
        {
            var list = ImapSyntax.FlagList(flags, nameof(flags));
            if (list != "()")
            {
                command.Raw(list);
            }
        }

        if (internalDate is { } date)
        {
            command.Raw(ImapSyntax.FormatDateTime(date));
        }

        command.Literal(
            MemoryMarshal.TryGetArray(message, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
                ? segment.Array
                : message.ToArray());

        using var scope = _gate.Enter(nameof(ImapClient));
        RequireConnection();
        RequireProtectedChannel("store a message");
        var completion = await ExecuteAsync(command, null, ct);
        if (completion.Code is { Name: "APPENDUID" } code && code.Words.Length == 2
            && uint.TryParse(code.Words[1], NumberStyles.None, CultureInfo.InvariantCulture, out var uid) && uid != 0)
        {
            return uid;
        }

        return null;
    }

    private ImapMailboxInfo ParseListResponse(ImapResponse response)
    {
        if (response.Values.Count < 3 || response.Values[0] is not ImapList attributes)
        {
            throw ProtocolViolation("a LIST response lacks its attributes, delimiter or name");
        }

        var delimiter = response.Values[1] switch
        {
            ImapNil => null,
            ImapString s => s.Text,
            _ => throw ProtocolViolation("the delimiter of a LIST response is neither a string nor NIL"),
        };
        var encoded = response.Values[2] switch
        {
            ImapAtom atom => atom.Value,
            ImapString s => s.Text,
            _ => throw ProtocolViolation("the name in a LIST response is neither an atom nor a string"),
        };

        string name;
        try
        {
            name = string.Equals(encoded, "INBOX", StringComparison.OrdinalIgnoreCase) ? "INBOX" : ImapMailboxName.Decode(encoded);
        }
        catch (FormatException)
        {
            // Not valid modified UTF-7: keep what the server sent so the mailbox stays usable by that name.
            name = encoded;
        }

        var flags = attributes.Items.Select(a => a.AsText()).OfType<string>().ToArray();
        return new ImapMailboxInfo(name, delimiter, flags);
    }
}
