using System.Globalization;
using MiSS.Core.Messaging;

namespace MiSS.Service.Cli;

/// <summary>How the command line shows a message to the practitioner (in French).</summary>
public static class MessageText
{
    static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr-FR");

    /// <summary>One line: time, direction, correspondents, state or signer, start of the text.</summary>
    public static string Summary(StoredMessage m)
    {
        var time = m.CreatedAt.ToLocalTime().ToString("g", French);
        var who = m.Direction == MessageDirection.Outgoing ? "→ " + string.Join(", ", m.Recipients) : "← " + m.Sender;
        var text = m.Body.ReplaceLineEndings(" ");
        return $"{time}  {who}  [{Status(m)}]  {(text.Length > 60 ? text[..60] + "…" : text)}";
    }

    /// <summary>Every detail of one message.</summary>
    public static string Details(StoredMessage m, IReadOnlyList<RecipientState> recipients) => string.Join(Environment.NewLine, new[]
        {
            $"Message-ID : {m.MessageId}",
            $"De         : {m.Sender}",
            $"À          : {string.Join(", ", m.Recipients)}",
            string.IsNullOrEmpty(m.Subject) ? null : $"Groupe     : {m.Subject}",
            $"Date       : {m.CreatedAt.ToLocalTime().ToString("F", French)}",
            $"État       : {Status(m)}",
            recipients.Count == 0 ? null : "Suivi      : " + string.Join(" ; ", recipients.Select(r => $"{r.Address} {Delivery(r)}")),
            m.ExpiredAt is { } expired ? $"Effacé     : le {expired.ToLocalTime().ToString("F", French)} (empreinte {m.ContentSha256})"
            : m.ExpiresAt is { } expires ? $"Expire     : le {expires.ToLocalTime().ToString("F", French)}" : null,
            "",
            m.Body,
        }.Where(line => line is not null));

    static string Delivery(RecipientState r) => r.State switch
    {
        DeliveryState.Queued => "en attente",
        DeliveryState.Sent => "envoyé",
        DeliveryState.Delivered => "distribué",
        DeliveryState.Read => "lu",
        _ => "échec : " + r.Reason,
    };

    static string Status(StoredMessage m) => m.State switch
    {
        _ when m.IsExpired => "effacé (délai de conservation écoulé)",
        MessageState.Queued => "en attente d'envoi",
        MessageState.Sent => "envoyé",
        MessageState.Failed => "échec : " + m.Error,
        MessageState.Received when m.Signature is { IsVerified: true } s => $"signature vérifiée : {s.SignerName} (RPPS {s.SignerRpps})",
        MessageState.Received => "SIGNATURE NON VÉRIFIÉE : " + m.Signature?.Detail,
        _ => m.State.ToString(),
    };
}
