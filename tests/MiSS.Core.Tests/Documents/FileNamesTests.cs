using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using MiSS.Core.Documents;

namespace MiSS.Core.Tests.Documents;

public class FileNamesTests
{
    [TestCase("C:\\Users\\dr\\Documents\\rapport.pdf", "pdf", "rapport.pdf")]
    [TestCase("/home/dr/rapport.pdf", "pdf", "rapport.pdf")]
    [TestCase("../../etc/passwd", "txt", "passwd.txt")]
    [TestCase("..\\..\\Windows\\win.ini", "txt", "win.ini.txt")]
    [TestCase("C:rapport.pdf", "pdf", "rapport.pdf")]
    [TestCase("..", "pdf", "piece-jointe.pdf")]
    [TestCase("dossier/", "pdf", "piece-jointe.pdf")]
    [TestCase(".bashrc", "txt", "bashrc.txt")]
    [TestCase("  . rapport.pdf", "pdf", "rapport.pdf")]
    [TestCase("rapport.pdf. . .", "pdf", "rapport.pdf")]
    [TestCase("rapport.pdf.exe", "pdf", "rapport.pdf")]
    [TestCase("rapport.exe.pdf", "pdf", "rapport.exe.pdf")]
    [TestCase("photo.JPEG", "jpg", "photo.jpg")]
    [TestCase("compte-rendu.v2", "pdf", "compte-rendu.v2.pdf")]
    [TestCase("Dr. Martin", "pdf", "Dr. Martin.pdf")]
    [TestCase("rapport.pdf:evil.exe", "pdf", "rapport.pdf_evil.pdf")]
    [TestCase("a<b>c|d?e*f\"g.pdf", "pdf", "a_b_c_d_e_f_g.pdf")]
    [TestCase("a\uFF0Fb\u2215c.pdf", "pdf", "a_b_c.pdf")]
    [TestCase("rapport\u202Efdp.exe", "pdf", "rapportfdp.pdf")]
    [TestCase("\u2066rap\u200Bport\u200D\u2069.pdf", "pdf", "rapport.pdf")]
    [TestCase("a\u0000b\u0007c\u0085d\u007Fe\u2028f.pdf", "pdf", "abcdef.pdf")]
    [TestCase("bilan\u00A0sanguin\u3000mars.pdf", "pdf", "bilan sanguin mars.pdf")]
    [TestCase("e\u0301chographie.pdf", "pdf", "échographie.pdf")]
    [TestCase("CON", "pdf", "_CON.pdf")]
    [TestCase("con.txt", "txt", "_con.txt")]
    [TestCase("Lpt1.tar.gz", "pdf", "_Lpt1.tar.pdf")]
    [TestCase("COM1 .pdf", "pdf", "_COM1.pdf")]
    [TestCase("com\u00B9.pdf", "pdf", "_com\u00B9.pdf")]
    [TestCase("CONSOLE.pdf", "pdf", "CONSOLE.pdf")]
    [TestCase("", "png", "piece-jointe.png")]
    [TestCase(null, "png", "piece-jointe.png")]
    [TestCase(" \t ", ".PNG", "piece-jointe.png")]
    public void Names_are_made_safe(string? name, string extension, string expected)
    {
        Assert.That(FileNames.Sanitize(name, extension), Is.EqualTo(expected));
    }

    [Test]
    public void A_long_name_is_cut_to_120_bytes_between_characters_keeping_the_extension()
    {
        var name = string.Concat(Enumerable.Repeat("é", 200)) + ".pdf";

        var safe = FileNames.Sanitize(name, "pdf");

        Assert.That(Encoding.UTF8.GetByteCount(safe), Is.EqualTo(120));
        Assert.That(safe, Is.EqualTo(string.Concat(Enumerable.Repeat("é", 58)) + ".pdf"));
    }

    [Test]
    public void A_long_name_is_never_cut_inside_a_combining_sequence_or_a_flag()
    {
        // "x" + U+0301 has no precomposed form: 3 bytes a character; a flag is two regional indicators, 8 bytes.
        var marks = FileNames.Sanitize(string.Concat(Enumerable.Repeat("x\u0301", 60)), "pdf");
        var flags = FileNames.Sanitize(string.Concat(Enumerable.Repeat("🇫🇷", 20)), "pdf");

        Assert.That(marks, Is.EqualTo(string.Concat(Enumerable.Repeat("x\u0301", 38)) + ".pdf"));
        Assert.That(flags, Is.EqualTo(string.Concat(Enumerable.Repeat("🇫🇷", 14)) + ".pdf"));
    }

