using MimeKit;
using MimeKit.Utils;

namespace MiSS.Core.Messaging.Reports;

/// <summary>
/// Finds the delivery status notification (RFC 3464, RFC 6533) or read receipt (RFC 8098) in a received message or
/// entity, on MimeKit's <see cref="MessageDeliveryStatus"/> and <see cref="MessageDispositionNotification"/>. The
/// report is recognised by its machine-readable part, whatever the report-type says, even nested in other multiparts.
/// Tolerant of real reports' breakage (fields in the part's own header block, groups without blank lines between them,
/// a missing Action) and bounded; never throws on hostile input.
/// </summary>
public static class MailReports
{
    const int MaxEntitiesVisited = 10_000;
    const int MaxRecipients = 1_000;

    static readonly HashSet<string> PerRecipientFields = new(StringComparer.OrdinalIgnoreCase)
        { "Original-Recipient", "Final-Recipient", "Action", "Status", "Remote-MTA", "Diagnostic-Code", "Last-Attempt-Date", "Final-Log-ID", "Will-Retry-Until" };

    /// <summary>The report in <paramref name="message"/>, or null when it holds none.</summary>
    public static MailReport? TryRead(MimeMessage message) => message.Body is { } body ? TryRead(body) : null;

    /// <summary>The report in <paramref name="entity"/> (e.g. the decrypted content of an S/MIME message), or null.</summary>
    public static MailReport? TryRead(MimeEntity entity)
    {
        if (Find(entity) is not { } found)
        {
            return null;
        }
        var (part, container, isDeliveryStatus) = found;
        var groups = FieldGroups(part);
        var returned = container is null ? null : ReturnedMessageId(container);
        return isDeliveryStatus ? ReadDeliveryStatus(groups) with { ReturnedMessageId = returned } : ReadDisposition(groups) with { ReturnedMessageId = returned };
    }

    static DeliveryStatusReport ReadDeliveryStatus(List<HeaderList> groups)
    {
        string? envelopeId = null;
        var recipients = new List<RecipientStatus>();
        foreach (var group in groups)
        {
            envelopeId ??= group["Original-Envelope-Id"]?.Trim();
            if (recipients.Count < MaxRecipients && group.Any(h => PerRecipientFields.Contains(h.Field)))
            {
                recipients.Add(new RecipientStatus(
                    TypedValue(group["Final-Recipient"]),
                    TypedValue(group["Original-Recipient"]),
                    ParseAction(group["Action"]),
                    WithoutComments(group["Status"]),
                    TypedValue(group["Diagnostic-Code"])));
            }
        }
        return new DeliveryStatusReport { OriginalEnvelopeId = envelopeId, Recipients = recipients };
    }

    static DispositionNotification ReadDisposition(List<HeaderList> groups)
    {
        string? Field(string name) => groups.Select(g => g[name]).FirstOrDefault(v => v is not null);
        var messageId = Field("Original-Message-ID") is { } id ? MimeUtils.EnumerateReferences(id).FirstOrDefault() : null;
        return new DispositionNotification(messageId, TypedValue(Field("Final-Recipient")), ParseDisposition(Field("Disposition")));
    }

    /// <summary>"manual-action/MDN-sent-manually; displayed/error": the type after the ';' (or alone), comments and case ignored.</summary>
    static DispositionType ParseDisposition(string? value)
    {
        if (WithoutComments(value) is not { } text)
        {
            return DispositionType.Unknown;
        }
        var type = text[(text.IndexOf(';') + 1)..].Split('/')[0].Trim().ToLowerInvariant();
        return type switch
        {
            "displayed" => DispositionType.Displayed,
            "deleted" => DispositionType.Deleted,
            "dispatched" => DispositionType.Dispatched,
            "processed" => DispositionType.Processed,
            _ => DispositionType.Unknown,
        };
    }

    static DeliveryAction ParseAction(string? value) => WithoutComments(value)?.ToLowerInvariant() switch
    {
        "failed" => DeliveryAction.Failed,
        "delayed" => DeliveryAction.Delayed,
        "delivered" => DeliveryAction.Delivered,
        "relayed" => DeliveryAction.Relayed,
        "expanded" => DeliveryAction.Expanded,
        _ => DeliveryAction.Unknown,
    };

