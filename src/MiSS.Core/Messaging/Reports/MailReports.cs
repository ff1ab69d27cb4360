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
public static partial class MailReports
{
    const int MaxEntitiesVisited = 10_000;
    const int MaxRecipients = 1_000;
    const int MaxFields = 10_000;
    const int MaxFieldLength = 64 * 1024;
    const int MaxReportBytes = 4 << 20;

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
            if (recipients.Count <= MaxRecipients && group.Any(h => PerRecipientFields.Contains(h.Field)))
            {
                var recipient = new RecipientStatus(
                    TypedValue(group["Final-Recipient"]),
                    TypedValue(group["Original-Recipient"]),
                    ParseAction(group["Action"]),
                    WithoutComments(group["Status"]),
                    DiagnosticText(group["Diagnostic-Code"]));
                // A group naming no recipient continues the one before (a blank line inside a recipient's fields).
                if (recipient is { FinalRecipient: null, OriginalRecipient: null } && recipients.Count > 0)
                {
                    var previous = recipients[^1];
                    recipients[^1] = previous with
                    {
                        Action = previous.Action == DeliveryAction.Unknown ? recipient.Action : previous.Action,
                        Status = previous.Status ?? recipient.Status,
                        DiagnosticCode = previous.DiagnosticCode ?? recipient.DiagnosticCode,
                    };
                }
                else if (recipients.Count < MaxRecipients)
                {
                    recipients.Add(recipient);
                }
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

    /// <summary>
    /// The address of "type; address" (RFC 3464 §2.1.2) without its type, angle brackets and comments; a "utf-8" address
    /// has its \x{HEX} escapes decoded (RFC 6533).
    /// </summary>
    static string? TypedValue(string? field)
    {
        if (field is null)
        {
            return null;
        }
        var semicolon = IndexOutsideQuotes(field, ';');
        var value = WithoutComments(semicolon >= 0 ? field[(semicolon + 1)..] : field)?.Trim('<', '>', ' ');
        if (semicolon >= 0 && field[..semicolon].Trim().Equals("utf-8", StringComparison.OrdinalIgnoreCase) && value is not null)
        {
            value = Utf8Escape().Replace(value, m =>
                int.TryParse(m.Groups[1].ValueSpan, System.Globalization.NumberStyles.HexNumber, null, out var code) &&
                code is >= 0x20 and <= 0x10FFFF and not (>= 0xD800 and <= 0xDFFF)
                    ? char.ConvertFromUtf32(code)
                    : m.Value);
        }
        return string.IsNullOrEmpty(value) ? null : value;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\\x\{([0-9A-Fa-f]{1,6})\}")]
    private static partial System.Text.RegularExpressions.Regex Utf8Escape();

    /// <summary>Diagnostic-Code's text without its type: free text, kept as written (parentheses are no comments there).</summary>
    static string? DiagnosticText(string? field)
    {
        if (field is null)
        {
            return null;
        }
        var semicolon = field.IndexOf(';');
        // "550 not a type; text": a type is a single atom.
        var typed = semicolon > 0 && !field[..semicolon].Trim().Contains(' ', StringComparison.Ordinal);
        var value = (typed ? field[(semicolon + 1)..] : field).Trim();
        return value.Length == 0 ? null : value;
    }

    static int IndexOutsideQuotes(string text, char wanted)
    {
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && quoted)
            {
                i++;
            }
            else if (text[i] == '"')
            {
                quoted = !quoted;
            }
            else if (text[i] == wanted && !quoted)
            {
                return i;
            }
        }
        return -1;
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
        var quoted = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (quoted || depth == 0 && c == '"')
            {
                // Inside a quoted string parentheses are text.
                text.Append(c);
                if (c == '\\' && quoted && i + 1 < value.Length)
                {
                    text.Append(value[++i]);
                }
                else if (c == '"')
                {
                    quoted = !quoted;
                }
                continue;
            }
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
    /// The field groups of the report part: fields a broken report put in the part's own header block, then the
    /// groups of its decoded body. The body is split here, tolerantly, rather than with MimeKit's
    /// <see cref="MessageDeliveryStatus.StatusGroups"/>, which throws on a line it cannot parse and stops a group at a
    /// stray line. Groups that run together (no blank line) are split where a recipient starts.
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
        var fields = 0;
        foreach (var group in ReadGroups(DecodedText(part), ref fields))
        {
            groups.AddRange(SplitAtRecipients(group));
        }
        return groups;
    }

