using System.Globalization;
using System.Text;

namespace MiSS.Mail.Imap;

/// <summary>One element of IMAP response data (RFC 3501 section 9): atom, string, NIL or parenthesised list.</summary>
internal abstract record ImapValue
{
    /// <summary>The value as text: atom text, decoded string, null for NIL or a list.</summary>
    public virtual string? AsText() => null;

    /// <summary>The value as a 32-bit unsigned number, if it is an atom made of digits that fits.</summary>
    public bool TryGetNumber(out uint number)
    {
        number = 0;
        return this is ImapAtom atom && atom.Value.Length > 0 && atom.Value.All(char.IsAsciiDigit)
            && uint.TryParse(atom.Value, NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }
}

/// <summary>An atom, number, flag ("\Seen") or fetch item name ("BODY[HEADER.FIELDS (FROM)]").</summary>
internal sealed record ImapAtom(string Value) : ImapValue
{
    /// <inheritdoc />
    public override string AsText() => Value;

    /// <summary>Case-insensitive comparison with <paramref name="text"/>.</summary>
    public bool Is(string text) => string.Equals(Value, text, StringComparison.OrdinalIgnoreCase);
}

/// <summary>A quoted string or a literal; <see cref="Bytes"/> are exactly what the server sent (unescaped).</summary>
internal sealed record ImapString(byte[] Bytes, bool IsLiteral) : ImapValue
{
    /// <summary>The bytes decoded as UTF-8.</summary>
    public string Text => Encoding.UTF8.GetString(Bytes);

    /// <inheritdoc />
    public override string AsText() => Text;
}

/// <summary>The NIL atom.</summary>
internal sealed record ImapNil : ImapValue
{
    /// <summary>The single instance.</summary>
    public static readonly ImapNil Instance = new();
}

/// <summary>A parenthesised list.</summary>
internal sealed record ImapList(IReadOnlyList<ImapValue> Items) : ImapValue;
