using System.Buffers;
using System.Text;

namespace MiSS.Mail.Mime;

/// <summary>
/// Single-pass, non-recursive MIME parser over an in-memory buffer. Entities whose end is not known yet sit on an
/// explicit stack; a delimiter line of any open multipart closes everything opened inside it, so a child that
/// lacks its own closing boundary ends where its parent's next delimiter begins. Bodies are slices of the input.
/// </summary>
internal sealed class MimeParser
{
    // Typed null: a bare null would convert to an empty ReadOnlyMemory through byte[].
    private static readonly ReadOnlyMemory<byte>? NoText = null;

    private readonly ReadOnlyMemory<byte> _data;
    private readonly MimeLimits _limits;
    private readonly List<Open> _open = [];
    private int _openBoundaries;
    private int _entities;
    private int _scanFrom;
    private object? _root;

    private MimeParser(ReadOnlyMemory<byte> data, MimeLimits limits)
    {
        _data = data;
        _limits = limits;
    }

    /// <summary>An entity or message whose end has not been seen yet.</summary>
    private sealed class Open(object target, int start, int bodyStart, int depth)
    {
        public object Target { get; } = target;

        public int Start { get; } = start;

        public int BodyStart { get; } = bodyStart;

        public int Depth { get; } = depth;

        /// <summary>The boundary of a multipart that still accepts parts; null once closed or for other entities.</summary>
        public byte[]? Boundary { get; set; }

        public byte[]? Latin1Boundary { get; set; }

        public bool SeenDelimiter { get; set; }

        public int EpilogueStart { get; set; } = -1;
    }

    public static object Parse(ReadOnlyMemory<byte> data, MimeLimits limits, bool asMessage)
    {
        var parser = new MimeParser(data, limits);
        parser.Begin(0, 0, asMessage, null);
        parser.Run();
        return parser._root!;
    }

    private void Run()
    {
        while (FindDelimiter(_scanFrom, out var lineStart, out var next, out var frame, out var isClose, out var hasEol))
        {
            var end = lineStart - PrecedingEol(lineStart);
            CloseAbove(frame, end);
            var open = _open[frame];
            var multipart = (Multipart)open.Target;
            if (!open.SeenDelimiter)
            {
                open.SeenDelimiter = true;
                multipart.SetRawPreamble(lineStart > open.BodyStart ? _data[open.BodyStart..Math.Max(end, open.BodyStart)] : NoText);
            }
            if (isClose)
            {
                open.Boundary = null;
                _openBoundaries--;
                open.EpilogueStart = hasEol ? next : -1;
                _scanFrom = next;
            }
            else
            {
                Begin(next, open.Depth + 1, false, multipart);
            }
        }
        CloseAbove(-1, _data.Length);
    }

    /// <summary>Reads a header block and creates its entity; loops (instead of recursing) through message/rfc822 chains.</summary>
    private void Begin(int start, int depth, bool asMessage, object? parent)
    {
        while (true)
        {
            var (headers, bodyStart) = ReadHeaders(start);
            HeaderList? messageHeaders = null;
            if (asMessage)
                (messageHeaders, headers) = SplitMessageHeaders(headers);
            if (++_entities > _limits.MaxParts)
                throw new MimeFormatException($"The message has more than MaxParts ({_limits.MaxParts}) entities (limit reached at offset {start}).") { Offset = start };

            var defaultType = parent is Multipart { ContentType.MediaSubtype: "digest" } ? "message/rfc822" : MimeEntity.DefaultTextType;
            var contentType = ContentType.Parse(headers["Content-Type"] ?? defaultType);
            var boundary = contentType.Boundary?.TrimEnd(' ', '\t');
            var canNest = depth < _limits.MaxDepth;
            MimeEntity entity;
            // An empty boundary is invalid (RFC 2046) but unambiguous: its delimiter lines are "--" and "----".
            if (canNest && contentType.Is("multipart") && boundary is not null)
                entity = new Multipart(headers);
            else if (canNest && (contentType.Is("message", "rfc822") || contentType.Is("message", "global"))
                     && MimePart.ParseEncoding(headers["Content-Transfer-Encoding"]) is ContentEncoding.SevenBit or ContentEncoding.EightBit or ContentEncoding.Binary)
                entity = new MessagePart(headers);
            else
                entity = new MimePart(headers);
            entity.DefaultContentType = defaultType;
            entity.PrimeContentType(contentType);

            if (messageHeaders is not null)
            {
                var message = new MimeMessage(messageHeaders, entity);
                Attach(parent, message);
                _open.Add(new Open(message, start, bodyStart, depth));
            }
            else
            {
                Attach(parent, entity);
            }
            var open = new Open(entity, start, bodyStart, depth);
            _open.Add(open);
            if (entity is MessagePart messagePart)
            {
                (parent, start, depth, asMessage) = (messagePart, bodyStart, depth + 1, true);
                continue;
            }
            if (entity is Multipart)
            {
                open.Boundary = Encoding.UTF8.GetBytes(boundary!);
                // A non-ASCII boundary (broken, but seen) may come from a header read as Latin-1: match that form too.
                if (!Ascii.IsValid(boundary) && boundary!.All(c => c <= '\u00FF'))
                    open.Latin1Boundary = Encoding.Latin1.GetBytes(boundary!);
                _openBoundaries++;
            }
            _scanFrom = bodyStart;
            return;
        }
    }

