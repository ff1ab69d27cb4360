using MiSS.Core.Photos;

namespace MiSS.Core.Tests.Photos;

/// <summary>Orientation, pixel budget, byte budget, no upscaling, full-resolution mode, thumbnails.</summary>
public class PhotoGeometryTests
{
    static readonly (double, double, double) Red = (220, 30, 30);
    static readonly (double, double, double) Blue = (30, 30, 220);

    [Test]
    public void Orientation_6_turns_a_400x300_landscape_into_a_300x400_portrait_rotated_clockwise()
    {
        // Stored: red block top-left, blue block top-right. Orientation 6 = "rotate 90° clockwise to display".
        var input = Metadata.Splice(TestVips.Jpeg(SyntheticImages.Marked(400, 300), 95), Metadata.CameraSegments(6));

        var result = PhotoProcessor.Process(input);

        Assert.That((result.Width, result.Height), Is.EqualTo((300, 400)));
        var pixels = TestVips.Decode(result.Bytes);
        Assert.That((pixels.Width, pixels.Height), Is.EqualTo((300, 400)), "the header agrees");
        Assert.Multiple(() =>
        {
            Assert.That(OutputAssert.QuadrantOf(pixels, Red), Is.EqualTo("TR"), "top-left goes to top-right");
            Assert.That(OutputAssert.QuadrantOf(pixels, Blue), Is.EqualTo("BR"), "top-right goes to bottom-right");
        });
    }

    // Where the stored top-left (red) and top-right (blue) corners must be displayed, for each EXIF orientation.
    [TestCase(1, "TL", "TR", false)]
    [TestCase(2, "TR", "TL", false)]
    [TestCase(3, "BR", "BL", false)]
    [TestCase(4, "BL", "BR", false)]
    [TestCase(5, "TL", "BL", true)]
    [TestCase(6, "TR", "BR", true)]
    [TestCase(7, "BR", "TR", true)]
    [TestCase(8, "BL", "TL", true)]
    public void Every_exif_orientation_is_applied(int orientation, string red, string blue, bool swapsSides)
    {
        var input = Metadata.Splice(TestVips.Jpeg(SyntheticImages.Marked(400, 300), 95), Metadata.CameraSegments(orientation));

        var result = PhotoProcessor.Process(input);

        var pixels = TestVips.Decode(result.Bytes);
        Assert.Multiple(() =>
        {
            Assert.That((result.Width, result.Height), Is.EqualTo(swapsSides ? (300, 400) : (400, 300)));
            Assert.That(OutputAssert.QuadrantOf(pixels, Red), Is.EqualTo(red), "stored top-left");
            Assert.That(OutputAssert.QuadrantOf(pixels, Blue), Is.EqualTo(blue), "stored top-right");
        });
    }

    [Test]
    public void A_12_megapixel_photo_fits_2048_pixels_and_one_megabyte_with_its_aspect_ratio()
    {
        var input = SyntheticImages.CameraJpeg12Mp;
        Assert.That(input, Has.Length.GreaterThan(3_000_000), "a phone-sized input");

        var result = PhotoProcessor.Process(input);

        Assert.Multiple(() =>
        {
            Assert.That(result.MediaType, Is.EqualTo("image/jpeg"));
            Assert.That(Math.Max(result.Width, result.Height), Is.LessThanOrEqualTo(2048));
            Assert.That((result.Width, result.Height), Is.EqualTo((2048, 1536)), "4:3 kept, full pixel budget used");
            Assert.That(result.Bytes, Has.Length.LessThanOrEqualTo(1_000_000));
            Assert.That(TestVips.Header(result.Bytes, i => (Vips.Width(i), Vips.Height(i))), Is.EqualTo((2048, 1536)));
        });
    }

    [Test]
    public void A_tight_byte_budget_lowers_quality_then_dimensions()
    {
        // Heavy sensor noise: even quality 60 at 2048 px is far over 150 kB, so the size must come down too.
        var input = SyntheticImages.CameraJpeg(2400, 1800, noise: 40);
        var options = PhotoOptions.Default with { MaxBytes = 150_000 };

        var result = PhotoProcessor.Process(input, options);

        Assert.Multiple(() =>
        {
            Assert.That(result.Bytes, Has.Length.LessThanOrEqualTo(150_000));
            Assert.That(result.Width, Is.LessThan(2048), "dimensions reduced");
            Assert.That(result.Width, Is.GreaterThanOrEqualTo(options.MinLongSide));
            Assert.That(result.Width * 3, Is.EqualTo(result.Height * 4).Within(4), "aspect ratio kept");
        });
        OutputAssert.IsCleanJpeg(result.Bytes);
    }

