using System.Text;

namespace MiSS.Mail.Mime;

/// <summary>A leaf entity. <see cref="Content"/> holds the decoded bytes; the writer encodes them per <see cref="Encoding"/>.</summary>
public sealed class MimePart : MimeEntity
{
    private ReadOnlyMemory<byte> _source;
    private ReadOnlyMemory<byte>? _content;
    private string? _encodingSource;
    private ContentEncoding? _encoding;

    /// <summary>An empty text/plain part.</summary>
    public MimePart()
        : base(new HeaderList())
    {
        _content = ReadOnlyMemory<byte>.Empty;
    }

    /// <summary>An empty part of the given type.</summary>
    public MimePart(string mediaType, string subtype)
        : this()
    {
        ContentType = new ContentType(mediaType, subtype);
    }

    internal MimePart(HeaderList headers)
        : base(headers)
    {
    }

    /// <summary>The Content-Transfer-Encoding (absent or unknown reads as 7bit). Setting it keeps <see cref="Content"/>.</summary>
    public ContentEncoding Encoding
    {
        get
        {
            var raw = Headers["Content-Transfer-Encoding"];
            if (_encoding is null || !ReferenceEquals(raw, _encodingSource))
            {
                _encoding = ParseEncoding(raw);
                _encodingSource = raw;
            }
            return _encoding.Value;
        }
        set
        {
            _content = Content; // decode with the old encoding first
            Headers.Set("Content-Transfer-Encoding", EncodingName(value));
            _encoding = value;
            _encodingSource = Headers["Content-Transfer-Encoding"];
        }
    }

    /// <summary>
    /// The decoded content. For a part read from input it is decoded on first access; for 7bit/8bit/binary it is a
    /// slice of the input (no copy).
    /// </summary>
    public ReadOnlyMemory<byte> Content
    {
        get => _content ??= Decode(_source, Encoding);
        set => _content = value;
    }

    /// <summary>The file name: Content-Disposition filename, else Content-Type name.</summary>
    public string? FileName => ContentDisposition?.FileName ?? ContentType.Name;

    /// <summary>Creates a UTF-8 text part with CRLF line ends, choosing 7bit, quoted-printable or base64.</summary>
    public static MimePart CreateText(string text, string subtype = "plain")
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = System.Text.Encoding.UTF8.GetBytes(NormalizeNewlines(text));
        var contentType = new ContentType("text", subtype);
        contentType.Charset = "utf-8";
        var part = new MimePart { ContentType = contentType, Encoding = ChooseTextEncoding(bytes) };
        part.Content = bytes;
        return part;
    }

    /// <summary>Creates a base64 attachment; <paramref name="mimeType"/> is "type/subtype".</summary>
    public static MimePart CreateAttachment(string mimeType, ReadOnlyMemory<byte> content, string? fileName)
    {
        ArgumentNullException.ThrowIfNull(mimeType);
        var slash = mimeType.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
            throw new ArgumentException($"'{mimeType}' is not of the form type/subtype.", nameof(mimeType));
        var contentType = new ContentType(mimeType[..slash].Trim(), mimeType[(slash + 1)..].Trim());
        var disposition = new ContentDisposition(ContentDisposition.Attachment);
        if (fileName is not null)
        {
            contentType.Name = fileName;
            disposition.FileName = fileName;
        }
        var part = new MimePart { ContentType = contentType, ContentDisposition = disposition, Encoding = ContentEncoding.Base64 };
        part.Content = content;
        return part;
    }

    /// <summary>The content as text in the declared charset; an unknown or wrong charset falls back to UTF-8, then Latin-1. Never throws.</summary>
    public string GetText()
    {
        var bytes = Content.Span;
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            bytes = bytes[3..];
        return Charsets.Decode(bytes, ContentType.Charset);
    }

    internal void SetSource(ReadOnlyMemory<byte> source)
    {
        _source = source;
        _content = null;
    }

    internal static string EncodingName(ContentEncoding encoding) => encoding switch
    {
        ContentEncoding.EightBit => "8bit",
        ContentEncoding.Binary => "binary",
        ContentEncoding.Base64 => "base64",
        ContentEncoding.QuotedPrintable => "quoted-printable",
        _ => "7bit",
    };

    internal static ContentEncoding ParseEncoding(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "8bit" => ContentEncoding.EightBit,
        "binary" => ContentEncoding.Binary,
        "base64" => ContentEncoding.Base64,
        "quoted-printable" => ContentEncoding.QuotedPrintable,
        _ => ContentEncoding.SevenBit,
    };

    private static ReadOnlyMemory<byte> Decode(ReadOnlyMemory<byte> source, ContentEncoding encoding) => encoding switch
    {
        ContentEncoding.Base64 => Base64Codec.DecodeToMemory(source.Span),
        ContentEncoding.QuotedPrintable => QuotedPrintableCodec.DecodeToMemory(source.Span),
        _ => source,
    };

    private static string NormalizeNewlines(string text)
    {
        var sb = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\r' || c == '\n')
            {
                sb.Append("\r\n");
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                    i++;
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    // 7bit when safe for transport and signatures; else quoted-printable (readable) unless over a third of the bytes need escaping.
    private static ContentEncoding ChooseTextEncoding(ReadOnlySpan<byte> bytes)
    {
        var special = 0;
        var needsEncoding = false;
        var lineStart = 0;
        for (var i = 0; i <= bytes.Length; i++)
        {
            if (i == bytes.Length || bytes[i] == (byte)'\r')
            {
                var line = bytes[lineStart..i];
                // Long lines, trailing whitespace and "From " can be altered in transit, breaking signatures.
                if (line.Length > 998 || (line.Length > 0 && line[^1] is (byte)' ' or (byte)'\t') || line.StartsWith("From "u8))
                    needsEncoding = true;
                lineStart = i + 2;
                i++;
                continue;
            }
            var b = bytes[i];
            if (b >= 127 || (b < 32 && b != (byte)'\t'))
                special++;
        }
        if (special == 0 && !needsEncoding)
            return ContentEncoding.SevenBit;
        return special * 3 > bytes.Length ? ContentEncoding.Base64 : ContentEncoding.QuotedPrintable;
    }
}
