using System.Text;
using MiSS.Mail.Net;

namespace MiSS.Mail.Imap;

/// <summary>
/// Builds one IMAP command from words and strings; a string becomes an atom, a quoted string, or a literal as its
/// content requires. Literals are kept as separate parts so that the sender can wait for the continuation.
/// </summary>
internal sealed class ImapCommandBuilder
{
    private const int MaxQuotedLength = 1000;

    private readonly List<Part> _parts = [];
    private readonly StringBuilder _text = new();

    /// <summary>Starts a command with its verb (which may be two words, "UID FETCH").</summary>
    public ImapCommandBuilder(string verb)
    {
        ProtocolText.RejectLineBreaks(verb, nameof(verb));
        Verb = verb;
        _text.Append(verb);
    }

    /// <summary>The verb, for error messages.</summary>
    public string Verb { get; }

    /// <summary>Appends text exactly as given (after a space); it must not contain line breaks.</summary>
    public ImapCommandBuilder Raw(string text)
    {
        ProtocolText.RejectLineBreaks(text, nameof(text));
        _text.Append(' ').Append(text);
        return this;
    }

    /// <summary>Appends an astring: atom when possible, else quoted, else a literal (for 8-bit or long values).</summary>
    public ImapCommandBuilder AString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("IMAP strings cannot contain NUL", nameof(value));
        }

        _text.Append(' ');
        if (IsAtom(value))
        {
            _text.Append(value);
        }
        else if (value.Length <= MaxQuotedLength && value.All(c => c is >= ' ' and <= '~'))
        {
            _text.Append('"').Append(value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
        }
        else
        {
            _parts.Add(new Part(_text.ToString(), Encoding.UTF8.GetBytes(value)));
            _text.Clear();
        }

        return this;
    }

    /// <summary>Appends <paramref name="content"/> as a literal whatever it contains (the message of APPEND).</summary>
    public ImapCommandBuilder Literal(byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        _text.Append(' ');
        _parts.Add(new Part(_text.ToString(), content));
        _text.Clear();
        return this;
    }

    /// <summary>The command as alternating text and literal parts; the last part has no literal.</summary>
    public IReadOnlyList<Part> Build()
    {
        var parts = new List<Part>(_parts) { new(_text.ToString(), null) };
        return parts;
    }

    /// <summary>True when <paramref name="value"/> can be sent as an atom (and is not the word NIL).</summary>
    internal static bool IsAtom(string value)
    {
        if (value.Length == 0 || value.Length > 256 || string.Equals(value, "NIL", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is <= ' ' or > '~' or '(' or ')' or '{' or '%' or '*' or '"' or '\\' or ']')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Text to send, followed by a literal when <see cref="Literal"/> is not null.</summary>
    /// <param name="Text">Command text (without CRLF).</param>
    /// <param name="Literal">Literal content that follows the text, if any.</param>
    internal sealed record Part(string Text, byte[]? Literal);
}