    [Test]
    public void A_budget_that_cannot_be_met_above_the_minimum_size_is_refused_in_french()
    {
        var input = SyntheticImages.CameraJpeg(800, 600, noise: 60);

        var e = Assert.Throws<PhotoException>(() => PhotoProcessor.Process(input, PhotoOptions.Default with { MaxBytes = 2_000 }));

        Assert.That(e!.Error, Is.EqualTo(PhotoError.BudgetUnreachable));
        Assert.That(e.Message, Does.StartWith("impossible de réduire la photo sous 2 ko"));
    }

    [Test]
    public void A_small_photo_is_never_upscaled_nor_is_its_thumbnail()
    {
        var result = PhotoProcessor.Process(SyntheticImages.CameraJpeg(640, 480));
        var tiny = PhotoProcessor.Process(SyntheticImages.CameraJpeg(200, 120));

        Assert.Multiple(() =>
        {
            Assert.That((result.Width, result.Height), Is.EqualTo((640, 480)));
            Assert.That(TestVips.Header(tiny.Thumbnail, i => (Vips.Width(i), Vips.Height(i))), Is.EqualTo((200, 120)));
        });
    }

    [Test]
    public void Keep_original_quality_keeps_all_12_megapixels_but_still_strips_and_rotates()
    {
        var options = PhotoOptions.Default with { KeepOriginalQuality = true };

        var result = PhotoProcessor.Process(SyntheticImages.CameraJpeg12Mp, options);
        var rotated = PhotoProcessor.Process(SyntheticImages.CameraJpeg(1200, 900, orientation: 8), options);

        Assert.Multiple(() =>
        {
            Assert.That((result.Width, result.Height), Is.EqualTo((4000, 3000)));
            Assert.That(TestVips.Header(result.Bytes, i => (Vips.Width(i), Vips.Height(i))), Is.EqualTo((4000, 3000)));
            Assert.That((rotated.Width, rotated.Height), Is.EqualTo((900, 1200)));
        });
        OutputAssert.IsCleanJpeg(result.Bytes);
    }

    [Test]
    public void The_thumbnail_is_a_jpeg_of_at_most_320_pixels_with_the_photo_orientation()
    {
        var result = PhotoProcessor.Process(SyntheticImages.CameraJpeg(1600, 1200, orientation: 6));

        var (w, h) = TestVips.Header(result.Thumbnail, i => (Vips.Width(i), Vips.Height(i)));
        Assert.Multiple(() =>
        {
            Assert.That(result.ThumbnailMediaType, Is.EqualTo("image/jpeg"));
            Assert.That(PhotoFormats.Detect(result.Thumbnail), Is.EqualTo(PhotoFormat.Jpeg));
            Assert.That(Math.Max(w, h), Is.EqualTo(320));
            Assert.That((w, h), Is.EqualTo((240, 320)), "portrait like the photo");
        });
        OutputAssert.IsCleanJpeg(result.Thumbnail);
    }

    [Test]
    public void Concurrent_calls_are_independent()
    {
        var inputs = Enumerable.Range(0, 8).Select(i => SyntheticImages.CameraJpeg(600 + (40 * i), 400 + (20 * i), orientation: 1 + (i % 8), seed: i)).ToArray();
        var expected = inputs.Select(i => PhotoProcessor.Process(i)).ToArray();

        var results = new ProcessedPhoto[inputs.Length];
        Parallel.For(0, inputs.Length * 3, new ParallelOptions { MaxDegreeOfParallelism = 4 }, n =>
        {
            var i = n % inputs.Length;
            var r = PhotoProcessor.Process(inputs[i]);
            results[i] = r;
            Assert.That(r.Bytes, Is.EqualTo(expected[i].Bytes), $"input {i}: same bytes as a sequential run");
        });
        Assert.That(results.Select(r => (r.Width, r.Height)), Is.EqualTo(expected.Select(r => (r.Width, r.Height))));
    }
}
