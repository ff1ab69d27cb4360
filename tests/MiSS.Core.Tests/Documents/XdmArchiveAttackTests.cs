using System.Text;
using MiSS.Core.Documents;
using static MiSS.Core.Tests.Documents.XdmFixtures;

namespace MiSS.Core.Tests.Documents;

/// <summary>Hostile or broken archives: each is refused by <see cref="XdmPackage.Read"/> with its specific error.</summary>
public class XdmArchiveAttackTests
{
    static XdmArchiveException Refused(byte[] zip, XdmReadLimits? limits = null) =>
        Assert.Throws<XdmArchiveException>(() => XdmPackage.Read(zip, limits))!;

    [TestCase("../evil")]
    [TestCase("IHE_XDM/SUBSET01/../../evil.exe")]
    [TestCase("/etc/cron.d/evil")]
    [TestCase("C:/Windows/evil.exe")]
    [TestCase("IHE_XDM\\..\\evil")]
    [TestCase("IHE_XDM/./SUBSET01/x")]
    [TestCase("IHE_XDM//x")]
    [TestCase("IHE_XDM/evil\u0007.pdf")]
    public void An_entry_name_that_leaves_the_archive_is_refused(string name)
    {
        var zip = Rewrite(TwoDocuments(), (_, content) => content, (name, Encoding.ASCII.GetBytes("x")));

        var refused = Refused(zip);

        Assert.That(refused.Error, Is.EqualTo(XdmArchiveError.UnsafeEntryName));
        Assert.That(refused.Message, Does.Contain("nom dangereux"));
    }

    [Test]
    public void Ten_thousand_entries_are_refused_before_being_listed()
    {
        var zip = Zip(Enumerable.Range(0, 10_000).Select(i => ($"IHE_XDM/SUBSET01/F{i:D5}.TXT", Array.Empty<byte>())));

        var refused = Refused(zip);

        Assert.That(refused.Error, Is.EqualTo(XdmArchiveError.TooManyEntries));
        Assert.That(refused.Message, Does.Contain("10000").And.Contain("1000"));
    }

    [Test]
    public void A_declared_uncompressed_size_of_one_gigabyte_is_refused_before_decompressing()
    {
        var zip = PatchCentralDirectory(TwoDocuments(), "IHE_XDM/SUBSET01/DOC0001.PDF", uncompressedSize: 1_000_000_000);

        var refused = Refused(zip);

        Assert.That(refused.Error, Is.EqualTo(XdmArchiveError.TooLarge));
        Assert.That(refused.Message, Does.Contain("100 Mo"));
    }

    [Test]
    public void An_entry_that_hides_its_real_size_is_never_inflated_beyond_the_declared_size()
    {
        // 4 MiB of zeros compress to a few kilobytes; the central directory then claims 300 bytes. Decompression stops
        // at the declared size (the runtime's stream, and Read's own count behind it), so the bomb never goes off; the
        // truncated document then no longer matches its metadata.
        var bomb = new byte[4 * 1024 * 1024];
        var zip = Rewrite(TwoDocuments(), (name, content) => name.EndsWith("DOC0001.PDF", StringComparison.Ordinal) ? bomb : content);
        zip = PatchCentralDirectory(zip, "IHE_XDM/SUBSET01/DOC0001.PDF", uncompressedSize: 300);

        var refused = Refused(zip, new XdmReadLimits { MaxTotalUncompressedBytes = 64 * 1024 });

        Assert.That(refused.Error, Is.EqualTo(XdmArchiveError.IntegrityMismatch));
    }

    [Test]
    public void The_total_budget_counts_every_entry()
    {
        var limits = new XdmReadLimits { MaxTotalUncompressedBytes = 300 };

        Assert.That(Refused(TwoDocuments(), limits).Error, Is.EqualTo(XdmArchiveError.TooLarge));
        Assert.DoesNotThrow(() => XdmPackage.Read(TwoDocuments(), new XdmReadLimits { MaxTotalUncompressedBytes = 64 * 1024 }));
    }

