namespace MiSS.Mail.Mime;

/// <summary>A MIME entity: header fields and a body. See <see cref="MimePart"/>, <see cref="Multipart"/>, <see cref="MessagePart"/>.</summary>
public abstract class MimeEntity
{
    internal const string DefaultTextType = "text/plain; charset=us-ascii";

    private ContentType? _contentType;
    private string? _contentTypeSource;
    private ContentDisposition? _disposition;
    private string? _dispositionSource;

    private protected MimeEntity(HeaderList headers) => Headers = headers;

    /// <summary>The header fields of this entity.</summary>
    public HeaderList Headers { get; }

    /// <summary>
    /// The parsed Content-Type header (text/plain; charset=us-ascii when absent, or message/rfc822 inside a
    /// multipart/digest). Changes to the returned object, and assignments, are written back to the header.
    /// </summary>
    public ContentType ContentType
    {
        get
        {
            var raw = Headers["Content-Type"];
            if (_contentType is null || !ReferenceEquals(raw, _contentTypeSource))
                AttachContentType(ContentType.Parse(raw ?? DefaultContentType), raw);
            return _contentType!;
        }
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            Headers.Set("Content-Type", value.ToString());
            AttachContentType(value, Headers["Content-Type"]);
        }
    }

    /// <summary>The parsed Content-Disposition header, or null; changes and assignments are written back (null removes it).</summary>
    public ContentDisposition? ContentDisposition
    {
        get
        {
            var raw = Headers["Content-Disposition"];
            if (raw is null)
                AttachDisposition(null, null);
            else if (_disposition is null || !ReferenceEquals(raw, _dispositionSource))
                AttachDisposition(ContentDisposition.Parse(raw), raw);
            return _disposition;
        }
        set
        {
            if (value is null)
                Headers.Remove("Content-Disposition");
            else
                Headers.Set("Content-Disposition", value.ToString());
            AttachDisposition(value, Headers["Content-Disposition"]);
        }
    }

    /// <summary>
    /// Set by <see cref="MimeReader"/> only: the exact bytes of this entity in the source, a slice of the input.
    /// For a multipart child: from after the boundary line to before the CRLF that precedes the next delimiter
    /// (what RFC 1847 signatures cover). For the top level, and for the body of a message: the whole message.
    /// </summary>
    public ReadOnlyMemory<byte>? RawBytes { get; internal set; }

    /// <summary>Content type used when the header is absent.</summary>
    internal string DefaultContentType { get; set; } = DefaultTextType;

    // The reader hands over what it parsed already, to avoid parsing twice.
    internal void PrimeContentType(ContentType contentType) => AttachContentType(contentType, Headers["Content-Type"]);

    private void AttachContentType(ContentType value, string? source)
    {
        if (_contentType is not null)
            _contentType.Changed -= OnContentTypeChanged;
        _contentType = value;
        _contentTypeSource = source;
        value.Changed += OnContentTypeChanged;
    }

    private void OnContentTypeChanged()
    {
        Headers.Set("Content-Type", _contentType!.ToString());
        _contentTypeSource = Headers["Content-Type"];
    }

    private void AttachDisposition(ContentDisposition? value, string? source)
    {
        if (_disposition is not null)
            _disposition.Changed -= OnDispositionChanged;
        _disposition = value;
        _dispositionSource = source;
        if (value is not null)
            value.Changed += OnDispositionChanged;
    }

    private void OnDispositionChanged()
    {
        Headers.Set("Content-Disposition", _disposition!.ToString());
        _dispositionSource = Headers["Content-Disposition"];
    }
}
