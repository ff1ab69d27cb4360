using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Text;
using System.Xml.Linq;
using MiSS.Core.Conversations;
using MiSS.Core.Documents;

namespace MiSS.Core.Tests.Documents;

/// <summary>Patients, authors and ZIP surgery for the XDM tests.</summary>
static class XdmFixtures
{
    public static readonly DateTimeOffset Now = new(2025, 3, 14, 10, 30, 0, TimeSpan.FromHours(1));

    public const string TestInsOid = "1.2.250.1.213.1.4.10";

    /// <summary>A 13-digit matricule with its key: 97 − (number mod 97), two digits.</summary>
    public static string Ins(string thirteenDigits) =>
        thirteenDigits + (97 - (int)(BigInteger.Parse(thirteenDigits) % 97)).ToString("D2");

    public static readonly string MarieIns = Ins("2800175123456");

    public static PatientContext Marie => new("DUPONT", "Marie Anne", "1980-01-31", MarieIns, TestInsOid);

    public static PatientContext Unqualified => new("DURAND", "Paul", "1975-06-02");

    public static XdmAuthor Claire => XdmAuthor.FromRpps("10101234564", "MARTIN", "Claire", "claire.martin@dev.mssante.test");

    public static byte[] TwoDocuments() => XdmPackage.Build(
        [("Résultats bilan.pdf", "application/pdf", SampleFiles.Pdf("bilan")), ("plaie talon.png", "image/png", SampleFiles.Png())],
        Marie, Claire, Now);

    public static Dictionary<string, byte[]> Entries(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return archive.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var stream = e.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        });
    }

    public static XDocument Metadata(byte[] zip) =>
        XDocument.Parse(Encoding.UTF8.GetString(Entries(zip)["IHE_XDM/SUBSET01/METADATA.XML"]));

    /// <summary>A ZIP with these entries, in this order (duplicates and unsafe names allowed).</summary>
    public static byte[] Zip(IEnumerable<(string Name, byte[] Content)> entries)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = archive.CreateEntry(name, CompressionLevel.Fastest).Open();
                stream.Write(content);
            }
        }
        return buffer.ToArray();
    }

    /// <summary>The archive rebuilt with each entry passed through <paramref name="change"/> (null drops it), plus extras.</summary>
    public static byte[] Rewrite(byte[] zip, Func<string, byte[], byte[]?> change, params (string Name, byte[] Content)[] extra) =>
        Zip(Entries(zip)
            .Select(e => (e.Key, Content: change(e.Key, e.Value)))
            .Where(e => e.Content is not null)
            .Select(e => (e.Key, e.Content!))
            .Concat(extra));

    /// <summary>The archive with METADATA.XML edited as text.</summary>
    public static byte[] EditMetadata(byte[] zip, Func<string, string> edit) =>
        Rewrite(zip, (name, content) => name.EndsWith("METADATA.XML", StringComparison.Ordinal)
            ? Encoding.UTF8.GetBytes(edit(Encoding.UTF8.GetString(content)))
            : content);

    /// <summary>
    /// Edits the central directory record of <paramref name="entryName"/> in place: its declared uncompressed size
    /// and, optionally, its general-purpose flags.
    /// </summary>
    public static byte[] PatchCentralDirectory(byte[] zip, string entryName, uint? uncompressedSize = null, ushort? flags = null)
    {
        var patched = (byte[])zip.Clone();
        var name = Encoding.ASCII.GetBytes(entryName);
        for (var at = 0; at + 46 <= patched.Length; at++)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(patched.AsSpan(at)) != 0x02014B50)
            {
                continue;
            }
            var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(patched.AsSpan(at + 28));
            if (patched.AsSpan(at + 46, nameLength).SequenceEqual(name))
            {
                if (uncompressedSize is { } size)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(at + 24), size);
                }
                if (flags is { } f)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(patched.AsSpan(at + 8), f);
                }
                return patched;
            }
        }
        throw new InvalidOperationException($"No central directory record for {entryName}.");
    }
}
