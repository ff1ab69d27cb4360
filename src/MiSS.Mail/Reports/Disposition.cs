namespace MiSS.Mail.Reports;

/// <summary>How the disposition was decided (RFC 8098 §3.2.6.1).</summary>
public enum DispositionActionMode
{
    /// <summary>Absent or unrecognised.</summary>
    Unknown,

    /// <summary>"manual-action": by an explicit action of the user (e.g. opening the message).</summary>
    Manual,

    /// <summary>"automatic-action": without the user's involvement (e.g. a filter).</summary>
    Automatic,
}

/// <summary>How the notification itself was sent (RFC 8098 §3.2.6.1).</summary>
public enum DispositionSendingMode
{
    /// <summary>Absent or unrecognised.</summary>
    Unknown,

    /// <summary>"MDN-sent-manually": the user explicitly agreed to send it.</summary>
    SentManually,

    /// <summary>"MDN-sent-automatically": sent without asking the user.</summary>
    SentAutomatically,
}

/// <summary>What happened to the message (RFC 8098 §3.2.6.2; the last two are from RFC 3798 and obsolete).</summary>
public enum DispositionType
{
    /// <summary>Absent or unrecognised.</summary>
    Unknown,

    /// <summary>"displayed": shown to the user (a read receipt; not a proof that it was read or understood).</summary>
    Displayed,

    /// <summary>"deleted": deleted without being displayed.</summary>
    Deleted,

    /// <summary>"dispatched": printed, faxed or forwarded without being displayed.</summary>
    Dispatched,

    /// <summary>"processed": processed in some other way without being displayed.</summary>
    Processed,

    /// <summary>"denied" (RFC 3798, obsolete): the recipient does not want to send notifications.</summary>
    Denied,

    /// <summary>"failed" (RFC 3798, obsolete): a failure prevented a proper notification.</summary>
    Failed,
}

/// <summary>
/// The Disposition field of an MDN: "action-mode/sending-mode; type[/modifier,...]", e.g.
/// "manual-action/MDN-sent-manually; displayed" or "automatic-action/MDN-sent-automatically; deleted/error".
/// </summary>
public sealed record Disposition
{
    /// <summary>A disposition to send; by default a manual one, sent manually.</summary>
    public Disposition(
        DispositionType type,
        DispositionActionMode actionMode = DispositionActionMode.Manual,
        DispositionSendingMode sendingMode = DispositionSendingMode.SentManually,
        IReadOnlyList<string>? modifiers = null)
    {
        Type = type;
        ActionMode = actionMode;
        SendingMode = sendingMode;
        Modifiers = modifiers ?? [];
    }

    /// <summary>The action mode.</summary>
    public DispositionActionMode ActionMode { get; init; }

    /// <summary>The sending mode.</summary>
    public DispositionSendingMode SendingMode { get; init; }

    /// <summary>The disposition type.</summary>
    public DispositionType Type { get; init; }

    /// <summary>The modifiers, lowercased, e.g. "error" (when parsing, values that are not tokens are dropped).</summary>
    public IReadOnlyList<string> Modifiers { get; init; }

    /// <summary>The field value as read; null for a disposition created here.</summary>
    public string? Raw { get; init; }

    /// <summary>True with the "error" modifier: an error occurred, see <see cref="DispositionNotification.Errors"/>.</summary>
    public bool HasError => Modifiers.Contains("error", StringComparer.OrdinalIgnoreCase);

    /// <summary>Parses tolerantly (comments, spacing and case ignored); parts that cannot be read stay Unknown. Never throws.</summary>
    public static Disposition Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = ReportFields.StripComments(value);
        var semicolon = text.IndexOf(';', StringComparison.Ordinal);
        // Without ';' a lone "displayed" is a type, a lone "manual-action/MDN-sent-manually" a mode.
        var mode = semicolon >= 0 ? text[..semicolon] : text.Contains('/', StringComparison.Ordinal) && !IsTypePart(text) ? text : "";
        var typePart = semicolon >= 0 ? text[(semicolon + 1)..] : mode.Length == 0 ? text : "";
        var slash = mode.IndexOf('/', StringComparison.Ordinal);
        var actionMode = Lower(slash < 0 ? mode : mode[..slash]) switch
        {
            "manual-action" => DispositionActionMode.Manual,
            "automatic-action" => DispositionActionMode.Automatic,
            _ => DispositionActionMode.Unknown,
        };
        var sendingMode = Lower(slash < 0 ? "" : mode[(slash + 1)..]) switch
        {
            "mdn-sent-manually" => DispositionSendingMode.SentManually,
            "mdn-sent-automatically" => DispositionSendingMode.SentAutomatically,
            _ => DispositionSendingMode.Unknown,
        };
        var typeSlash = typePart.IndexOf('/', StringComparison.Ordinal);
        var type = ParseType(Lower(typeSlash < 0 ? typePart : typePart[..typeSlash]));
        var modifiers = typeSlash < 0
            ? []
            : typePart[(typeSlash + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(IsModifier).Select(m => m.ToLowerInvariant()).Take(32).ToArray();
        return new Disposition(type, actionMode, sendingMode, modifiers) { Raw = value };
    }

    /// <summary>The field value: canonical when every part is known, else <see cref="Raw"/>.</summary>
    public override string ToString() => TryFormat() ?? Raw ?? "";

    /// <summary>"action-mode/sending-mode; type[/modifiers]", or null when a part is Unknown or a modifier is not a token.</summary>
    internal string? TryFormat()
    {
        var action = ActionMode switch
        {
            DispositionActionMode.Manual => "manual-action",
            DispositionActionMode.Automatic => "automatic-action",
            _ => null,
        };
        var sending = SendingMode switch
        {
            DispositionSendingMode.SentManually => "MDN-sent-manually",
            DispositionSendingMode.SentAutomatically => "MDN-sent-automatically",
            _ => null,
        };
        var type = Type == DispositionType.Unknown ? null : Type.ToString().ToLowerInvariant();
        if (action is null || sending is null || type is null || !Modifiers.All(IsModifier))
            return null;
        return Modifiers.Count == 0 ? $"{action}/{sending}; {type}" : $"{action}/{sending}; {type}/{string.Join(',', Modifiers)}";
    }

    private static bool IsModifier(string m) => m.Length is > 0 and <= 64 && m.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    private static bool IsTypePart(string text) => ParseType(Lower(text[..text.IndexOf('/', StringComparison.Ordinal)])) != DispositionType.Unknown;

    private static string Lower(string s) => s.Trim().ToLowerInvariant();

    private static DispositionType ParseType(string s) => s switch
    {
        "displayed" => DispositionType.Displayed,
        "deleted" => DispositionType.Deleted,
        "dispatched" => DispositionType.Dispatched,
        "processed" => DispositionType.Processed,
        "denied" => DispositionType.Denied,
        "failed" => DispositionType.Failed,
        _ => DispositionType.Unknown,
    };
}
