using System.Security.Cryptography;
using System.Text;
using MiSS.Core.Storage;

namespace MiSS.Core.Tests.Storage;

public class BlobStoreTests
{
    string _directory = "";

    [SetUp]
    public void Create() => _directory = Directory.CreateTempSubdirectory("miss-blobs-").FullName;

    [TearDown]
    public void Clean() => Directory.Delete(_directory, recursive: true);

    static readonly byte[] Photo = Encoding.UTF8.GetBytes("JPEG-LIKE BYTES of a wound photo, MARKER-5c1e " + new string('x', 5000));

    [Test]
    public void What_is_stored_reads_back_identical_and_is_not_readable_on_disk()
    {
        var store = BlobStore.Open(_directory);

        var id = store.Put(Photo);

        Assert.That(store.Get(id), Is.EqualTo(Photo));
        var onDisk = Directory.GetFiles(Path.Combine(_directory, "blobs")).Single();
        Assert.That(Encoding.Latin1.GetString(File.ReadAllBytes(onDisk)), Does.Not.Contain("MARKER-5c1e"));
        Assert.That(BlobStore.Open(_directory).Get(id), Is.EqualTo(Photo), "another instance on the same folder reads it (same key)");
    }

    [Test]
    public void A_modified_blob_is_refused()
    {
        var store = BlobStore.Open(_directory);
        var id = store.Put(Photo);
        var path = Directory.GetFiles(Path.Combine(_directory, "blobs")).Single();
        var bytes = File.ReadAllBytes(path);
        bytes[100] ^= 1;
        File.WriteAllBytes(path, bytes);

        Assert.Throws(Is.InstanceOf<CryptographicException>(), () => store.Get(id));
    }

    [Test]
    public void A_blob_swapped_for_another_is_refused()
    {
        var store = BlobStore.Open(_directory);
        var first = store.Put(Photo);
        var second = store.Put("other"u8);
        File.Copy(Path.Combine(_directory, "blobs", second + ".blob"), Path.Combine(_directory, "blobs", first + ".blob"), overwrite: true);

        Assert.Throws(Is.InstanceOf<CryptographicException>(), () => store.Get(first));
    }

    [Test]
    public void The_key_is_private_to_the_user_and_a_deleted_blob_is_gone()
    {
        var store = BlobStore.Open(_directory);
        var id = store.Put(Photo);

        store.Delete(id);

        Assert.That(store.Exists(id), Is.False);
        Assert.That(Directory.GetFiles(Path.Combine(_directory, "blobs")), Is.Empty);
        if (!OperatingSystem.IsWindows())
        {
            Assert.That(File.GetUnixFileMode(Path.Combine(_directory, "blobs.key")), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        }
        Assert.Throws<ArgumentException>(() => store.Get("../../etc/passwd"));
    }
}
