using System.Globalization;

namespace MiSS.Mail.Imap;

/// <summary>Message-level commands on the selected mailbox: UID FETCH summaries, UID STORE, EXPUNGE, COPY and MOVE.</summary>
public sealed partial class ImapClient
{
    private const string SummaryItems = "(UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER])";

    /// <summary>
    /// Fetches flags, size, internal date and header section (BODY.PEEK[HEADER]: \Seen is not set) of every message in
    /// <paramref name="uidSet"/> ("1:*", "5,7,9", "3:8") with one UID FETCH; returns them in ascending UID order.
    /// UIDs that do not exist are simply absent. Note that "n:*" always includes the highest UID, even below n.
    /// </summary>
    public async Task<IReadOnlyList<ImapMessageSummary>> UidFetchSummariesAsync(string uidSet, CancellationToken ct = default)
    {
        ImapSyntax.ValidateSequenceSet(uidSet, nameof(uidSet));
        using var scope = _gate.Enter(nameof(ImapClient));
        RequireSelected();
        var found = new SortedDictionary<uint, SummaryBuilder>();
        var completion = await ExecuteAsync(
            new ImapCommandBuilder("UID FETCH").Raw($"{uidSet} {SummaryItems}"),
            response => TakeSummary(response, found),
            ct,
            throwOnFailure: false);

        // EXPUNGEISSUED: some messages went away meanwhile; what did arrive is still right.
        if (completion.Status != "OK" && !(completion.Status == "NO" && completion.Code?.Name == "EXPUNGEISSUED"))
        {
            throw new ImapCommandException("UID FETCH", completion.Status!, completion.Text, completion.Code?.Name);
        }

        return found.Where(f => f.Value.Solicited)
            .Select(f => new ImapMessageSummary(f.Key, f.Value.Flags ?? [], f.Value.Size, f.Value.InternalDate, f.Value.Headers))
            .ToArray();
    }

    /// <summary>
    /// Changes the flags of the messages in <paramref name="uidSet"/> with UID STORE (+FLAGS.SILENT, -FLAGS.SILENT or
    /// FLAGS.SILENT): the server does not echo the new flags. Refused by the server in a mailbox opened with EXAMINE.
    /// </summary>
    /// <param name="uidSet">UIDs such as "7" or "5,7,9" or "1:*".</param>
    /// <param name="mode">Add, remove, or replace all flags.</param>
    /// <param name="flags">Flags such as "\Seen", "\Deleted", "$Label"; empty with Replace clears every flag.</param>
    /// <param name="ct">Cancels the command; the connection is unusable afterwards.</param>
    public async Task UidStoreFlagsAsync(string uidSet, ImapStoreMode mode, IEnumerable<string> flags, CancellationToken ct = default)
    {
        ImapSyntax.ValidateSequenceSet(uidSet, nameof(uidSet));
        var list = ImapSyntax.FlagList(flags, nameof(flags));
        var item = mode switch
        {
            ImapStoreMode.Add => "+FLAGS.SILENT",
            ImapStoreMode.Remove => "-FLAGS.SILENT",
            ImapStoreMode.Replace => "FLAGS.SILENT",
            _ => throw new ArgumentOutOfRangeException(nameof(mode)),
        };

        using var scope = _gate.Enter(nameof(ImapClient));
        RequireSelected();
        await ExecuteAsync(new ImapCommandBuilder("UID STORE").Raw($"{uidSet} {item} {list}"), null, ct);
    }

    /// <summary>
    /// Permanently removes the messages of <paramref name="uidSet"/> that carry \Deleted, with UID EXPUNGE when the
    /// server offers UIDPLUS (RFC 4315). WITHOUT UIDPLUS IT FALLS BACK TO A PLAIN EXPUNGE, WHICH REMOVES EVERY MESSAGE
    /// MARKED \Deleted IN THE MAILBOX, not only those in the set: check <see cref="Capabilities"/> for UIDPLUS first
    /// when other clients may have marked messages. The resulting EXPUNGE responses update
    /// <see cref="SelectedMailbox"/> without counting as a change for <see cref="IdleAsync"/>.
    /// </summary>
    public async Task UidExpungeAsync(string uidSet, CancellationToken ct = default)
    {
        ImapSyntax.ValidateSequenceSet(uidSet, nameof(uidSet));
        using var scope = _gate.Enter(nameof(ImapClient));
        RequireSelected();
        var command = _capabilities.Contains("UIDPLUS")
            ? new ImapCommandBuilder("UID EXPUNGE").Raw(uidSet)
            : new ImapCommandBuilder("EXPUNGE");
        await ExecuteAsync(command, AbsorbOwnExpunge, ct);
    }

