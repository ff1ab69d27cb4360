using System.Text;
using MiSS.Core.Documents;

namespace MiSS.Core.Tests.Documents;

public class FileTypeSniffingTests
{
    static IEnumerable<TestCaseData> AcceptedSamples()
    {
        yield return new TestCaseData(SampleFiles.Pdf(), "application/pdf").SetName("PDF");
        yield return new TestCaseData(SampleFiles.Jpeg(), "image/jpeg").SetName("JPEG");
        yield return new TestCaseData(SampleFiles.Png(), "image/png").SetName("PNG");
        yield return new TestCaseData(SampleFiles.Gif(), "image/gif").SetName("GIF");
        yield return new TestCaseData(SampleFiles.TiffLittleEndian(), "image/tiff").SetName("TIFF little-endian (II*0)");
        yield return new TestCaseData(SampleFiles.TiffBigEndian(), "image/tiff").SetName("TIFF big-endian (MM0*)");
        yield return new TestCaseData(SampleFiles.WebP(), "image/webp").SetName("WebP");
        yield return new TestCaseData(SampleFiles.Ftyp("heic", "mif1", "heic"), "image/heic").SetName("HEIC (major brand heic)");
        yield return new TestCaseData(SampleFiles.Ftyp("heix", "mif1"), "image/heic").SetName("HEIC (major brand heix)");
        yield return new TestCaseData(SampleFiles.Ftyp("mif1", "mif1", "heic"), "image/heic").SetName("HEIC (mif1 compatible with heic)");
        yield return new TestCaseData(SampleFiles.Ftyp("mif1", "mif1"), "image/heif").SetName("HEIF (mif1 alone)");
        yield return new TestCaseData(SampleFiles.Text(), "text/plain").SetName("UTF-8 text");
        yield return new TestCaseData(new byte[] { 0xEF, 0xBB, 0xBF }.Concat(SampleFiles.Text()).ToArray(), "text/plain").SetName("UTF-8 text with BOM");
    }

    [TestCaseSource(nameof(AcceptedSamples))]
    public void Accepted_types_are_recognised_by_their_bytes(byte[] content, string mediaType)
    {
        var sniffed = FileTypes.Sniff(content);

        Assert.That(sniffed.Type?.MediaType, Is.EqualTo(mediaType));
        Assert.That(sniffed.Refusal, Is.Null);
    }