    private void Attach(object? parent, object child)
    {
        switch (parent)
        {
            case null:
                _root = child;
                break;
            case Multipart multipart:
                multipart.Parts.Add((MimeEntity)child);
                break;
            case MessagePart messagePart:
                messagePart.Message = (MimeMessage)child;
                break;
        }
    }

    /// <summary>Ends every open entity above <paramref name="frame"/> at <paramref name="end"/>.</summary>
    private void CloseAbove(int frame, int end)
    {
        for (var i = _open.Count - 1; i > frame; i--)
        {
            Close(_open[i], end);
            _open.RemoveAt(i);
        }
    }

    private void Close(Open open, int end)
    {
        end = Math.Max(end, open.Start);
        var raw = _data[open.Start..end];
        switch (open.Target)
        {
            case MimePart part:
                part.SetSource(_data[open.BodyStart..Math.Max(end, open.BodyStart)]);
                part.RawBytes = raw;
                break;
            case Multipart multipart:
                if (open.Boundary is not null)
                    _openBoundaries--;
                if (!open.SeenDelimiter)
                    multipart.SetRawPreamble(end > open.BodyStart ? _data[open.BodyStart..end] : NoText);
                if (open.EpilogueStart >= 0)
                    multipart.SetRawEpilogue(end >= open.EpilogueStart ? _data[open.EpilogueStart..end] : NoText);
                multipart.RawBytes = raw;
                break;
            case MimeEntity entity:
                entity.RawBytes = raw;
                break;
            case MimeMessage message:
                message.RawBytes = raw;
                break;
        }
    }

    /// <summary>Finds the next line, at or after <paramref name="from"/> (a line start), that delimits an open multipart.</summary>
    private bool FindDelimiter(int from, out int lineStart, out int next, out int frame, out bool isClose, out bool hasEol)
    {
        var span = _data.Span;
        var pos = from;
        while (_openBoundaries > 0 && pos < span.Length)
        {
            if (MatchDelimiter(pos, out frame, out isClose, out next, out hasEol))
            {
                lineStart = pos;
                return true;
            }
            var hit = span[pos..].IndexOf("\n--"u8);
            if (hit < 0)
                break;
            pos += hit + 1;
        }
        (lineStart, next, frame, isClose, hasEol) = (0, 0, -1, false, false);
        return false;
    }

    /// <summary>
    /// True when the line at <paramref name="lineStart"/> is "--boundary" or "--boundary--" (plus optional trailing
    /// whitespace) for an open multipart; the innermost match wins. Exact match, so "x" does not match "--xy".
    /// </summary>
    private bool MatchDelimiter(int lineStart, out int frame, out bool isClose, out int next, out bool hasEol)
    {
        (frame, isClose, next, hasEol) = (-1, false, 0, false);
        var span = _data.Span;
        if (_openBoundaries == 0 || lineStart + 1 >= span.Length || span[lineStart] != (byte)'-' || span[lineStart + 1] != (byte)'-')
            return false;
        var newline = span[lineStart..].IndexOf((byte)'\n');
        hasEol = newline >= 0;
        var lineEnd = hasEol ? lineStart + newline : span.Length;
        next = hasEol ? lineEnd + 1 : span.Length;
        var text = span[(lineStart + 2)..lineEnd].TrimEnd(" \t\r"u8);
        for (var i = _open.Count - 1; i >= 0; i--)
        {
            if (_open[i].Boundary is not { } boundary)
                continue;
            if (Matches(text, boundary, out isClose) || (_open[i].Latin1Boundary is { } latin1 && Matches(text, latin1, out isClose)))
            {
                frame = i;
                return true;
            }
        }
        return false;
    }

    private static bool Matches(ReadOnlySpan<byte> text, ReadOnlySpan<byte> boundary, out bool isClose)
    {
        isClose = text.Length == boundary.Length + 2 && text.StartsWith(boundary) && text.EndsWith("--"u8);
        return isClose || text.SequenceEqual(boundary);
    }

    /// <summary>Length of the line break before <paramref name="lineStart"/>: it belongs to the delimiter, not the content.</summary>
    private int PrecedingEol(int lineStart)
    {
        var span = _data.Span;
        if (lineStart == 0 || span[lineStart - 1] != (byte)'\n')
            return 0;
        return lineStart >= 2 && span[lineStart - 2] == (byte)'\r' ? 2 : 1;
    }

