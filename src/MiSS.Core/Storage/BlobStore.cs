using System.Security.Cryptography;
using System.Text;

namespace MiSS.Core.Storage;

/// <summary>
/// Attachment bytes (photos, documents, thumbnails), encrypted at rest with AES-256-GCM under a key of this instance,
/// one file per blob, in the data folder (never a web-served one). The blob id is bound to its ciphertext as associated
/// data, so a file cannot be swapped for another. Deleting a blob deletes its file; what SSD wear levelling may keep is
/// ciphertext only.
/// </summary>
public sealed class BlobStore
{
    const int NonceSize = 12;
    const int TagSize = 16;

    readonly string _directory;
    readonly byte[] _key;

    BlobStore(string directory, byte[] key)
    {
        _directory = directory;
        _key = key;
    }

    /// <summary>Opens the store in <paramref name="dataDirectory"/>, creating its key (mode 0600) on first use.</summary>
    public static BlobStore Open(string dataDirectory)
    {
        var directory = Path.Combine(dataDirectory, "blobs");
        Directory.CreateDirectory(directory);
        var keyPath = Path.Combine(dataDirectory, "blobs.key");
        if (!File.Exists(keyPath))
        {
            // Created exclusively: two processes starting at once cannot each write a different key.
            try
            {
                using var file = new FileStream(keyPath, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }
                file.Write(RandomNumberGenerator.GetBytes(32));
            }
            catch (IOException) when (File.Exists(keyPath))
            {
                // The other process won; use its key.
            }
        }
        var key = File.ReadAllBytes(keyPath);
        if (key.Length != 32)
        {
            throw new InvalidOperationException($"the attachment key {keyPath} is damaged ({key.Length} bytes)");
        }
        return new BlobStore(directory, key);
    }

    /// <summary>Stores bytes; returns the blob's id. Durable (flushed) when this returns.</summary>
    public string Put(ReadOnlySpan<byte> content)
    {
        var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var sealedBytes = new byte[NonceSize + content.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(_key, TagSize))
        {
            aes.Encrypt(nonce, content, sealedBytes.AsSpan(NonceSize, content.Length), sealedBytes.AsSpan(NonceSize + content.Length), Encoding.ASCII.GetBytes(id));
        }
        var path = PathOf(id);
        using (var file = new FileStream(path + ".tmp", FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            file.Write(sealedBytes);
            file.Flush(flushToDisk: true);
        }
        File.Move(path + ".tmp", path);
        return id;
    }

    /// <summary>The bytes of a blob; throws when it is missing or was altered.</summary>
    public byte[] Get(string id)
    {
        var sealedBytes = File.ReadAllBytes(PathOf(id));
        if (sealedBytes.Length < NonceSize + TagSize)
        {
            throw new CryptographicException($"blob {id} is truncated");
        }
        var content = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize, content.Length), sealedBytes.AsSpan(NonceSize + content.Length),
            content, Encoding.ASCII.GetBytes(id));
        return content;
    }

    /// <summary>Deletes a blob (no error when it is already gone).</summary>
    public void Delete(string id) => File.Delete(PathOf(id));

    /// <summary>True when the blob exists.</summary>
    public bool Exists(string id) => File.Exists(PathOf(id));

    string PathOf(string id) =>
        id.Length == 32 && id.All(char.IsAsciiHexDigitLower)
            ? Path.Combine(_directory, id + ".blob")
            : throw new ArgumentException("invalid blob id", nameof(id));
}
