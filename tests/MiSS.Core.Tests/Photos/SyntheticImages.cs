namespace MiSS.Core.Tests.Photos;

/// <summary>
/// Test images generated in memory (no binary fixtures): a camera-like photo carrying camera metadata, orientation
/// targets, a screenshot. Deterministic for a given seed. Also compiled into the benchmark.
/// </summary>
internal static class SyntheticImages
{
    static readonly Lazy<byte[]> Camera12Mp = new(() => CameraJpeg(4000, 3000, orientation: 1));

    /// <summary>A 4000×3000 (12 MP) camera-like JPEG with EXIF (GPS, orientation 1), XMP, IPTC and a comment; built once.</summary>
    public static byte[] CameraJpeg12Mp => Camera12Mp.Value;

    /// <summary>
    /// RGB pixels that compress like a phone photo: a smooth skin-toned field, a darker reddish lesion, a fine
    /// texture and uniform sensor noise of ±<paramref name="noise"/>.
    /// </summary>
    public static Pixels CameraLike(int width, int height, int seed = 1, int noise = 10)
    {
        var data = GC.AllocateUninitializedArray<byte>(width * height * 3);
        // Separable terms keep 12 MP generation well under a second.
        var colR = new double[width];
        var colG = new double[width];
        var colB = new double[width];
        var colT = new double[width];
        for (var x = 0; x < width; x++)
        {
            var u = x / (double)width;
            colR[x] = 25 * Math.Sin((3 * u) + 1);
            colG[x] = 20 * Math.Sin((2.1 * u) - 0.4);
            colB[x] = 18 * Math.Cos(2.7 * u);
            colT[x] = Math.Sin(x * 0.31) + (0.5 * Math.Sin(x * 0.047));
        }
        var state = (uint)seed * 2654435761u | 1u;
        var span = (2 * noise) + 1;
        var i = 0;
        for (var y = 0; y < height; y++)
        {
            var v = y / (double)height;
            var rowR = 185 + (20 * Math.Sin(1.3 * v));
            var rowG = 135 + (18 * Math.Cos(1.9 * v));
            var rowB = 118 + (15 * Math.Sin(2.3 * v));
            var rowT = 6 * Math.Sin(y * 0.23);
            var dv = (v - 0.45) * (v - 0.45);
            for (var x = 0; x < width; x++)
            {
                var u = x / (double)width;
                var d = ((u - 0.55) * (u - 0.55)) + dv;
                var lesion = d < 0.03 ? 1 - (d / 0.03) : 0;
                var t = colT[x] * rowT;
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                var n1 = (int)(state % (uint)span) - noise;
                var n2 = (int)((state >> 8) % (uint)span) - noise;
                var n3 = (int)((state >> 16) % (uint)span) - noise;
                data[i++] = Clamp(rowR + colR[x] - (35 * lesion) + t + n1);
                data[i++] = Clamp(rowG + colG[x] - (75 * lesion) + t + n2);
                data[i++] = Clamp(rowB + colB[x] - (60 * lesion) + t + n3);
            }
        }
        return new Pixels(data, width, height, 3);
    }

    /// <summary>A camera-like JPEG (quality 92) with EXIF (given orientation, GPS, make/model/serial), XMP, IPTC and COM.</summary>
    public static byte[] CameraJpeg(int width, int height, int orientation = 1, int seed = 1, int noise = 10) =>
        Metadata.Splice(TestVips.Jpeg(CameraLike(width, height, seed, noise), 92), Metadata.CameraSegments(orientation));

    /// <summary>Mid-grey pixels with a red block in the top-left quarter corner and a blue one in the top-right.</summary>
    public static Pixels Marked(int width, int height)
    {
        var data = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var i = ((y * width) + x) * 3;
                (byte r, byte g, byte b) = (x < width / 4, x >= width * 3 / 4, y < height / 4) switch
                {
                    (true, _, true) => ((byte)220, (byte)30, (byte)30),
                    (_, true, true) => ((byte)30, (byte)30, (byte)220),
                    _ => ((byte)128, (byte)128, (byte)128),
                };
                (data[i], data[i + 1], data[i + 2]) = (r, g, b);
            }
        }
        return new Pixels(data, width, height, 3);
    }

    /// <summary>A screenshot-like RGB image: flat background, title bar, sidebar, buttons and rows of glyph-like marks.</summary>
    public static Pixels Screenshot(int width, int height, int seed = 7)
    {
        var data = new byte[width * height * 3];
        void Fill(int x0, int y0, int w, int h, byte r, byte g, byte b)
        {
            for (var y = Math.Max(0, y0); y < Math.Min(height, y0 + h); y++)
            {
                for (var x = Math.Max(0, x0); x < Math.Min(width, x0 + w); x++)
                {
                    var i = ((y * width) + x) * 3;
                    (data[i], data[i + 1], data[i + 2]) = (r, g, b);
                }
            }
        }
        Fill(0, 0, width, height, 250, 250, 250);
        Fill(0, 0, width, height / 14, 0, 85, 164);                 // title bar
        Fill(0, height / 14, width / 6, height, 232, 236, 240);     // sidebar
        var random = new Random(seed);
        for (var line = 0; line < 40; line++)
        {
            var y = (height / 10) + (line * 22);
            if (y + 12 > height)
            {
                break;
            }
            var x = (width / 6) + 24;
            while (x < width - 40)
            {
                var word = random.Next(2, 9);
                for (var c = 0; c < word; c++)
                {
                    // A glyph: a vertical stem plus a bowl or bar, one pixel wide strokes, hard edges.
                    Fill(x, y, 1, 11, 20, 20, 20);
                    Fill(x + 1, y + (random.Next(2) * 5), 4, 1, 20, 20, 20);
                    Fill(x + 5, y + 3, 1, random.Next(3, 9), 20, 20, 20);
                    x += 8;
                }
                x += 7;
            }
        }
        Fill(width - 180, height - 70, 150, 40, 0, 122, 51);          // a button
        return new Pixels(data, width, height, 3);
    }

    static byte Clamp(double value) => (byte)Math.Clamp((int)value, 0, 255);
}
