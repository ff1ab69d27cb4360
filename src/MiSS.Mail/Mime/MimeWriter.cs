using System.Text;

namespace MiSS.Mail.Mime;

/// <summary>
/// Writes canonical MIME: CRLF line ends (bare LF becomes CRLF), headers folded at whitespace to 78 characters where possible,
/// non-ASCII header text RFC 2047/2231-encoded (mailbox addresses and message ids stay UTF-8, RFC 6532),
/// bodies encoded per <see cref="MimePart.Encoding"/>. Output is deterministic, and reading it back and writing
/// again gives the same bytes. The children of a multipart/signed that was read from input are written from
/// their <see cref="MimeEntity.RawBytes"/>, unchanged, so that the signature stays valid.
/// </summary>
public static class MimeWriter
{
    /// <summary>Writes a message; adds "MIME-Version: 1.0" when absent.</summary>
    public static void Write(MimeMessage message, Stream output)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(output);
        new Emitter(output).Run(message);
    }

    /// <summary>Writes an entity (headers, blank line, body).</summary>
    public static void Write(MimeEntity entity, Stream output)
    {
        ArgumentNullException.ThrowIfNull(entity);
        ArgumentNullException.ThrowIfNull(output);
        new Emitter(output).Run(entity);
    }

    /// <summary>The bytes of <see cref="Write(MimeMessage, Stream)"/>.</summary>
    public static byte[] ToBytes(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return ToArray(message);
    }

    /// <summary>The bytes of <see cref="Write(MimeEntity, Stream)"/>.</summary>
    public static byte[] ToBytes(MimeEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return ToArray(entity);
    }

    // Output is deterministic, so a counting pass gives the exact size: the result is allocated once, where a growing
    // MemoryStream plus its final copy would allocate about five times the output (a second encoding pass is cheaper).
    private static byte[] ToArray(object root)
    {
        var counter = new CountingStream();
        new Emitter(counter).Run(root);
        using var stream = new MemoryStream(checked((int)counter.Length));
        new Emitter(stream).Run(root);
        return stream.Length == stream.Capacity ? stream.GetBuffer() : stream.ToArray();
    }

    /// <summary>Header value as written: non-ASCII text encoded according to the kind of field.</summary>
    internal static string PrepareValue(string name, string value)
    {
        if (MimeSyntax.IsAscii(value))
            return value;
        if (HeaderKinds.IsAddressField(name))
        {
            var addresses = AddressParser.ParseList(value);
            return addresses.Count > 0 ? string.Join(", ", addresses.Select(a => a.ToString())) : EncodedWords.Encode(value);
        }
        if (string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase))
            return ContentType.Parse(value).ToString();
        if (string.Equals(name, "Content-Disposition", StringComparison.OrdinalIgnoreCase))
            return ContentDisposition.Parse(value).ToString();
        return HeaderKinds.IsUnencodable(name) ? value : EncodedWords.Encode(value);
    }

    /// <summary>Folds "Name: value" before whitespace so lines stay within 78 characters where the text allows.</summary>
    internal static string Fold(string name, string value)
    {
        var line = value.Length == 0 ? name + ":" : name + ": " + value;
        if (line.Length <= 78)
            return line + "\r\n";
        var sb = new StringBuilder(line.Length + 16);
        var lineLength = 0;
        var segmentStart = 0;
        // The space after the colon is a break point too, for a first word that would not fit.
        for (var i = name.Length + 1; i <= line.Length; i++)
        {
            if (i < line.Length && !(MimeSyntax.IsWsp(line[i]) && !MimeSyntax.IsWsp(line[i - 1])))
                continue;
            var segment = line.AsSpan(segmentStart, i - segmentStart);
            if (lineLength > 0 && lineLength + segment.Length > 78 && (segmentStart > name.Length + 1 || segment.Length <= 78))
            {
                sb.Append("\r\n");
                lineLength = 0;
            }
            sb.Append(segment);
            lineLength += segment.Length;
            segmentStart = i;
        }
        return sb.Append("\r\n").ToString();
    }

    /// <summary>Writes a tree with an explicit stack (no recursion), so any depth is safe.</summary>
    private sealed class Emitter(Stream output)
    {
        private static readonly byte[] Crlf = "\r\n"u8.ToArray();

        public void Run(object root)
        {
            var work = new Stack<object>();
            work.Push(root);
            while (work.Count > 0)
            {
                switch (work.Pop())
                {
                    case byte[] bytes:
                        output.Write(bytes);
                        break;
                    case ReadOnlyMemory<byte> raw:
                        output.Write(raw.Span);
                        break;
                    case MimeMessage message:
                        _ = (message.Body as Multipart)?.Boundary; // a generated boundary must be in the header we write
                        WriteMessageHeaders(message);
                        output.Write(Crlf);
                        WriteBody(message.Body, work);
                        break;
                    case MimeEntity entity:
                        _ = (entity as Multipart)?.Boundary;
                        foreach (var h in entity.Headers)
                            WriteHeader(h);
                        output.Write(Crlf);
                        WriteBody(entity, work);
                        break;
                }
            }
        }

        // Message fields first, then the body's, Content-* fields last: reading this back splits the block the same way.
        private void WriteMessageHeaders(MimeMessage message)
        {
            var body = message.Body.Headers;
            foreach (var h in message.Headers.Where(h => !MimeParser.IsContentField(h.Name)))
                WriteHeader(h);
            if (!message.Headers.Contains("MIME-Version") && !body.Contains("MIME-Version"))
                WriteHeader(new Header("MIME-Version", "1.0"));
            foreach (var h in body.Where(h => !MimeParser.IsContentField(h.Name)))
                WriteHeader(h);
            foreach (var h in message.Headers.Where(h => MimeParser.IsContentField(h.Name)))
                WriteHeader(h);
            foreach (var h in body.Where(h => MimeParser.IsContentField(h.Name)))
                WriteHeader(h);
        }

        private void WriteHeader(Header header) =>
            output.Write(Encoding.UTF8.GetBytes(Fold(header.Name, PrepareValue(header.Name, header.Value))));

        private void WriteBody(MimeEntity entity, Stack<object> work)
        {
            switch (entity)
            {
                case MimePart part:
                    WriteContent(part);
                    break;
                case MessagePart messagePart:
                    work.Push(messagePart.Message);
                    break;
                case Multipart multipart:
                    // Trailing whitespace cannot be told apart from transport padding: the reader ignores it too.
                    var boundary = multipart.Boundary.TrimEnd(' ', '\t');
                    if ((multipart.PreambleBytes ?? Utf8(multipart.Preamble)) is { } preamble)
                    {
                        WriteCanonical(preamble.Span);
                        output.Write(Crlf);
                    }
                    var epilogue = multipart.EpilogueBytes ?? Utf8(multipart.Epilogue);
                    work.Push(epilogue is { } text
                        ? Canonical([.. Encoding.UTF8.GetBytes($"--{boundary}--\r\n"), .. text.Span])
                        : Encoding.UTF8.GetBytes($"--{boundary}--"));
                    var preserve = multipart.RawBytes is not null && multipart.ContentType.Is("multipart", "signed");
                    var delimiter = Encoding.UTF8.GetBytes($"--{boundary}\r\n");
                    for (var i = multipart.Parts.Count - 1; i >= 0; i--)
                    {
                        var part = multipart.Parts[i];
                        work.Push(Crlf);
                        work.Push(preserve && part.RawBytes is { } raw ? raw : part);
                        work.Push(delimiter);
                    }
                    break;
            }
        }

        // Preamble and epilogue are written from the bytes as read unless the text was replaced.
        private static ReadOnlyMemory<byte>? Utf8(string? text) => text is null ? default(ReadOnlyMemory<byte>?) : Encoding.UTF8.GetBytes(text);

        private void WriteContent(MimePart part)
        {
            var content = part.Content.Span;
            switch (part.Encoding)
            {
                case ContentEncoding.Base64:
                    Base64Codec.EncodeTo(content, output); // in chunks: no body-sized buffer
                    break;
                case ContentEncoding.QuotedPrintable:
                    output.Write(QuotedPrintableCodec.Encode(content));
                    break;
                case ContentEncoding.Binary:
                    output.Write(content);
                    break;
                default:
                    WriteCanonical(content);
                    break;
            }
        }

        /// <summary>
        /// Writes line-oriented data with every bare LF turned into CRLF. A bare CR is kept: the reader does not see
        /// it as a line break, and turning it into one could create a new line that reads as a boundary delimiter.
        /// </summary>
        private void WriteCanonical(ReadOnlySpan<byte> data)
        {
            while (!data.IsEmpty)
            {
                var i = data.IndexOf((byte)'\n');
                if (i < 0)
                {
                    output.Write(data);
                    return;
                }
                output.Write(data[..(i > 0 && data[i - 1] == (byte)'\r' ? i - 1 : i)]);
                output.Write(Crlf);
                data = data[(i + 1)..];
            }
        }

        private static byte[] Canonical(byte[] data)
        {
            using var buffer = new MemoryStream(data.Length + 16);
            new Emitter(buffer).WriteCanonical(data);
            return buffer.ToArray();
        }
    }

    /// <summary>Counts the bytes written and keeps none.</summary>
    private sealed class CountingStream : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Position;

        public override long Position { get; set; }

        public override void Write(byte[] buffer, int offset, int count)
        {
            ValidateBufferArguments(buffer, offset, count);
            Position += count;
        }

        public override void Write(ReadOnlySpan<byte> buffer) => Position += buffer.Length;

        public override void WriteByte(byte value) => Position++;

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
