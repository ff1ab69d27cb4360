using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using MiSS.Core.Photos;
using FsProperty = FsCheck.NUnit.PropertyAttribute;

namespace MiSS.Core.Tests.Photos;

/// <summary>Decompression bombs, non-images, damaged images: always a PhotoException with a precise French message.</summary>
public class PhotoHostileInputTests
{
    static readonly Lazy<byte[]> ValidBomb = new(() => Png(50_000, 50_000, bitDepth: 1, colourType: 0, CompressedBlackRows(50_000, 50_000)));

    [Test]
    public void A_valid_50000x50000_png_of_one_colour_is_refused_from_its_header_without_decoding()
    {
        var bomb = ValidBomb.Value;
        Assert.That(bomb, Has.Length.LessThan(1_000_000), "a few hundred kB that would decode to 2.5 gigapixels");

        AssertRefusedWithoutDecoding(bomb, "image trop grande : 2500 mégapixels, limite 50");
    }

    [Test]
    public void A_handcrafted_png_header_declaring_30000x30000_with_a_tiny_idat_is_refused()
    {
        // A few bytes of IDAT that could never fill 900 megapixels: refused on the header, never read.
        var bomb = Png(30_000, 30_000, bitDepth: 8, colourType: 2, [0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]);
        Assert.That(bomb, Has.Length.LessThan(100));

        AssertRefusedWithoutDecoding(bomb, "image trop grande : 900 mégapixels, limite 50");
    }