    [Test]
    public void Two_entries_with_the_same_name_ignoring_case_are_refused()
    {
        var zip = Rewrite(TwoDocuments(), (_, content) => content, ("ihe_xdm/subset01/doc0001.pdf", SampleFiles.Pdf("other")));

        Assert.That(Refused(zip).Error, Is.EqualTo(XdmArchiveError.DuplicateEntryName));
    }

    [Test]
    public void An_encrypted_entry_is_refused()
    {
        var zip = PatchCentralDirectory(TwoDocuments(), "IHE_XDM/SUBSET01/DOC0002.PNG", flags: 1);

        Assert.That(Refused(zip).Error, Is.EqualTo(XdmArchiveError.EncryptedEntry));
    }

    [Test]
    public void Something_that_is_not_a_zip_is_refused()
    {
        Assert.That(Refused(SampleFiles.Pdf()).Error, Is.EqualTo(XdmArchiveError.NotAnArchive));
        Assert.That(Refused([]).Error, Is.EqualTo(XdmArchiveError.NotAnArchive));
    }

    [Test]
    public void An_archive_without_metadata_is_refused()
    {
        var zip = Rewrite(TwoDocuments(), (name, content) => name.EndsWith("METADATA.XML", StringComparison.Ordinal) ? null : content);

        Assert.That(Refused(zip).Error, Is.EqualTo(XdmArchiveError.MissingMetadata));
    }

    [Test]
    public void Metadata_that_is_not_well_formed_not_ebRIM_or_has_a_DTD_is_refused()
    {
        var broken = EditMetadata(TwoDocuments(), xml => xml[..(xml.Length / 2)]);
        var foreign = EditMetadata(TwoDocuments(), _ => "<?xml version=\"1.0\"?><root xmlns=\"urn:x\"/>");
        var entity = EditMetadata(TwoDocuments(), xml =>
            "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>" + xml[(xml.IndexOf("?>", StringComparison.Ordinal) + 2)..]);

        Assert.Multiple(() =>
        {
            Assert.That(Refused(broken).Error, Is.EqualTo(XdmArchiveError.InvalidMetadata));
            Assert.That(Refused(foreign).Error, Is.EqualTo(XdmArchiveError.InvalidMetadata));
            Assert.That(Refused(entity).Error, Is.EqualTo(XdmArchiveError.InvalidMetadata));
        });
    }

    [Test]
    public void A_document_uri_that_leaves_the_subset_folder_is_refused()
    {
        var zip = EditMetadata(TwoDocuments(), xml => xml.Replace("<rim:Value>DOC0002.PNG</rim:Value>", "<rim:Value>../../INDEX.HTM</rim:Value>", StringComparison.Ordinal));

        Assert.That(Refused(zip).Error, Is.EqualTo(XdmArchiveError.UnsafeEntryName));
    }

    [Test]
    public void A_document_the_metadata_announces_but_the_archive_lacks_is_refused()
    {
        var zip = Rewrite(TwoDocuments(), (name, content) => name.EndsWith("DOC0002.PNG", StringComparison.Ordinal) ? null : content);

        Assert.That(Refused(zip).Error, Is.EqualTo(XdmArchiveError.MissingDocument));
    }

    [Test]
    public void A_document_altered_after_packaging_is_refused()
    {
        var altered = Rewrite(TwoDocuments(), (name, content) => name.EndsWith("DOC0001.PDF", StringComparison.Ordinal) ? SampleFiles.Pdf("bilam") : content);
        var resized = EditMetadata(TwoDocuments(), xml =>
        {
            var size = SampleFiles.Pdf("bilan").Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return xml.Replace($"<rim:Value>{size}</rim:Value>", $"<rim:Value>{size}0</rim:Value>", StringComparison.Ordinal);
        });

        Assert.That(Refused(altered).Error, Is.EqualTo(XdmArchiveError.IntegrityMismatch));
        Assert.That(Refused(resized).Error, Is.EqualTo(XdmArchiveError.IntegrityMismatch));
        Assert.That(Refused(altered).Message, Does.Contain("empreinte"));
    }
}
