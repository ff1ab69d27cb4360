using MimeKit;

namespace MiSS.Core.Messaging;

/// <summary>
/// Reads received MIME with MimeKit, after a streaming pre-scan (MimeKit's <see cref="MimeReader"/>, which builds no tree)
/// that refuses what is beyond the <see cref="MimeLimits"/>: a hostile message costs a pass over its bytes, never a tree of
/// a million parts. Entities are persistent: their contents stay slices of <paramref name="input"/>, so a 25 MiB message
/// is not copied; keep the stream open (and unchanged) while the result is in use.
/// </summary>
public static class MimeLoader
{
    /// <summary>Reads a whole message from a seekable stream; throws only <see cref="UnreadableMimeException"/>.</summary>
    public static MimeMessage LoadMessage(Stream input, MimeLimits? limits = null) =>
        Load(input, limits ?? MimeLimits.Default, MimeFormat.Entity, parser => parser.ParseMessage());

    /// <summary>Reads an entity that is not a whole message (the decrypted or signed content of S/MIME).</summary>
    public static MimeEntity LoadEntity(Stream input, MimeLimits? limits = null) =>
        Load(input, limits ?? MimeLimits.Default, MimeFormat.Entity, parser => parser.ParseEntity());

    /// <summary>Reads a whole message held in memory (no copy is made).</summary>
    public static MimeMessage LoadMessage(byte[] raw, MimeLimits? limits = null) => LoadMessage(new MemoryStream(raw, writable: false), limits);

    /// <summary>Reads an entity held in memory (no copy is made).</summary>
    public static MimeEntity LoadEntity(byte[] raw, MimeLimits? limits = null) => LoadEntity(new MemoryStream(raw, writable: false), limits);

    static T Load<T>(Stream input, MimeLimits limits, MimeFormat format, Func<MimeParser, T> parse)
    {
        var options = new ParserOptions { MaxMimeDepth = limits.MaxDepth };
        var start = input.Position;
        try
        {
            new LimitScan(options, input, format, limits).ReadMessage();
        }
        catch (FormatException)
        {
            // MimeKit's reader and parser disagree on what a whole message is for some garbage: the parser decides below.
        }
        input.Position = start;
        try
        {
            return parse(new MimeParser(options, input, format, persistent: true));
        }
        catch (FormatException e)
        {
            throw new UnreadableMimeException("ni en-têtes ni structure MIME lisibles", e);
        }
    }

    /// <summary>Counts header fields, their lengths and the entities while MimeKit's reader streams through the bytes.</summary>
    sealed class LimitScan(ParserOptions options, Stream stream, MimeFormat format, MimeLimits limits) : MimeReader(options, stream, format)
    {
        int _headers;
        int _parts;

        protected override void OnHeadersBegin(long beginOffset, int beginLineNumber, CancellationToken cancellationToken) => _headers = 0;

        protected override void OnHeaderRead(Header header, int beginLineNumber, CancellationToken cancellationToken)
        {
            if (++_headers > limits.MaxHeaderCount)
            {
                throw new UnreadableMimeException($"plus de {limits.MaxHeaderCount} champs d'en-tête dans un même bloc");
            }
            if (header.RawField.Length + 1 + header.RawValue.Length > limits.MaxHeaderLength)
            {
                throw new UnreadableMimeException($"champ d'en-tête « {Printable(header.Field)} » de plus de {limits.MaxHeaderLength / 1024} Kio");
            }
        }

        protected override void OnMimePartBegin(ContentType contentType, long beginOffset, int beginLineNumber, CancellationToken cancellationToken) => CountPart();

        protected override void OnMultipartBegin(ContentType contentType, long beginOffset, int beginLineNumber, CancellationToken cancellationToken) => CountPart();

        protected override void OnMessagePartBegin(ContentType contentType, long beginOffset, int beginLineNumber, CancellationToken cancellationToken) => CountPart();

        void CountPart()
        {
            if (++_parts > limits.MaxParts)
            {
                throw new UnreadableMimeException($"plus de {limits.MaxParts} parties MIME");
            }
        }

        /// <summary>A header name as it can be quoted in a reason: printable ASCII, at most 40 characters.</summary>
        static string Printable(string field) =>
            new([.. field.Where(c => c is > ' ' and < '\u007f').Take(40)]);
    }
}
