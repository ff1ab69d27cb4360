using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace MiSS.Core.Documents;

/// <summary>A file type MiSS accepts as an attachment: its canonical media type, extension and known aliases.</summary>
public sealed class FileType
{
    internal FileType(string mediaType, string label, string[] extensions, string[] mediaTypeAliases, bool allowedInXdm)
    {
        MediaType = mediaType;
        Label = label;
        Extensions = extensions;
        MediaTypes = [mediaType, .. mediaTypeAliases];
        AllowedInXdm = allowedInXdm;
    }

    /// <summary>The canonical media type ("application/pdf").</summary>
    public string MediaType { get; }

    /// <summary>The extension MiSS gives such a file, lower case and without the dot ("pdf").</summary>
    public string Extension => Extensions[0];

    /// <summary>Every extension that names this type (lower case, no dot), the canonical one first.</summary>
    public IReadOnlyList<string> Extensions { get; }

    /// <summary>Every media type that names this type, the canonical one first (aliases such as image/jpg).</summary>
    public IReadOnlyList<string> MediaTypes { get; }

    /// <summary>A French noun phrase for messages shown to users ("un document PDF").</summary>
    public string Label { get; }

    /// <summary>Whether <see cref="XdmPackage"/> carries this type (PDF, common images, text).</summary>
    public bool AllowedInXdm { get; }

    /// <summary>True when <paramref name="extension"/> (with or without its dot, any case) names this type.</summary>
    public bool HasExtension(string extension) =>
        Extensions.Contains(extension.TrimStart('.').ToLowerInvariant(), StringComparer.Ordinal);

    /// <summary>True when <paramref name="mediaType"/> (parameters ignored, any case) names this type.</summary>
    public bool HasMediaType(string mediaType) => MediaTypes.Contains(FileTypes.NormalizeMediaType(mediaType), StringComparer.Ordinal);

    /// <inheritdoc />
    public override string ToString() => MediaType;
}

/// <summary>
/// The outcome of content sniffing: either an accepted <see cref="Type"/>, or a <see cref="Refusal"/> reason.
/// <see cref="Description"/> is a French noun phrase naming what was found, for messages shown to users.
/// </summary>
public sealed record Sniffed(FileType? Type, AttachmentRefusalReason? Refusal, string Description)
{
    /// <summary>True when the content is of an accepted type.</summary>
    public bool IsAccepted => Type is not null;
}

/// <summary>
/// The attachment types MiSS accepts, and content sniffing by magic bytes. The rule is an allow-list: a content is
/// accepted only when it is recognised as one of <see cref="All"/>; the deny-list of executables, scripts, archives
/// and compound documents exists to give a precise reason, never to let anything else through.
/// </summary>
public static class FileTypes
{
    /// <summary>How far into the content "%PDF-" may start (readers tolerate leading junk up to about this much).</summary>
    public const int PdfHeaderWindow = 1024;

    /// <summary>PDF.</summary>
    public static readonly FileType Pdf = new("application/pdf", "un document PDF", ["pdf"], ["application/x-pdf", "application/acrobat"], true);

    /// <summary>JPEG.</summary>
    public static readonly FileType Jpeg = new("image/jpeg", "une image JPEG", ["jpg", "jpeg", "jpe", "jfif"], ["image/jpg", "image/pjpeg"], true);

    /// <summary>PNG.</summary>
    public static readonly FileType Png = new("image/png", "une image PNG", ["png"], ["image/x-png"], true);

    /// <summary>GIF.</summary>
    public static readonly FileType Gif = new("image/gif", "une image GIF", ["gif"], [], true);

    /// <summary>TIFF (classic, both byte orders).</summary>
    public static readonly FileType Tiff = new("image/tiff", "une image TIFF", ["tif", "tiff"], ["image/tif", "image/x-tiff"], true);

    /// <summary>WebP.</summary>
    public static readonly FileType WebP = new("image/webp", "une image WebP", ["webp"], [], false);

