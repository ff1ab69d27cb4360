namespace MiSS.Mail.Mime;

/// <summary>How the writer treats non-ASCII text in a field, by field name.</summary>
internal static class HeaderKinds
{
    private static readonly HashSet<string> AddressFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "From", "To", "Cc", "Bcc", "Reply-To", "Sender",
        "Resent-From", "Resent-To", "Resent-Cc", "Resent-Bcc", "Resent-Sender",
        "Disposition-Notification-To", "Return-Receipt-To",
    };

    // Structured fields where an encoded word would be wrong; non-ASCII stays UTF-8 (RFC 6532).
    private static readonly HashSet<string> Unencodable = new(StringComparer.OrdinalIgnoreCase)
    {
        "Message-ID", "In-Reply-To", "References", "Resent-Message-ID", "Content-ID", "Content-Location",
        "Received", "Return-Path", "DKIM-Signature", "Authentication-Results", "ARC-Seal",
        "ARC-Message-Signature", "ARC-Authentication-Results", "Content-Transfer-Encoding", "MIME-Version",
    };

    public static bool IsAddressField(string name) => AddressFields.Contains(name);

    public static bool IsUnencodable(string name) => Unencodable.Contains(name);
}
