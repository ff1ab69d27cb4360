using MiSS.Mail.Mime;

namespace MiSS.Mail.Reports;

/// <summary>
/// Finds and reads delivery status notifications (RFC 3464, RFC 6533) and message disposition notifications
/// (RFC 8098) in received messages. Tolerant of the breakage seen in real reports, bounded, and never throws on
/// hostile input: the result is null or a report holding what could be read.
/// </summary>
public static class MailReports
{
    private const int MaxTextBytes = 64 * 1024;
    private const int MaxEntitiesVisited = 10_000;

    private static readonly string[] PerMessageFields = ["Original-Envelope-Id", "Reporting-MTA", "DSN-Gateway", "Received-From-MTA", "Arrival-Date"];

    private static readonly string[] PerRecipientFields =
        ["Original-Recipient", "Final-Recipient", "Action", "Status", "Remote-MTA", "Diagnostic-Code", "Last-Attempt-Date", "Final-Log-ID", "Will-Retry-Until"];

    /// <summary>
    /// Reads the report of <paramref name="message"/>: a <see cref="DeliveryStatusReport"/>, a
    /// <see cref="DispositionNotification"/>, or null when the message holds neither. See <see cref="TryRead(MimeEntity)"/>.
    /// </summary>
    public static MailReport? TryRead(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return TryRead(message.Body);
    }

    /// <summary>
    /// Reads the report in <paramref name="entity"/> (e.g. the decrypted content of an S/MIME message). The report is
    /// recognised by its machine-readable part (message/[global-]delivery-status or
    /// message/[global-]disposition-notification), whatever the report-type parameter says, and may be nested in other
    /// multiparts (multipart/mixed, multipart/signed); messages attached inside the entity are not searched.
    /// </summary>
    public static MailReport? TryRead(MimeEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        if (Find(entity) is not { } found)
            return null;
        var (part, container, kind) = found;
        var index = container?.Parts.IndexOf(part) ?? -1;
        var (returnedHeaders, returnedMessage) = container is null ? (null, null) : ReadReturned(container, index);
        var text = container is null ? null : HumanReadableText(container, index);
        var reportType = container is not null && container.ContentType.Is("multipart", "report") ? container.ContentType.Parameters["report-type"] : null;
        var global = part.ContentType.MediaSubtype.StartsWith("global-", StringComparison.Ordinal);
        var fieldBudget = ReportFields.MaxFields;
        var groups = ReadFieldGroups(part, ref fieldBudget);
        MailReport report = kind == Kind.DeliveryStatus ? ReadDeliveryStatus(groups) : ReadDispositionNotification(groups);
        return report with
        {
            ReportType = reportType,
            IsGlobal = global,
            HumanReadableText = text,
            ReturnedHeaders = returnedHeaders,
            ReturnedMessage = returnedMessage,
        };
    }

    /// <summary>The delivery status notification of <paramref name="message"/>, or null (also when it holds an MDN instead).</summary>
    public static DeliveryStatusReport? TryReadDeliveryStatus(MimeMessage message) => TryRead(message) as DeliveryStatusReport;

    /// <summary>The disposition notification of <paramref name="message"/>, or null (also when it holds a DSN instead).</summary>
    public static DispositionNotification? TryReadDispositionNotification(MimeMessage message) => TryRead(message) as DispositionNotification;

    private enum Kind
    {
        DeliveryStatus,
        DispositionNotification,
    }

    private static Kind? KindOf(MimeEntity entity)
    {
        var type = entity.ContentType;
        if (!type.Is("message"))
            return null;
        return type.MediaSubtype switch
        {
            "delivery-status" or "global-delivery-status" => Kind.DeliveryStatus,
            "disposition-notification" or "global-disposition-notification" => Kind.DispositionNotification,
            _ => null,
        };
    }

