using System.Globalization;
using System.Text;
using MiSS.Mail;
using MiSS.Mail.Net;
using MiSS.Mail.Tls;

namespace MiSS.Mail.Imap;

/// <summary>
/// Reads complete IMAP responses (RFC 3501 section 7 and 9) from a <see cref="MailStreamReader"/>: first the lines
/// and the literals announced at their ends ("{n}" then exactly n bytes), then parses them into an
/// <see cref="ImapResponse"/>. Status responses (OK/NO/BAD/BYE/PREAUTH) and continuations carry free text and
/// never literals.
/// </summary>
internal sealed class ImapResponseReader
{
    /// <summary>Default bound for one line outside literals (a SEARCH over a huge mailbox is long).</summary>
    public const int DefaultMaxLineLength = 32 * 1024 * 1024;

    /// <summary>Default bound for one literal.</summary>
    public const long DefaultMaxLiteralSize = 256L * 1024 * 1024;

    private const int MaxLiteralsPerResponse = 10_000;

    private readonly MailStreamReader _reader;
    private readonly int _maxLineLength;
    private readonly long _maxLiteralSize;

    /// <summary>Creates a reader with bounds on line and literal sizes.</summary>
    public ImapResponseReader(MailStreamReader reader, int maxLineLength = DefaultMaxLineLength, long maxLiteralSize = DefaultMaxLiteralSize)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reader = reader;
        _maxLineLength = maxLineLength;
        _maxLiteralSize = Math.Min(maxLiteralSize, Array.MaxLength);
    }

    /// <summary>Reads and parses the next response.</summary>
    public async ValueTask<ImapResponse> ReadAsync(CancellationToken ct)
    {
        var line = await _reader.ReadLineAsync(_maxLineLength, ct);
        var lines = new List<byte[]> { line };
        var literals = new List<byte[]>();
        if (MayCarryLiterals(line))
        {
            while (TryGetTrailingLiteralLength(line, out var length))
            {
                if (length > _maxLiteralSize)
                {
                    throw new MailProtocolException($"the server announced a literal of {length} bytes, more than the limit of {_maxLiteralSize}");
                }

                if (literals.Count >= MaxLiteralsPerResponse)
                {
                    throw new MailProtocolException($"the server sent more than {MaxLiteralsPerResponse} literals in one response");
                }

                var literal = new byte[length];
                await _reader.ReadExactlyAsync(literal, ct);
                literals.Add(literal);
                line = await _reader.ReadLineAsync(_maxLineLength, ct);
                lines.Add(line);
            }
        }

        return Parse(lines, literals);
    }

    /// <summary>Parses a response already split into lines (without CRLF) and the literals between them.</summary>
    internal static ImapResponse Parse(IReadOnlyList<byte[]> lines, IReadOnlyList<byte[]> literals) =>
        new Parser(lines, literals).ParseResponse();

    /// <summary>False for continuations and status responses, whose text may end in something that looks like "{5}".</summary>
    private static bool MayCarryLiterals(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty || line[0] == '+')
        {
            return false;
        }

        var space = line.IndexOf((byte)' ');
        if (space < 0)
        {
            return false;
        }

        var rest = line[(space + 1)..];
        var end = rest.IndexOf((byte)' ');
        var word = end < 0 ? rest : rest[..end];
        return !IsStatusWord(word);
    }

    private static bool IsStatusWord(ReadOnlySpan<byte> word) =>
        Ascii.EqualsIgnoreCase(word, "OK"u8) || Ascii.EqualsIgnoreCase(word, "NO"u8) || Ascii.EqualsIgnoreCase(word, "BAD"u8)
        || Ascii.EqualsIgnoreCase(word, "BYE"u8) || Ascii.EqualsIgnoreCase(word, "PREAUTH"u8);

    /// <summary>True when <paramref name="line"/> ends with a literal announcement "{n}", "{n+}" or "~{n}".</summary>
    internal static bool TryGetTrailingLiteralLength(ReadOnlySpan<byte> line, out long length)
    {
        length = 0;
        if (line.IsEmpty || line[^1] != '}')
        {
            return false;
        }

        var open = line.LastIndexOf((byte)'{');
        if (open < 0)
        {
            return false;
        }

        var digits = line[(open + 1)..^1];
        if (!digits.IsEmpty && digits[^1] == '+')
        {
            digits = digits[..^1];
        }

        if (digits.IsEmpty || digits.Length > 19)
        {
            return false;
        }

        foreach (var d in digits)
        {
            if (d is < (byte)'0' or > (byte)'9')
            {
                return false;
            }
        }

        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out length);
    }

    /// <summary>Tokenizer and grammar over the lines and literals of one response.</summary>
    private sealed class Parser(IReadOnlyList<byte[]> lines, IReadOnlyList<byte[]> literals)
    {
        private const int MaxDepth = 64;

        private int _line;
        private int _pos;
        private int _literal;

        private ReadOnlySpan<byte> Current => lines[_line];

        private bool AtLineEnd => _pos >= Current.Length;

        public ImapResponse ParseResponse()
        {
            if (lines.Count == 0 || lines[0].Length == 0)
            {
                throw new MailProtocolException("the server sent an empty response line");
            }

            if (Current[0] == '+')
            {
                _pos = 1;
                SkipSpaces();
                return new ImapResponse { Kind = ImapResponseKind.Continuation, Text = RestOfLine() };
            }

            var tag = ReadWord();
            if (tag.Length == 0)
            {
                throw Malformed("no tag");
            }

            SkipSpaces();
            if (tag != "*")
            {
                var status = ReadWord().ToUpperInvariant();
                if (status is not ("OK" or "NO" or "BAD"))
                {
                    throw Malformed($"tagged response with status '{status}'");
                }

                return ParseStatus(ImapResponseKind.Tagged, tag, status);
            }

            var word = ReadWord();
            uint? number = null;
            if (word.Length > 0 && word.All(char.IsAsciiDigit))
            {
                if (!uint.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    throw Malformed($"number '{word}' out of range");
                }

                number = n;
                SkipSpaces();
                word = ReadWord();
            }

            var name = word.ToUpperInvariant();
            if (name.Length == 0)
            {
                throw Malformed("untagged response without a name");
            }

            if (number is null && name is "OK" or "NO" or "BAD" or "BYE" or "PREAUTH")
            {
                return ParseStatus(ImapResponseKind.Untagged, null, name);
            }

            var values = new List<ImapValue>();
            while (true)
            {
                var value = ReadValue(0);
                if (value is null)
                {
                    break;
                }

                values.Add(value);
            }

            if (_line != lines.Count - 1 || !AtLineEnd || _literal != literals.Count)
            {
                throw Malformed("unexpected data after the end of the response");
            }

            return new ImapResponse { Kind = ImapResponseKind.Untagged, Number = number, Name = name, Values = values };
        }

        private ImapResponse ParseStatus(ImapResponseKind kind, string? tag, string status)
        {
            SkipSpaces();
            ImapResponseCode? code = null;
            if (!AtLineEnd && Current[_pos] == '[')
            {
                var close = Current[_pos..].IndexOf((byte)']');
                if (close > 0)
                {
                    var inner = Encoding.UTF8.GetString(Current.Slice(_pos + 1, close - 1)).Trim();
                    var space = inner.IndexOf(' ', StringComparison.Ordinal);
                    code = space < 0
                        ? new ImapResponseCode(inner.ToUpperInvariant(), string.Empty)
                        : new ImapResponseCode(inner[..space].ToUpperInvariant(), inner[(space + 1)..].Trim());
                    _pos += close + 1;
                    SkipSpaces();
                }
            }

            return new ImapResponse { Kind = kind, Tag = tag, Status = status, Code = code, Text = RestOfLine() };
        }

        /// <summary>Reads one value; null at the end of the response or at a closing parenthesis.</summary>
        private ImapValue? ReadValue(int depth)
        {
            SkipSpaces();
            if (AtLineEnd)
            {
                return null;
            }

            var c = Current[_pos];
            switch (c)
            {
                case (byte)')':
                    return null;
                case (byte)'(':
                    return ReadList(depth);
                case (byte)'"':
                    return ReadQuoted();
                case (byte)'{':
                    return ReadLiteral();
                case (byte)'~' when _pos + 1 < Current.Length && Current[_pos + 1] == '{':
                    _pos++;
                    return ReadLiteral();
                default:
                    var atom = ReadAtom();
                    return string.Equals(atom, "NIL", StringComparison.OrdinalIgnoreCase) ? ImapNil.Instance : new ImapAtom(atom);
            }
        }

        private ImapList ReadList(int depth)
        {
            if (depth >= MaxDepth)
            {
                throw Malformed($"lists nested deeper than {MaxDepth}");
            }

            _pos++;
            var items = new List<ImapValue>();
            while (true)
            {
                var value = ReadValue(depth + 1);
                if (value is not null)
                {
                    items.Add(value);
                    continue;
                }

                if (AtLineEnd)
                {
                    throw Malformed("a list is not closed");
                }

                _pos++;
                return new ImapList(items);
            }
        }

        private ImapString ReadQuoted()
        {
            _pos++;
            var bytes = new List<byte>();
            var line = Current;
            while (_pos < line.Length)
            {
                var b = line[_pos++];
                if (b == '"')
                {
                    return new ImapString(bytes.ToArray(), IsLiteral: false);
                }

                if (b == '\\')
                {
                    if (_pos >= line.Length)
                    {
                        break;
                    }

                    b = line[_pos++];
                }

                bytes.Add(b);
            }

            throw Malformed("a quoted string is not closed");
        }

        private ImapString ReadLiteral()
        {
            var close = Current[_pos..].IndexOf((byte)'}');
            if (close < 0 || _pos + close != Current.Length - 1)
            {
                throw Malformed("a literal announcement is not at the end of its line");
            }

            if (_literal >= literals.Count || _line + 1 >= lines.Count)
            {
                throw Malformed("a literal is missing");
            }

            var bytes = literals[_literal++];
            _line++;
            _pos = 0;
            return new ImapString(bytes, IsLiteral: true);
        }

        /// <summary>
        /// Reads an atom up to a space, parenthesis, quote or brace; brackets are kept whole so that
        /// "BODY[HEADER.FIELDS (FROM TO)]&lt;0&gt;" is one atom.
        /// </summary>
        private string ReadAtom()
        {
            var line = Current;
            var start = _pos;
            var bracketDepth = 0;
            while (_pos < line.Length)
            {
                var b = line[_pos];
                if (b == '[')
                {
                    bracketDepth++;
                }
                else if (b == ']' && bracketDepth > 0)
                {
                    bracketDepth--;
                }
                else if (bracketDepth == 0 && b is (byte)' ' or (byte)'(' or (byte)')' or (byte)'"' or (byte)'{')
                {
                    break;
                }
                else if (b < 0x20 || b == 0x7f)
                {
                    throw Malformed("a control character in an atom");
                }

                _pos++;
            }

            if (_pos == start)
            {
                throw Malformed($"unexpected character '{(char)line[_pos]}'");
            }

            return Encoding.UTF8.GetString(line[start.._pos]);
        }

        private string ReadWord()
        {
            var line = Current;
            var start = _pos;
            while (_pos < line.Length && line[_pos] != ' ')
            {
                _pos++;
            }

            return Encoding.ASCII.GetString(line[start.._pos]);
        }

        private void SkipSpaces()
        {
            var line = Current;
            while (_pos < line.Length && line[_pos] == ' ')
            {
                _pos++;
            }
        }

        private string RestOfLine()
        {
            var text = Encoding.UTF8.GetString(Current[_pos..]);
            _pos = Current.Length;
            return text;
        }

        private MailProtocolException Malformed(string what)
        {
            // Only the start of the line, and nothing from a string onwards: strings may carry message content.
            var line = lines[0].AsSpan();
            var end = Math.Min(line.Length, 40);
            var stringStart = line[..end].IndexOfAny((byte)'"', (byte)'{');
            if (stringStart >= 0)
            {
                end = stringStart;
            }

            var excerpt = new string(Encoding.ASCII.GetString(line[..end]).Select(ch => char.IsControl(ch) ? '?' : ch).ToArray());
            return new MailProtocolException($"the server sent a malformed IMAP response ({what}), starting \"{excerpt}\"");
        }
    }
}
