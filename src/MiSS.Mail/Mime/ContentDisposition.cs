using System.Text;

namespace MiSS.Mail.Mime;

/// <summary>A Content-Disposition value (RFC 2183); the disposition type is kept lowercase.</summary>
public sealed class ContentDisposition
{
    /// <summary>"attachment".</summary>
    public const string Attachment = "attachment";

    /// <summary>"inline".</summary>
    public const string Inline = "inline";

    private string _disposition;

    /// <summary>Creates a disposition without parameters.</summary>
    public ContentDisposition(string disposition = Attachment)
        : this(ContentType.CheckToken(disposition, nameof(disposition)), new ParameterList())
    {
    }

    private ContentDisposition(string disposition, ParameterList parameters)
    {
        _disposition = disposition;
        Parameters = parameters;
        Parameters.Changed += OnChanged;
    }

    internal event Action? Changed;

    /// <summary>"attachment", "inline" or another token.</summary>
    public string Disposition
    {
        get => _disposition;
        set
        {
            _disposition = ContentType.CheckToken(value, nameof(value));
            OnChanged();
        }
    }

    /// <summary>The filename parameter, decoded.</summary>
    public string? FileName
    {
        get => Parameters["filename"];
        set => Parameters["filename"] = value;
    }

    /// <summary>Parameters, decoded.</summary>
    public ParameterList Parameters { get; }

    /// <summary>Parses tolerantly; a missing or unreadable disposition type reads as "attachment".</summary>
    public static ContentDisposition Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var pos = Lexer.SkipCfws(value, 0);
        var start = pos;
        while (pos < value.Length && MimeSyntax.IsTokenChar(value[pos]))
            pos++;
        var disposition = value[start..pos].ToLowerInvariant();
        var after = Lexer.SkipCfws(value, pos);
        if (after < value.Length && value[after] == '=')
        {
            // "filename=x" without a disposition type: read it all as parameters.
            disposition = "";
            pos = start;
        }
        return new ContentDisposition(disposition.Length == 0 ? Attachment : disposition, ParameterCodec.Parse(value, pos));
    }

    /// <summary>The header value, parameters encoded as for <see cref="ContentType.ToString"/>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(_disposition);
        foreach (var p in Parameters)
            ParameterCodec.Append(sb, p.Name, p.Value);
        return sb.ToString();
    }

    private void OnChanged() => Changed?.Invoke();
}
