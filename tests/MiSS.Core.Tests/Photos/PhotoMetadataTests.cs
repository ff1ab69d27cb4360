using MiSS.Core.Photos;

namespace MiSS.Core.Tests.Photos;

/// <summary>Every piece of metadata a phone or an editor can put in a photo is gone from what MiSS sends.</summary>
public class PhotoMetadataTests
{
    [Test]
    public void The_generated_camera_jpeg_really_carries_exif_gps_xmp_iptc_and_a_comment()
    {
        var input = SyntheticImages.CameraJpeg(400, 300, orientation: 6);

        var segments = JpegStructure.Parse(input).Segments;
        Assert.Multiple(() =>
        {
            Assert.That(segments.Any(s => s.Marker == 0xE1 && s.Payload.AsSpan().StartsWith("Exif\0\0"u8)), "EXIF APP1");
            Assert.That(segments.Any(s => s.Marker == 0xE1 && s.Payload.AsSpan().StartsWith("http://ns.adobe.com/xap/1.0/\0"u8)), "XMP APP1");
            Assert.That(segments.Any(s => s.Marker == 0xED && s.Payload.AsSpan().StartsWith("Photoshop 3.0\0"u8)), "IPTC APP13");
            Assert.That(segments.Any(s => s.Marker == 0xFE), "COM");
            foreach (var marker in new[] { Metadata.MakeMarker, Metadata.ModelMarker, Metadata.SerialMarker, Metadata.XmpMarker, Metadata.IptcMarker, Metadata.CommentMarker, Metadata.PatientName })
            {
                Assert.That(OutputAssert.Contains(input, marker), marker);
            }
            // And libvips (through libexif) parses the hand-built EXIF as a camera's: orientation and GPS are read.
            Assert.That(TestVips.Header(input, i => Vips.GetInt(i, Vips.OrientationField)), Is.EqualTo(6));
            Assert.That(TestVips.Header(input, i => Vips.HasField(i, "exif-ifd3-GPSLatitude")), "GPS latitude parsed");
            Assert.That(TestVips.Header(input, i => Vips.HasField(i, "exif-ifd0-Make")), "Make parsed");
            Assert.That(TestVips.Header(input, i => Vips.HasField(i, "xmp-data")), "XMP parsed");
            Assert.That(TestVips.Header(input, i => Vips.HasField(i, "iptc-data")), "IPTC parsed");
        });
    }

    [Test]
    public void Photo_and_thumbnail_keep_no_metadata_checked_on_the_bytes()
    {
        var result = PhotoProcessor.Process(SyntheticImages.CameraJpeg(1200, 900, orientation: 6));

        Assert.That(result.MediaType, Is.EqualTo("image/jpeg"));
        OutputAssert.IsCleanJpeg(result.Bytes);
        OutputAssert.IsCleanJpeg(result.Thumbnail);
        Assert.That(TestVips.Header(result.Bytes, i => Vips.GetInt(i, Vips.OrientationField)), Is.Null.Or.EqualTo(1), "no orientation left to apply");
    }

    [Test]
    public void The_12_megapixel_camera_photo_keeps_no_metadata_in_either_mode([Values] bool keepOriginalQuality)
    {
        var result = PhotoProcessor.Process(SyntheticImages.CameraJpeg12Mp, PhotoOptions.Default with { KeepOriginalQuality = keepOriginalQuality });

        OutputAssert.IsCleanJpeg(result.Bytes);
        OutputAssert.IsCleanJpeg(result.Thumbnail);
    }

    [Test]
    public void Icc_tagged_pixels_are_converted_to_srgb_and_the_profile_dropped()
    {
        // Display P3 tags, as an iPhone writes them: the same numbers mean a more saturated red than in sRGB.
        var input = TestVips.Jpeg(SyntheticImages.Marked(400, 300), 95, iccProfile: "p3");
        Assert.That(TestVips.Header(input, i => Vips.HasField(i, Vips.IccProfileField)), "input is ICC-tagged");

        var result = PhotoProcessor.Process(input);

        OutputAssert.IsCleanJpeg(result.Bytes);
        var red = TestVips.Decode(result.Bytes).Mean(0, 0, 60, 50);
        var grey = TestVips.Decode(result.Bytes).Mean(150, 150, 60, 50);
        Assert.Multiple(() =>
        {
            Assert.That(red.R, Is.GreaterThan(232), "P3 red (220, 30, 30) is more saturated once in sRGB");
            Assert.That(red.G, Is.LessThan(15));
            Assert.That(grey.R, Is.EqualTo(grey.G).Within(3), "neutral grey stays neutral");
        });
    }

    [Test]
    public void Png_text_exif_and_xmp_chunks_are_dropped()
    {
        var input = Metadata.SpliceIntoPng(TestVips.Png(SyntheticImages.Screenshot(1000, 700)));
        var chunks = PngStructure.Parse(input).Chunks.Select(c => c.Type).ToArray();
        Assert.That(chunks, Does.Contain("tEXt").And.Contain("eXIf").And.Contain("iTXt"), "input carries them");

        var result = PhotoProcessor.Process(input);

        Assert.That(result.MediaType, Is.EqualTo("image/png"));
        OutputAssert.IsCleanPng(result.Bytes);
        OutputAssert.IsCleanJpeg(result.Thumbnail);
    }

    [TestCase("tiffsave_buffer")]
    [TestCase("webpsave_buffer")]
    [TestCase("heifsave_buffer")]
    public void Other_formats_come_out_as_clean_jpegs(string saver)
    {
        var result = PhotoProcessor.Process(TestVips.Save(SyntheticImages.CameraLike(600, 400), saver));

        Assert.That((result.Width, result.Height), Is.EqualTo((600, 400)));
        OutputAssert.IsCleanJpeg(result.Bytes);
    }
}
