using System.Text;
using MimeKit;

namespace MiSS.Core.Messaging;

/// <summary>
/// Header values made of RFC 2045 parameters, with RFC 2231 encoding for what is not ASCII
/// (<c>family=DURAND; given*=utf-8''L%C3%A9a</c>): MimeKit's own parameter codec, through a Content-Type it never writes.
/// </summary>
public static class HeaderParameters
{
    const string Carrier = "x-miss/parameters";
    static readonly FormatOptions Unfolded = new() { MaxLineLength = 998, ParameterEncodingMethod = ParameterEncodingMethod.Rfc2231 };

    /// <summary>The header value of <paramref name="parameters"/>, in order.</summary>
    public static string Format(IEnumerable<(string Name, string Value)> parameters)
    {
        var type = ContentType.Parse(Carrier);
        foreach (var (name, value) in parameters)
        {
            type.Parameters.Add(new Parameter(name, value) { EncodingMethod = ParameterEncodingMethod.Rfc2231 });
        }
        var field = type.ToString(Unfolded, Encoding.UTF8, encode: true);
        var list = field[(field.IndexOf(';') + 1)..];
        return string.Join(' ', list.Split(["\r\n", "\n"], StringSplitOptions.None).Select(l => l.Trim())).Trim();
    }

    /// <summary>The parameters of a header value (RFC 2231 decoded); empty when it has none that can be read.</summary>
    public static ParameterList Parse(string value) =>
        ContentType.TryParse(ParserOptions.Default, $"{Carrier}; {value}", out var type) ? type.Parameters : [];
}