    [Test]
    public void A_jpeg_whose_frame_header_declares_60000x60000_is_refused()
    {
        var jpeg = TestVips.Jpeg(SyntheticImages.CameraLike(64, 48), 80);
        var sof = JpegStructure.Parse(jpeg).Segments.TakeWhile(s => s.Marker != 0xC0).Sum(s => s.Length) + 2;
        Assert.That(jpeg[sof + 1], Is.EqualTo(0xC0), "found SOF0");
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 5), 60_000); // height
        BinaryPrimitives.WriteUInt16BigEndian(jpeg.AsSpan(sof + 7), 60_000); // width

        AssertRefusedWithoutDecoding(jpeg, "image trop grande : 3600 mégapixels, limite 50");
    }

    [Test]
    public void The_pixel_limit_is_the_option_and_counts_declared_pixels()
    {
        var input = SyntheticImages.CameraJpeg(1200, 900);

        var e = Assert.Throws<PhotoException>(() => PhotoProcessor.Process(input, PhotoOptions.Default with { MaxInputPixels = 1_000_000 }));

        Assert.That(e!.Error, Is.EqualTo(PhotoError.TooLarge));
        Assert.That(e.Message, Is.EqualTo("image trop grande : 1,1 mégapixels, limite 1"));
        Assert.That(PhotoProcessor.Process(input, PhotoOptions.Default with { MaxInputPixels = 1_080_000 }).Width, Is.EqualTo(1200), "at the limit is fine");
    }

    [Test]
    public void An_empty_file_is_refused() =>
        AssertRefused([], PhotoError.Empty, "le fichier est vide");

    [Test]
    public void A_renamed_linux_executable_is_refused_as_a_program() =>
        AssertRefused(File.ReadAllBytes("/proc/self/exe")[..65536], PhotoError.UnsupportedFormat, "ce fichier est un programme, pas une image");

    [Test]
    public void A_renamed_windows_executable_is_refused_as_a_program() =>
        AssertRefused(File.ReadAllBytes(typeof(PhotoHostileInputTests).Assembly.Location), PhotoError.UnsupportedFormat, "ce fichier est un programme, pas une image");

    [Test]
    public void Random_bytes_are_refused_as_an_unsupported_format()
    {
        var bytes = new byte[100_000];
        new Random(42).NextBytes(bytes);
        Assume.That(PhotoFormats.Detect(bytes), Is.EqualTo(PhotoFormat.Unknown));

        AssertRefused(bytes, PhotoError.UnsupportedFormat, "format d'image non pris en charge (formats acceptés : JPEG, PNG, GIF, WebP, TIFF, HEIC)");
    }

    [TestCase("%PDF-1.7\n%âãÏÓ\n1 0 obj <</Type /Catalog>> endobj", "ce fichier est un document PDF, pas une image")]
    [TestCase("<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>", "les images vectorielles (SVG) ne sont pas prises en charge")]
    [TestCase("PK\u0003\u0004\u0014\u0000\u0006\u0000word/document.xml", "ce fichier est une archive ou un document bureautique")]
    [TestCase("BM\u0036\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0036\u0000\u0000\u0000", "format d'image non pris en charge : BMP")]
    public void Documents_and_unsupported_images_are_named_in_the_refusal(string content, string expected) =>
        AssertRefused(Encoding.Latin1.GetBytes(content), PhotoError.UnsupportedFormat, expected);

    [Test]
    public void A_dicom_file_is_refused_with_advice()
    {
        byte[] dicom = [.. new byte[128], .. "DICM"u8, .. new byte[200]];

        AssertRefused(dicom, PhotoError.UnsupportedFormat, "les fichiers DICOM ne sont pas pris en charge");
    }

    [Test]
    public void Loaders_outside_the_accepted_formats_are_blocked_inside_libvips_too()
    {
        // Defence in depth behind the magic-byte check: libvips itself refuses to run its SVG loader (librsvg).
        var svg = "<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><rect width='10' height='10'/></svg>"u8.ToArray();

        var e = Assert.Throws<PhotoException>(() => TestVips.Decode(svg));

        Assert.That(e!.Detail, Does.Contain("blocked"));
    }

    [TestCase(PhotoFormat.Jpeg, new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 })]
    [TestCase(PhotoFormat.Png, new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })]
    [TestCase(PhotoFormat.Gif, new byte[] { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61 })]
    [TestCase(PhotoFormat.Tiff, new byte[] { 0x49, 0x49, 0x2A, 0x00 })]
    [TestCase(PhotoFormat.Heif, new byte[] { 0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x68, 0x65, 0x69, 0x63 })]
    public void A_right_signature_followed_by_garbage_is_unreadable(PhotoFormat format, byte[] magic)
    {
        var garbage = new byte[5_000];
        new Random(7).NextBytes(garbage);
        byte[] input = [.. magic, .. garbage];

        var e = Assert.Throws<PhotoException>(() => PhotoProcessor.Process(input));

        Assert.That(e!.Error, Is.EqualTo(PhotoError.Unreadable).Or.EqualTo(PhotoError.Damaged), e.Detail);
        Assert.That(e.Message, Does.Match("^image .+ (illisible|endommagée)"));
    }

    [Test]
    public void A_truncated_jpeg_is_refused_as_damaged_rather_than_sent_half_grey()
    {
        var jpeg = SyntheticImages.CameraJpeg(800, 600);

        AssertRefused(jpeg[..(jpeg.Length * 2 / 3)], PhotoError.Damaged, "image JPEG endommagée ou incomplète : impossible de la décoder");
        // Cut inside the EXIF segment, before any image header: unreadable.
        AssertRefused(jpeg[..300], PhotoError.Unreadable, "image JPEG illisible : en-tête invalide ou fichier incomplet");
    }

    [Test]
    public void A_truncated_png_is_refused_as_damaged()
    {
        var png = TestVips.Png(SyntheticImages.CameraLike(400, 300));

        AssertRefused(png[..(png.Length / 2)], PhotoError.Damaged, "image PNG endommagée ou incomplète : impossible de la décoder");
    }

    [Test]
    public void Refusals_carry_the_engine_text_as_detail_not_image_bytes()
    {
        var jpeg = SyntheticImages.CameraJpeg(400, 300);

        var e = Assert.Throws<PhotoException>(() => PhotoProcessor.Process(jpeg[..(jpeg.Length / 2)]));

        Assert.That(e!.Detail, Does.Contain("Premature end"));
        Assert.That(e.Detail, Does.Not.Contain(Metadata.MakeMarker).And.Not.Contain(Metadata.PatientName));
    }

    /// <summary>Damage anywhere in a real JPEG: either a clean photo comes out, or a PhotoException. Never a crash.</summary>
    [FsProperty(MaxTest = 60)]
    public Property Corrupted_jpegs_either_process_cleanly_or_fail_with_a_photo_exception() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), Gen.Choose(1, 40).ToArbitrary(), (seed, damage) =>
            ProcessesCleanlyOrRefuses(Corrupt(SmallCameraJpeg.Value, seed, damage)));

    /// <summary>The same for PNG, where damage breaks CRCs and the zlib stream.</summary>
    [FsProperty(MaxTest = 40)]
    public Property Corrupted_pngs_either_process_cleanly_or_fail_with_a_photo_exception() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), Gen.Choose(1, 40).ToArbitrary(), (seed, damage) =>
            ProcessesCleanlyOrRefuses(Corrupt(SmallPng.Value, seed, damage)));

    static readonly Lazy<byte[]> SmallCameraJpeg = new(() => SyntheticImages.CameraJpeg(96, 64, orientation: 6));
    static readonly Lazy<byte[]> SmallPng = new(() => TestVips.Png(SyntheticImages.Screenshot(120, 90)));

    static byte[] Corrupt(byte[] original, int seed, int damage)
    {
        var random = new Random(seed);
        var bytes = (byte[])original.Clone();
        for (var i = 0; i < damage; i++)
        {
            bytes[random.Next(3, bytes.Length)] = (byte)random.Next(256);
        }
        return random.Next(4) == 0 ? bytes[..random.Next(3, bytes.Length)] : bytes;
    }

    static bool ProcessesCleanlyOrRefuses(byte[] input)
    {
        try
        {
            var result = PhotoProcessor.Process(input);
            OutputAssert.IsClean(result.Bytes, result.MediaType);
            OutputAssert.IsCleanJpeg(result.Thumbnail);
            return result.Width > 0 && result.Height > 0;
        }
        catch (PhotoException e)
        {
            return e.Message.Length > 0 && e.Error is not PhotoError.EngineUnavailable;
        }
    }

    static void AssertRefusedWithoutDecoding(byte[] bomb, string message)
    {
        Vips.EnsureStarted();
        var highWater = Vips.MemoryHighWater;
        var inUse = Vips.MemoryInUse;
        var clock = Stopwatch.StartNew();

        AssertRefused(bomb, PhotoError.TooLarge, message);

        clock.Stop();
        Assert.Multiple(() =>
        {
            Assert.That(clock.ElapsedMilliseconds, Is.LessThan(500), "header parsing only");
            // The high-water mark is process-wide and only grows: it must not have moved by more than a few buffers.
            Assert.That(Vips.MemoryHighWater - highWater, Is.LessThan(8_000_000), "libvips allocated no pixel buffer");
            Assert.That(Vips.MemoryInUse - inUse, Is.LessThanOrEqualTo(0), "nothing left allocated");
        });
    }

    static void AssertRefused(byte[] input, PhotoError error, string message)
    {
        var e = Assert.Throws<PhotoException>(() => PhotoProcessor.Process(input));
        Assert.That(e!.Error, Is.EqualTo(error), e.Detail);
        Assert.That(e.Message, Does.StartWith(message));
    }

    /// <summary>A PNG: signature, IHDR, one IDAT with the given zlib data, IEND.</summary>
    static byte[] Png(int width, int height, byte bitDepth, byte colourType, byte[] idat)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = bitDepth;
        ihdr[9] = colourType;
        return
        [
            0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A,
            .. PngStructure.Chunk("IHDR", ihdr), .. PngStructure.Chunk("IDAT", idat), .. PngStructure.Chunk("IEND", []),
        ];
    }

    /// <summary>The zlib stream of a 1-bit greyscale image all black: each row is filter byte 0 then zeros.</summary>
    static byte[] CompressedBlackRows(int width, int height)
    {
        var row = new byte[1 + ((width + 7) / 8)];
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            for (var y = 0; y < height; y++)
            {
                zlib.Write(row);
            }
        }
        return output.ToArray();
    }
}