    /// <summary>
    /// Permanently removes EVERY message marked \Deleted in the selected mailbox (EXPUNGE), including messages other
    /// clients marked; prefer <see cref="UidExpungeAsync"/>. The EXPUNGE responses update <see cref="SelectedMailbox"/>
    /// without counting as a change for <see cref="IdleAsync"/>.
    /// </summary>
    public async Task ExpungeAsync(CancellationToken ct = default)
    {
        using var scope = _gate.Enter(nameof(ImapClient));
        RequireSelected();
        await ExecuteAsync(new ImapCommandBuilder("EXPUNGE"), AbsorbOwnExpunge, ct);
    }

    /// <summary>
    /// Copies the messages of <paramref name="uidSet"/> to <paramref name="destination"/> (UID COPY); returns the
    /// new UIDs from [COPYUID] when the server sends it (UIDPLUS), else null. A missing destination is refused with
    /// <see cref="ImapCommandException.ResponseCode"/> TRYCREATE.
    /// </summary>
    public async Task<ImapUidMapping?> UidCopyAsync(string uidSet, string destination, CancellationToken ct = default)
    {
        ImapSyntax.ValidateSequenceSet(uidSet, nameof(uidSet));
        CheckMailboxName(destination, nameof(destination));
        using var scope = _gate.Enter(nameof(ImapClient));
        RequireSelected();
        return await CopyAsync(uidSet, destination, ct);
    }

    /// <summary>
    /// Moves the messages of <paramref name="uidSet"/> to <paramref name="destination"/>: with UID MOVE when the
    /// server offers MOVE (RFC 6851), else with UID COPY, UID STORE +FLAGS.SILENT (\Deleted) and, when UIDPLUS is
    /// offered, UID EXPUNGE of exactly that set. Without MOVE and UIDPLUS the originals are left marked \Deleted (a
    /// plain EXPUNGE would remove other clients' \Deleted messages too): call <see cref="ExpungeAsync"/> to finish.
    /// Returns the new UIDs from [COPYUID] when the server sends it, else null.
    /// </summary>
    public async Task<ImapUidMapping?> UidMoveAsync(string uidSet, string destination, CancellationToken ct = default)
    {
        ImapSyntax.ValidateSequenceSet(uidSet, nameof(uidSet));
        CheckMailboxName(destination, nameof(destination));
        using var scope = _gate.Enter(nameof(ImapClient));
        RequireSelected();
        if (!_capabilities.Contains("MOVE"))
        {
            var copied = await CopyAsync(uidSet, destination, ct);
            await ExecuteAsync(new ImapCommandBuilder("UID STORE").Raw($"{uidSet} +FLAGS.SILENT (\\Deleted)"), null, ct);
            if (_capabilities.Contains("UIDPLUS"))
            {
                await ExecuteAsync(new ImapCommandBuilder("UID EXPUNGE").Raw(uidSet), AbsorbOwnExpunge, ct);
            }

            return copied;
        }

        ImapUidMapping? mapping = null;
        var completion = await ExecuteAsync(
            new ImapCommandBuilder("UID MOVE").Raw(uidSet).AString(ImapMailboxName.Encode(destination)),
            response =>
            {
                // RFC 6851: COPYUID comes in an untagged OK before the EXPUNGE responses.
                if (response.IsStatus && response.Code?.Name == "COPYUID")
                {
                    mapping = ParseCopyUid(response.Code);
                    return true;
                }

                return AbsorbOwnExpunge(response);
            },
            ct);
        return mapping ?? ParseCopyUid(completion.Code);
    }

