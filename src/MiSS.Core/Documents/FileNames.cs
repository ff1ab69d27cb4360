using System.Globalization;
using System.Text;

namespace MiSS.Core.Documents;

/// <summary>
/// Safe file names for attachments: what a sender declares is a hint, never a path. The result has no directory
/// part, no control, bidirectional or invisible character, no leading dot, is not a Windows device name, fits in
/// <see cref="MaxUtf8Bytes"/> UTF-8 bytes and always ends with the extension of the sniffed type.
/// </summary>
public static class FileNames
{
    /// <summary>Largest name in UTF-8 bytes, extension included (well under every file system's 255).</summary>
    public const int MaxUtf8Bytes = 120;

    /// <summary>The name used when nothing usable is left of the declared one.</summary>
    public const string DefaultStem = "piece-jointe";

    private static readonly HashSet<string> ReservedDeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM¹", "COM²", "COM³",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
    };

    /// <summary>
    /// Makes <paramref name="name"/> safe to store, show and save, with <paramref name="extensionForType"/> (with or
    /// without its dot) as its extension. A final extension that names any known type (accepted or refused, e.g.
    /// ".exe", ".jpeg") is dropped, and so is the right one if that uncovers it, before the right one is added:
    /// "rapport.pdf.exe" becomes "rapport.pdf"; an unknown
    /// one stays part of the name: "compte-rendu.v2" becomes "compte-rendu.v2.pdf". The function is idempotent.
    /// </summary>
    /// <exception cref="ArgumentException">The extension is not 1 to 10 ASCII letters or digits.</exception>
    public static string Sanitize(string? name, string extensionForType)
    {
        // One pass can leave work for the next: cutting a long stem to size may uncover ".pdf" right before the ".pdf"
        // that is added. Passes only remove or replace characters, so repeating them reaches a fixed point quickly.
        var result = SanitizeOnce(name, extensionForType);
        for (var pass = 0; pass < 8; pass++)
        {
            var next = SanitizeOnce(result, extensionForType);
            if (next == result)
            {
                break;
            }
            result = next;
        }
        return result;
    }

    static string SanitizeOnce(string? name, string extensionForType)
    {
        ArgumentNullException.ThrowIfNull(extensionForType);
        var extension = extensionForType.TrimStart('.').ToLowerInvariant();
        if (extension.Length is 0 or > 10 || !extension.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException($"Not a file extension: '{extensionForType}'.", nameof(extensionForType));
        }

        // "rapport.pdf.exe": drop ".exe" (a known type), then the ".pdf" it uncovers (the one about to be added).
        var stem = WithoutExtension(Clean(name), e => e == extension || FileTypes.IsKnownExtension(e));
        stem = WithoutExtension(stem, e => e == extension);

        var maxStemBytes = MaxUtf8Bytes - 1 - extension.Length;
        stem = TruncateUtf8(stem, maxStemBytes).TrimEnd(' ', '.');
        if (stem.Length == 0)
        {
            stem = DefaultStem;
        }
        if (IsReservedDeviceName(stem))
        {
            stem = TruncateUtf8("_" + stem, maxStemBytes).TrimEnd(' ', '.');
        }
        return stem + "." + extension;
    }

    /// <summary>
    /// The extension a sender's name claims (lower case, no dot), read the way Windows would: after dropping any
    /// path, invisible or control characters and trailing dots and spaces. Null when the name has none.
    /// </summary>
    public static string? DeclaredExtension(string? name)
    {
        var cleaned = Clean(name);
        var dot = cleaned.LastIndexOf('.');
        return dot > 0 && dot < cleaned.Length - 1 ? cleaned[(dot + 1)..].ToLowerInvariant() : null;
    }

    /// <summary>A declared name made safe to show in a message (same cleaning, extension kept as declared).</summary>
    public static string ForDisplay(string? name)
    {
        var cleaned = TruncateUtf8(Clean(name), MaxUtf8Bytes);
        return cleaned.Length == 0 ? "(sans nom)" : cleaned;
    }

    private static string WithoutExtension(string name, Func<string, bool> drop)
    {
        var dot = name.LastIndexOf('.');
        return dot > 0 && drop(name[(dot + 1)..].ToLowerInvariant()) ? name[..dot].TrimEnd(' ', '.') : name;
    }

    /// <summary>True when a stem would open a device on Windows ("CON", "com1.tar", "LPT¹ ").</summary>
    internal static bool IsReservedDeviceName(string stem)
    {
        var dot = stem.IndexOf('.', StringComparison.Ordinal);
        var first = (dot < 0 ? stem : stem[..dot]).TrimEnd(' ');
        return ReservedDeviceNames.Contains(first);
    }

    /// <summary>The last path component, NFC, with forbidden characters dropped or replaced and the ends trimmed.</summary>
    internal static string Clean(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "";
        }
        var text = WithoutLoneSurrogates(name).Normalize(NormalizationForm.FormC);
        var separator = text.LastIndexOfAny(['/', '\\']);
        if (separator >= 0)
        {
            text = text[(separator + 1)..];
        }
        // A drive-relative name ("C:rapport.pdf").
        if (text.Length >= 2 && char.IsAsciiLetter(text[0]) && text[1] == ':')
        {
            text = text[2..];
        }

        var sb = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            switch (Classify(rune))
            {
                case CharAction.Keep:
                    sb.Append(rune.ToString());
                    break;
                case CharAction.Space:
                    sb.Append(' ');
                    break;
                case CharAction.Underscore:
                    sb.Append('_');
                    break;
            }
        }
        // Dropping a joiner can bring a base letter and a combining mark together: normalise again.
        return sb.ToString().Normalize(NormalizationForm.FormC).Trim(' ', '.');
    }

    private enum CharAction { Keep, Drop, Space, Underscore }

    private static CharAction Classify(Rune rune)
    {
        var value = rune.Value;
        switch (value)
        {
            // Reserved on Windows (':' also opens NTFS alternate streams).
            case '<' or '>' or ':' or '"' or '|' or '?' or '*':
            // Slashes that look like separators.
            case 0x2215 or 0x2044 or 0xFF0F or 0xFF3C or 0x29F8 or 0x29F9 or 0xFE68 or 0x2216:
                return CharAction.Underscore;
            // Invisible letters and the combining grapheme joiner (not format characters, yet blank).
            case 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x034F or 0x2800:
                return CharAction.Drop;
        }
        if ((value >= 0xFDD0 && value <= 0xFDEF) || (value & 0xFFFE) == 0xFFFE)
        {
            return CharAction.Drop; // noncharacters
        }
        return Rune.GetUnicodeCategory(rune) switch
        {
            // C0, DEL, C1; bidi controls, zero-width characters, BOM, soft hyphen...; line/paragraph separators.
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate => CharAction.Drop,
            UnicodeCategory.SpaceSeparator => CharAction.Space,
            _ => CharAction.Keep,
        };
    }

    private static string WithoutLoneSurrogates(string text)
    {
        StringBuilder? sb = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var paired = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            if (paired)
            {
                sb?.Append(c).Append(text[i + 1]);
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                sb ??= new StringBuilder(text, 0, i, text.Length);
            }
            else
            {
                sb?.Append(c);
            }
        }
        return sb?.ToString() ?? text;
    }

    /// <summary>The longest prefix within <paramref name="maxBytes"/> UTF-8 bytes, cut between user-perceived characters.</summary>
    internal static string TruncateUtf8(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return text;
        }
        var length = 0;
        var bytes = 0;
        while (length < text.Length)
        {
            var element = StringInfo.GetNextTextElementLength(text, length);
            var elementBytes = Encoding.UTF8.GetByteCount(text.AsSpan(length, element));
            if (bytes + elementBytes > maxBytes)
            {
                break;
            }
            bytes += elementBytes;
            length += element;
        }
        if (length > 0)
        {
            return text[..length];
        }
        // A single cluster longer than the budget (a letter with hundreds of marks): cut it between code points.
        foreach (var rune in text.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > maxBytes)
            {
                break;
            }
            bytes += rune.Utf8SequenceLength;
            length += rune.Utf16SequenceLength;
        }
        return text[..length];
    }
}