    [Test]
    public void The_declared_extension_is_read_the_way_windows_reads_it()
    {
        Assert.Multiple(() =>
        {
            Assert.That(FileNames.DeclaredExtension("rapport.EXE. . "), Is.EqualTo("exe"));
            Assert.That(FileNames.DeclaredExtension("rapport\u202Efdp.exe"), Is.EqualTo("exe"));
            Assert.That(FileNames.DeclaredExtension("dir.pdf/rapport"), Is.Null);
            Assert.That(FileNames.DeclaredExtension(".htaccess"), Is.Null);
            Assert.That(FileNames.DeclaredExtension(null), Is.Null);
        });
    }

    [TestCase("")]
    [TestCase("p.f")]
    [TestCase("pdf/")]
    [TestCase("verylongextension")]
    public void An_extension_that_is_not_one_is_a_programming_error(string extension)
    {
        Assert.Throws<ArgumentException>(() => FileNames.Sanitize("x", extension));
    }

    // ---- Properties ----

    static readonly string[] Pieces =
    [
        "rapport", "compte-rendu-de-consultation-cardiologie", "é", "x\u0301", "\u0301", "🇫🇷", "Ω", "résultats",
        "/", "\\", "..", ".", " ", "C:", ":", "*", "?", "\"", "<", ">", "|", "~", "-", "_", "a", "\t", "\r\n",
        "\u202E", "\u202A", "\u2066", "\u2069", "\u200B", "\u200D", "\uFEFF", "\u0000", "\u001F", "\u007F", "\u0085",
        "\u2028", "\u00A0", "\u3164", "\uFF0F", "\uD800", "\uDC00", "\uFFFF",
        "CON", "lpt1", "Com\u00B3", ".exe", ".pdf", ".PDF", ".jpeg", ".txt", ".v2",
    ];

    static readonly string[] Extensions = ["pdf", "jpg", "png", "gif", "tif", "webp", "heic", "txt"];

    static Arbitrary<(string? Name, string Extension)> Inputs()
    {
        var crafted = Gen.Elements(Pieces).ListOf().Select(pieces => string.Concat(pieces));
        var anyString = ArbMap.Default.GeneratorFor<string>();
        var name = Gen.Frequency((5, crafted.Select(s => (string?)s)), (2, anyString.Select(s => (string?)s)), (1, Gen.Constant<string?>(null)));
        return (from n in name from e in Gen.Elements(Extensions) select (n, e)).ToArbitrary();
    }

    static bool IsForbidden(Rune rune) =>
        rune.Value is '/' or '\\' or ':' or '<' or '>' or '"' or '|' or '?' or '*' or 0x202E or 0x200B or 0x3164
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate;

    [FsCheck.NUnit.Property(MaxTest = 1000)]
    public Property Output_has_no_separator_or_control_and_keeps_the_shape() =>
        Prop.ForAll(Inputs(), input =>
        {
            var safe = FileNames.Sanitize(input.Name, input.Extension);
            var stem = safe[..^(input.Extension.Length + 1)];
            return safe.EnumerateRunes().All(r => !IsForbidden(r))
                   && safe.EndsWith("." + input.Extension, StringComparison.Ordinal)
                   && stem.Length > 0 && stem[0] is not ('.' or ' ') && stem[^1] is not ('.' or ' ')
                   && Encoding.UTF8.GetByteCount(safe) <= FileNames.MaxUtf8Bytes
                   && !FileNames.IsReservedDeviceName(stem);
        });

    [Test]
    public void A_long_name_cut_to_size_right_after_the_expected_extension_stays_stable()
    {
        // Found by the property below: the 120-byte cut left the stem ending in ".txt", then ".txt" was added.
        var name = new string('a', 112) + ".txt.jpeg.PDF";
        var once = FileNames.Sanitize(name, "txt");

        Assert.That(FileNames.Sanitize(once, "txt"), Is.EqualTo(once));
        Assert.That(once, Does.Not.EndWith(".txt.txt"));
    }

    [FsCheck.NUnit.Property(MaxTest = 1000)]
    public Property Sanitizing_is_idempotent() =>
        Prop.ForAll(Inputs(), input =>
        {
            var once = FileNames.Sanitize(input.Name, input.Extension);
            return FileNames.Sanitize(once, input.Extension) == once;
        });

    [FsCheck.NUnit.Property(MaxTest = 300)]
    public Property A_safe_name_is_valid_utf16_and_normalised() =>
        Prop.ForAll(Inputs(), input =>
        {
            var safe = FileNames.Sanitize(input.Name, input.Extension);
            return safe.IsNormalized(NormalizationForm.FormC) && Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(safe)) == safe;
        });
}
