namespace MiSS.Core.Messaging;

/// <summary>Resource limits on received MIME, against hostile input: checked by <see cref="MimeLoader"/> before MimeKit builds a tree.</summary>
public sealed record MimeLimits
{
    /// <summary>The defaults below.</summary>
    public static MimeLimits Default { get; } = new();

    /// <summary>
    /// Deepest nesting of multiparts and message/rfc822 parts parsed into a tree (MimeKit's <c>MaxMimeDepth</c>); deeper
    /// entities are kept as opaque parts, so their bytes stay available. Default 64.
    /// </summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Longest header field in bytes (name, colon and folded value). Default 64 KiB.</summary>
    public int MaxHeaderLength { get; init; } = 64 * 1024;

    /// <summary>Most header fields in one header block. Default 1000.</summary>
    public int MaxHeaderCount { get; init; } = 1000;

    /// <summary>Most entities in one message. Default 10,000.</summary>
    public int MaxParts { get; init; } = 10_000;
}

/// <summary>A received message or entity that MiSS will not read: beyond a <see cref="MimeLimits"/> limit, or no MIME at all. The message is French.</summary>
public sealed class UnreadableMimeException(string message, Exception? inner = null) : Exception(message, inner);
