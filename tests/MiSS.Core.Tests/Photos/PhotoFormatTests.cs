using MiSS.Core.Photos;

namespace MiSS.Core.Tests.Photos;

/// <summary>Format recognition and the PNG rule: screenshots stay lossless, photos saved as PNG become JPEG.</summary>
public class PhotoFormatTests
{
    [Test]
    public void A_png_screenshot_stays_png_pixel_for_pixel()
    {
        var screenshot = SyntheticImages.Screenshot(1280, 800);
        var input = TestVips.Png(screenshot);

        var result = PhotoProcessor.Process(input);

        Assert.Multiple(() =>
        {
            Assert.That(result.MediaType, Is.EqualTo("image/png"));
            Assert.That((result.Width, result.Height), Is.EqualTo((1280, 800)));
            Assert.That(result.Bytes, Has.Length.LessThan(PhotoOptions.Default.MaxBytes));
            Assert.That(TestVips.Decode(result.Bytes).Data, Is.EqualTo(screenshot.Data), "lossless");
            Assert.That(result.ThumbnailMediaType, Is.EqualTo("image/jpeg"));
        });
        OutputAssert.IsCleanPng(result.Bytes);
    }

    [Test]
    public void A_large_png_screenshot_is_downscaled_and_stays_png()
    {
        var result = PhotoProcessor.Process(TestVips.Png(SyntheticImages.Screenshot(2880, 1800)));

        Assert.Multiple(() =>
        {
            Assert.That(result.MediaType, Is.EqualTo("image/png"));
            Assert.That((result.Width, result.Height), Is.EqualTo((2048, 1280)));
        });
        OutputAssert.IsCleanPng(result.Bytes);
    }

    [Test]
    public void A_photo_saved_as_png_over_budget_becomes_a_jpeg_within_budget()
    {
        var input = TestVips.Png(SyntheticImages.CameraLike(1600, 1200));
        Assert.That(input, Has.Length.GreaterThan(1_000_000), "a PNG photo is big");

        var result = PhotoProcessor.Process(input);

        Assert.Multiple(() =>
        {
            Assert.That(result.MediaType, Is.EqualTo("image/jpeg"));
            Assert.That((result.Width, result.Height), Is.EqualTo((1600, 1200)));
            Assert.That(result.Bytes, Has.Length.LessThanOrEqualTo(1_000_000));
        });
        OutputAssert.IsCleanJpeg(result.Bytes);
    }

    [Test]
    public void In_full_resolution_mode_a_png_photo_larger_than_its_jpeg_becomes_a_jpeg_and_a_screenshot_stays_png()
    {
        var options = PhotoOptions.Default with { KeepOriginalQuality = true, MaxBytes = 50_000 };

        var photo = PhotoProcessor.Process(TestVips.Png(SyntheticImages.CameraLike(1600, 1200)), options);
        var screenshot = PhotoProcessor.Process(TestVips.Png(SyntheticImages.Screenshot(2880, 1800)), options);

        Assert.Multiple(() =>
        {
            Assert.That(photo.MediaType, Is.EqualTo("image/jpeg"));
            Assert.That(screenshot.MediaType, Is.EqualTo("image/png"), "smaller than its JPEG even over the 50 kB budget");
            Assert.That((screenshot.Width, screenshot.Height), Is.EqualTo((2880, 1800)));
        });
    }

    [Test]
    public void Transparency_is_kept_in_png_and_becomes_white_in_jpeg()
    {
        // RGBA: left half fully transparent, right half an opaque noisy photo.
        var rgb = SyntheticImages.CameraLike(800, 600, noise: 3);
        var rgba = new byte[800 * 600 * 4];
        for (var p = 0; p < 800 * 600; p++)
        {
            rgb.Data.AsSpan(p * 3, 3).CopyTo(rgba.AsSpan(p * 4));
            rgba[(p * 4) + 3] = (byte)(p % 800 < 400 ? 0 : 255);
        }
        var input = TestVips.Png(new Pixels(rgba, 800, 600, 4));

        var asPng = PhotoProcessor.Process(input);
        var asJpeg = PhotoProcessor.Process(input, PhotoOptions.Default with { MaxBytes = 60_000 });

        Assert.Multiple(() =>
        {
            Assert.That(asPng.MediaType, Is.EqualTo("image/png"));
            Assert.That(TestVips.Decode(asPng.Bytes).Bands, Is.EqualTo(4), "alpha kept");
            Assert.That(asJpeg.MediaType, Is.EqualTo("image/jpeg"));
            var transparentSide = TestVips.Decode(asJpeg.Bytes).Mean(20, 20, 100, 100);
            Assert.That(transparentSide.R + transparentSide.G + transparentSide.B, Is.GreaterThan(3 * 250), "white, not black");
            var thumbnailSide = TestVips.Decode(asPng.Thumbnail).Mean(5, 5, 40, 40);
            Assert.That(thumbnailSide.R, Is.GreaterThan(250), "the thumbnail is a JPEG: white too");
        });
    }