    /// <summary>The value of "type; value" (RFC 3464 §2.1.2) without its type; an address loses its angle brackets and comments.</summary>
    static string? TypedValue(string? field)
    {
        if (field is null)
        {
            return null;
        }
        var semicolon = field.IndexOf(';');
        var value = (semicolon >= 0 ? field[(semicolon + 1)..] : field).Trim();
        if (semicolon >= 0 && field[..semicolon].Trim().Equals("smtp", StringComparison.OrdinalIgnoreCase))
        {
            return value.Length == 0 ? null : value; // diagnostic text: kept as written
        }
        value = WithoutComments(value)?.Trim('<', '>', ' ');
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>The value without RFC 5322 comments (parenthesised, possibly nested) and surrounding spaces; null when nothing is left.</summary>
    static string? WithoutComments(string? value)
    {
        if (value is null)
        {
            return null;
        }
        var text = new System.Text.StringBuilder(value.Length);
        var depth = 0;
        foreach (var c in value)
        {
            depth += c == '(' ? 1 : c == ')' && depth > 0 ? -1 : 0;
            if (depth == 0 && c != ')')
            {
                text.Append(c);
            }
        }
        var result = text.ToString().Trim();
        return result.Length == 0 ? null : result;
    }

    /// <summary>
    /// The field groups of the report part: MimeKit's own parse of the part's body, preceded by fields a broken report
    /// put in the part's own header block. Groups that run together (no blank line) are split where a recipient starts.
    /// </summary>
    static List<HeaderList> FieldGroups(MimeEntity part)
    {
        var groups = new List<HeaderList>();
        var leaked = new HeaderList();
        foreach (var header in part.Headers.Where(h => !h.Field.StartsWith("Content-", StringComparison.OrdinalIgnoreCase) &&
                                                       !h.Field.Equals("MIME-Version", StringComparison.OrdinalIgnoreCase)))
        {
            leaked.Add(header);
        }
        if (leaked.Count > 0)
        {
            groups.Add(leaked);
        }
        IEnumerable<HeaderList> body = part switch
        {
            MessageDeliveryStatus dsn => dsn.StatusGroups,
            MessageDispositionNotification mdn => [mdn.Fields],
            _ => [],
        };
        foreach (var group in body)
        {
            groups.AddRange(SplitAtRecipients(group));
        }
        return groups;
    }

    /// <summary>A group holding several Final-Recipient fields (blank lines lost on the way) becomes one group per recipient.</summary>
    static IEnumerable<HeaderList> SplitAtRecipients(HeaderList group)
    {
        var current = new HeaderList();
        foreach (var header in group)
        {
            var startsRecipient = header.Field.Equals("Final-Recipient", StringComparison.OrdinalIgnoreCase) ||
                                  header.Field.Equals("Original-Recipient", StringComparison.OrdinalIgnoreCase);
            if (startsRecipient && current.Contains(header.Field))
            {
                yield return current;
                current = new HeaderList();
            }
            current.Add(header);
        }
        if (current.Count > 0)
        {
            yield return current;
        }
    }

    /// <summary>The first machine-readable report part, depth first, with the multipart that holds it; no recursion.</summary>
    static (MimeEntity Part, Multipart? Container, bool IsDeliveryStatus)? Find(MimeEntity root)
    {
        var pending = new Stack<(MimeEntity Entity, Multipart? Parent)>();
        pending.Push((root, null));
        var visited = 0;
        while (pending.Count > 0 && visited++ < MaxEntitiesVisited)
        {
            var (entity, parent) = pending.Pop();
            switch (entity)
            {
                case MessageDeliveryStatus:
                    return (entity, parent, true);
                case MessageDispositionNotification:
                    return (entity, parent, false);
                case Multipart multipart:
                    for (var i = multipart.Count - 1; i >= 0; i--)
                    {
                        pending.Push((multipart[i], multipart));
                    }
                    break;
            }
        }
        return null;
    }

    /// <summary>The Message-ID of the original returned beside the report: a message/rfc822 part or text/rfc822-headers.</summary>
    static string? ReturnedMessageId(Multipart container)
    {
        foreach (var entity in container)
        {
            var id = entity switch
            {
                MessagePart { Message: { } returned } => returned.MessageId,
                MimePart part when part.ContentType.IsMimeType("text", "rfc822-headers") || part.ContentType.IsMimeType("message", "global-headers") =>
                    HeadersOf(part)?["Message-ID"] is { } value ? MimeUtils.EnumerateReferences(value).FirstOrDefault() : null,
                _ => null,
            };
            if (id is not null)
            {
                return id;
            }
        }
        return null;
    }

    static HeaderList? HeadersOf(MimePart part)
    {
        if (part.Content is null)
        {
            return null;
        }
        try
        {
            using var content = part.Content.Open();
            return HeaderList.Load(content);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