    /// <summary>
    /// Reads header fields from <paramref name="start"/> to the blank line. A leading mbox "From " line is skipped;
    /// a line that is neither a field nor a continuation (or is a delimiter) ends the block and starts the body.
    /// </summary>
    private (HeaderList Headers, int BodyStart) ReadHeaders(int start)
    {
        var span = _data.Span;
        var headers = new HeaderList();
        int fieldStart = -1, nameEnd = 0, valueStart = 0, fieldEnd = 0;
        var pos = start;
        while (pos < span.Length)
        {
            var newline = span[pos..].IndexOf((byte)'\n');
            var lineEnd = newline < 0 ? span.Length : pos + newline;
            var next = newline < 0 ? span.Length : lineEnd + 1;
            var contentEnd = lineEnd > pos && span[lineEnd - 1] == (byte)'\r' ? lineEnd - 1 : lineEnd;
            var line = span[pos..contentEnd];
            if (line.IsEmpty)
            {
                Flush();
                return (headers, next);
            }
            if (pos == start && IsMboxFromLine(line))
            {
                pos = next;
                continue;
            }
            if (MimeSyntax.IsWsp(line[0]))
            {
                if (fieldStart < 0)
                    return (headers, pos);
                fieldEnd = contentEnd;
                CheckLength();
                pos = next;
                continue;
            }
            if (MatchDelimiter(pos, out _, out _, out _, out _))
                break;
            var colon = MimeSyntax.FieldColon(line);
            if (colon < 0)
            {
                // A long field wrapped without indentation by some relay: the line continues the current field
                // when the block evidently goes on. Otherwise the header block ends and the body starts here.
                if (fieldStart < 0 || !ContinuesHeaderBlock(next))
                    break;
                fieldEnd = contentEnd;
                CheckLength();
                pos = next;
                continue;
            }
            Flush();
            if (headers.Count >= _limits.MaxHeaderCount)
                throw new MimeFormatException($"A header block has more than MaxHeaderCount ({_limits.MaxHeaderCount}) fields (at offset {pos}).") { Offset = pos };
            var nameLength = line[..colon].TrimEnd(" \t"u8).Length;
            (fieldStart, nameEnd, valueStart, fieldEnd) = (pos, pos + nameLength, pos + colon + 1, contentEnd);
            CheckLength();
            pos = next;
        }
        Flush();
        return (headers, pos);

        void CheckLength()
        {
            if (fieldEnd - fieldStart > _limits.MaxHeaderLength)
            {
                var name = Encoding.ASCII.GetString(_data.Span[fieldStart..nameEnd]);
                throw new MimeFormatException($"Header field '{name}' at offset {fieldStart} is longer than MaxHeaderLength ({_limits.MaxHeaderLength} bytes).") { Offset = fieldStart };
            }
        }

        void Flush()
        {
            if (fieldStart < 0)
                return;
            var s = _data.Span;
            var name = Encoding.ASCII.GetString(s[fieldStart..nameEnd]);
            headers.Add(Header.FromParser(name, DecodeValue(s[valueStart..fieldEnd])));
            fieldStart = -1;
        }
    }

    /// <summary>True when the line at <paramref name="pos"/> is a header field or a continuation line.</summary>
    private bool ContinuesHeaderBlock(int pos)
    {
        var span = _data.Span;
        if (pos >= span.Length)
            return false;
        var rest = span[pos..];
        var newline = rest.IndexOf((byte)'\n');
        var line = (newline < 0 ? rest : rest[..newline]).TrimEnd("\r"u8);
        if (line.IsEmpty || MatchDelimiter(pos, out _, out _, out _, out _))
            return false;
        return MimeSyntax.IsWsp(line[0]) || MimeSyntax.FieldColon(line) > 0;
    }

    // "From " starts an mbox separator, unless it is the field "From :" written with obsolete spacing.
    private static bool IsMboxFromLine(ReadOnlySpan<byte> line)
    {
        if (line.StartsWith(">From "u8))
            return true;
        if (!line.StartsWith("From "u8))
            return false;
        var rest = line[4..].TrimStart(" \t"u8);
        return rest.IsEmpty || rest[0] != (byte)':';
    }

    /// <summary>Unfolds (drops CR/LF), decodes as UTF-8 or else Latin-1, trims.</summary>
    private static string DecodeValue(ReadOnlySpan<byte> raw)
    {
        if (raw.IndexOfAny((byte)'\r', (byte)'\n') < 0)
            return Charsets.Utf8OrLatin1(raw).Trim();
        var buffer = ArrayPool<byte>.Shared.Rent(raw.Length);
        try
        {
            var n = 0;
            foreach (var b in raw)
            {
                if (b is not ((byte)'\r' or (byte)'\n'))
                    buffer[n++] = b;
            }
            return Charsets.Utf8OrLatin1(buffer.AsSpan(0, n)).Trim();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static (HeaderList Message, HeaderList Content) SplitMessageHeaders(HeaderList headers)
    {
        var message = new HeaderList();
        var content = new HeaderList();
        foreach (var h in headers)
            (IsContentField(h.Name) ? content : message).Add(h);
        return (message, content);
    }

    internal static bool IsContentField(string name) => name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase);
}