    [TestCase("gifsave_buffer")]
    [TestCase("webpsave_buffer")]
    [TestCase("tiffsave_buffer")]
    [TestCase("heifsave_buffer")]
    [TestCase("avifsave_buffer")]
    public void Gif_webp_tiff_heic_and_avif_are_accepted_and_turned_into_jpeg(string saver)
    {
        var input = TestVips.Save(SyntheticImages.Marked(400, 300), saver);
        if (saver == "avifsave_buffer")
        {
            Assert.That(System.Text.Encoding.ASCII.GetString(input, 4, 8), Is.EqualTo("ftypavif"), "a real AVIF");
        }

        var result = PhotoProcessor.Process(input);

        Assert.Multiple(() =>
        {
            Assert.That(result.MediaType, Is.EqualTo("image/jpeg"));
            Assert.That((result.Width, result.Height), Is.EqualTo((400, 300)));
            Assert.That(OutputAssert.QuadrantOf(TestVips.Decode(result.Bytes), (220, 30, 30)), Is.EqualTo("TL"));
        });
    }

    [Test]
    public void The_span_overload_gives_the_same_result_as_the_array_one()
    {
        var input = SyntheticImages.CameraJpeg(640, 480, orientation: 3);

        var fromArray = PhotoProcessor.Process(input);
        var fromSpan = PhotoProcessor.Process(new ReadOnlySpan<byte>(input));

        Assert.That(fromSpan.Bytes, Is.EqualTo(fromArray.Bytes));
        Assert.That(fromSpan.Thumbnail, Is.EqualTo(fromArray.Thumbnail));
    }

    [Test]
    public void Options_out_of_range_are_a_programming_error_not_a_photo_error()
    {
        var input = SyntheticImages.CameraJpeg(64, 48);

        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => PhotoProcessor.Process(input, PhotoOptions.Default with { MinJpegQuality = 90 }));
            Assert.Throws<ArgumentOutOfRangeException>(() => PhotoProcessor.Process(input, PhotoOptions.Default with { MaxLongSide = 0 }));
            Assert.Throws<ArgumentOutOfRangeException>(() => PhotoProcessor.Process(input, PhotoOptions.Default with { MaxBytes = 10 }));
            Assert.Throws<ArgumentOutOfRangeException>(() => PhotoProcessor.Process(input, PhotoOptions.Default with { MinLongSide = 4000 }));
        });
    }

    [TestCase(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }, PhotoFormat.Jpeg)]
    [TestCase(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, PhotoFormat.Png)]
    [TestCase(new byte[] { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61 }, PhotoFormat.Gif)]
    [TestCase(new byte[] { 0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x45, 0x42, 0x50 }, PhotoFormat.WebP)]
    [TestCase(new byte[] { 0x52, 0x49, 0x46, 0x46, 1, 2, 3, 4, 0x57, 0x41, 0x56, 0x45 }, PhotoFormat.Unknown)] // RIFF WAVE
    [TestCase(new byte[] { 0x49, 0x49, 0x2A, 0x00 }, PhotoFormat.Tiff)]
    [TestCase(new byte[] { 0x4D, 0x4D, 0x00, 0x2A }, PhotoFormat.Tiff)]
    [TestCase(new byte[] { 0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x68, 0x65, 0x69, 0x63 }, PhotoFormat.Heif)] // ftyp heic
    [TestCase(new byte[] { 0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6F, 0x6D }, PhotoFormat.Unknown)] // ftyp isom: MP4
    [TestCase(new byte[] { 0x42, 0x4D, 0, 0 }, PhotoFormat.Unknown)] // BMP
    [TestCase(new byte[] { 0xFF, 0xD8 }, PhotoFormat.Unknown)]
    public void Formats_are_recognised_by_their_magic_bytes(byte[] head, PhotoFormat expected) =>
        Assert.That(PhotoFormats.Detect(head), Is.EqualTo(expected));
}
