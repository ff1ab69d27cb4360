using System.Text;
using MiSS.Core.Photos;

namespace MiSS.Core.Tests.Photos;

/// <summary>Assertions on the encoded output bytes themselves, independent of any decoder's opinion.</summary>
internal static class OutputAssert
{
    /// <summary>Markers a stripped baseline/progressive JPEG may contain; APP0 only as a bare JFIF header.</summary>
    static readonly HashSet<byte> AllowedJpegMarkers = [0xDB, 0xC0, 0xC1, 0xC2, 0xC4, 0xDD, 0xDA, 0xE0];

    /// <summary>Chunks a stripped PNG may contain. pHYs (pixel density) identifies nothing and libvips always writes it.</summary>
    static readonly HashSet<string> AllowedPngChunks = ["IHDR", "PLTE", "tRNS", "pHYs", "IDAT", "IEND"];

    /// <summary>The bytes are a JPEG whose segment list (walked to EOI) holds only coding segments, and no leftover text.</summary>
    public static void IsCleanJpeg(byte[] bytes)
    {
        Assert.That(PhotoFormats.Detect(bytes), Is.EqualTo(PhotoFormat.Jpeg));
        var structure = JpegStructure.Parse(bytes);
        var names = string.Join(" ", structure.Segments.Select(s => s.Name));
        foreach (var segment in structure.Segments)
        {
            Assert.That(AllowedJpegMarkers, Does.Contain(segment.Marker), $"unexpected {segment.Name} in [{names}]");
            if (segment.Marker == 0xE0)
            {
                Assert.That(segment.Payload.AsSpan().StartsWith("JFIF\0"u8), $"APP0 that is not JFIF in [{names}]");
            }
        }
        Assert.That(structure.ScanCount, Is.GreaterThanOrEqualTo(1), "no scan");
        Assert.That(structure.TrailingBytes, Is.Zero, "bytes after EOI");
        HasNoLeftovers(bytes);
    }

    /// <summary>The bytes are a PNG (CRCs valid) with only image chunks, and no leftover text.</summary>
    public static void IsCleanPng(byte[] bytes)
    {
        Assert.That(PhotoFormats.Detect(bytes), Is.EqualTo(PhotoFormat.Png));
        var structure = PngStructure.Parse(bytes);
        var names = string.Join(" ", structure.Chunks.Select(c => c.Type));
        Assert.That(structure.Chunks.Select(c => c.Type).Distinct(), Is.SubsetOf(AllowedPngChunks), $"chunks [{names}]");
        Assert.That(structure.TrailingBytes, Is.Zero, "bytes after IEND");
        HasNoLeftovers(bytes);
    }

    /// <summary>Dispatches on the media type.</summary>
    public static void IsClean(byte[] bytes, string mediaType)
    {
        if (mediaType == PhotoProcessor.PngMediaType)
        {
            IsCleanPng(bytes);
        }
        else
        {
            Assert.That(mediaType, Is.EqualTo(PhotoProcessor.JpegMediaType));
            IsCleanJpeg(bytes);
        }
    }

    /// <summary>None of the marker strings, the patient name, or metadata signatures appear anywhere in the bytes.</summary>
    public static void HasNoLeftovers(byte[] bytes)
    {
        foreach (var text in Metadata.Leftovers)
        {
            Assert.That(Contains(bytes, text), Is.False, $"'{text.Replace("\0", "\\0", StringComparison.Ordinal)}' found in the output");
        }
    }

    public static bool Contains(byte[] bytes, string text) => bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    /// <summary>Which quadrant of the image is closest to a colour: "TL", "TR", "BL" or "BR".</summary>
    public static string QuadrantOf(Pixels pixels, (double R, double G, double B) colour)
    {
        var (w, h) = (pixels.Width / 2, pixels.Height / 2);
        var quadrants = new Dictionary<string, (int X, int Y)> { ["TL"] = (0, 0), ["TR"] = (w, 0), ["BL"] = (0, h), ["BR"] = (w, h) };
        // The marked blocks fill a quarter of each dimension: sample the corner eighth of each quadrant.
        return quadrants.MinBy(q =>
        {
            var (x, y) = q.Value;
            var sx = q.Key[1] == 'L' ? x : x + w - (w / 4);
            var sy = q.Key[0] == 'T' ? y : y + h - (h / 4);
            var m = pixels.Mean(sx, sy, w / 4, h / 4);
            return Math.Abs(m.R - colour.R) + Math.Abs(m.G - colour.G) + Math.Abs(m.B - colour.B);
        }).Key;
    }
}
