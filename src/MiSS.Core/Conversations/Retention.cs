using System.Globalization;

namespace MiSS.Core.Conversations;

/// <summary>
/// How long the messages of a conversation live, and when that was decided (docs/protocol.md, section 9). The setting
/// travels in every message (X-MiSS-Retention) and merges last-write-wins, so every member ends with the same value.
/// </summary>
/// <param name="Duration">Lifetime of a message, counted from the moment it is sent.</param>
/// <param name="ChangedAt">When the setting was chosen (Unix milliseconds): the later choice wins.</param>
public sealed record Retention(TimeSpan Duration, long ChangedAt)
{
    /// <summary>The shortest lifetime a conversation may have ("expire now" covers anything shorter).</summary>
    public static readonly TimeSpan Minimum = TimeSpan.FromHours(1);

    /// <summary>The longest: MiSS is for exchanges, the patient record is where things are kept.</summary>
    public static readonly TimeSpan Maximum = TimeSpan.FromDays(365);

    /// <summary>The X-MiSS-Retention value: whole seconds, then the change time.</summary>
    public string ToHeaderValue() =>
        string.Create(CultureInfo.InvariantCulture, $"{(long)Duration.TotalSeconds}; t={ChangedAt}");

    /// <summary>Reads an X-MiSS-Retention value; null when absent or unreadable. A lifetime out of bounds is brought within them.</summary>
    public static Retention? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var parts = value.Split(';', StringSplitOptions.TrimEntries);
        if (!long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return null;
        }
        var changedAt = 0L;
        foreach (var parameter in parts.Skip(1))
        {
            if (parameter.StartsWith("t=", StringComparison.OrdinalIgnoreCase) &&
                long.TryParse(parameter[2..], NumberStyles.None, CultureInfo.InvariantCulture, out var t))
            {
                changedAt = t;
            }
        }
        var duration = seconds > Maximum.TotalSeconds ? Maximum : TimeSpan.FromSeconds(seconds);
        return new Retention(Clamp(duration), changedAt);
    }

    /// <summary>Brings a lifetime within <see cref="Minimum"/> and <see cref="Maximum"/>.</summary>
    public static TimeSpan Clamp(TimeSpan duration) =>
        duration < Minimum ? Minimum : duration > Maximum ? Maximum : duration;

    /// <summary>True when <paramref name="duration"/> may be chosen as it is.</summary>
    public static bool IsAllowed(TimeSpan duration) => duration >= Minimum && duration <= Maximum;

    /// <summary>
    /// The setting that wins between two: the later change; on a tie, the shorter lifetime (the safer one). Commutative,
    /// so members who see the changes in different orders agree.
    /// </summary>
    public Retention Merge(Retention? other)
    {
        if (other is null || other.ChangedAt < ChangedAt)
        {
            return this;
        }
        if (other.ChangedAt > ChangedAt)
        {
            return other;
        }
        return other.Duration < Duration ? other : this;
    }

    /// <summary>When a message sent at <paramref name="sentAt"/> expires (whole seconds, as the Date-like header carries it).</summary>
    public DateTimeOffset ExpiryOf(DateTimeOffset sentAt) =>
        DateTimeOffset.FromUnixTimeSeconds((sentAt + Duration).ToUnixTimeSeconds());

    /// <summary>The lifetime in French, for messages and the client ("7 jours", "1 heure").</summary>
    public static string Describe(TimeSpan duration)
    {
        static string Plural(long n, string one, string many) => n == 1 ? $"1 {one}" : $"{n} {many}";
        if (duration.TotalDays >= 1 && duration.TotalDays == Math.Floor(duration.TotalDays))
        {
            return Plural((long)duration.TotalDays, "jour", "jours");
        }
        if (duration.TotalHours >= 1 && duration.TotalHours == Math.Floor(duration.TotalHours))
        {
            return Plural((long)duration.TotalHours, "heure", "heures");
        }
        return Plural((long)Math.Ceiling(duration.TotalMinutes), "minute", "minutes");
    }
}