    /// <summary>The first machine-readable report part, depth first, with the multipart that holds it; no recursion.</summary>
    private static (MimePart Part, Multipart? Container, Kind Kind)? Find(MimeEntity root)
    {
        var stack = new Stack<(MimeEntity Entity, Multipart? Parent)>();
        stack.Push((root, null));
        var visited = 0;
        while (stack.Count > 0 && visited++ < MaxEntitiesVisited)
        {
            var (entity, parent) = stack.Pop();
            if (entity is MimePart part && KindOf(part) is { } kind)
                return (part, parent, kind);
            if (entity is Multipart multipart)
            {
                for (var i = multipart.Parts.Count - 1; i >= 0; i--)
                    stack.Push((multipart.Parts[i], multipart));
            }
        }
        return null;
    }

    /// <summary>
    /// The field groups of the report part. Fields that ended up in the part's own header block (no blank line after
    /// Content-Type) come first. When a group carries a Content-Transfer-Encoding field, the MIME header block of the
    /// part was pushed into the body by a relay and what follows that group is encoded: it is decoded and read instead.
    /// </summary>
    private static List<FieldGroup> ReadFieldGroups(MimePart part, ref int fieldBudget)
    {
        var groups = new List<FieldGroup>();
        var leaked = part.Headers.Where(h => !h.Name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)
                                             && !ReportFields.Is(h, "MIME-Version")).ToList();
        if (leaked.Count > 0)
            groups.Add(new FieldGroup(leaked, 0));
        var body = part.Content;
        var bodyGroups = ReportFields.ReadGroups(body.Span, ref fieldBudget);
        var encoded = bodyGroups.FindIndex(g => g.Fields.Exists(f => ReportFields.Is(f, "Content-Transfer-Encoding")));
        if (encoded >= 0)
        {
            var encoding = MimePart.ParseEncoding(ReportFields.First(bodyGroups[encoded].Fields, "Content-Transfer-Encoding"));
            var rest = body[Math.Min(bodyGroups[encoded].End, body.Length)..];
            if (encoding is ContentEncoding.Base64 or ContentEncoding.QuotedPrintable)
            {
                var decoded = encoding == ContentEncoding.Base64
                    ? Base64Codec.DecodeToMemory(rest.Span[..Math.Min(rest.Length, ReportFields.MaxBodyLength)])
                    : QuotedPrintableCodec.DecodeToMemory(rest.Span[..Math.Min(rest.Length, ReportFields.MaxBodyLength)]);
                bodyGroups.RemoveRange(encoded + 1, bodyGroups.Count - encoded - 1);
                bodyGroups.AddRange(ReportFields.ReadGroups(decoded.Span, ref fieldBudget));
            }
        }
        groups.AddRange(bodyGroups);
        return groups;
    }

    /// <summary>
    /// Assigns fields to the message or to recipients by name rather than by position, so that a missing blank line
    /// (per-message and recipient fields in one group, or two recipients in one group) and extra blank lines (a
    /// recipient split in two groups) are read as intended. Unknown fields follow the recipient they are next to.
    /// </summary>
    private static DeliveryStatusReport ReadDeliveryStatus(List<FieldGroup> groups)
    {
        var message = new List<Header>();
        var recipients = new List<List<Header>>();
        foreach (var group in groups)
        {
            List<Header>? current = null;
            var pending = new List<Header>();
            var firstInGroup = recipients.Count;
            foreach (var field in group.Fields)
            {
                if (IsOneOf(field, PerMessageFields))
                {
                    message.Add(field);
                }
                else if (IsOneOf(field, PerRecipientFields))
                {
                    if (current is null || StartsAnotherRecipient(current, field))
                    {
                        current = [.. pending];
                        pending.Clear();
                        recipients.Add(current);
                    }
                    current.Add(field);
                }
                else if (current is not null)
                {
                    current.Add(field);
                }
                else
                {
                    pending.Add(field);
                }
            }
            message.AddRange(pending);
            // A recipient cut in two by a stray blank line: a group holding one recipient without an address whose
            // fields the previous recipient does not have yet belongs to that previous recipient.
            if (recipients.Count == firstInGroup + 1 && firstInGroup > 0)
            {
                var last = recipients[^1];
                var previous = recipients[^2];
                if (!last.Exists(f => ReportFields.Is(f, "Final-Recipient") || ReportFields.Is(f, "Original-Recipient"))
                    && !last.Exists(f => IsOneOf(f, PerRecipientFields) && previous.Exists(p => ReportFields.Is(p, f.Name))))
                {
                    previous.AddRange(last);
                    recipients.RemoveAt(recipients.Count - 1);
                }
            }
        }
        return new DeliveryStatusReport
        {
            ReportingMta = ReportFields.ParseTyped(ReportFields.First(message, "Reporting-MTA")),
            DsnGateway = ReportFields.ParseTyped(ReportFields.First(message, "DSN-Gateway")),
            ReceivedFromMta = ReportFields.ParseTyped(ReportFields.First(message, "Received-From-MTA")),
            OriginalEnvelopeId = ReportFields.First(message, "Original-Envelope-Id"),
            ArrivalDate = ReportFields.Date(ReportFields.First(message, "Arrival-Date")),
            MessageFields = message,
            Recipients = recipients.ConvertAll(ReadRecipient),
        };
    }

    // Within a group, a field that the current recipient already has starts the next one. (Field order says nothing:
    // Postfix writes Final-Recipient before Original-Recipient, Exim Action before Final-Recipient.)
    private static bool StartsAnotherRecipient(List<Header> current, Header field) => current.Exists(f => ReportFields.Is(f, field.Name));

    private static bool IsOneOf(Header field, string[] names) => Array.Exists(names, n => ReportFields.Is(field, n));

    private static RecipientStatus ReadRecipient(List<Header> fields)
    {
        var action = ReportFields.First(fields, "Action");
        var status = ReportFields.First(fields, "Status");
        return new RecipientStatus
        {
            OriginalRecipient = ReportFields.ParseTyped(ReportFields.First(fields, "Original-Recipient")),
            FinalRecipient = ReportFields.ParseTyped(ReportFields.First(fields, "Final-Recipient")),
            Action = ReportFields.Keyword(action) switch
            {
                "failed" => DeliveryAction.Failed,
                "delayed" => DeliveryAction.Delayed,
                "delivered" => DeliveryAction.Delivered,
                "relayed" => DeliveryAction.Relayed,
                "expanded" => DeliveryAction.Expanded,
                _ => DeliveryAction.Unknown,
            },
            RawAction = action,
            Status = EnhancedStatusCode.Parse(status),
            RawStatus = status,
            RemoteMta = ReportFields.ParseTyped(ReportFields.First(fields, "Remote-MTA")),
            DiagnosticCode = ReportFields.ParseTyped(ReportFields.First(fields, "Diagnostic-Code")),
            LastAttemptDate = ReportFields.Date(ReportFields.First(fields, "Last-Attempt-Date")),
            FinalLogId = ReportFields.First(fields, "Final-Log-ID"),
            WillRetryUntil = ReportFields.Date(ReportFields.First(fields, "Will-Retry-Until")),
            Fields = fields,
        };
    }

    /// <summary>An MDN is one group of fields (RFC 8098 §3.1); stray blank lines are ignored and the first of a field wins.</summary>
    private static DispositionNotification ReadDispositionNotification(List<FieldGroup> groups)
    {
        var fields = groups.SelectMany(g => g.Fields).ToList();
        var disposition = ReportFields.First(fields, "Disposition");
        var messageId = ReportFields.First(fields, "Original-Message-ID");
        return new DispositionNotification
        {
            ReportingUa = ReportFields.First(fields, "Reporting-UA"),
            MdnGateway = ReportFields.ParseTyped(ReportFields.First(fields, "MDN-Gateway")),
            OriginalRecipient = ReportFields.ParseTyped(ReportFields.First(fields, "Original-Recipient")),
            FinalRecipient = ReportFields.ParseTyped(ReportFields.First(fields, "Final-Recipient")),
            OriginalMessageId = messageId is null ? null : MimeMessage.MessageIds(messageId).FirstOrDefault(),
            Disposition = disposition is null ? null : Disposition.Parse(disposition),
            Errors = fields.Where(f => ReportFields.Is(f, "Error") || ReportFields.Is(f, "Failure")).Select(f => f.Value).ToList(),
            Fields = fields,
        };
    }

    /// <summary>
    /// The first text part before the report part (descending into multipart/alternative and the like), text/plain
    /// preferred; else the container's preamble, where some MTAs write the explanation instead of a first part.
    /// </summary>
    private static string? HumanReadableText(Multipart container, int reportIndex)
    {
        MimePart? plain = null, other = null;
        var stack = new Stack<MimeEntity>();
        for (var i = reportIndex - 1; i >= 0; i--)
            stack.Push(container.Parts[i]);
        var visited = 0;
        while (stack.Count > 0 && plain is null && visited++ < MaxEntitiesVisited)
        {
            switch (stack.Pop())
            {
                case Multipart multipart:
                    for (var i = multipart.Parts.Count - 1; i >= 0; i--)
                        stack.Push(multipart.Parts[i]);
                    break;
                case MimePart part when part.ContentType.Is("text") && !part.ContentType.Is("text", "rfc822-headers"):
                    if (part.ContentType.Is("text", "plain"))
                        plain = part;
                    else
                        other ??= part;
                    break;
            }
        }
        if ((plain ?? other) is { } text)
            return Text(text.Content.Span, text.ContentType.Charset);
        var preamble = container.PreambleBytes is { } bytes ? Text(bytes.Span, null) : container.Preamble;
        return string.IsNullOrWhiteSpace(preamble) ? null : preamble;
    }

    /// <summary>At most <see cref="MaxTextBytes"/> decoded, cut at a UTF-8 character boundary; a BOM is dropped.</summary>
    private static string Text(ReadOnlySpan<byte> bytes, string? charset)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            bytes = bytes[3..];
        if (bytes.Length > MaxTextBytes)
        {
            var cut = MaxTextBytes;
            while (cut > MaxTextBytes - 3 && (bytes[cut] & 0xC0) == 0x80)
                cut--;
            bytes = bytes[..cut];
        }
        return Charsets.Decode(bytes, charset);
    }

    /// <summary>The returned original (the first such part after the report part): whole message or header block.</summary>
    private static (HeaderList? Headers, MimeMessage? Message) ReadReturned(Multipart container, int reportIndex)
    {
        for (var i = reportIndex + 1; i < container.Parts.Count; i++)
        {
            var entity = container.Parts[i];
            var type = entity.ContentType;
            if (entity is MessagePart messagePart)
                return (AllHeaders(messagePart.Message), messagePart.Message);
            if (entity is not MimePart part)
                continue;
            try
            {
                if (type.Is("message", "rfc822") || type.Is("message", "global"))
                {
                    // Returned with a base64 or quoted-printable encoding: the reader kept it opaque.
                    var message = MimeReader.ReadMessage(part.Content);
                    return (AllHeaders(message), message);
                }
                if (type.Is("text", "rfc822-headers") || type.Is("message", "rfc822-headers") || type.Is("message", "global-headers"))
                    return (MimeReader.ReadEntity(part.Content).Headers, null);
            }
            catch (MimeFormatException)
            {
                return (null, null); // over a reader limit: hostile or broken, and not needed to use the report
            }
        }
        return (null, null);
    }

    // A read message keeps its Content-* fields on the body: put them back after the others.
    private static HeaderList AllHeaders(MimeMessage message)
    {
        var headers = new HeaderList();
        foreach (var h in message.Headers)
            headers.Add(h);
        foreach (var h in message.Body.Headers)
            headers.Add(h);
        return headers;
    }
}
