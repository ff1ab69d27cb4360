using System.Security.Cryptography;

namespace MiSS.Mail.Mime;

/// <summary>A multipart entity (RFC 2046 §5.1): ordered child entities between boundary delimiters.</summary>
public sealed class Multipart : MimeEntity
{
    private const string BoundaryAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private const string BoundaryChars = "'()+_,-./:=? ";

    private string? _preamble;
    private string? _epilogue;

    /// <summary>Creates multipart/<paramref name="subtype"/> with a fresh random boundary.</summary>
    public Multipart(string subtype = "mixed")
        : base(new HeaderList())
    {
        var contentType = new ContentType("multipart", subtype);
        contentType.Boundary = GenerateBoundary();
        ContentType = contentType;
    }

    internal Multipart(HeaderList headers)
        : base(headers)
    {
    }

    /// <summary>
    /// The boundary parameter; a random one is generated and stored when the parameter is absent. Generated
    /// boundaries contain "=_", which base64 and quoted-printable output can never contain. Setting validates
    /// RFC 2046 syntax; an empty boundary can only come from input, and is kept so the entity is written back as read.
    /// </summary>
    public string Boundary
    {
        get
        {
            var boundary = ContentType.Boundary;
            if (boundary is null)
                ContentType.Boundary = boundary = GenerateBoundary();
            return boundary;
        }
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Length is 0 or > 70 || value[^1] == ' ' || !value.All(c => char.IsAsciiLetterOrDigit(c) || BoundaryChars.Contains(c, StringComparison.Ordinal)))
                throw new ArgumentException($"'{value}' is not a valid boundary (RFC 2046 §5.1.1).", nameof(value));
            ContentType.Boundary = value;
        }
    }

    /// <summary>The child entities, in order.</summary>
    public List<MimeEntity> Parts { get; } = [];

    /// <summary>Text before the first delimiter, or null when there was none. Read input is decoded on first access.</summary>
    public string? Preamble
    {
        get => _preamble ??= Decode(PreambleBytes);
        set => (_preamble, PreambleBytes) = (value, default(ReadOnlyMemory<byte>?));
    }

    /// <summary>Text after the closing delimiter line, or null when there was none. Read input is decoded on first access.</summary>
    public string? Epilogue
    {
        get => _epilogue ??= Decode(EpilogueBytes);
        set => (_epilogue, EpilogueBytes) = (value, default(ReadOnlyMemory<byte>?));
    }

    // As read, undecoded: a multipart whose boundary never appears keeps its whole body here, and that must not
    // become a string unless asked for. The writer writes these bytes as they are.
    internal ReadOnlyMemory<byte>? PreambleBytes { get; private set; }

    internal ReadOnlyMemory<byte>? EpilogueBytes { get; private set; }

    internal void SetRawPreamble(ReadOnlyMemory<byte>? bytes) => (_preamble, PreambleBytes) = (null, bytes);

    internal void SetRawEpilogue(ReadOnlyMemory<byte>? bytes) => (_epilogue, EpilogueBytes) = (null, bytes);

    private static string? Decode(ReadOnlyMemory<byte>? bytes) => bytes is { } b ? Charsets.Utf8OrLatin1(b.Span) : null;

    internal static string GenerateBoundary() => "=_" + RandomNumberGenerator.GetString(BoundaryAlphabet, 30);
}
