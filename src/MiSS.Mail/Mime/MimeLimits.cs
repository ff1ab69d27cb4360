namespace MiSS.Mail.Mime;

/// <summary>Resource limits of <see cref="MimeReader"/>, against hostile input.</summary>
public sealed class MimeLimits
{
    /// <summary>The defaults below.</summary>
    public static MimeLimits Default { get; } = new();

    /// <summary>
    /// Deepest nesting of multiparts and message/rfc822 parts parsed into a tree (the top-level entity is depth 0).
    /// An entity at this depth is not descended into: it is kept as an opaque <see cref="MimePart"/> whose content is
    /// its raw body, so the bytes stay available and no exception is thrown. Default 64.
    /// </summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Longest header field in bytes (name, colon and folded value); longer throws <see cref="MimeFormatException"/>. Default 64 KiB.</summary>
    public int MaxHeaderLength { get; init; } = 64 * 1024;

    /// <summary>Most header fields in one header block; more throws <see cref="MimeFormatException"/>. Default 1000.</summary>
    public int MaxHeaderCount { get; init; } = 1000;

    /// <summary>Most entities in one tree; more throws <see cref="MimeFormatException"/>. Default 10,000.</summary>
    public int MaxParts { get; init; } = 10_000;
}
