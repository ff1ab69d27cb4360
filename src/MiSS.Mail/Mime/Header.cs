namespace MiSS.Mail.Mime;

/// <summary>One header field. The value is stored unfolded and trimmed; it is raw text (encoded words are kept).</summary>
public sealed class Header
{
    private string? _decoded;

    /// <summary>Creates a header; line breaks in <paramref name="value"/> are unfolded so they cannot inject fields.</summary>
    public Header(string name, string value)
        : this(name, value, validate: true)
    {
    }

    private Header(string name, string value, bool validate)
    {
        if (validate)
        {
            ArgumentNullException.ThrowIfNull(name);
            ArgumentNullException.ThrowIfNull(value);
            if (name.Length == 0 || name.Any(c => c > 126 || !MimeSyntax.IsFieldNameChar((byte)c)))
                throw new ArgumentException($"Invalid header field name '{name}'.", nameof(name));
            value = MimeSyntax.NormalizeHeaderValue(value);
        }
        Name = name;
        Value = value;
    }

    /// <summary>Field name as written (compare case-insensitively).</summary>
    public string Name { get; }

    /// <summary>Unfolded raw value, not RFC 2047 decoded.</summary>
    public string Value { get; }

    /// <summary>The value with RFC 2047 encoded words decoded, for display.</summary>
    public string DecodedValue => _decoded ??= EncodedWords.Decode(Value);

    /// <inheritdoc/>
    public override string ToString() => $"{Name}: {Value}";

    /// <summary>For the reader, which has already validated the name and unfolded and trimmed the value.</summary>
    internal static Header FromParser(string name, string value) => new(name, value, validate: false);
}
