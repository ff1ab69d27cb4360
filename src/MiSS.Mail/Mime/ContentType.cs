using System.Text;

namespace MiSS.Mail.Mime;

/// <summary>A Content-Type value (RFC 2045 §5). Type and subtype are kept lowercase.</summary>
public sealed class ContentType
{
    private string _mediaType;
    private string _mediaSubtype;

    /// <summary>Creates "type/subtype" without parameters.</summary>
    public ContentType(string mediaType, string subtype)
    {
        _mediaType = CheckToken(mediaType, nameof(mediaType));
        _mediaSubtype = CheckToken(subtype, nameof(subtype));
        Parameters = new ParameterList();
        Parameters.Changed += OnChanged;
    }

    private ContentType(string mediaType, string subtype, ParameterList parameters)
    {
        _mediaType = mediaType;
        _mediaSubtype = subtype;
        Parameters = parameters;
        Parameters.Changed += OnChanged;
    }

    internal event Action? Changed;

    /// <summary>The type, e.g. "text".</summary>
    public string MediaType
    {
        get => _mediaType;
        set
        {
            _mediaType = CheckToken(value, nameof(value));
            OnChanged();
        }
    }

    /// <summary>The subtype, e.g. "plain".</summary>
    public string MediaSubtype
    {
        get => _mediaSubtype;
        set
        {
            _mediaSubtype = CheckToken(value, nameof(value));
            OnChanged();
        }
    }

    /// <summary>"type/subtype", lowercase.</summary>
    public string MimeType => $"{_mediaType}/{_mediaSubtype}";

    /// <summary>Parameters, decoded.</summary>
    public ParameterList Parameters { get; }

    /// <summary>The boundary parameter.</summary>
    public string? Boundary
    {
        get => Parameters["boundary"];
        set => Parameters["boundary"] = value;
    }

    /// <summary>The charset parameter.</summary>
    public string? Charset
    {
        get => Parameters["charset"];
        set => Parameters["charset"] = value;
    }

    /// <summary>The (legacy) name parameter, often a file name.</summary>
    public string? Name
    {
        get => Parameters["name"];
        set => Parameters["name"] = value;
    }

    /// <summary>True when type and subtype match, case-insensitively; "*" matches any subtype.</summary>
    public bool Is(string mediaType, string subtype = "*") =>
        string.Equals(_mediaType, mediaType, StringComparison.OrdinalIgnoreCase)
        && (subtype == "*" || string.Equals(_mediaSubtype, subtype, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Parses a header value tolerantly: unparseable text gives text/plain; a type without subtype gives
    /// text/plain, multipart/mixed or application/octet-stream (for a "text", "multipart" or any other type).
    /// </summary>
    public static ContentType Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var pos = Lexer.SkipCfws(value, 0);
        var type = ReadToken(value, ref pos);
        pos = Lexer.SkipCfws(value, pos);
        var subtype = "";
        if (pos < value.Length && value[pos] == '/')
        {
            pos = Lexer.SkipCfws(value, pos + 1);
            subtype = ReadToken(value, ref pos);
        }
        var parameters = ParameterCodec.Parse(value, pos);
        if (type.Length == 0)
            (type, subtype) = ("text", "plain");
        else if (subtype.Length == 0)
            subtype = type switch { "text" => "plain", "multipart" => "mixed", _ => "" };
        if (subtype.Length == 0)
            (type, subtype) = ("application", "octet-stream");
        return new ContentType(type, subtype, parameters);
    }

    /// <summary>The header value: parameters quoted as needed, non-ASCII values RFC 2231-encoded.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(MimeType);
        foreach (var p in Parameters)
            ParameterCodec.Append(sb, p.Name, p.Value);
        return sb.ToString();
    }

    private void OnChanged() => Changed?.Invoke();

    private static string ReadToken(string s, ref int pos)
    {
        var start = pos;
        while (pos < s.Length && MimeSyntax.IsTokenChar(s[pos]))
            pos++;
        return s[start..pos].ToLowerInvariant();
    }

    internal static string CheckToken(string value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (!MimeSyntax.IsToken(value))
            throw new ArgumentException($"'{value}' is not a MIME token.", paramName);
        return value.ToLowerInvariant();
    }
}
