using Microsoft.Data.Sqlite;
using MiSS.Core.Photos;

namespace MiSS.Core.Tests.Photos;

/// <summary>How libvips is started inside the MiSS process.</summary>
public class PhotoEngineTests
{
    [Test]
    public void Libvips_loads_only_its_heif_module_so_no_magick_poppler_openslide_or_system_sqlite_enters_the_process()
    {
        Vips.EnsureStarted();

        var mapped = File.ReadAllLines("/proc/self/maps").Select(l => l.IndexOf('/', StringComparison.Ordinal) is var at and >= 0 ? l[at..] : "").Distinct().ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(Vips.HeifAvailable, "HEIC support (vips-heif.so, loaded by MiSS)");
            Assert.That(mapped.Where(p => p.EndsWith("/vips-heif.so", StringComparison.Ordinal)), Has.Exactly(1).Items);
            foreach (var unwanted in new[] { "vips-magick", "vips-poppler", "vips-openslide", "vips-jxl", "libMagick", "libpoppler", "libopenslide", "/libsqlite3.so" })
            {
                Assert.That(mapped.Where(p => p.Contains(unwanted, StringComparison.Ordinal)), Is.Empty, unwanted);
            }
        });
    }

    [Test]
    public void Sqlite_still_works_in_the_same_process_after_photos()
    {
        PhotoProcessor.Process(SyntheticImages.CameraJpeg(320, 240, orientation: 6));
        PhotoProcessor.Process(TestVips.Save(SyntheticImages.Marked(64, 48), "heifsave_buffer"));

        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE t(x); INSERT INTO t VALUES (41); SELECT x + 1 FROM t;";

        Assert.That(command.ExecuteScalar(), Is.EqualTo(42L));
    }
}
