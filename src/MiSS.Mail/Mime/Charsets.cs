using System.Collections.Concurrent;
using System.Text;

namespace MiSS.Mail.Mime;

/// <summary>Charset lookup and tolerant byte-to-text decoding. Never throws.</summary>
internal static class Charsets
{
    private static readonly ConcurrentDictionary<string, Encoding?> Cache = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The encoding for a MIME charset name, or null when unknown.</summary>
    public static Encoding? Get(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
            return null;
        name = name.Trim().Trim('"', '\'').Trim();
        // Bound the cache: charset names come from untrusted input.
        if (name.Length > 40)
            return null;
        if (Cache.TryGetValue(name, out var cached))
            return cached;
        var found = Lookup(name.ToLowerInvariant());
        if (Cache.Count < 512)
            Cache[name] = found;
        return found;
    }

    private static Encoding? Lookup(string name)
    {
        switch (name)
        {
            case "utf-8" or "utf8" or "x-utf-8": return Encoding.UTF8;
            case "us-ascii" or "ascii" or "ansi_x3.4-1968" or "iso646-us": return Encoding.ASCII;
            case "latin1" or "latin-1" or "iso-8859-1" or "iso8859-1" or "iso_8859-1": return Encoding.Latin1;
            case "unknown-8bit" or "x-unknown" or "unknown" or "x-user-defined": return null;
        }
        if (name.StartsWith("cp", StringComparison.Ordinal) && int.TryParse(name.AsSpan(2), out var cp))
            return ByCodePage(cp);
        if (name.StartsWith("iso8859-", StringComparison.Ordinal))
            name = "iso-8859-" + name["iso8859-".Length..];
        try
        {
            return Encoding.GetEncoding(name);
        }
        catch (ArgumentException)
        {
            return CodePagesEncodingProvider.Instance.GetEncoding(name);
        }
    }

    private static Encoding? ByCodePage(int codePage)
    {
        try
        {
            return CodePagesEncodingProvider.Instance.GetEncoding(codePage) ?? Encoding.GetEncoding(codePage);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>UTF-8 when the bytes are valid UTF-8 (ASCII included), else Latin-1: the rule for 8-bit header bytes.</summary>
    public static string Utf8OrLatin1(ReadOnlySpan<byte> bytes) =>
        System.Text.Unicode.Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : Encoding.Latin1.GetString(bytes);

    /// <summary>Decodes with the declared charset; unknown, ASCII or UTF-8 declarations fall back to UTF-8 then Latin-1.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string? charset)
    {
        var encoding = Get(charset);
        if (encoding is null || encoding.CodePage is 20127 or 65001)
            return Utf8OrLatin1(bytes);
        try
        {
            return encoding.GetString(bytes);
        }
        catch (Exception e) when (e is ArgumentException or DecoderFallbackException)
        {
            return Utf8OrLatin1(bytes);
        }
    }
}
