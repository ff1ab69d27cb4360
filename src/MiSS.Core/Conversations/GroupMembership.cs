using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace MiSS.Core.Conversations;

/// <summary>When a member was last added and last removed (Unix milliseconds; 0 = never).</summary>
public readonly record struct MemberTimes(long AddedAt, long RemovedAt)
{
    /// <summary>Present when the latest add is later than the latest removal: a removal wins a tie.</summary>
    public bool IsMember => AddedAt > RemovedAt;
}

/// <summary>
/// The members of a conversation as a last-write-wins element set: for every address ever seen, the time of its latest
/// addition and of its latest removal. Merging takes the later of each, so it is commutative, associative and idempotent:
/// every side that has seen the same changes, in any order and any number of times, holds the same members.
/// </summary>
public sealed class GroupMembership
{
    readonly ImmutableSortedDictionary<string, MemberTimes> _entries;

    GroupMembership(ImmutableSortedDictionary<string, MemberTimes> entries) => _entries = entries;

    /// <summary>No one, ever.</summary>
    public static GroupMembership Empty { get; } = new(ImmutableSortedDictionary.Create<string, MemberTimes>(StringComparer.OrdinalIgnoreCase));

    /// <summary>Every address with its times, members and former members alike.</summary>
    public IReadOnlyDictionary<string, MemberTimes> Entries => _entries;

    /// <summary>The current members, in address order.</summary>
    public IReadOnlyList<string> Members => _entries.Where(e => e.Value.IsMember).Select(e => e.Key).ToList();

    /// <summary>True when <paramref name="address"/> is a current member.</summary>
    public bool Contains(string address) => _entries.TryGetValue(address, out var times) && times.IsMember;

    /// <summary>Records an addition at <paramref name="at"/> (kept only if later than the one known).</summary>
    public GroupMembership Add(string address, long at) => Merge(address, new MemberTimes(at, 0));

    /// <summary>Records a removal at <paramref name="at"/> (kept only if later than the one known).</summary>
    public GroupMembership Remove(string address, long at) => Merge(address, new MemberTimes(0, at));

    /// <summary>The union of two states, each timestamp the later of the two.</summary>
    public GroupMembership Merge(GroupMembership other) =>
        other._entries.Aggregate(this, (state, entry) => state.Merge(entry.Key, entry.Value));

    GroupMembership Merge(string address, MemberTimes times)
    {
        var key = address.Trim().ToLowerInvariant();
        var known = _entries.GetValueOrDefault(key);
        var merged = new MemberTimes(Math.Max(known.AddedAt, times.AddedAt), Math.Max(known.RemovedAt, times.RemovedAt));
        return merged == known ? this : new GroupMembership(_entries.SetItem(key, merged));
    }

    /// <summary>
    /// The header form (docs/protocol.md, X-MiSS-Members): <c>addr;a=ADDED[;r=REMOVED]</c> entries separated by commas.
    /// </summary>
    public string ToHeaderValue()
    {
        var text = new StringBuilder();
        foreach (var (address, times) in _entries)
        {
            if (text.Length > 0)
            {
                text.Append(", ");
            }
            text.Append(address).Append(";a=").Append(times.AddedAt.ToString(CultureInfo.InvariantCulture));
            if (times.RemovedAt > 0)
            {
                text.Append(";r=").Append(times.RemovedAt.ToString(CultureInfo.InvariantCulture));
            }
        }
        return text.ToString();
    }

    /// <summary>Reads the header form; entries that do not parse are skipped (a hostile header cannot break the group).</summary>
    public static GroupMembership Parse(string? value, int maxEntries = 1000)
    {
        var state = Empty;
        if (string.IsNullOrWhiteSpace(value))
        {
            return state;
        }
        foreach (var entry in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(maxEntries))
        {
            var fields = entry.Split(';', StringSplitOptions.TrimEntries);
            var address = fields[0];
            if (!address.Contains('@') || address.Any(char.IsWhiteSpace) || address.Length > 254)
            {
                continue;
            }
            long added = 0, removed = 0;
            foreach (var field in fields.Skip(1))
            {
                if (field.StartsWith("a=", StringComparison.Ordinal))
                {
                    long.TryParse(field[2..], NumberStyles.None, CultureInfo.InvariantCulture, out added);
                }
                else if (field.StartsWith("r=", StringComparison.Ordinal))
                {
                    long.TryParse(field[2..], NumberStyles.None, CultureInfo.InvariantCulture, out removed);
                }
            }
            state = state.Merge(address, new MemberTimes(added, removed));
        }
        return state;
    }
}