    /// <summary>HEIC (HEIF with HEVC images, what phones write).</summary>
    public static readonly FileType Heic = new("image/heic", "une image HEIC", ["heic"], ["image/heic-sequence"], false);

    /// <summary>HEIF (the generic container brand).</summary>
    public static readonly FileType Heif = new("image/heif", "une image HEIF", ["heif", "hif"], ["image/heif-sequence"], false);

    /// <summary>Plain text, UTF-8 (optionally with a BOM), with no NUL and no control character but tab, line ends and form feed.</summary>
    public static readonly FileType Text = new("text/plain", "un texte", ["txt", "text"], [], true);

    /// <summary>Every accepted type.</summary>
    public static readonly IReadOnlyList<FileType> All = [Pdf, Jpeg, Png, Gif, Tiff, WebP, Heic, Heif, Text];

    /// <summary>
    /// Extensions of types MiSS refuses (executables, scripts, markup, archives, office documents): a declared name
    /// ending so is a claim that the content is not of an accepted type.
    /// </summary>
    public static readonly IReadOnlySet<string> RefusedExtensions = new HashSet<string>(StringComparer.Ordinal)
    {
        // Programs and libraries
        "exe", "com", "scr", "pif", "cpl", "dll", "sys", "ocx", "drv", "efi", "msi", "msp", "mst", "msix", "appx",
        "appxbundle", "app", "elf", "bin", "run", "out", "so", "dylib", "apk", "dex", "class", "jar", "wasm",
        "deb", "rpm", "dmg", "pkg", "appimage", "iso", "img", "vhd", "vhdx",
        // Shortcuts and shell artefacts
        "lnk", "url", "scf", "inf", "reg", "library-ms", "searchconnector-ms", "settingcontent-ms", "desktop",
        // Scripts
        "bat", "cmd", "ps1", "psm1", "psd1", "vbs", "vbe", "js", "jse", "mjs", "cjs", "wsf", "wsh", "wsc", "sct",
        "hta", "msc", "gadget", "sh", "bash", "zsh", "ksh", "csh", "command", "tool", "py", "pyw", "pl", "rb",
        "php", "lua", "applescript", "scpt",
        // Markup that browsers run
        "html", "htm", "xhtml", "xht", "shtml", "mht", "mhtml", "svg", "svgz", "xml", "xsl", "xslt", "chm",
        // Archives
        "zip", "zipx", "rar", "7z", "gz", "tgz", "bz2", "xz", "tar", "cab", "arj", "lz", "lzh", "z", "zst",
        // Office documents (macros, embedded objects)
        "doc", "docx", "docm", "dot", "dotm", "xls", "xlsx", "xlsm", "xlsb", "xlam", "ppt", "pptx", "pptm",
        "ppsm", "odt", "ods", "odp", "rtf", "one", "pub",
    };

    private static readonly SearchValues<byte> TextControls = SearchValues.Create(
        [1, 2, 3, 4, 5, 6, 7, 8, 0x0B, 0x0E, 0x0F, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x7F]);

    // Tags that make a browser treat content as HTML when they open it (WHATWG MIME sniffing, plus svg and xml).
    private static readonly string[] MarkupStarts =
        ["<!doctype html", "<html", "<head", "<script", "<iframe", "<h1", "<div", "<font", "<table", "<a", "<style",
         "<title", "<b", "<body", "<br", "<p", "<svg", "<object", "<embed", "<meta", "<link", "<img", "<form"];

    // Markup that has no business anywhere in the first kilobyte of a text file or in the junk before a PDF header.
    private static readonly string[] MarkupAnywhere =
        ["<script", "<html", "<svg", "<iframe", "<body", "<object", "<embed", "<!doctype html"];