    private async Task<ImapUidMapping?> CopyAsync(string uidSet, string destination, CancellationToken ct)
    {
        var completion = await ExecuteAsync(
            new ImapCommandBuilder("UID COPY").Raw(uidSet).AString(ImapMailboxName.Encode(destination)), null, ct);
        return ParseCopyUid(completion.Code);
    }

    /// <summary>
    /// Takes EXPUNGE responses caused by this client's own command, and the new RECENT count servers send with
    /// them: the message count changes, no change is signalled.
    /// </summary>
    private bool AbsorbOwnExpunge(ImapResponse response)
    {
        if (response.IsData("EXPUNGE") && response.Number is not null)
        {
            _exists = Math.Max(0, _exists - 1);
            return true;
        }

        return response.IsData("RECENT");
    }

    /// <summary>[COPYUID validity source-set destination-set] as a mapping; null when absent or unusable.</summary>
    private static ImapUidMapping? ParseCopyUid(ImapResponseCode? code)
    {
        if (code is not { Name: "COPYUID" } || code.Words is not [var validityText, var sourceSet, var destinationSet]
            || !uint.TryParse(validityText, NumberStyles.None, CultureInfo.InvariantCulture, out var validity))
        {
            return null;
        }

        var sources = ImapSyntax.ExpandSet(sourceSet);
        var destinations = ImapSyntax.ExpandSet(destinationSet);
        if (sources is null || destinations is null || sources.Count != destinations.Count)
        {
            return null;
        }

        var map = new Dictionary<uint, uint>(sources.Count);
        for (var i = 0; i < sources.Count; i++)
        {
            map[sources[i]] = destinations[i];
        }

        return new ImapUidMapping(validity, map);
    }

    /// <summary>
    /// Records the data of one FETCH response that carries a UID. It belongs to the summary fetch when it carries one
    /// of the requested items beyond FLAGS; a FLAGS-only FETCH is also left to the general handler (a change).
    /// </summary>
    private bool TakeSummary(ImapResponse response, SortedDictionary<uint, SummaryBuilder> found)
    {
        if (!response.IsData("FETCH") || response.Values.Count == 0 || response.Values[0] is not ImapList list)
        {
            return false;
        }

        var items = FetchItems(list);
        if (!items.TryGetValue("UID", out var uidValue) || !uidValue.TryGetNumber(out var uid) || uid == 0)
        {
            return false;
        }

        if (!found.TryGetValue(uid, out var summary))
        {
            summary = new SummaryBuilder();
            found[uid] = summary;
        }

        if (items.TryGetValue("FLAGS", out var flags))
        {
            summary.Flags = flags is ImapList flagList
                ? flagList.Items.Select(f => f.AsText()).OfType<string>().ToArray()
                : throw ProtocolViolation("FLAGS in a FETCH response is not a list");
        }

        var solicited = false;
        if (items.TryGetValue("RFC822.SIZE", out var size))
        {
            summary.Size = size is ImapAtom atom && long.TryParse(atom.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes)
                ? bytes
                : throw ProtocolViolation("RFC822.SIZE in a FETCH response is not a number");
            solicited = true;
        }

        if (items.TryGetValue("INTERNALDATE", out var date))
        {
            summary.InternalDate = date.AsText() is { } text && ImapSyntax.TryParseDateTime(text, out var parsed) ? parsed : null;
            solicited = true;
        }

        if (items.TryGetValue("BODY[HEADER]", out var header))
        {
            summary.Headers = header switch
            {
                ImapString s => s.Bytes,
                ImapNil => null,
                _ => throw ProtocolViolation("BODY[HEADER] in a FETCH response is neither a string nor NIL"),
            };
            solicited = true;
        }

        summary.Solicited |= solicited;
        return solicited;
    }

    /// <summary>What has arrived so far for one message of a summary fetch.</summary>
    private sealed class SummaryBuilder
    {
        public bool Solicited { get; set; }

        public IReadOnlyList<string>? Flags { get; set; }

        public long Size { get; set; } = -1;

        public DateTimeOffset? InternalDate { get; set; }

        public byte[]? Headers { get; set; }
    }
}