    /// <summary>The decoded body of the report part as Latin-1 (bytes kept one to one), at most <see cref="MaxReportBytes"/>.</summary>
    static string DecodedText(MimeEntity part)
    {
        if (part is not MimePart { Content: { } content })
        {
            return "";
        }
        try
        {
            using var decoded = new MemoryStream();
            using (var source = content.Open())
            {
                var buffer = new byte[16 * 1024];
                int read;
                while (decoded.Length < MaxReportBytes && (read = source.Read(buffer, 0, buffer.Length)) > 0)
                {
                    decoded.Write(buffer, 0, (int)Math.Min(read, MaxReportBytes - decoded.Length));
                }
            }
            return System.Text.Encoding.Latin1.GetString(decoded.GetBuffer(), 0, (int)decoded.Length);
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException)
        {
            return "";
        }
    }

    /// <summary>
    /// Groups of fields separated by blank lines; a line that is no field (no name, no colon) is skipped, a folded line
    /// joins its field. A group that declares Content-Transfer-Encoding: base64 (a relay pushed the part's header into the
    /// body) is followed by base64 text, decoded and read in its place. At most <see cref="MaxFields"/> fields in all.
    /// </summary>
    static List<HeaderList> ReadGroups(string text, ref int fields)
    {
        var groups = new List<HeaderList>();
        var current = new HeaderList();
        var pending = new System.Text.StringBuilder();
        var base64Follows = false;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length && fields < MaxFields; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length > 0 && line[0] is ' ' or '\t' && pending.Length > 0)
            {
                if (pending.Length <= MaxFieldLength)
                {
                    pending.Append("\r\n").Append(line);
                }
                continue;
            }
            AddField(current, pending, ref fields);
            if (line.Trim().Length == 0)
            {
                if (current.Count > 0)
                {
                    base64Follows = current["Content-Transfer-Encoding"]?.Trim().Equals("base64", StringComparison.OrdinalIgnoreCase) == true;
                    groups.Add(current);
                    current = new HeaderList();
                    if (base64Follows && DecodeBase64(lines, i + 1) is { } decoded)
                    {
                        groups.AddRange(ReadGroups(decoded, ref fields));
                        return groups;
                    }
                }
                continue;
            }
            pending.Append(line);
        }
        AddField(current, pending, ref fields);
        if (current.Count > 0)
        {
            groups.Add(current);
        }
        return groups;
    }

    static void AddField(HeaderList group, System.Text.StringBuilder line, ref int fields)
    {
        if (line.Length == 0 || line.Length > MaxFieldLength)
        {
            line.Clear();
            return;
        }
        var bytes = System.Text.Encoding.Latin1.GetBytes(line.Append("\r\n").ToString());
        line.Clear();
        if (Header.TryParse(bytes, out var header))
        {
            group.Add(header);
            fields++;
        }
    }

    /// <summary>The base64 text from line <paramref name="start"/> to the next blank line, decoded as Latin-1 text; null when it is not base64.</summary>
    static string? DecodeBase64(string[] lines, int start)
    {
        var encoded = string.Concat(lines.Skip(start).Select(l => l.Trim()).TakeWhile(l => l.Length > 0));
        var bytes = new byte[encoded.Length * 3 / 4 + 3];
        return encoded.Length > 0 && Convert.TryFromBase64String(encoded, bytes, out var written)
            ? System.Text.Encoding.Latin1.GetString(bytes, 0, written)
            : null;
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