    /// <summary>The accepted type a media type names (parameters ignored, any case, aliases known), or null.</summary>
    public static FileType? FromMediaType(string? mediaType) =>
        string.IsNullOrWhiteSpace(mediaType) ? null : All.FirstOrDefault(t => t.HasMediaType(mediaType));

    /// <summary>The accepted type an extension names (with or without its dot, any case), or null.</summary>
    public static FileType? FromExtension(string? extension) =>
        string.IsNullOrWhiteSpace(extension) ? null : All.FirstOrDefault(t => t.HasExtension(extension));

    /// <summary>True when the extension (no dot, lower case) names an accepted or a refused type.</summary>
    public static bool IsKnownExtension(string extension) => FromExtension(extension) is not null || RefusedExtensions.Contains(extension);

    /// <summary>"type/subtype" in lower case, without parameters or surrounding spaces.</summary>
    public static string NormalizeMediaType(string mediaType)
    {
        var semicolon = mediaType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon < 0 ? mediaType : mediaType[..semicolon]).Trim().ToLowerInvariant();
    }

    /// <summary>
    /// Identifies content by its bytes alone. Order: signatures at offset 0 that are refused (programs, shortcuts,
    /// archives, compound files, shebang), then markup at the start (after a BOM and whitespace: HTML and SVG are
    /// scripts, any other XML is unknown), then accepted
    /// image signatures, then "%PDF-" within <see cref="PdfHeaderWindow"/> bytes (the junk before it must not carry
    /// markup), then UTF-8 text. Anything else is unknown.
    /// </summary>
    public static Sniffed Sniff(ReadOnlySpan<byte> content)
    {
        if (content.IsEmpty)
        {
            return new Sniffed(null, AttachmentRefusalReason.Empty, "un fichier vide");
        }
        if (RefusedSignature(content) is { } refused)
        {
            return refused;
        }
        if (MarkupAtStart(content) is { } markup)
        {
            return markup;
        }
        if (ImageType(content) is { } image)
        {
            return new Sniffed(image, null, image.Label);
        }
        var pdf = PdfHeaderOffset(content);
        if (pdf >= 0)
        {
            return ContainsMarkup(content[..pdf])
                ? new Sniffed(null, AttachmentRefusalReason.Script, "un document PDF précédé de code HTML ou JavaScript")
                : new Sniffed(Pdf, null, Pdf.Label);
        }
        if (IsText(content))
        {
            return ContainsMarkup(content[..Math.Min(content.Length, 1024)])
                ? new Sniffed(null, AttachmentRefusalReason.Script, "un texte contenant du code HTML ou JavaScript")
                : new Sniffed(Text, null, Text.Label);
        }
        return new Sniffed(null, AttachmentRefusalReason.UnknownType, "un fichier de type inconnu");
    }

    private static Sniffed? RefusedSignature(ReadOnlySpan<byte> c)
    {
        static Sniffed Refuse(AttachmentRefusalReason reason, string description) => new(null, reason, description);

        if (c.StartsWith("MZ"u8))
        {
            return Refuse(AttachmentRefusalReason.Executable, "un programme Windows (exécutable PE/DOS)");
        }
        if (c.StartsWith("\u007fELF"u8))
        {
            return Refuse(AttachmentRefusalReason.Executable, "un programme Linux/Unix (ELF)");
        }
        if (c.Length >= 4)
        {
            var magic = BinaryPrimitives.ReadUInt32BigEndian(c);
            switch (magic)
            {
                case 0xFEEDFACE or 0xFEEDFACF or 0xCEFAEDFE or 0xCFFAEDFE:
                    return Refuse(AttachmentRefusalReason.Executable, "un programme macOS (Mach-O)");
                case 0xCAFEBABE or 0xCAFEBABF or 0xBEBAFECA or 0xBFBAFECA:
                    return Refuse(AttachmentRefusalReason.Executable, "un programme macOS universel ou une classe Java");
            }
        }
        if (c.StartsWith("dex\n"u8) || c.StartsWith("\0asm"u8))
        {
            return Refuse(AttachmentRefusalReason.Executable, "un programme (Android DEX ou WebAssembly)");
        }
        // Shell link: header size 0x4C then the CLSID 00021401-0000-0000-C000-000000000046.
        if (Starts(c, [0x4C, 0, 0, 0, 0x01, 0x14, 0x02, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46]))
        {
            return Refuse(AttachmentRefusalReason.Executable, "un raccourci Windows (.lnk)");
        }
        if (c.StartsWith("#!"u8) || c.StartsWith("\uFEFF#!"u8))
        {
            return Refuse(AttachmentRefusalReason.Script, "un script (#!)");
        }
        if (Starts(c, [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]))
        {
            return Refuse(AttachmentRefusalReason.UnsupportedDocument,
                "un fichier composé Microsoft (ancien document Word, Excel, PowerPoint ou installateur MSI)");
        }
        if (c.StartsWith("{\\rtf"u8))
        {
            return Refuse(AttachmentRefusalReason.UnsupportedDocument, "un document RTF");
        }
        if (c.StartsWith("PK\u0003\u0004"u8) || c.StartsWith("PK\u0005\u0006"u8) || c.StartsWith("PK\u0007\u0008"u8))
        {
            return Refuse(AttachmentRefusalReason.Archive, "une archive ZIP (ou un document bureautique .docx, .xlsx, .odt…)");
        }
        if (c.StartsWith("Rar!\u001a\u0007"u8) || Starts(c, [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) || Starts(c, [0x1F, 0x8B])
            || c.StartsWith("BZh"u8) || Starts(c, [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) || c.StartsWith("MSCF"u8)
            || Starts(c, [0x28, 0xB5, 0x2F, 0xFD]) || (c.Length > 262 && c[257..].StartsWith("ustar"u8)))
        {
            return Refuse(AttachmentRefusalReason.Archive, "une archive compressée");
        }
        return null;
    }

    private static bool Starts(ReadOnlySpan<byte> content, ReadOnlySpan<byte> magic) => content.StartsWith(magic);

    private static FileType? ImageType(ReadOnlySpan<byte> c)
    {
        if (Starts(c, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return Png;
        }
        if (Starts(c, [0xFF, 0xD8, 0xFF]))
        {
            return Jpeg;
        }
        if (c.StartsWith("GIF87a"u8) || c.StartsWith("GIF89a"u8))
        {
            return Gif;
        }
        if (c.StartsWith("II*\0"u8) || c.StartsWith("MM\0*"u8))
        {
            return Tiff;
        }
        if (c.Length >= 12 && c.StartsWith("RIFF"u8) && c[8..].StartsWith("WEBP"u8))
        {
            return WebP;
        }
        return HeifType(c);
    }

    // ISO BMFF: a first box 'ftyp' with a major brand, a minor version, then compatible brands.
    private static FileType? HeifType(ReadOnlySpan<byte> c)
    {
        if (c.Length < 16 || !c[4..].StartsWith("ftyp"u8))
        {
            return null;
        }
        var boxSize = BinaryPrimitives.ReadUInt32BigEndian(c);
        if (boxSize < 16 || boxSize > 4096 || boxSize % 4 != 0 || boxSize > c.Length)
        {
            return null;
        }
        static bool IsHeicBrand(ReadOnlySpan<byte> brand) =>
            brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8) || brand.SequenceEqual("hevc"u8)
            || brand.SequenceEqual("hevx"u8) || brand.SequenceEqual("heim"u8) || brand.SequenceEqual("heis"u8);
        static bool IsGenericBrand(ReadOnlySpan<byte> brand) =>
            brand.SequenceEqual("mif1"u8) || brand.SequenceEqual("msf1"u8) || brand.SequenceEqual("heif"u8);

        var major = c.Slice(8, 4);
        if (IsHeicBrand(major))
        {
            return Heic;
        }
        if (!IsGenericBrand(major))
        {
            return null;
        }
        // A generic major brand: the compatible brands tell HEIC from AVIF (which MiSS does not accept).
        var compatible = c[16..(int)boxSize];
        var heic = false;
        for (var i = 0; i + 4 <= compatible.Length; i += 4)
        {
            var brand = compatible.Slice(i, 4);
            if (brand.SequenceEqual("avif"u8) || brand.SequenceEqual("avis"u8))
            {
                return null;
            }
            heic |= IsHeicBrand(brand);
        }
        return heic ? Heic : Heif;
    }

    private static int PdfHeaderOffset(ReadOnlySpan<byte> c)
    {
        var window = c[..Math.Min(c.Length, PdfHeaderWindow + 8)];
        var at = window.IndexOf("%PDF-"u8);
        // "%PDF-" then a version "d.d"; the header must start within the window.
        return at >= 0 && at <= PdfHeaderWindow - 5 && window.Length >= at + 8
               && char.IsAsciiDigit((char)window[at + 5]) && window[at + 6] == '.' && char.IsAsciiDigit((char)window[at + 7])
            ? at
            : -1;
    }

    private static bool IsText(ReadOnlySpan<byte> c) =>
        c.IndexOf((byte)0) < 0 && c.IndexOfAny(TextControls) < 0 && Utf8.IsValid(c);

    // Markup at the start (after a BOM and whitespace): HTML and SVG are scripts; other XML is simply not accepted.
    private static Sniffed? MarkupAtStart(ReadOnlySpan<byte> c)
    {
        const string html = "une page HTML (qui peut contenir du JavaScript)";
        var head = DecodeHead(c).TrimStart(' ', '\t', '\r', '\n', '\f');
        if (head.StartsWith("<?xml", StringComparison.OrdinalIgnoreCase))
        {
            return MarkupAnywhere.Any(m => head.Contains(m, StringComparison.OrdinalIgnoreCase)) || head.Contains("xhtml", StringComparison.OrdinalIgnoreCase)
                ? new Sniffed(null, AttachmentRefusalReason.Script, "un document XML contenant du HTML, du SVG ou du JavaScript")
                : new Sniffed(null, AttachmentRefusalReason.UnknownType, "un document XML");
        }
        foreach (var tag in MarkupStarts)
        {
            if (head.StartsWith(tag, StringComparison.OrdinalIgnoreCase)
                && (head.Length == tag.Length || head[tag.Length] is ' ' or '>' or '\t' or '\r' or '\n' or '/' || tag == "<!doctype html"))
            {
                return new Sniffed(null, AttachmentRefusalReason.Script, tag == "<svg" ? "une image SVG (qui peut contenir du JavaScript)" : html);
            }
        }
        return head.StartsWith("<!--", StringComparison.Ordinal) ? new Sniffed(null, AttachmentRefusalReason.Script, html) : null;
    }

    // The first kilobyte as text: UTF-16 when a BOM says so, otherwise Latin-1 (each byte one char, enough for ASCII tags).
    private static string DecodeHead(ReadOnlySpan<byte> c)
    {
        var head = c[..Math.Min(c.Length, 1024)];
        if (Starts(head, [0xFF, 0xFE]))
        {
            return Encoding.Unicode.GetString(head[2..]);
        }
        if (Starts(head, [0xFE, 0xFF]))
        {
            return Encoding.BigEndianUnicode.GetString(head[2..]);
        }
        return Encoding.Latin1.GetString(Starts(head, [0xEF, 0xBB, 0xBF]) ? head[3..] : head);
    }

    private static bool ContainsMarkup(ReadOnlySpan<byte> c)
    {
        if (c.IsEmpty)
        {
            return false;
        }
        var text = Encoding.Latin1.GetString(c).Replace("\0", "", StringComparison.Ordinal);
        return MarkupAnywhere.Any(m => text.Contains(m, StringComparison.OrdinalIgnoreCase));
    }
}