    static IEnumerable<TestCaseData> RefusedSamples()
    {
        yield return new TestCaseData(Array.Empty<byte>(), AttachmentRefusalReason.Empty).SetName("empty");
        yield return new TestCaseData(SampleFiles.Pe(), AttachmentRefusalReason.Executable).SetName("PE (MZ)");
        yield return new TestCaseData(SampleFiles.Elf(), AttachmentRefusalReason.Executable).SetName("ELF");
        yield return new TestCaseData(SampleFiles.MachO64(), AttachmentRefusalReason.Executable).SetName("Mach-O 64-bit (CFFAEDFE)");
        yield return new TestCaseData(SampleFiles.MachO32BigEndian(), AttachmentRefusalReason.Executable).SetName("Mach-O 32-bit (FEEDFACE)");
        yield return new TestCaseData(SampleFiles.MachOUniversal(), AttachmentRefusalReason.Executable).SetName("Mach-O universal (CAFEBABE)");
        yield return new TestCaseData(SampleFiles.Shortcut(), AttachmentRefusalReason.Executable).SetName("Windows shortcut (.lnk)");
        yield return new TestCaseData(SampleFiles.Shebang(), AttachmentRefusalReason.Script).SetName("shebang script");
        yield return new TestCaseData(SampleFiles.Html(), AttachmentRefusalReason.Script).SetName("HTML after whitespace");
        yield return new TestCaseData(Encoding.ASCII.GetBytes("<HTML><BODY>x</BODY></HTML>"), AttachmentRefusalReason.Script).SetName("HTML upper case");
        yield return new TestCaseData(Encoding.UTF8.GetPreamble().Concat(Encoding.ASCII.GetBytes("<html>")).ToArray(), AttachmentRefusalReason.Script).SetName("HTML after a UTF-8 BOM");
        yield return new TestCaseData(Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("<html><script>x</script>")).ToArray(), AttachmentRefusalReason.Script).SetName("HTML in UTF-16 with BOM");
        yield return new TestCaseData(SampleFiles.SvgWithScript(), AttachmentRefusalReason.Script).SetName("SVG with a script (XML prolog)");
        yield return new TestCaseData(Encoding.ASCII.GetBytes("<svg onload=\"alert(1)\"/>"), AttachmentRefusalReason.Script).SetName("bare SVG");
        yield return new TestCaseData(Encoding.ASCII.GetBytes("Compte rendu\n<script>alert(1)</script>\n"), AttachmentRefusalReason.Script).SetName("text carrying a script tag");
        yield return new TestCaseData(Encoding.ASCII.GetBytes("<?xml version=\"1.0\"?>\n<ClinicalDocument xmlns=\"urn:hl7-org:v3\"/>"), AttachmentRefusalReason.UnknownType).SetName("XML without markup (not text)");
        yield return new TestCaseData(Encoding.ASCII.GetBytes("<!-- x --><p>hello</p>"), AttachmentRefusalReason.Script).SetName("HTML comment first");
        yield return new TestCaseData(SampleFiles.Zip(), AttachmentRefusalReason.Archive).SetName("ZIP");
        yield return new TestCaseData(new byte[] { 0x1F, 0x8B, 8, 0, 0, 0, 0, 0 }, AttachmentRefusalReason.Archive).SetName("gzip");
        yield return new TestCaseData(SampleFiles.OleCompound(), AttachmentRefusalReason.UnsupportedDocument).SetName("OLE compound (doc, xls, msi)");
        yield return new TestCaseData(Encoding.ASCII.GetBytes("{\\rtf1\\ansi hello}"), AttachmentRefusalReason.UnsupportedDocument).SetName("RTF");
        yield return new TestCaseData(SampleFiles.Noise(2000), AttachmentRefusalReason.UnknownType).SetName("binary noise");
        yield return new TestCaseData(SampleFiles.Ftyp("avif", "avif", "mif1"), AttachmentRefusalReason.UnknownType).SetName("AVIF");
        yield return new TestCaseData(SampleFiles.Ftyp("mif1", "avif", "mif1"), AttachmentRefusalReason.UnknownType).SetName("AVIF behind a mif1 major brand");
        yield return new TestCaseData(SampleFiles.Ftyp("isom", "isom", "mp42"), AttachmentRefusalReason.UnknownType).SetName("MP4 video");
        yield return new TestCaseData(Encoding.UTF8.GetBytes("texte\0avec NUL"), AttachmentRefusalReason.UnknownType).SetName("text with a NUL");
        yield return new TestCaseData(new byte[] { 0x41, 0xC3, 0x28, 0x42 }, AttachmentRefusalReason.UnknownType).SetName("invalid UTF-8");
    }

    [TestCaseSource(nameof(RefusedSamples))]
    public void Refused_content_gets_its_specific_reason(byte[] content, AttachmentRefusalReason reason)
    {
        var sniffed = FileTypes.Sniff(content);

        Assert.That(sniffed.Type, Is.Null);
        Assert.That(sniffed.Refusal, Is.EqualTo(reason));
        Assert.That(sniffed.Description, Is.Not.Empty);
    }

    [Test]
    public void A_pdf_header_after_junk_within_the_first_kilobyte_is_a_pdf()
    {
        var junk = SampleFiles.Noise(1000);
        var content = junk.Concat(SampleFiles.Pdf()).ToArray();

        Assert.That(FileTypes.Sniff(content).Type, Is.SameAs(FileTypes.Pdf));
    }

    [Test]
    public void A_pdf_header_that_starts_beyond_the_first_kilobyte_is_not_a_pdf()
    {
        var content = SampleFiles.Noise(FileTypes.PdfHeaderWindow).Concat(SampleFiles.Pdf()).ToArray();

        Assert.That(FileTypes.Sniff(content).Refusal, Is.EqualTo(AttachmentRefusalReason.UnknownType));
    }

    [Test]
    public void A_header_without_a_version_is_not_a_pdf()
    {
        Assert.That(FileTypes.Sniff(Encoding.ASCII.GetBytes("Voir le fichier %PDF- joint")).Type, Is.SameAs(FileTypes.Text));
    }

    [Test]
    public void Junk_before_the_pdf_header_that_carries_a_script_is_refused()
    {
        var content = Encoding.ASCII.GetBytes("\0\u0001garbage <script>alert(1)</script>\n").Concat(SampleFiles.Pdf()).ToArray();

        Assert.That(FileTypes.Sniff(content).Refusal, Is.EqualTo(AttachmentRefusalReason.Script));
    }

    [Test]
    public void A_program_is_refused_even_with_a_pdf_header_in_its_first_kilobyte()
    {
        var polyglot = SampleFiles.Pe().Concat(SampleFiles.Pdf()).ToArray();

        Assert.That(FileTypes.Sniff(polyglot).Refusal, Is.EqualTo(AttachmentRefusalReason.Executable));
    }

    [Test]
    public void Media_types_and_extensions_resolve_with_their_aliases()
    {
        Assert.Multiple(() =>
        {
            Assert.That(FileTypes.FromMediaType("image/jpg"), Is.SameAs(FileTypes.Jpeg));
            Assert.That(FileTypes.FromMediaType(" Application/PDF ; name=\"x.pdf\""), Is.SameAs(FileTypes.Pdf));
            Assert.That(FileTypes.FromMediaType("application/x-msdownload"), Is.Null);
            Assert.That(FileTypes.FromExtension(".JPEG"), Is.SameAs(FileTypes.Jpeg));
            Assert.That(FileTypes.FromExtension("tiff"), Is.SameAs(FileTypes.Tiff));
            Assert.That(FileTypes.FromExtension("exe"), Is.Null);
            Assert.That(FileTypes.IsKnownExtension("exe"), Is.True);
            Assert.That(FileTypes.IsKnownExtension("v2"), Is.False);
        });
    }
}
